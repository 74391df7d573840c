package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"hms/data/sync/hlc"
	"hms/data/sync/server/servertest"
)

// migratedTo returns a connection to a fresh database with the embedded
// migrations up to version upTo.
func migratedTo(t *testing.T, upTo int) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, servertest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.version <= upTo {
			if _, err := conn.Exec(ctx, m.body); err != nil {
				t.Fatalf("%s: %v", m.name, err)
			}
		}
	}
	return conn
}

// TestPushDecidesAsBefore: 0003 made sync.push faster, not different. The
// same random batches, with every kind of operation the rules tell apart
// (new rows, edits that win and lose, deletes and inserts after them,
// append-only rows, appointments that move back or overlap, refusals,
// readings too far ahead, edits of missing rows, operations repeated in a
// batch and across batches), pushed to a server of schema 2 and to one of
// schema 3, get the same results and leave the same rows, change log,
// applied operations, quarantine and slots.
func TestPushDecidesAsBefore(t *testing.T) {
	t.Parallel()
	pushDecidesAlike(t, 2, 3, rand.New(rand.NewPCG(3, 5)))
}

// TestPushDecidesAsBefore74: 0074 made sync.push_as faster again (its
// lookups by key planned as index probes whatever the statistics say, and
// fewer statements per edit), not different: the same random batches,
// whose edits also carry bases (lists of readings their values descend
// from, of any desk, known or not), decide and leave everything as 0041's
// function does, the field bases and the "_lost" and "_seen" of the change
// log included.
func TestPushDecidesAsBefore74(t *testing.T) {
	t.Parallel()
	pushDecidesAlike(t, 73, 74, rand.New(rand.NewPCG(7, 4)))
}

// TestPushDecidesAsBefore100: 0100 makes a batch's new rows in one
// statement before the loop, merges and writes an edit in one, and builds
// the merge's ordered lists only when they have something; 0101 checks the
// lock order with one probe when no later transaction has logged. The
// same random batches decide and leave everything as 0074's function
// (schema 93) does.
func TestPushDecidesAsBefore100(t *testing.T) {
	t.Parallel()
	pushDecidesAlike(t, 93, 101, rand.New(rand.NewPCG(10, 0)))
}

// TestPushDecidesAsBefore102: 0102 decides a batch's new rows and its
// edits of rows no other operation of the batch touches as sets, and
// numbers the log and places the results at the end; the loop decides
// the rest. The same random batches decide and leave everything as
// 0101's function does.
func TestPushDecidesAsBefore102(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			pushDecidesAlike(t, 101, 102, rand.New(rand.NewPCG(102, seed)))
		})
	}
	// Larger batches over more rows: most new rows and edits are
	// decided as a set, beside the loop's operations in the same batch.
	t.Run("wide", func(t *testing.T) {
		t.Parallel()
		pushDecidesAlikeShaped(t, 101, 102, rand.New(rand.NewPCG(102, 9)), 60, 40)
	})
}

// TestPushDecidesAsBefore114: 0114 scopes operation ids to the pushing
// desk, keeps an issued invoice's issue and issued lines as the first
// issue to reach the server made them, and decides no edit of an invoice
// line as a set. The same random batches, without what 0114 decides
// otherwise (an operation sent again by another desk, a change of an
// issued invoice's number), decide and leave everything as 0102's
// function does; TestOpIDsAreTheDesks, TestIssuedLineKeptOnServer and,
// on the desks, TestInvoiceIssuedOnTwoDesks and TestForgedIssuedLines
// show what it decides otherwise.
func TestPushDecidesAsBefore114(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			pushDecidesAlikeWith(t, 102, 114, rand.New(rand.NewPCG(114, seed)), 6, 12, true)
		})
	}
	t.Run("wide", func(t *testing.T) {
		t.Parallel()
		pushDecidesAlikeWith(t, 102, 114, rand.New(rand.NewPCG(114, 9)), 60, 40, true)
	})
}

// TestPushSetDecidesAsLoop: batches shaped as desks send them, where 0102
// decides most operations as a set (a new record and an edit of it in one
// transaction, as BenchmarkSyncPush's; edits of records pushed before, by
// the same desk and by another, that saw the value they change), mixed
// with what sends a row to the loop: an edit made without seeing the
// other desk's value (kept for review), one older than the server's
// value (lost), one too far ahead (held), a delete beside an edit of the
// row, two edits of one row, an edit of a row the server has not got, and
// an operation sent again. Schema 101 and 102 answer and keep the same.
func TestPushSetDecidesAsLoop(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	before, after := migratedTo(t, 101), migratedTo(t, 102)
	rng := rand.New(rand.NewPCG(102, 102))
	type desk struct {
		id    string
		clock *hlc.Clock
		seq   int64
	}
	var desks []*desk
	for i := range 2 {
		d := &desk{id: uuid.Must(uuid.NewV7()).String()}
		d.clock = hlc.NewClock(d.id, hlc.Timestamp{}, time.Now)
		desks = append(desks, d)
		for _, c := range []*pgx.Conn{before, after} {
			if _, err := c.Exec(ctx, `INSERT INTO sync.sites (site_id, desk_code) VALUES ($1, $2)`, d.id, fmt.Sprintf("D%d", i+1)); err != nil {
				t.Fatal(err)
			}
		}
	}
	type row struct {
		entity, id string
		readings   []string // every reading of the row's value so far
	}
	var rows []*row
	var sent []map[string]any
	push := func(d *desk, ops []map[string]any) {
		body, err := json.Marshal(ops)
		if err != nil {
			t.Fatal(err)
		}
		var got [2]string
		for i, c := range []*pgx.Conn{before, after} {
			var reply []map[string]any
			if err := c.QueryRow(ctx, `SELECT sync.push_as($1, $2::jsonb)`, d.id, string(body)).Scan(&reply); err != nil {
				t.Fatal(err)
			}
			for _, r := range reply {
				if _, ok := r["log_txid"]; ok {
					r["log_txid"] = "(the push's)"
				}
				if s, _ := r["reason"].(string); strings.HasSuffix(s, "ahead of the server's time") {
					r["reason"] = "(ahead)"
				}
			}
			b, _ := json.Marshal(reply)
			got[i] = string(b)
		}
		if got[0] != got[1] {
			t.Fatalf("%s:\nschema 101: %s\nschema 102: %s", body, got[0], got[1])
		}
		sent = append(sent, ops...)
	}
	op := func(d *desk, kind string, r *row, reading string, payload, base map[string]any) map[string]any {
		d.seq++
		o := map[string]any{"seq": d.seq, "id": uuid.Must(uuid.NewV7()).String(), "entity": r.entity, "row_id": r.id,
			"kind": kind, "hlc": reading, "payload": payload}
		if base != nil {
			o["base"] = base
		}
		return o
	}
	for round := range 30 {
		d := desks[rng.IntN(2)]
		reading := d.clock.Now().String()
		var ops []map[string]any
		for range 20 + rng.IntN(20) { // new records and an edit of each
			r := &row{entity: []string{"settings", "patients"}[rng.IntN(2)], id: uuid.NewString(), readings: []string{reading}}
			rows = append(rows, r)
			ops = append(ops, op(d, "insert", r, reading, map[string]any{"value": "v", "given_name": "A", "updated_at": reading}, nil))
			if rng.IntN(4) > 0 {
				ops = append(ops, op(d, "update", r, reading, map[string]any{"value": "w", "updated_at": reading},
					map[string]any{"value": []string{reading}}))
			}
		}
		for range 10 + rng.IntN(20) { // edits of records pushed before
			if len(rows) == 0 {
				break
			}
			r := rows[rng.IntN(len(rows))]
			v := fmt.Sprint("x", rng.IntN(1000))
			switch rng.IntN(10) {
			case 0: // made without seeing the last value
				ops = append(ops, op(d, "update", r, reading, map[string]any{"value": v}, map[string]any{"value": []string{r.readings[0]}}))
			case 1: // older than the server's value
				ops = append(ops, op(d, "update", r, r.readings[0], map[string]any{"value": v}, nil))
			case 2: // too far ahead
				ahead := d.clock.Now()
				ahead.Wall += (10 * time.Minute).Milliseconds()
				ops = append(ops, op(d, "update", r, ahead.String(), map[string]any{"value": v}, nil))
			case 3: // a delete beside an edit
				ops = append(ops, op(d, "update", r, reading, map[string]any{"value": v}, nil), op(d, "delete", r, reading, map[string]any{}, nil))
			case 4: // two edits of one row
				ops = append(ops, op(d, "update", r, reading, map[string]any{"value": v}, nil),
					op(d, "update", r, reading, map[string]any{"value": v + "y"}, map[string]any{"value": []string{reading}}))
			case 5: // a row the server has not got
				ops = append(ops, op(d, "update", &row{entity: "settings", id: uuid.NewString()}, reading, map[string]any{"value": v}, nil))
			case 6: // sent again
				if len(sent) > 0 {
					ops = append(ops, sent[rng.IntN(len(sent))])
				}
			default: // saw every value so far: decided as a set
				ops = append(ops, op(d, "update", r, reading, map[string]any{"value": v, "updated_at": reading},
					map[string]any{"value": slices.Clone(r.readings)}))
				r.readings = append(r.readings, reading)
			}
		}
		rng.Shuffle(len(ops), func(i, j int) { // (an edit may come before its record's insert)
			if round%3 == 0 {
				ops[i], ops[j] = ops[j], ops[i]
			}
		})
		push(d, ops)
	}
	sameServerState(t, before, after, 101, 102, "appointment_slots")
}

// pushDecidesAlike pushes the same random batches to a server of schema
// from and to one of schema to, and compares what they decide and keep.
func pushDecidesAlike(t *testing.T, from, to int, rng *rand.Rand) {
	pushDecidesAlikeShaped(t, from, to, rng, 6, 12)
}

// pushDecidesAlikeShaped is pushDecidesAlike with rows rows of each
// entity (appointments five times as many) and up to size operations a
// batch.
func pushDecidesAlikeShaped(t *testing.T, from, to int, rng *rand.Rand, rows, size int) {
	pushDecidesAlikeWith(t, from, to, rng, rows, size, false)
}

// pushDecidesAlikeWith is pushDecidesAlikeShaped; own: an operation is
// sent again only by the desk that made it, and an invoice's number is
// set only with its status (what 0114 decides otherwise).
func pushDecidesAlikeWith(t *testing.T, from, to int, rng *rand.Rand, rows, size int, own bool) {
	ctx := context.Background()
	before, after := migratedTo(t, from), migratedTo(t, to)
	// Schema 7 made sync.push a desk login's wrapper of sync.push_as, and
	// enrollment a login's; 12 keeps the field bases, 25 takes lists.
	push, withBases := "sync.push", from >= 25
	if from >= 7 {
		push = "sync.push_as"
	}

	type desk struct {
		id    string
		clock *hlc.Clock
		seq   int64
		old   []hlc.Timestamp // readings of its earlier changes, to send late
	}
	desks := make([]*desk, 3)
	for i := range desks {
		d := &desk{id: uuid.Must(uuid.NewV7()).String()}
		skew := time.Duration(rng.IntN(3000)) * time.Millisecond
		d.clock = hlc.NewClock(d.id, hlc.Timestamp{}, func() time.Time { return time.Now().Add(-skew) })
		desks[i] = d
		for _, c := range []*pgx.Conn{before, after} {
			enroll := `SELECT sync.enroll($1, 'test')`
			if from >= 7 {
				enroll = fmt.Sprintf(`INSERT INTO sync.sites (site_id, desk_code) VALUES ($1, 'D%d')`, i+1)
			}
			if _, err := c.Exec(ctx, enroll, d.id); err != nil {
				t.Fatal(err)
			}
		}
	}

	doctors := []string{uuid.NewString(), uuid.NewString()}
	slot := func() (string, string) {
		start := time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(6)) * 20 * time.Minute)
		return start.Format("2006-01-02T15:04:05.000Z"), start.Add(30 * time.Minute).Format("2006-01-02T15:04:05.000Z")
	}
	statuses := []string{"pending", "confirmed", "checked_in", "completed", "cancelled", "no_show", "conflict"}
	payload := func(entity, kind, row string) map[string]any {
		p := map[string]any{}
		switch entity {
		case "patients":
			for _, f := range []string{"given_name", "phone", "email", "created_at", "updated_at"} {
				if kind == "insert" || rng.IntN(2) == 0 {
					p[f] = fmt.Sprintf("%s-%d", f, rng.IntN(100))
				}
			}
		case "settings":
			if kind == "insert" {
				p["key"] = row
			}
			p["value"] = fmt.Sprint(rng.IntN(100))
		case "payments":
			p["id"], p["amount"] = row, rng.IntN(1000)
		case "invoices":
			p["status"] = []string{"draft", "issued", "paid", "void"}[rng.IntN(4)]
			if kind == "insert" {
				p["status"] = "draft"
			} else if p["status"] != "draft" && rng.IntN(2) == 0 && !own {
				p["number"] = fmt.Sprintf("INV-%d", rng.IntN(100))
			}
		case "appointments":
			if kind == "insert" || rng.IntN(3) == 0 {
				p["doctor_id"] = doctors[rng.IntN(len(doctors))]
				p["start_at"], p["end_at"] = slot()
			}
			p["status"] = statuses[rng.IntN(len(statuses))]
			if rng.IntN(2) == 0 {
				p["status"] = "confirmed"
			}
		}
		return p
	}
	entities := []string{"patients", "settings", "payments", "appointments"}
	if from >= 41 { // 0041 holds a payment of an invoice it has as a draft
		entities = append(entities, "invoices")
	}
	kinds := []string{"insert", "insert", "update", "update", "update", "delete"}

	var sent []map[string]any // every operation pushed, to send again
	var sentBy []*desk        // the desk that pushed each
	seen := map[string]int{}  // the decisions made, by status and reason
	for batch := 0; batch < 300; batch++ {
		d := desks[rng.IntN(len(desks))]
		var ops []map[string]any
		for n := 1 + rng.IntN(size); n > 0; n-- {
			if len(sent) > 0 && rng.IntN(12) == 0 { // delivered again
				n := rng.IntN(len(sent))
				if own && sentBy[n] != d {
					continue // another desk's
				}
				ops = append(ops, sent[n])
				continue
			}
			if len(ops) > 0 && rng.IntN(12) == 0 { // twice in one batch
				ops = append(ops, ops[rng.IntN(len(ops))])
				continue
			}
			entity, kind := entities[rng.IntN(len(entities))], kinds[rng.IntN(len(kinds))]
			row := fmt.Sprintf("%s-%d", entity[:3], rng.IntN(rows))
			if entity == "appointments" { // enough bookings to overlap
				row = fmt.Sprintf("app-%d", rng.IntN(5*rows))
			}
			hlc := d.clock.Now()
			switch rng.IntN(16) {
			case 0: // an earlier change that arrives late
				if len(d.old) > 0 {
					hlc = d.old[rng.IntN(len(d.old))]
				}
			case 1: // a clock far ahead
				hlc.Wall += (10 * time.Minute).Milliseconds()
			}
			d.old = append(d.old, hlc)
			d.seq++
			op := map[string]any{"seq": d.seq, "id": uuid.Must(uuid.NewV7()).String(), "entity": entity,
				"row_id": row, "kind": kind, "payload": payload(entity, kind, row), "hlc": hlc.String()}
			if withBases && kind == "update" && rng.IntN(4) > 0 {
				// What the edit saw of each field: readings of any desk,
				// earlier or not, "" for the value the row was created with.
				base := map[string]any{}
				for f := range op["payload"].(map[string]any) {
					var seen []string
					for n := rng.IntN(4); n > 0; n-- {
						o := desks[rng.IntN(len(desks))]
						if rng.IntN(5) == 0 || len(o.old) == 0 {
							seen = append(seen, "")
						} else {
							seen = append(seen, o.old[rng.IntN(len(o.old))].String())
						}
					}
					if rng.IntN(6) == 0 && len(seen) > 0 {
						base[f] = seen[0] // as a desk of an older version sends it
					} else {
						base[f] = seen
					}
				}
				op["base"] = base
			}
			switch rng.IntN(40) { // the refusals
			case 0:
				op["id"] = strings.ToUpper(op["id"].(string))
			case 1:
				delete(op, "id")
			case 2:
				op["entity"] = "spaceships"
			case 3:
				op["row_id"] = ""
			case 4:
				op["kind"] = "upsert"
			case 5:
				op["payload"] = []int{1}
			case 6:
				op["hlc"] = strings.Replace(hlc.String(), d.id, desks[(rng.IntN(2)+1)%3].id, 1)
			case 7:
				op["hlc"] = "2026-13-01T00:00:00.000Z-0000-" + d.id
			case 8:
				op["hlc"] = strings.ToLower(hlc.String()[:29]) + "z" + hlc.String()[30:]
			case 9:
				op["seq"] = "seven"
			}
			ops = append(ops, op)
		}
		if len(ops) == 0 {
			continue // (only other desks' operations were drawn to send again)
		}
		sent = append(sent, ops...)
		for range ops {
			sentBy = append(sentBy, d)
		}
		body, err := json.Marshal(ops)
		if err != nil {
			t.Fatal(err)
		}
		var got [2]string
		for i, c := range []*pgx.Conn{before, after} {
			var reply []map[string]any
			if err := c.QueryRow(ctx, `SELECT `+push+`($1, $2::jsonb)`, d.id, string(body)).Scan(&reply); err != nil {
				t.Fatalf("batch %d: %v", batch, err)
			}
			for _, r := range reply {
				if _, ok := r["log_txid"]; ok {
					r["log_txid"] = "(the push's)"
				}
				if s, _ := r["reason"].(string); strings.HasSuffix(s, "ahead of the server's time") {
					r["reason"] = "(ahead)"
				}
				if i == 1 {
					reason, _ := r["reason"].(string)
					seen[fmt.Sprint(r["status"], ": ", strings.SplitN(reason, "'", 2)[0])]++
				}
			}
			b, _ := json.Marshal(reply)
			got[i] = string(b)
		}
		if got[0] != got[1] {
			t.Fatalf("batch %d %s:\nschema %d: %s\nschema %d: %s", batch, body, from, got[0], to, got[1])
		}
	}

	// Every rule had its turn.
	for _, want := range []string{"applied: ", "conflict: a newer change on the server won",
		"conflict: the doctor", "rejected: the operation has no valid id", "rejected: the server does not sync ",
		"rejected: the operation names no row", "rejected: unknown kind of operation ", "rejected: the payload is not a JSON object",
		"rejected: ", "rejected: payments rows are never changed nor deleted", "quarantined: the record it changes has not reached the server yet",
		"quarantined: (ahead)"} {
		if seen[want] == 0 {
			t.Errorf("no %q among %v", want, seen)
		}
	}
	if from >= 41 && seen["quarantined: the invoice it changes has not been issued on the server yet"] == 0 {
		t.Errorf("no invoice held among %v", seen)
	}
	if withBases {
		for _, key := range []string{"_lost", "_seen"} {
			var n int
			if err := after.QueryRow(ctx, `SELECT count(*) FROM sync.change_log WHERE server_set ? $1`, key).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Errorf("no change logged with %s", key)
			}
		}
	}
	sameServerState(t, before, after, from, to)
}

// sameServerState compares what two servers, of schema from and to, keep
// after the same pushes: rows (and their field bases from 12 on), change
// log, stored results, quarantine, slots and each desk's last operation.
// Each table but the quarantine and those named in mayBeEmpty must have
// something to compare.
func sameServerState(t *testing.T, before, after *pgx.Conn, from, to int, mayBeEmpty ...string) {
	t.Helper()
	ctx := context.Background()
	rowsQuery := `SELECT entity, row_id, data, field_hlc, deleted_hlc, deleted_at IS NULL FROM sync.rows ORDER BY entity, row_id`
	if from >= 12 {
		rowsQuery = `SELECT entity, row_id, data, field_hlc, deleted_hlc, deleted_at IS NULL, field_base FROM sync.rows ORDER BY entity, row_id`
	}
	logQuery := `SELECT seq, entity, row_id, origin_site, hlc, row_snapshot, field_hlc, deleted_hlc, server_set FROM sync.change_log ORDER BY seq`
	if from < 114 && to >= 114 {
		// From 114 the entry of a change that lost whole carries the row's
		// lineages too (TestLostChangeEntryCarriesLineage): entries naming
		// what lost are compared without them.
		logQuery = `SELECT seq, entity, row_id, origin_site, hlc, row_snapshot, field_hlc, deleted_hlc,
			CASE WHEN server_set ? '_lost' THEN server_set - '_seen' ELSE server_set END FROM sync.change_log ORDER BY seq`
	}
	for _, q := range []string{
		rowsQuery,
		logQuery,
		`SELECT op_id, site_id, op_seq, result - 'log_txid' FROM sync.applied_ops ORDER BY op_id`,
		`SELECT op_id, site_id, op_seq, op, hlc, attempts FROM sync.quarantine ORDER BY op_id`,
		`SELECT row_id, doctor_id, during FROM sync.appointment_slots ORDER BY row_id`,
		`SELECT site_id, last_op_seq FROM sync.sites ORDER BY site_id`,
	} {
		var got [2][]any
		for i, c := range []*pgx.Conn{before, after} {
			rows, err := c.Query(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				v, err := rows.Values()
				if err != nil {
					t.Fatal(err)
				}
				got[i] = append(got[i], v)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
		}
		if len(got[0]) == 0 && !strings.Contains(q, "quarantine") && !slices.ContainsFunc(mayBeEmpty, func(s string) bool { return strings.Contains(q, s) }) {
			t.Errorf("%s: nothing to compare", q)
		}
		if !reflect.DeepEqual(got[0], got[1]) {
			t.Errorf("%s:\nschema %d: %v\nschema %d: %v", q, from, got[0], to, got[1])
		}
	}
}

// TestPushChecksAsPatterns: the fixed-width checks of 0003 accept exactly
// what 0002's regular expressions accepted, on readings and ids with each
// character changed in turn.
func TestPushChecksAsPatterns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := migratedTo(t, 3)
	site := uuid.Must(uuid.NewV7()).String()
	hlc := hlc.Timestamp{Wall: time.Date(2026, 12, 31, 23, 59, 59, 999e6, time.UTC).UnixMilli(), Logical: 0xBEEF, Site: site}.String()
	id := uuid.Must(uuid.NewV7()).String()
	var hlcs, ids []string
	for _, s := range []string{hlc, "2026-01-01T00:00:00.000Z-0000-" + site, "2026-02-31T20:00:00.000Z-A9F0-" + site,
		"2026-09-30T09:09:09.090Z-0001-" + site} {
		hlcs = append(hlcs, s, s+"x", s[:len(s)-1], "", " "+s)
		for i := range len(s) {
			for _, r := range "0123456789abcdefABCDEFGTZ-:.xé" {
				hlcs = append(hlcs, s[:i]+string(r)+s[i+1:])
			}
		}
	}
	ids = append(ids, id, id+"0", id[1:], "", strings.ToUpper(id))
	for i := range len(id) {
		for _, r := range "09afgAF-xé" {
			ids = append(ids, id[:i]+string(r)+id[i+1:])
		}
	}
	var differ []string
	rows, err := c.Query(ctx, `SELECT s, sync.is_desk_hlc(s, $2::uuid),
			s ~ ('^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{3}Z-[0-9A-F]{4}-' || $2 || '$')
		FROM unnest($1::text[]) s
		UNION ALL
		SELECT s, sync.is_op_id(s), s ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
		FROM unnest($3::text[]) s`, hlcs, site, ids)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var s string
		var check, pattern bool
		if err := rows.Scan(&s, &check, &pattern); err != nil {
			t.Fatal(err)
		}
		if check != pattern {
			differ = append(differ, fmt.Sprintf("%q: check %v, pattern %v", s, check, pattern))
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(hlcs)+len(ids) || len(differ) > 0 {
		t.Fatalf("%d of %d strings checked; differ: %v", n, len(hlcs)+len(ids), differ)
	}
}

// TestPushProbesByKey: a push finds each row it decides, and each
// operation's earlier result, by its key, also on a server that hms server
// init analyzed while it was empty and that filled in the same session
// (a desk's first push of a year of records). PL/pgSQL keeps its plans for
// the session; before 0074 they were made from statistics saying the
// tables were empty, as scans of the whole table, and every operation of
// the push read all the rows pushed before it.
func TestPushProbesByKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := servertest.NewDatabase(t)
	if _, err := Init(ctx, u); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	site := uuid.Must(uuid.NewV7()).String()
	if _, err := conn.Exec(ctx, `INSERT INTO sync.sites (site_id, desk_code) VALUES ($1, 'D1')`, site); err != nil {
		t.Fatal(err)
	}
	clock := hlc.NewClock(site, hlc.Timestamp{}, time.Now)
	var seq int64
	// More pushes than the custom plans PL/pgSQL makes before it keeps a
	// generic one.
	for batch := range 8 {
		reading := clock.Now().String()
		var ops []map[string]any
		for i := range 100 {
			row := fmt.Sprintf("probe.%d.%d", batch, i)
			seq++
			ops = append(ops, map[string]any{"seq": seq, "id": uuid.Must(uuid.NewV7()).String(), "entity": "settings",
				"row_id": row, "kind": "insert", "payload": map[string]any{"key": row, "value": "v"}, "hlc": reading})
			seq++
			ops = append(ops, map[string]any{"seq": seq, "id": uuid.Must(uuid.NewV7()).String(), "entity": "settings",
				"row_id": row, "kind": "update", "payload": map[string]any{"value": "w"}, "hlc": reading,
				"base": map[string]any{"value": []string{reading}}})
		}
		body, err := json.Marshal(ops)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var reply string
		if err := tx.QueryRow(ctx, `SELECT sync.push_as($1, $2::jsonb)::text`, site, string(body)).Scan(&reply); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(reply, `"applied"`); n != len(ops) {
			t.Fatalf("batch %d: %d of %d applied: %.300s", batch, n, len(ops), reply)
		}
		// This transaction's scans of the tables looked up by key.
		rows, err := tx.Query(ctx, `SELECT relname, seq_scan FROM pg_stat_xact_user_tables
			WHERE schemaname = 'sync' AND relname IN ('rows', 'applied_ops') ORDER BY relname`)
		if err != nil {
			t.Fatal(err)
		}
		scans := map[string]int64{}
		for rows.Next() {
			var rel string
			var n int64
			if err := rows.Scan(&rel, &n); err != nil {
				t.Fatal(err)
			}
			scans[rel] = n
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if scans["rows"] != 0 || scans["applied_ops"] != 0 {
			t.Fatalf("batch %d of %d operations scanned sync.rows %d times and sync.applied_ops %d times",
				batch, len(ops), scans["rows"], scans["applied_ops"])
		}
	}
}

// TestLockOrderCheckPerBatch: 0101 runs the push's lock-order check
// (0014) without looking each logged row up when no later transaction has
// committed, and still refuses a batch logging a row below a later
// transaction's committed entry; a desk's row with stored operations can
// be neither deleted nor given another site id, as the foreign key it
// replaces refused.
func TestLockOrderCheckPerBatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := servertest.NewDatabase(t)
	if _, err := Init(ctx, u); err != nil {
		t.Fatal(err)
	}
	conn := func() *pgx.Conn {
		c, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close(context.Background()) })
		return c
	}
	a, b := conn(), conn()
	site := uuid.Must(uuid.NewV7()).String()
	if _, err := a.Exec(ctx, `INSERT INTO sync.sites (site_id, desk_code) VALUES ($1, 'D1')`, site); err != nil {
		t.Fatal(err)
	}
	clock := hlc.NewClock(site, hlc.Timestamp{}, time.Now)
	batch := func(kind string, rows ...string) string {
		reading := clock.Now().String()
		var ops []map[string]any
		for _, row := range rows {
			ops = append(ops, map[string]any{"id": uuid.Must(uuid.NewV7()).String(), "entity": "settings",
				"row_id": row, "kind": kind, "payload": map[string]any{"key": row, "value": kind + reading}, "hlc": reading})
		}
		body, err := json.Marshal(ops)
		if err != nil {
			t.Fatal(err)
		}
		return string(body)
	}
	var rows []string
	for i := range 100 {
		rows = append(rows, fmt.Sprintf("order.%d", i))
	}

	// Alone: the batch is logged without a lookup of the log's rows.
	tx, err := a.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT sync.push_as($1, $2::jsonb)`, site, batch("insert", rows...)); err != nil {
		t.Fatal(err)
	}
	lookups := int64(-1)
	if err := tx.QueryRow(ctx, `SELECT pg_stat_get_xact_numscans('sync.change_log_row'::regclass)`).Scan(&lookups); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if lookups != 0 {
		t.Errorf("a push of %d new rows, alone, looked the log's rows up %d times", len(rows), lookups)
	}

	// A push whose transaction began first (a) logs a row after a later
	// one (b) committed its entry of it: refused as before.
	tx, err = a.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_current_xact_id()`); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Exec(ctx, `SELECT sync.push_as($1, $2::jsonb)`, site, batch("update", rows[7])); err != nil {
		t.Fatal(err)
	}
	_, err = tx.Exec(ctx, `SELECT sync.push_as($1, $2::jsonb)`, site, batch("update", rows[3], rows[7]))
	if pe := (*pgconn.PgError)(nil); !errors.As(err, &pe) || pe.Code != "40001" {
		t.Errorf("a push logging a row below a later transaction's entry: %v", err)
	}
	tx.Rollback(ctx)

	// The desk's row keeps its operations.
	for _, q := range []string{`DELETE FROM sync.sites WHERE site_id = $1`,
		`UPDATE sync.sites SET site_id = gen_random_uuid() WHERE site_id = $1`} {
		_, err := b.Exec(ctx, q, site)
		if pe := (*pgconn.PgError)(nil); !errors.As(err, &pe) || pe.Code != "23503" {
			t.Errorf("%s: %v", q, err)
		}
	}
	if _, err := b.Exec(ctx, `INSERT INTO sync.sites (site_id, desk_code) VALUES (gen_random_uuid(), 'D9');
		UPDATE sync.sites SET app_version = 'x' WHERE desk_code = 'D9';
		DELETE FROM sync.sites WHERE desk_code = 'D9'`); err != nil {
		t.Errorf("a desk's row without operations: %v", err)
	}
}

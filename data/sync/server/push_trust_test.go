package server

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"hms/data/sync/hlc"
)

// pushAs pushes ops as site on c and returns the results.
func pushAs(t *testing.T, c *pgx.Conn, site string, ops ...map[string]any) []map[string]any {
	t.Helper()
	body, err := json.Marshal(ops)
	if err != nil {
		t.Fatal(err)
	}
	var reply []map[string]any
	if err := c.QueryRow(context.Background(), `SELECT sync.push_as($1, $2::jsonb)`, site, string(body)).Scan(&reply); err != nil {
		t.Fatal(err)
	}
	return reply
}

// TestOpIDsAreTheDesks: an operation's id belongs to the desk that pushed
// it. Desk B sending desk A's id (with other content) gets a refusal that
// says why, not A's stored result, and its row is not made silently; B
// cannot touch A's quarantined operation: neither count an attempt of it
// nor take it out of the quarantine by sending its id with a sane
// reading. On 0102 B got A's result back, bumped A's attempts and deleted
// A's quarantine row.
func TestOpIDsAreTheDesks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := migratedTo(t, SchemaVersion())
	var a, b string
	var ca, cb *hlc.Clock
	for i, s := range []*string{&a, &b} {
		*s = uuid.Must(uuid.NewV7()).String()
		if _, err := c.Exec(ctx, `INSERT INTO sync.sites (site_id, desk_code) VALUES ($1, $2)`, *s, fmt.Sprintf("D%d", i+1)); err != nil {
			t.Fatal(err)
		}
	}
	ca = hlc.NewClock(a, hlc.Timestamp{}, time.Now)
	cb = hlc.NewClock(b, hlc.Timestamp{}, time.Now)
	op := func(id string, seq int, reading hlc.Timestamp, row, value string) map[string]any {
		return map[string]any{"seq": seq, "id": id, "entity": "settings", "row_id": row, "kind": "insert",
			"hlc": reading.String(), "payload": map[string]any{"key": row, "value": value}}
	}
	applied, held := uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()
	ahead := ca.Now()
	ahead.Wall += (time.Hour).Milliseconds()
	got := pushAs(t, c, a, op(applied, 1, ca.Now(), "a.setting", "A's"), op(held, 2, ahead, "a.later", "A's"))
	if got[0]["status"] != "applied" || got[1]["status"] != "quarantined" {
		t.Fatalf("desk A's push: %v", got)
	}
	quarantine := func() (site string, attempts int) {
		t.Helper()
		if err := c.QueryRow(ctx, `SELECT site_id::text, attempts FROM sync.quarantine WHERE op_id = $1`, held).
			Scan(&site, &attempts); err != nil {
			t.Fatalf("desk A's held operation: %v", err)
		}
		return site, attempts
	}
	_, attempts := quarantine()

	// B sends A's ids: one decided, one held (too far ahead itself), and
	// the held one again with a sane reading.
	bAhead := cb.Now()
	bAhead.Wall += (time.Hour).Milliseconds()
	got = pushAs(t, c, b, op(applied, 1, cb.Now(), "b.setting", "B's"), op(held, 2, bAhead, "b.later", "B's"),
		op(uuid.Must(uuid.NewV7()).String(), 3, bAhead, "b.own", "B's")) // (B's own, held: B has a quarantine)
	if got[2]["status"] != "quarantined" {
		t.Fatalf("desk B's own operation too far ahead: %v", got[2])
	}
	for i, r := range got[:2] {
		if r["status"] != "rejected" || r["reason"] != "the operation's id was used by another desk" {
			t.Errorf("desk B sending desk A's id %d: %v, want a refusal saying why", i, r)
		}
		if _, ok := r["log_seq"]; ok {
			t.Errorf("desk B got desk A's result: %v", r)
		}
	}
	if site, n := quarantine(); site != a || n != attempts {
		t.Errorf("desk A's held operation is %s's with %d attempts, was A's with %d", site, n, attempts)
	}
	got = pushAs(t, c, b, op(held, 4, cb.Now(), "b.later", "B's"))
	if got[0]["status"] != "applied" {
		t.Errorf("desk B's operation: %v", got[0])
	}
	if site, _ := quarantine(); site != a {
		t.Errorf("desk A's held operation is now %s's", site)
	}
	var rows int
	if err := c.QueryRow(ctx, `SELECT count(*) FROM sync.rows WHERE row_id = 'b.setting'`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 0 {
		t.Errorf("desk B's refused operation made its row")
	}
	// A's own operation sent again still gets A's result.
	got = pushAs(t, c, a, op(applied, 1, ca.Now(), "a.setting", "A's"))
	if got[0]["status"] != "applied" || got[0]["log_seq"] == nil {
		t.Errorf("desk A sending its own operation again: %v", got[0])
	}
}

// TestIssuedLineKeptOnServer: a line its invoice was issued with keeps,
// on the server, the values it was issued with. A, the issuing desk, made
// the draft with a line at 2000; B changed the price to 2500 before the
// issue reached the server (it stays: the invoice was a draft); A issued
// the invoice with the line at 3400 (as it had taken it from C, on a
// server restored since). Then:
//   - C's change setting the line to 3400, its issued value, merges as any
//     change does: it wins by its clock, and B's 2500, which it overwrote
//     without having seen it, is named in the log's "_lost" for every desk
//     (push-trust's first version, server 0113, dropped the whole change:
//     no entry, the line stayed at 2500);
//   - B's change of the quantity (and the amounts) loses the fields that
//     differ from the issued ones, whatever its clock, tagged
//     "rule": "issued_lines"; the one it sets to the issued value merges;
//   - B's removal of the line loses whole; the line stays.
//
// On 0102 the late quantity and the removal changed the issued line.
func TestIssuedLineKeptOnServer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := migratedTo(t, SchemaVersion())
	sites := make([]string, 3)
	clocks := make([]*hlc.Clock, 3)
	for i := range sites {
		sites[i] = uuid.Must(uuid.NewV7()).String()
		if _, err := c.Exec(ctx, `INSERT INTO sync.sites (site_id, desk_code) VALUES ($1, $2)`, sites[i], fmt.Sprintf("D%d", i+1)); err != nil {
			t.Fatal(err)
		}
		clocks[i] = hlc.NewClock(sites[i], hlc.Timestamp{}, time.Now)
	}
	a, b, cc := 0, 1, 2
	invoice, line := uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()
	seq := map[int]int{}
	op := func(desk int, entity, row, kind string, payload, base map[string]any) map[string]any {
		time.Sleep(2 * time.Millisecond) // readings of two desks a moment apart are ordered by time
		seq[desk]++
		o := map[string]any{"seq": seq[desk], "id": uuid.Must(uuid.NewV7()).String(), "entity": entity, "row_id": row,
			"kind": kind, "hlc": clocks[desk].Now().String(), "payload": payload}
		if base != nil {
			o["base"] = base
		}
		return o
	}
	created := map[string]any{"unit_price": []string{""}, "quantity": []string{""}, "total": []string{""}}
	lineRow := func() map[string]any {
		t.Helper()
		var m map[string]any
		if err := c.QueryRow(ctx, `SELECT data FROM sync.rows WHERE entity = 'invoice_lines' AND row_id = $1 AND deleted_hlc IS NULL`,
			line).Scan(&m); err != nil {
			t.Fatalf("the issued line: %v", err)
		}
		return m
	}
	if got := pushAs(t, c, sites[a],
		op(a, "invoices", invoice, "insert", map[string]any{"id": invoice, "status": "draft"}, nil),
		op(a, "invoice_lines", line, "insert", map[string]any{"id": line, "invoice_id": invoice, "description": "Visit",
			"quantity": 1, "unit_price": 2000, "total": 2000}, nil)); got[0]["status"] != "applied" || got[1]["status"] != "applied" {
		t.Fatalf("A's draft: %v", got)
	}
	// B's price, made apart from C's (not seen by it), reaches the draft.
	bPrice := op(b, "invoice_lines", line, "update", map[string]any{"unit_price": 2500, "total": 2500}, created)
	cPrice := op(cc, "invoice_lines", line, "update", map[string]any{"unit_price": 3400, "total": 3400}, created)
	if got := pushAs(t, c, sites[b], bPrice); got[0]["status"] != "applied" {
		t.Fatalf("B's price on the draft: %v", got)
	}
	issuedWith, _ := json.Marshal(map[string]any{line: map[string]any{"id": line, "invoice_id": invoice, "description": "Visit",
		"quantity": 1, "unit_price": 3400, "total": 3400}})
	issuedLines, _ := json.Marshal([]string{line})
	if got := pushAs(t, c, sites[a], op(a, "invoices", invoice, "update", map[string]any{"status": "issued", "number": "A-1",
		"issued_at": "2026-12-01T10:00:00Z", "issued_lines": string(issuedLines), "issued_with": string(issuedWith)}, nil)); got[0]["status"] != "applied" {
		t.Fatalf("A's issue: %v", got)
	}

	// C's price, the issued one, merges and overwrites B's.
	if got := pushAs(t, c, sites[cc], cPrice); got[0]["status"] != "applied" {
		t.Errorf("C's price, the issued one: %v, want applied", got[0])
	}
	if m := lineRow(); fmt.Sprint(m["unit_price"], m["total"]) != "3400 3400" {
		t.Errorf("the server's issued line is %v × %v = %v, issued at 3400", m["quantity"], m["unit_price"], m["total"])
	}
	var set struct {
		Lost []struct {
			Field, HLC, Rule string
			Value            any
			WonValue         any `json:"won_value"`
		} `json:"_lost"`
	}
	var raw []byte
	if err := c.QueryRow(ctx, `SELECT server_set FROM sync.change_log WHERE row_id = $1 AND hlc = $2`, line, cPrice["hlc"]).Scan(&raw); err != nil {
		t.Fatalf("the log's entry of C's price: %v", err)
	}
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
	}
	lost := map[string]string{}
	for _, l := range set.Lost {
		if l.HLC != bPrice["hlc"] || l.Rule != "" {
			t.Errorf("C's entry names %+v", l)
		}
		lost[l.Field] = fmt.Sprint(l.WonValue)
	}
	if lost["unit_price"] != "3400" {
		t.Errorf("C's entry names as lost %v (%s), want B's 2500 price lost to 3400", lost, raw)
	}

	// B's late quantity: the fields that differ from the issued ones lose.
	late := op(b, "invoice_lines", line, "update", map[string]any{"quantity": 2, "unit_price": 3400, "total": 6800},
		map[string]any{"quantity": []string{""}, "unit_price": []string{cPrice["hlc"].(string), ""}, "total": []string{cPrice["hlc"].(string), ""}})
	got := pushAs(t, c, sites[b], late)
	if got[0]["status"] != "conflict" || got[0]["reason"] != "the invoice was issued with the line as it was" {
		t.Errorf("B's late quantity: %v, want a conflict under the issue", got[0])
	}
	rules := map[string]string{}
	if ls, ok := got[0]["lost"].([]any); ok {
		for _, l := range ls {
			m := l.(map[string]any)
			rules[fmt.Sprint(m["field"])] = fmt.Sprint(m["rule"], " ", m["won_value"])
		}
	}
	if want := map[string]string{"quantity": "issued_lines 1", "total": "issued_lines 3400"}; fmt.Sprint(rules) != fmt.Sprint(want) {
		t.Errorf("B's late quantity lost %v, want %v", rules, want)
	}
	if m := lineRow(); fmt.Sprint(m["quantity"], m["unit_price"], m["total"]) != "1 3400 3400" {
		t.Errorf("after B's late quantity the server's issued line is %v × %v = %v, issued as 1 × 3400", m["quantity"], m["unit_price"], m["total"])
	}

	// B's removal loses whole.
	got = pushAs(t, c, sites[b], op(b, "invoice_lines", line, "delete", map[string]any{}, nil))
	if got[0]["status"] != "conflict" {
		t.Errorf("B's removal of the issued line: %v, want a conflict", got[0])
	}
	lineRow()
}

package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"hms/data/sync/hlc"
	"hms/data/sync/server"
	"hms/data/sync/server/servertest"
)

var ctx = context.Background()

// newServer returns the URL of a fresh database with the sync schema.
func newServer(t testing.TB) string {
	t.Helper()
	u := servertest.NewDatabase(t)
	if _, err := server.Init(ctx, u); err != nil {
		t.Fatal(err)
	}
	return u
}

// site is a desk as the server sees it: a site id, a clock and a seq.
type site struct {
	t      testing.TB
	id     string
	clock  *hlc.Clock
	seq    int64
	client *server.Client
	login  string // the desk's server login
	url    string // the server's address as that login
}

// logins numbers the desk logins the tests make.
var logins atomic.Int64

// addDesk makes a desk login on the server at u (hms server add-desk), its
// name prefixed with the database's, and returns the URL a desk connects
// to the server with, as that login.
func addDesk(t testing.TB, u string) string {
	t.Helper()
	name := fmt.Sprintf("%sd%d", servertest.LoginPrefix(t, u), logins.Add(1))
	if _, err := server.AddDesk(ctx, u, name); err != nil {
		t.Fatal(err)
	}
	return servertest.AsLogin(t, u, name)
}

// enroll enrolls a new desk with a login of its own.
func enroll(t testing.TB, u string) (*site, string) {
	t.Helper()
	id := uuid.Must(uuid.NewV7()).String()
	deskURL := addDesk(t, u)
	c, err := server.Dial(ctx, deskURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(ctx) })
	code, err := c.Enroll(ctx, id, "test")
	if err != nil {
		t.Fatal(err)
	}
	login := deskURL[len("postgres://"):strings.Index(deskURL, "@")]
	return &site{t: t, id: id, clock: hlc.NewClock(id, hlc.Timestamp{}, nil), client: c, login: login, url: deskURL}, code
}

// op makes the desk's next operation.
func (s *site) op(entity, rowID string, kind hlc.Kind, payload string) hlc.Op {
	s.seq++
	return hlc.Op{Seq: s.seq, ID: uuid.Must(uuid.NewV7()).String(), Entity: entity, RowID: rowID, Kind: kind,
		Payload: json.RawMessage(payload), HLC: s.clock.Now()}
}

func (s *site) push(ops ...hlc.Op) []server.Result {
	s.t.Helper()
	res, err := s.client.Push(ctx, s.id, ops)
	if err != nil {
		s.t.Fatal(err)
	}
	return res
}

func statuses(rs []server.Result) string {
	var b []string
	for _, r := range rs {
		b = append(b, string(r.Status))
	}
	return strings.Join(b, ",")
}

// row returns a server row's fields and whether it is deleted.
func row(t testing.TB, u, entity, id string) (map[string]any, bool) {
	t.Helper()
	var data []byte
	var deleted bool
	servertest.QueryRow(t, u, `SELECT data::text, deleted_hlc IS NOT NULL FROM sync.rows WHERE entity = $1 AND row_id = $2`,
		[]any{entity, id}, &data, &deleted)
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m, deleted
}

func TestInit(t *testing.T) {
	t.Parallel()
	u := servertest.NewDatabase(t)
	first, err := server.Init(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if first.From != 0 || first.To != server.SchemaVersion() || first.Epoch == "" {
		t.Fatalf("first init: %+v", first)
	}
	again, err := server.Init(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if again.From != first.To || again.To != first.To || again.Epoch != first.Epoch || len(again.NewLogins) != 0 {
		t.Fatalf("second init %+v, want nothing done after %+v", again, first)
	}
	// Versions may leave gaps (numbers kept by changes made elsewhere):
	// each file is recorded once, the newest as the schema.
	files, _ := filepath.Glob("migrations/*.sql")
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.schema_migrations`); n != int64(len(files)) ||
		servertest.QueryInt(t, u, `SELECT max(version) FROM sync.schema_migrations`) != int64(server.SchemaVersion()) {
		t.Errorf("%d migrations recorded of %d files", n, len(files))
	}
	// Desks get the functions and nothing else.
	var canPush, canRead bool
	servertest.QueryRow(t, u, `SELECT has_function_privilege('hms_desk', 'sync.push(uuid, jsonb)', 'EXECUTE'),
		has_table_privilege('hms_desk', 'sync.rows', 'SELECT')`, nil, &canPush, &canRead)
	if !canPush || canRead {
		t.Errorf("hms_desk may push: %v, may read sync.rows: %v", canPush, canRead)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	u := newServer(t)
	newer := server.SchemaVersion() + 1
	servertest.Exec(t, u, `UPDATE sync.meta SET schema_version = $1, min_client_schema = $1`, newer)
	c, err := server.Dial(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Handshake(ctx, nil); !errors.Is(err, server.ErrSchemaTooNew) {
		t.Fatalf("handshake with a newer server: %v", err)
	}
	// A newer server that still serves this version's clients is fine.
	servertest.Exec(t, u, `UPDATE sync.meta SET min_client_schema = 1`)
	if _, err := c.Handshake(ctx, nil); err != nil {
		t.Fatalf("a compatible newer server: %v", err)
	}
	// Init by an older program refuses to touch it.
	servertest.Exec(t, u, `INSERT INTO sync.schema_migrations (version, name) VALUES ($1, 'future.sql')`, newer)
	if _, err := server.Init(ctx, u); !errors.Is(err, server.ErrSchemaTooNew) {
		t.Fatalf("init of a newer server: %v", err)
	}
}

func TestConnectErrors(t *testing.T) {
	t.Parallel()
	u := servertest.NewDatabase(t)
	t.Run("Down", func(t *testing.T) {
		_, err := server.Dial(ctx, "postgres://nobody:secret@127.0.0.1:1/x?sslmode=disable&connect_timeout=2")
		if !errors.Is(err, server.ErrUnreachable) || strings.Contains(err.Error(), "secret") {
			t.Fatalf("server down: %v", err)
		}
	})
	t.Run("UnknownUser", func(t *testing.T) {
		bad := strings.Replace(u, "postgres://postgres@", "postgres://no_such_user_hms:secret@", 1)
		_, err := server.Dial(ctx, bad)
		if !errors.Is(err, server.ErrAuth) || strings.Contains(err.Error(), "secret") {
			t.Fatalf("unknown user: %v", err)
		}
	})
	t.Run("NotInitialized", func(t *testing.T) {
		c, err := server.Dial(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		if _, err := c.Handshake(ctx, nil); !errors.Is(err, server.ErrNotInitialized) {
			t.Fatalf("handshake before init: %v", err)
		}
	})
	t.Run("NotEnrolled", func(t *testing.T) {
		v := newServer(t)
		s := &site{id: uuid.Must(uuid.NewV7()).String()}
		s.clock = hlc.NewClock(s.id, hlc.Timestamp{}, nil)
		// A desk login that has not enrolled yet.
		c, err := server.Dial(ctx, addDesk(t, v))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		if _, err := c.Push(ctx, s.id, []hlc.Op{s.op("patients", "p", hlc.KindInsert, `{}`)}); !errors.Is(err, server.ErrNotEnrolled) {
			t.Fatalf("push of a desk not enrolled: %v", err)
		}
		// A login that is no desk at all (the server's owner).
		owner, err := server.Dial(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		defer owner.Close(ctx)
		if _, err := owner.Push(ctx, s.id, []hlc.Op{s.op("patients", "p", hlc.KindInsert, `{}`)}); !errors.Is(err, server.ErrNoDesk) {
			t.Fatalf("push by a login that is no desk: %v", err)
		}
	})
	t.Run("Redact", func(t *testing.T) {
		got, err := server.Redact("postgres://desk:s3cret@db:5432/hms?sslmode=verify-full&password=x")
		if err != nil || strings.Contains(got, "s3cret") || strings.Contains(got, "password") || !strings.Contains(got, "sslmode=verify-full") {
			t.Fatalf("Redact: %q, %v", got, err)
		}
		if _, err := server.Redact("mysql://x@y/z"); err == nil {
			t.Fatal("a non-PostgreSQL URL was accepted")
		}
	})
}

func TestEnroll(t *testing.T) {
	t.Parallel()
	u := newServer(t)
	a, codeA := enroll(t, u)
	_, codeB := enroll(t, u)
	if codeA != "D1" || codeB != "D2" {
		t.Fatalf("codes %s, %s", codeA, codeB)
	}
	again, err := a.client.Enroll(ctx, a.id, "test 2")
	if err != nil || again != "D1" {
		t.Fatalf("enrolling again: %q, %v", again, err)
	}
}

func TestPush(t *testing.T) {
	t.Parallel()
	u := newServer(t)
	a, _ := enroll(t, u)

	ins := a.op("patients", "p1", hlc.KindInsert, `{"id":"p1","given_name":"Ada","phone":"1"}`)
	upd := a.op("patients", "p1", hlc.KindUpdate, `{"phone":"2"}`)
	if got := statuses(a.push(ins, upd)); got != "applied,applied" {
		t.Fatalf("results %s", got)
	}
	if r, _ := row(t, u, "patients", "p1"); r["phone"] != "2" || r["given_name"] != "Ada" {
		t.Fatalf("server row %v", r)
	}
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.change_log WHERE entity = 'patients' AND row_id = 'p1'`); n != 2 {
		t.Fatalf("%d change_log rows, want 2", n)
	}

	t.Run("LostReply", func(t *testing.T) {
		// The server applied the batch, the reply never arrived: the desk
		// pushes the same operations again.
		op := a.op("patients", "p1", hlc.KindUpdate, `{"phone":"3"}`)
		first := a.push(op)
		again := a.push(op)
		if statuses(first) != "applied" || statuses(again) != "applied" {
			t.Fatalf("results %s then %s", statuses(first), statuses(again))
		}
		if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.change_log WHERE hlc = $1`, op.HLC.String()); n != 1 {
			t.Fatalf("applied %d times", n)
		}
	})
	t.Run("DuplicateInBatch", func(t *testing.T) {
		op := a.op("patients", "p1", hlc.KindUpdate, `{"phone":"4"}`)
		if got := statuses(a.push(op, op, op)); got != "applied,applied,applied" {
			t.Fatalf("results %s", got)
		}
		if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.applied_ops WHERE op_id = $1`, op.ID); n != 1 {
			t.Fatalf("%d applied_ops rows", n)
		}
	})
	t.Run("Rejected", func(t *testing.T) {
		unknown := a.op("spaceships", "x", hlc.KindInsert, `{}`)
		changed := a.op("payments", "pay1", hlc.KindUpdate, `{"amount":1}`)
		foreign := a.op("patients", "p1", hlc.KindUpdate, `{"phone":"5"}`)
		foreign.HLC.Site = uuid.Must(uuid.NewV7()).String()
		next := a.op("patients", "p1", hlc.KindUpdate, `{"phone":"6"}`)
		res := a.push(unknown, changed, foreign, next)
		if got := statuses(res); got != "rejected,rejected,rejected,applied" {
			t.Fatalf("results %s", got)
		}
		for _, r := range res[:3] {
			if r.Reason == "" {
				t.Errorf("a refusal without a reason: %+v", r)
			}
		}
		// A refusal is final: pushed again, the same answer.
		if again := a.push(unknown); again[0].Status != server.Rejected || again[0].Reason != res[0].Reason {
			t.Fatalf("again: %+v", again[0])
		}
	})
	t.Run("AppendOnly", func(t *testing.T) {
		pay := a.op("payments", "pay2", hlc.KindInsert, `{"id":"pay2","amount":500}`)
		twice := a.op("payments", "pay2", hlc.KindInsert, `{"id":"pay2","amount":999}`)
		if got := statuses(a.push(pay, twice)); got != "applied,applied" {
			t.Fatalf("results %s", got)
		}
		if r, _ := row(t, u, "payments", "pay2"); r["amount"] != float64(500) {
			t.Fatalf("a payment was overwritten: %v", r)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		a.push(a.op("settings", "k", hlc.KindInsert, `{"key":"k","value":"v"}`))
		del := a.op("settings", "k", hlc.KindDelete, `{}`)
		late := a.op("settings", "k", hlc.KindUpdate, `{"value":"w"}`)
		res := a.push(del, late)
		if got := statuses(res); got != "applied,conflict" || res[1].Lost[0].Field != "" {
			t.Fatalf("results %+v", res)
		}
		if _, deleted := row(t, u, "settings", "k"); !deleted {
			t.Fatal("no tombstone")
		}
		// Created again after its delete, it lives again.
		a.push(a.op("settings", "k", hlc.KindInsert, `{"key":"k","value":"new"}`))
		if r, deleted := row(t, u, "settings", "k"); deleted || r["value"] != "new" {
			t.Fatalf("re-created: %v, deleted %v", r, deleted)
		}
	})
}

func TestQuarantine(t *testing.T) {
	t.Parallel()
	u := newServer(t)
	a, _ := enroll(t, u)
	a.clock = hlc.NewClock(a.id, hlc.Timestamp{}, func() time.Time { return time.Now().Add(10 * time.Minute) })
	ahead := a.op("patients", "q1", hlc.KindInsert, `{"id":"q1"}`)
	for i := 1; i <= 2; i++ {
		res := a.push(ahead)
		if res[0].Status != server.Quarantined || !strings.Contains(res[0].Reason, "ahead") || res[0].Status.Final() {
			t.Fatalf("push %d: %+v", i, res[0])
		}
	}
	var attempts int64
	servertest.QueryRow(t, u, `SELECT attempts FROM sync.quarantine WHERE op_id = $1`, []any{ahead.ID}, &attempts)
	if attempts != 2 {
		t.Fatalf("quarantine attempts %d", attempts)
	}
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.rows WHERE row_id = 'q1'`) +
		servertest.QueryInt(t, u, `SELECT count(*) FROM sync.applied_ops WHERE op_id = $1`, ahead.ID); n != 0 {
		t.Fatal("a quarantined operation was applied")
	}
	// Once the server's time has caught up, the operation applies and
	// leaves the quarantine (the server's clock cannot be moved: the
	// quarantined reading is moved back instead).
	back := ahead
	back.HLC.Wall -= (10 * time.Minute).Milliseconds()
	if res := a.push(back); res[0].Status != server.Applied {
		t.Fatalf("caught up: %+v", res[0])
	}
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.quarantine`); n != 0 {
		t.Fatalf("%d rows left in quarantine", n)
	}
}

// TestMergePerField: two desks edit one patient; different fields both
// survive, the same field keeps the later clock reading whichever order
// the pushes come in, and the loser is reported.
func TestMergePerField(t *testing.T) {
	t.Parallel()
	for _, order := range []string{"OlderFirst", "NewerFirst"} {
		t.Run(order, func(t *testing.T) {
			t.Parallel()
			u := newServer(t)
			a, _ := enroll(t, u)
			b, _ := enroll(t, u)
			a.push(a.op("patients", "p", hlc.KindInsert, `{"id":"p","phone":"0","email":"0","address":"0"}`))
			b.clock.Update(a.clock.Last())

			older := a.op("patients", "p", hlc.KindUpdate, `{"phone":"a","email":"a"}`)
			time.Sleep(2 * time.Millisecond)
			newer := b.op("patients", "p", hlc.KindUpdate, `{"phone":"b","address":"b"}`)
			if !older.HLC.Before(newer.HLC) {
				t.Fatal("clocks out of order")
			}
			var lost server.Result
			if order == "OlderFirst" {
				if got := statuses(a.push(older)) + statuses(b.push(newer)); got != "appliedapplied" {
					t.Fatalf("results %s", got)
				}
			} else {
				b.push(newer)
				lost = a.push(older)[0]
				if lost.Status != server.Conflict || len(lost.Lost) != 1 {
					t.Fatalf("the older push: %+v", lost)
				}
				l := lost.Lost[0]
				if l.Field != "phone" || string(l.Value) != `"a"` || string(l.WonValue) != `"b"` || l.WonHLC != newer.HLC.String() {
					t.Fatalf("lost %+v", l)
				}
			}
			r, _ := row(t, u, "patients", "p")
			if fmt.Sprintf("%v %v %v", r["phone"], r["email"], r["address"]) != "b a b" {
				t.Fatalf("merged row %v", r)
			}
		})
	}
}

// TestMergeOrderAndRepetition is a property test of the merge: whatever the
// order the desks' edits arrive in, and however often each arrives, every
// field ends with the value of its newest edit by (HLC, site).
func TestMergeOrderAndRepetition(t *testing.T) {
	t.Parallel()
	u := newServer(t)
	rng := rand.New(rand.NewPCG(7, 11))
	sites := make([]*site, 3)
	for i := range sites {
		sites[i], _ = enroll(t, u)
		// Clocks that disagree by up to a few seconds, as real ones do.
		skew := time.Duration(rng.IntN(4000)) * time.Millisecond
		sites[i].clock = hlc.NewClock(sites[i].id, hlc.Timestamp{}, func() time.Time { return time.Now().Add(-skew) })
	}
	fields := []string{"phone", "email", "address", "notes"}
	type edit struct {
		site   *site
		row    int
		kind   hlc.Kind
		fields map[string]string
		hlc    hlc.Timestamp
	}
	var edits []edit
	for i := 0; i < 80; i++ {
		s := sites[rng.IntN(len(sites))]
		e := edit{site: s, row: rng.IntN(3), kind: hlc.KindUpdate, fields: map[string]string{}, hlc: s.clock.Now()}
		if rng.IntN(5) == 0 {
			e.kind = hlc.KindInsert
		}
		for _, f := range fields {
			if rng.IntN(2) == 0 {
				e.fields[f] = fmt.Sprintf("%s-%d", f, i)
			}
		}
		if len(e.fields) == 0 {
			e.fields["phone"] = fmt.Sprintf("phone-%d", i)
		}
		edits = append(edits, e)
	}
	// The oracle: per row and field, the value of the newest edit.
	want := map[int]map[string]string{}
	newest := map[string]hlc.Timestamp{}
	for _, e := range edits {
		if want[e.row] == nil {
			want[e.row] = map[string]string{}
		}
		for f, v := range e.fields {
			k := fmt.Sprint(e.row, f)
			if newest[k].Before(e.hlc) {
				newest[k], want[e.row][f] = e.hlc, v
			}
		}
	}
	for trial := 0; trial < 4; trial++ {
		// Each trial merges the same edits into rows of its own, in another
		// order, with some delivered twice or three times.
		var ops []hlc.Op
		var from []*site
		for _, e := range edits {
			payload, _ := json.Marshal(e.fields)
			op := hlc.Op{Seq: 1, ID: uuid.Must(uuid.NewV7()).String(), Entity: "patients",
				RowID: fmt.Sprintf("t%d-r%d", trial, e.row), Kind: e.kind, Payload: payload, HLC: e.hlc}
			for n := 1 + rng.IntN(3)/2 + rng.IntN(3)/2; n > 0; n-- {
				ops, from = append(ops, op), append(from, e.site)
			}
		}
		rng.Shuffle(len(ops), func(i, j int) {
			ops[i], ops[j] = ops[j], ops[i]
			from[i], from[j] = from[j], from[i]
		})
		// Consecutive operations of one desk go in one batch. An edit of a
		// row the server has not got yet is held, and its desk pushes it
		// again later, as desks do with what stays queued.
		for len(ops) > 0 {
			var heldOps []hlc.Op
			var heldFrom []*site
			for i := 0; i < len(ops); {
				j := i + 1
				for j < len(ops) && from[j] == from[i] {
					j++
				}
				for k, r := range from[i].push(ops[i:j]...) {
					switch r.Status {
					case server.Applied, server.Conflict:
					case server.Quarantined:
						heldOps, heldFrom = append(heldOps, ops[i+k]), append(heldFrom, from[i])
					default:
						t.Fatalf("trial %d: %+v", trial, r)
					}
				}
				i = j
			}
			if len(heldOps) == len(ops) {
				t.Fatalf("trial %d: %d operations held for good", trial, len(ops))
			}
			ops, from = heldOps, heldFrom
		}
		for r, fs := range want {
			got, _ := row(t, u, "patients", fmt.Sprintf("t%d-r%d", trial, r))
			for f, v := range fs {
				if got[f] != v {
					t.Errorf("trial %d, row %d, %s: %v, want %s", trial, r, f, got[f], v)
				}
			}
		}
	}
}

// A pulled change names the field clocks that differ from its own
// reading: none for a new row, each field's own once a later operation
// changed some of the fields.
func TestPullFieldClocks(t *testing.T) {
	t.Parallel()
	u := newServer(t)
	a, _ := enroll(t, u)
	insert := a.op("patients", "p", hlc.KindInsert, `{"id":"p","phone":"0","email":"0"}`)
	update := a.op("patients", "p", hlc.KindUpdate, `{"phone":"1"}`)
	if got := statuses(a.push(insert, update)); got != "applied,applied" {
		t.Fatalf("results %s", got)
	}
	// The pull hands out only what lies below the cluster's oldest running
	// transaction, which another test's may hold back for a while.
	var changes []server.Change
	for deadline := time.Now().Add(20 * time.Second); len(changes) < 2 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var err error
		if changes, err = a.client.Pull(ctx, a.id, 0, 0, 10); err != nil {
			t.Fatal(err)
		}
	}
	if len(changes) != 2 {
		t.Fatalf("%d changes", len(changes))
	}
	for i, want := range []map[string]string{
		{},
		{"id": insert.HLC.String(), "phone": update.HLC.String(), "email": insert.HLC.String()},
	} {
		ch := changes[i]
		got, err := ch.FieldClocks()
		if err != nil {
			t.Fatal(err)
		}
		if ch.HLC != []string{insert.HLC.String(), update.HLC.String()}[i] || !maps.Equal(got, want) {
			t.Errorf("change %d at %s: field clocks %v, want %v", i, ch.HLC, got, want)
		}
	}
}

func TestSSLMode(t *testing.T) {
	for _, tc := range []struct {
		in, out, mode string
		verified      bool
	}{
		{"postgres://d@db/hms", "postgres://d@db/hms?sslmode=verify-full", "verify-full", true},
		{"postgres://d@db/hms?connect_timeout=2", "postgres://d@db/hms?connect_timeout=2&sslmode=verify-full", "verify-full", true},
		{"postgres://d@db/hms?sslmode=require", "postgres://d@db/hms?sslmode=require", "require", false},
		{"postgres://d@db/hms?sslmode=disable", "postgres://d@db/hms?sslmode=disable", "disable", false},
		{"postgres://d@db/hms?sslmode=verify-ca", "postgres://d@db/hms?sslmode=verify-ca", "verify-ca", false},
	} {
		if got := server.WithTLSDefault(tc.in); got != tc.out {
			t.Errorf("WithTLSDefault(%q) = %q, want %q", tc.in, got, tc.out)
		}
		if mode, ok := server.SSLMode(tc.in); mode != tc.mode || ok != tc.verified {
			t.Errorf("SSLMode(%q) = %q, %v", tc.in, mode, ok)
		}
	}
}

// TestAuditCopiesStayHonest: the server keeps a desk's audit rows as sent;
// the same row again changes nothing, a different one at the same seq is
// refused and kept aside, never written over the first, and nothing of
// its batch from it on is taken; the next generation takes them.
func TestAuditCopiesStayHonest(t *testing.T) {
	t.Parallel()
	u := newServer(t)
	a, _ := enroll(t, u)
	row := func(seq int, hash string) string {
		return fmt.Sprintf(`{"seq": %d, "hash": %q, "prev_hash": "p%d", "action": "x"}`, seq, hash, seq-1)
	}
	batch := func(rows ...string) json.RawMessage { return json.RawMessage("[" + strings.Join(rows, ",") + "]") }
	push := func(gen int, rows json.RawMessage) (int64, []int64) {
		t.Helper()
		last, refused, err := a.client.PushAuditGen(ctx, a.id, gen, rows)
		if err != nil {
			t.Fatal(err)
		}
		return last, refused
	}
	if last, refused := push(0, batch(row(1, "h1"), row(2, "h2"), row(3, "h3"))); last != 3 || len(refused) != 0 {
		t.Fatalf("first push: %d %v", last, refused)
	}
	if last, refused := push(0, batch(row(2, "h2"), row(3, "h3"))); last != 3 || len(refused) != 0 {
		t.Fatalf("the same rows again: %d %v", last, refused)
	}
	if last, refused := push(0, batch(row(2, "forged"), row(3, "h3"), row(4, "h4"))); last != 3 || fmt.Sprint(refused) != "[2]" {
		t.Fatalf("another row at seq 2: %d %v", last, refused)
	}
	var hash string
	servertest.QueryRow(t, u, `SELECT hash FROM sync.audit_log WHERE local_seq = 2 AND generation = 0`, nil, &hash)
	if hash != "h2" || servertest.QueryInt(t, u, `SELECT count(*) FROM sync.audit_refused WHERE local_seq = 2 AND entry->>'hash' = 'forged'`) != 1 {
		t.Fatalf("seq 2 holds %q; refused rows %d", hash, servertest.QueryInt(t, u, `SELECT count(*) FROM sync.audit_refused`))
	}
	if last, refused := push(1, batch(row(2, "forged"))); last != 2 || len(refused) != 0 {
		t.Fatalf("generation 1: %d %v", last, refused)
	}
	// The call of desks before generations is as honest.
	if last, err := a.client.PushAudit(ctx, a.id, batch(row(1, "other"))); err != nil || last != 3 ||
		servertest.QueryInt(t, u, `SELECT count(*) FROM sync.audit_refused`) != 2 {
		t.Fatalf("the old call: %d, %v", last, err)
	}
}

// hms server init after a migration, and hms server prune each time,
// update the planner's statistics of the sync tables; both say when
// autovacuum is off for them (switched off here per table, on this
// test's own database).
func TestServerStatistics(t *testing.T) {
	t.Parallel()
	u := servertest.NewDatabase(t)
	res, err := server.Init(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	// The server's own settings are the administrator's: a test server
	// may run with autovacuum off.
	var global []string
	var on, counts bool
	servertest.QueryRow(t, u, `SELECT current_setting('autovacuum')::bool, current_setting('track_counts')::bool`, nil, &on, &counts)
	if !on {
		global = append(global, "the server (autovacuum = off)")
	}
	if !counts {
		global = append(global, "the server (track_counts = off)")
	}
	if !res.Analyzed || !slices.Equal(res.AutovacuumOff, global) {
		t.Fatalf("init: %+v", res)
	}
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = 'sync' AND c.relkind = 'r' AND c.reltuples < 0`); n != 0 {
		t.Errorf("%d sync tables never analysed after init", n)
	}
	servertest.Exec(t, u, `ALTER TABLE sync.rows SET (autovacuum_enabled = off);
		ALTER TABLE sync.patient_registrations SET (autovacuum_enabled = false)`)
	off := append(global, "sync.patient_registrations", "sync.rows")
	again, err := server.Init(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if again.Analyzed || !slices.Equal(again.AutovacuumOff, off) {
		t.Fatalf("init of an up-to-date server with autovacuum off for two tables: %+v", again)
	}

	// Rows pushed since: the statistics say what the tables held before,
	// until the prune.
	a, _ := enroll(t, u)
	var ops []hlc.Op
	for i := range 200 {
		ops = append(ops, a.op("patients", fmt.Sprintf("p%d", i), hlc.KindInsert, `{"given_name": "P"}`))
	}
	a.push(ops...)
	tuples := func() int64 {
		return servertest.QueryInt(t, u, `SELECT reltuples::bigint FROM pg_class WHERE oid = 'sync.rows'::regclass`)
	}
	if n := tuples(); n == 200 {
		t.Fatal("the statistics were fresh before the prune")
	}
	pr, err := server.Prune(ctx, u, server.TombstoneAge, server.OpsAge)
	if err != nil {
		t.Fatal(err)
	}
	if n := tuples(); n != 200 {
		t.Errorf("after the prune the statistics count %d rows, want 200", n)
	}
	if !slices.Equal(pr.AutovacuumOff, off) {
		t.Errorf("prune: %+v", pr)
	}
}

package server_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"hms/data/sync/hlc"
	"hms/data/sync/server"
	"hms/data/sync/server/servertest"
)

// TestAttackAsDesk: someone who holds one desk's server login (desk A's
// password, say) connects with psql and calls the server's functions
// directly, naming another desk (B) or none of its own. Every attempt is
// refused, and nothing changes for B. The test lists each attempt and
// what the server answered.
func TestAttackAsDesk(t *testing.T) {
	t.Parallel()
	u := newServer(t)
	a, _ := enroll(t, u)
	b, _ := enroll(t, u)
	b.push(b.op("patients", "pb", hlc.KindInsert, `{"given_name": "Bea"}`))
	conn, err := pgx.Connect(ctx, a.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var session string
	conn.QueryRow(ctx, `SELECT session_user`).Scan(&session)
	t.Logf("connected as %s (desk A, %s); desk B is %s", session, a.id, b.id)

	forged := func() string {
		op := b.op("patients", "pb", hlc.KindUpdate, `{"given_name": "Mallory"}`)
		body, _ := json.Marshal([]hlc.Op{op})
		return string(body)
	}
	other := uuid.Must(uuid.NewV7()).String()
	attempts := []struct {
		what, sql string
		args      []any
		want      string // the SQLSTATE of the refusal
	}{
		{"push as desk B", `SELECT sync.push($1, $2::jsonb)`, []any{b.id, forged()}, "HM004"},
		{"pull as desk B", `SELECT count(*) FROM sync.pull($1, '0', 0, 100)`, []any{b.id}, "HM004"},
		{"download the pruned log as desk B", `SELECT count(*) FROM sync.pull_pruned($1, '{}', '', '', 100)`, []any{b.id}, "HM004"},
		{"ask where the pruned log ends as desk B", `SELECT seq FROM sync.pruned_end($1)`, []any{b.id}, "HM004"},
		{"run the lock-order check", `SELECT sync.log_in_lock_order()`, nil, "42501"},
		{"say desk B pulled everything", `SELECT sync.pulled($1, '999999', 999999)`, []any{b.id}, "HM004"},
		{"push audit rows as desk B", `SELECT sync.push_audit($1, '[{"seq": 1, "hash": "x", "prev_hash": ""}]'::jsonb)`, []any{b.id}, "HM004"},
		{"ask what the server holds of desk B", `SELECT has_op FROM sync.holds($1, NULL, '0', 0)`, []any{b.id}, "HM004"},
		{"read desk B's state", `SELECT last_op_seq FROM sync.site_state($1)`, []any{b.id}, "HM004"},
		{"report desk B's version", `SELECT sync.report_version($1, '0.0.1')`, []any{b.id}, "HM004"},
		{"enroll as desk B", `SELECT sync.enroll($1, 'x')`, []any{b.id}, "HM004"},
		{"enroll as desk B, asking for its code", `SELECT sync.enroll($1, 'x', 'D2')`, []any{b.id}, "HM004"},
		{"enroll an extra desk", `SELECT sync.enroll($1, 'x')`, []any{other}, "HM004"},
		{"push through the unchecked function", `SELECT sync.push_as($1, $2::jsonb)`, []any{b.id, forged()}, "42501"},
		{"move B's cursor through the unchecked function", `SELECT sync.pulled_as($1, '0', 0)`, []any{b.id}, "42501"},
		{"push audit through the unchecked function", `SELECT sync.push_audit_as($1, '[]'::jsonb)`, []any{b.id}, "42501"},
		{"prune the server", `SELECT * FROM sync.prune('0', '0')`, nil, "42501"},
		{"run the duplicate flagging", `SELECT sync.flag_patient_duplicates()`, nil, "42501"},
		{"compute a patient identity", `SELECT sync.patient_identity('{}'::jsonb)`, nil, "42501"},
		{"take an appointment slot", `SELECT sync.take_appointment_slot('x', '{}'::jsonb)`, nil, "42501"},
		{"read the clinic's rows", `SELECT count(*) FROM sync.rows`, nil, "42501"},
		{"write a row directly", `INSERT INTO sync.rows (entity, row_id, data, field_hlc) VALUES ('users', 'x', '{}', '{}')`, nil, "42501"},
		{"bind itself to desk B", `UPDATE sync.desk_logins SET site_id = $1`, []any{b.id}, "42501"},
		{"claim an overpayment as desk B", `SELECT * FROM sync.claim_billing($1, 'inv/pay', 'inv', 'refund', 'x')`, []any{b.id}, "HM004"},
		{"claim an overpayment through the unchecked function", `SELECT * FROM sync.claim_billing_as($1, 'inv/pay', 'inv', 'refund', 'x')`, []any{b.id}, "42501"},
		{"claim an overpayment as desk B, naming refunds", `SELECT * FROM sync.claim_billing_seen($1, 'inv/pay', 'inv', 'refund', 'x', 'r', '{}', '{}')`, []any{b.id}, "HM004"},
		{"claim an overpayment naming refunds through the unchecked function", `SELECT * FROM sync.claim_billing_seen_as($1, 'inv/pay', 'inv', 'refund', 'x', 'r', '{}', '{}')`, []any{b.id}, "42501"},
		{"spend desk B's claim on an overpayment", `SELECT sync.spend_billing($1, 'inv/b')`, []any{b.id}, "HM004"},
		{"read the claims", `SELECT count(*) FROM sync.billing_claims`, nil, "42501"},
		{"give up desk B's claim on an overpayment", `SELECT sync.release_billing($1, 'inv/b')`, []any{b.id}, "HM004"},
		{"drop the claims", `DELETE FROM sync.billing_claims`, nil, "42501"},
		{"claim a cash-up's close as desk B", `SELECT * FROM sync.claim_cashup($1, 'cashup:*:2026-01-02', 'x')`, []any{b.id}, "HM004"},
		{"claim a cash-up's close through the unchecked function", `SELECT * FROM sync.claim_cashup_as($1, 'cashup:*:2026-01-02', 'x')`, []any{b.id}, "42501"},
		{"read the cash-up claims", `SELECT count(*) FROM sync.cashup_claims`, nil, "42501"},
		{"read the trust root's extensions as desk B", `SELECT count(*) FROM sync.trust_extensions($1)`, []any{b.id}, "HM004"},
		{"take the send lease as desk B", `SELECT * FROM sync.take_send_lease($1, 60, true)`, []any{b.id}, "HM004"},
		{"take the send lease as desk B, as an earlier desk", `SELECT * FROM sync.take_send_lease($1, 60)`, []any{b.id}, "HM004"},
		{"release desk B's send lease", `SELECT sync.release_send_lease($1)`, []any{b.id}, "HM004"},
		{"take the send lease through the unchecked function", `SELECT * FROM sync.take_send_lease_as($1, 60, true)`, []any{a.id}, "42501"},
		{"read the send lease", `SELECT count(*) FROM sync.send_lease`, nil, "42501"},
		{"hand the send lease to itself", `UPDATE sync.send_lease SET site_id = $1`, []any{a.id}, "42501"},
		// Server migrations 0100 and 0101: applied_ops lost its foreign
		// key to sync.sites for a trigger on sync.sites.
		{"record an applied operation for desk B", `INSERT INTO sync.applied_ops (op_id, site_id, op_seq, result) VALUES ($1, $2, 1, '{}')`,
			[]any{other, b.id}, "42501"},
		{"record an applied operation for no desk", `INSERT INTO sync.applied_ops (op_id, site_id, op_seq, result) VALUES ($1, $1, 1, '{}')`,
			[]any{other}, "42501"},
		{"forget the applied operations", `DELETE FROM sync.applied_ops`, nil, "42501"},
		{"rewrite an applied operation's result", `UPDATE sync.applied_ops SET result = '{}'`, nil, "42501"},
		{"read the applied operations", `SELECT count(*) FROM sync.applied_ops`, nil, "42501"},
		{"delete desk B's row", `DELETE FROM sync.sites WHERE site_id = $1`, []any{b.id}, "42501"},
		{"disable the trigger that keeps applied_ops' desks", `ALTER TABLE sync.sites DISABLE TRIGGER sites_keep_applied_ops`, nil, "42501"},
		{"call that trigger's function", `SELECT sync.sites_keep_applied_ops()`, nil, "42501"},
		{"switch triggers off for the session", `SET session_replication_role = replica`, nil, "42501"},
		{"drop the lock-order trigger", `DROP TRIGGER IF EXISTS change_log_lock_order ON sync.change_log`, nil, "42501"},
		{"add a function of its own to the schema", `CREATE FUNCTION sync.mine() RETURNS int LANGUAGE sql AS 'SELECT 1'`, nil, "42501"},
		{"shadow a catalogue function in public", `CREATE FUNCTION public.jsonb_array_elements(jsonb) RETURNS SETOF jsonb LANGUAGE sql AS 'SELECT $1'`, nil, "42501"},
		{"read the change log directly", `SELECT count(*) FROM sync.change_log`, nil, "42501"},
		{"read the quarantine", `SELECT count(*) FROM sync.quarantine`, nil, "42501"},
	}
	// B holds an overpayment's claim; A may not give it up, as B or as
	// itself (server migration 0115).
	if cl, err := b.client.ClaimBilling(ctx, b.id, server.BillingClaim{ID: "inv/b", InvoiceID: "inv", Action: "refund", By: "x", Refund: "rb"}); err != nil || cl.Site != b.id {
		t.Fatalf("B claiming an overpayment: %+v, %v", cl, err)
	}
	if ok, err := a.client.ReleaseBilling(ctx, a.id, "inv/b"); err != nil || ok {
		t.Errorf("A giving up B's claim as itself: %v, %v", ok, err)
	}
	if cl, err := a.client.ClaimBilling(ctx, a.id, server.BillingClaim{ID: "inv/b", InvoiceID: "inv", Action: "refund", By: "y", Refund: "ra"}); err != nil || cl.Site != b.id {
		t.Errorf("A claims what B holds: %+v, %v", cl, err)
	}
	// A may not spend B's claim either (server migration 0124); claiming
	// it as one that has seen a refund B never wrote takes nothing.
	if ok, err := a.client.SpendBilling(ctx, a.id, "inv/b"); err != nil || ok {
		t.Errorf("A spending B's claim as itself: %v, %v", ok, err)
	} else if cl, err := a.client.ClaimBilling(ctx, a.id, server.BillingClaim{ID: "inv/b", InvoiceID: "inv", Action: "refund", By: "y",
		Refund: "ra", Seen: []string{"ra", "x"}}); err != nil || cl.Site != b.id || cl.Spent {
		t.Errorf("A claims what B holds, having seen other refunds: %+v, %v ", cl, err)
	}
	// B holds the send lease; A may neither release it nor take it.
	if l, err := b.client.TakeSendLease(ctx, b.id, time.Hour); err != nil || l.Site != b.id {
		t.Fatalf("B taking the send lease: %+v, %v", l, err)
	}
	var report []string
	for _, at := range attempts {
		_, err := conn.Exec(ctx, at.sql, at.args...)
		var pe *pgconn.PgError
		outcome := "ACCEPTED"
		if errors.As(err, &pe) {
			outcome = fmt.Sprintf("refused (%s: %s)", pe.Code, pe.Message)
		} else if err != nil {
			outcome = "failed: " + err.Error()
		}
		report = append(report, fmt.Sprintf("%-48s %s", at.what, outcome))
		if pe == nil || pe.Code != at.want {
			t.Errorf("%s: %s, want refused with %s", at.what, outcome, at.want)
		}
	}
	t.Logf("attempts as desk A:\n  %s", strings.Join(report, "\n  "))

	// Nothing of B changed.
	if m, _ := row(t, u, "patients", "pb"); m["given_name"] != "Bea" {
		t.Errorf("B's patient is now %v", m)
	}
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.sites`); n != 2 {
		t.Errorf("%d desks enrolled", n)
	}
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.audit_log WHERE site_id = $1`, b.id); n != 0 {
		t.Errorf("%d audit rows under B's name", n)
	}
	if n := servertest.QueryInt(t, u, `SELECT pulled_seq FROM sync.sites WHERE site_id = $1`, b.id); n != 0 {
		t.Errorf("B's pull cursor moved to %d", n)
	}

	if l, err := a.client.TakeSendLease(ctx, a.id, time.Minute); err != nil || l.Site != b.id {
		t.Errorf("A asking for the send lease B holds: %+v, %v", l, err)
	}
	if ok, err := a.client.ReleaseSendLease(ctx, a.id); err != nil || ok {
		t.Errorf("A releasing its own lease released B's: %v, %v", ok, err)
	}
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.send_lease WHERE site_id = $1`, b.id); n != 1 {
		t.Errorf("B's send lease is gone")
	}

	// As itself, A works.
	if _, err := conn.Exec(ctx, `SELECT sync.pulled($1, '0', 0)`, a.id); err != nil {
		t.Errorf("A reporting its own progress: %v", err)
	}
}

// TestRemoveDesk: a revoked desk's login stops at once (its open session
// ends, a new one is refused), the other desks go on, and pruning is no
// longer held back by it.
func TestRemoveDesk(t *testing.T) {
	t.Parallel()
	u := newServer(t)
	a, _ := enroll(t, u)
	b, _ := enroll(t, u)
	a.push(a.op("patients", "p1", hlc.KindInsert, `{"given_name": "Ann"}`))
	a.push(a.op("patients", "p1", hlc.KindUpdate, `{"given_name": "Anna"}`))
	var txid uint64
	var seq int64
	servertest.QueryRow(t, u, `SELECT txid::text::bigint, seq FROM sync.change_log ORDER BY txid DESC, seq DESC LIMIT 1`, nil, &txid, &seq)
	if err := a.client.Pulled(ctx, a.id, txid, seq+1); err != nil {
		t.Fatal(err)
	}
	// B never pulled: it holds the horizon, nothing goes.
	if res, err := server.Prune(ctx, u, 0, server.OpsAge); err != nil || res.Superseded != 0 || res.HeldBy != "D2" {
		t.Fatalf("prune with B holding back: %+v, %v", res, err)
	}

	l, err := server.RemoveDesk(ctx, u, b.login)
	if err != nil || l.DeskCode != "D2" {
		t.Fatalf("remove desk: %+v, %v", l, err)
	}
	// B's open session was ended...
	if _, err := b.client.Push(ctx, b.id, []hlc.Op{b.op("patients", "p2", hlc.KindInsert, `{}`)}); err == nil {
		t.Fatal("the revoked desk's open session pushed")
	}
	// ...and it can log in no more.
	if _, err := server.Dial(ctx, b.url); !errors.Is(err, server.ErrAuth) {
		t.Fatalf("the revoked desk connecting again: %v", err)
	}
	var canLogin bool
	servertest.QueryRow(t, u, `SELECT rolcanlogin FROM pg_roles WHERE rolname = $1`, []any{b.login}, &canLogin)
	if canLogin {
		t.Fatal("the revoked login may still log in")
	}
	// A goes on; pruning is no longer held back by B.
	a.push(a.op("patients", "p3", hlc.KindInsert, `{"given_name": "Cy"}`))
	res, err := server.Prune(ctx, u, 0, server.OpsAge)
	if err != nil || res.Superseded != 1 || res.HeldBy != "D1" {
		t.Fatalf("prune after revoking B: %+v, %v", res, err)
	}
	if _, err := server.RemoveDesk(ctx, u, servertest.LoginPrefix(t, u)+"nobody"); !errors.Is(err, server.ErrNoSuchLogin) {
		t.Fatalf("removing a login that does not exist: %v", err)
	}
}

// TestAddDesk: the login's name is checked, made once, and enrolls one
// desk.
func TestAddDesk(t *testing.T) {
	t.Parallel()
	u := newServer(t)
	prefix := servertest.LoginPrefix(t, u)
	l, err := server.AddDesk(ctx, u, prefix+"front")
	if err != nil || len(l.Password) < 30 || l.DeskCode != "" {
		t.Fatalf("add desk: %+v, %v", l, err)
	}
	if _, err := server.AddDesk(ctx, u, prefix+"front"); !errors.Is(err, server.ErrLoginExists) {
		t.Fatalf("adding it twice: %v", err)
	}
	for _, bad := range []string{"Front", "1desk", "desk;drop", "", strings.Repeat("a", 64)} {
		if _, err := server.AddDesk(ctx, u, bad); !errors.Is(err, server.ErrBadLoginName) {
			t.Errorf("login name %q: %v", bad, err)
		}
	}
	var member bool
	servertest.QueryRow(t, u, `SELECT pg_has_role($1, 'hms_desk', 'MEMBER')`, []any{prefix + "front"}, &member)
	if !member {
		t.Fatal("the desk login is not a member of hms_desk")
	}
	c, err := server.Dial(ctx, servertest.AsLogin(t, u, prefix+"front"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	id := uuid.Must(uuid.NewV7()).String()
	code, err := c.Enroll(ctx, id, "test")
	if err != nil || code != "D1" {
		t.Fatalf("enroll: %s, %v", code, err)
	}
	if again, err := c.Enroll(ctx, id, "test 2"); err != nil || again != "D1" {
		t.Fatalf("enroll again: %s, %v", again, err)
	}
	if _, err := c.Enroll(ctx, uuid.Must(uuid.NewV7()).String(), "test"); !errors.Is(err, server.ErrNotThisDesk) {
		t.Fatalf("a second desk with the same login: %v", err)
	}
}

// TestAttackPushBatches: desk A, as itself, pushes one batch crafted
// against sync.push_as as server migrations 0100 and 0101 made it (a
// batch's new rows made in one statement before the loop, an edit merged
// in one statement, the checks run once per batch): operations of its
// own mixed with ones stamped with desk B's clock readings, B's
// operation id sent again with other content, edits and deletes of B's
// message plan, B's plan inserted again with other text, and a message
// written out of B's plan under its final id. Each is decided as the
// threat model says (SYNC-DESIGN.md), and nothing of B's changes: its
// patient, its plan, its stored results, the log's entries under its
// name. The test lists each operation and what the server decided.
func TestAttackPushBatches(t *testing.T) {
	t.Parallel()
	u := newServer(t)
	a, _ := enroll(t, u)
	b, _ := enroll(t, u)
	bPatient := b.op("patients", "pb", hlc.KindInsert, `{"given_name": "Bea"}`)
	bPlan := b.op("message_plans", "planb", hlc.KindInsert,
		`{"id": "planb", "patient_id": "pb", "plan": "{\"to\": [{\"channel\": \"email\", \"address\": \"bea@example.org\"}]}"}`)
	if got := statuses(b.push(bPatient, bPlan)); got != "applied,applied" {
		t.Fatalf("B's own push: %s", got)
	}
	bResults := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.applied_ops WHERE site_id = $1`, b.id)
	bLog := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.change_log WHERE origin_site = $1`, b.id)

	withClockOf := func(op hlc.Op, s *site) hlc.Op { op.HLC = s.clock.Now(); return op }
	replay := a.op("patients", "pb", hlc.KindUpdate, `{"given_name": "Mallory"}`)
	replay.ID = bPatient.ID
	attempts := []struct {
		what string
		op   hlc.Op
		want server.Status
	}{
		{"a new patient of its own", a.op("patients", "pa", hlc.KindInsert, `{"given_name": "Al"}`), server.Applied},
		{"an edit of B's patient stamped with B's clock reading",
			withClockOf(a.op("patients", "pb", hlc.KindUpdate, `{"given_name": "Mallory"}`), b), server.Rejected},
		{"a new row stamped with B's clock reading (made before the loop)",
			withClockOf(a.op("patients", "pc", hlc.KindInsert, `{"given_name": "Eve"}`), b), server.Rejected},
		{"B's operation id again, with other content", replay, server.Rejected},
		{"an edit of B's message plan", a.op("message_plans", "planb", hlc.KindUpdate, `{"plan": "{}"}`), server.Rejected},
		{"a delete of B's message plan", a.op("message_plans", "planb", hlc.KindDelete, `{}`), server.Rejected},
		{"B's message plan inserted again with other addresses",
			a.op("message_plans", "planb", hlc.KindInsert, `{"id": "planb", "patient_id": "pb", "plan": "{\"to\": [{\"channel\": \"email\", \"address\": \"mallory@evil.example\"}]}"}`),
			server.Applied},
		{"a message of B's plan under its final id, addressed elsewhere",
			a.op("messages", "planb.0.email", hlc.KindInsert, `{"id": "planb.0.email", "patient_id": "pb", "to_address": "mallory@evil.example", "body": "Pay here"}`),
			server.Applied},
		{"a new patient of its own after them", a.op("patients", "pd", hlc.KindInsert, `{"given_name": "Di"}`), server.Applied},
	}
	ops := make([]hlc.Op, len(attempts))
	for i, at := range attempts {
		ops[i] = at.op
	}
	res := a.push(ops...)
	var report []string
	for i, at := range attempts {
		report = append(report, fmt.Sprintf("%-64s %s %s", at.what, res[i].Status, res[i].Reason))
		if res[i].Status != at.want {
			t.Errorf("%s: %s (%s), want %s", at.what, res[i].Status, res[i].Reason, at.want)
		}
	}
	t.Logf("one batch as desk A:\n  %s", strings.Join(report, "\n  "))

	if m, _ := row(t, u, "patients", "pb"); m["given_name"] != "Bea" {
		t.Errorf("B's patient is now %v", m)
	}
	if m, deleted := row(t, u, "message_plans", "planb"); deleted || !strings.Contains(fmt.Sprint(m["plan"]), "bea@example.org") {
		t.Errorf("B's plan is now %v (deleted %v)", m, deleted)
	}
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.rows WHERE row_id = 'pc'`); n != 0 {
		t.Errorf("the row stamped with B's clock was made")
	}
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.applied_ops WHERE site_id = $1`, b.id); n != bResults {
		t.Errorf("B's stored results: %d, were %d", n, bResults)
	}
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.change_log WHERE origin_site = $1`, b.id); n != bLog {
		t.Errorf("log entries under B's name: %d, were %d", n, bLog)
	}
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.applied_ops WHERE site_id = $1`, a.id); n != int64(len(attempts)-1) {
		t.Errorf("A's stored results: %d, want %d (all but B's operation id)", n, len(attempts)-1)
	}
	// The message pushed under B's plan's id is A's row as far as the
	// server goes (any desk may queue a message); the desks send it to
	// nobody but the patient at the address on record
	// (data.TestForgedMessagesNotSent, TestPlanNotSuppressedByAForgedMessage).
	var origin string
	servertest.QueryRow(t, u, `SELECT origin_site::text FROM sync.change_log WHERE entity = 'messages' AND row_id = 'planb.0.email'`,
		nil, &origin)
	if origin != a.id {
		t.Errorf("the message of B's plan is logged as %s's, want A's", origin)
	}
}

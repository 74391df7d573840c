package sync_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hms/app"
	"hms/app/messaging"
	"hms/data"
	"hms/data/datatest"
	"hms/data/sync"
	"hms/data/sync/hlc"
	"hms/data/sync/server/servertest"
)

// plansDesks are leasedDesks (two enrolled desks on fake clocks, sending
// under a lease of lease) with the server's URL, each desk caught up with
// the server's log at every step: under load, one round's pull may stop
// short of the newest changes (another test's open transaction holds them
// back).
func plansDesks(t *testing.T, lease time.Duration) (u string, first *clinic, second *data.DB) {
	t.Helper()
	u = newSyncServer(t)
	first = mustSetup(t)
	engines.Store(first.db, sync.New(first.db, sync.Options{AppVersion: "test", SendLease: lease}))
	first.svc = services(first.db)
	mustEnroll(t, first.db, u)
	syncUntilCaughtUp(t, u, first.db)
	second = MustOpenDB(t, newFakeClock())
	engines.Store(second, sync.New(second, sync.Options{AppVersion: "test", SendLease: lease}))
	mustEnroll(t, second, u)
	syncUntilCaughtUp(t, u, second)
	// An administrator logs in on the second desk, vouching for its
	// sealing key: the message secrets are sealed to it from then on.
	if _, err := services(second).Users.Login(anon, "admin", datatest.AdminPassword); err != nil {
		t.Fatal(err)
	}
	syncUntilCaughtUp(t, u, second)
	syncUntilCaughtUp(t, u, first.db)
	return u, first, second
}

// smsGateway is a local HTTP server standing in for an SMS gateway: it
// accepts every message and keeps its request body.
func smsGateway(t *testing.T) (url string, got func() []string) {
	t.Helper()
	var mu stdsync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), bodies...)
	}
}

// TestPlanWrittenOutWithOtherTemplates: two desks write one message plan
// out while their templates differ (an administrator changed them on one
// desk, whose change has not reached the other). Every desk ends with the
// server's copy of each message, and a message is sent once, with the
// text every desk records.
//
// First order: the first desk writes the plan out first (a withdrawn SMS
// consent drops the SMS messages), with its new template; the lease
// holder writes it out with the old one. The lease holder sends nothing
// until it has the server's copy, then sends that text. Second order: the
// lease holder writes a plan out and sends it; the lease moves to the
// first desk, which writes it out again with its newer template before it
// has the other's rows: it sends nothing (the message went), and takes the
// server's copy.
func TestPlanWrittenOutWithOtherTemplates(t *testing.T) {
	t.Parallel()
	box, port := startSMTP(t)
	gw, texts := smsGateway(t)
	u, first, second := plansDesks(t, time.Minute)
	admin := first.ctx(app.RoleAdmin)
	settings := func(body string) app.MessageSettings {
		s := mailSettings(port)
		s.SMS = app.SMSGateway{URL: gw, Body: "to={to}&text={text}"}
		s.Templates = map[app.MessageKind]app.MessageTemplate{
			app.MessageConfirmation: {Subject: "Booked (" + body + ")", Body: body + ": {patient}, {weekday} {date} {time}."}}
		return s
	}
	if _, err := first.svc.Messages.SetMessageSettings(admin, settings("Template A")); err != nil {
		t.Fatal(err)
	}
	p := newPatient(t, first.svc, "Templated")
	email, phone := "templated@example.org", "+30 210 555 0101"
	if _, err := first.svc.Patients.UpdatePatient(system, p.ID, app.PatientUpdate{Email: &email, Phone: &phone}); err != nil {
		t.Fatal(err)
	}
	for _, ch := range app.MessageChannels {
		if _, err := first.svc.Messages.SetMessageConsent(first.ctx(app.RoleReception), p.ID, ch, true); err != nil {
			t.Fatal(err)
		}
	}
	book := func(after time.Duration) {
		t.Helper()
		if _, err := first.svc.Appointments.Book(system, app.AppointmentCreate{PatientID: p.ID, DoctorID: first.users[app.RoleDoctor].ID,
			Start: first.clock.Now().Add(after), Minutes: 30, Reason: "Check-up", OverrideReason: "sync test"}); err != nil {
			t.Fatal(err)
		}
	}
	secondSvc := services(second)
	deliver := func(svc app.Services) app.DeliveryReport {
		t.Helper()
		return deliverRound(t, svc)
	}
	// same checks that both desks hold the same messages rows, and that
	// each message the mailbox got is one of them, with its text.
	same := func(step string) {
		t.Helper()
		syncUntilCaughtUp(t, u, first.db)
		syncUntilCaughtUp(t, u, second)
		syncUntilCaughtUp(t, u, first.db)
		const q = `SELECT coalesce(group_concat(id || ' | ' || subject || ' | ' || body, char(10)), '') FROM (SELECT * FROM messages ORDER BY id)`
		var one, two string
		if err := rawDB(t, first.db).QueryRow(q).Scan(&one); err != nil {
			t.Fatal(err)
		}
		if err := rawDB(t, second).QueryRow(q).Scan(&two); err != nil {
			t.Fatal(err)
		}
		if one != two {
			t.Errorf("%s: the desks' messages differ:\nfirst:\n%s\nsecond:\n%s", step, one, two)
		}
		ids, _ := box.got()
		box.mu.Lock()
		bodies := append([]string(nil), box.bodies...)
		box.mu.Unlock()
		for i, id := range ids {
			var body string
			for _, line := range strings.Split(two, "\n") {
				f := strings.SplitN(line, " | ", 3)
				if len(f) == 3 && messaging.MessageID(f[0], "Clinic <desk@clinic.example>") == id {
					body = f[2]
				}
			}
			if body == "" || !strings.Contains(strings.ReplaceAll(bodies[i], "\r\n", "\n"), body) {
				t.Errorf("%s: the patient got %q (%s), the desks record %q", step, bodies[i], id, body)
			}
		}
	}

	// writeOut is the sending part of a desk's round, as the engine
	// calls it once its sync is done (data.WithSendLease): it stands for a
	// round whose sync ended just before the other desk's rows reached the
	// server, or before they reached this desk.
	writeOut := func(db *data.DB) app.DeliveryReport {
		t.Helper()
		rep, err := db.Services().Messages.DeliverDue(data.WithSendLease(sender, db.Now().Add(time.Minute)), &messaging.Transport{})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}

	// First order: the first desk's copy reaches the server first.
	book(3 * time.Hour)
	syncUntilCaughtUp(t, u, first.db)
	syncUntilCaughtUp(t, u, second)
	if _, err := first.svc.Messages.SetMessageSettings(admin, settings("Template B")); err != nil {
		t.Fatal(err)
	}
	if _, err := first.svc.Messages.SetMessageConsent(first.ctx(app.RoleReception), p.ID, app.ChannelSMS, false); err != nil {
		t.Fatal(err)
	}
	mustSync(t, first.db) // pushed: the server keeps this copy
	if rep := writeOut(second); rep.Sent != 0 {
		ids, _ := box.got()
		t.Errorf("the lease holder sent %+v (mail %d, SMS %d) before it had the server's copy of the plan's messages", rep, len(ids), len(texts()))
	}
	// Once its sync has brought the server's copy, it sends that.
	syncUntilCaughtUp(t, u, second)
	if rep := deliver(secondSvc); rep.Sent != 1 {
		t.Errorf("with the server's copy, the lease holder sent %+v, want the e-mail confirmation", rep)
	}
	same("first order")
	if ids, _ := box.got(); len(ids) != 1 || len(texts()) != 0 {
		t.Fatalf("first order: %d e-mails and %d SMS, want one e-mail (the SMS consent was withdrawn)", len(ids), len(texts()))
	}
	for i, db := range []*data.DB{first.db, second} {
		if n := count(t, db, `SELECT count(*) FROM messages WHERE body LIKE 'Template A%'`); n != 0 {
			t.Errorf("desk %d keeps %d messages of the first desk's old template", i+1, n)
		}
	}

	// Second order: the lease holder's copy is the server's and is sent;
	// the next lease holder writes the plan out again before the other's
	// rows reach it, with its newer template.
	book(5 * time.Hour)
	syncUntilCaughtUp(t, u, first.db)
	syncUntilCaughtUp(t, u, second)
	if _, err := first.svc.Messages.SetMessageSettings(admin, settings("Template C")); err != nil {
		t.Fatal(err) // not synced yet
	}
	if rep := deliver(secondSvc); rep.Sent != 1 {
		t.Fatalf("the lease holder sent %+v, want the second confirmation", rep)
	}
	if err := engine(second).ReleaseSendLease(context.Background()); err != nil {
		t.Fatal(err)
	}
	if rep := writeOut(first.db); rep.Sent != 0 {
		t.Errorf("the next lease holder sent %+v again, before it had the server's copy", rep)
	}
	if rep := deliver(first.svc); rep.Sent != 0 {
		t.Errorf("the next lease holder sent %+v again", rep)
	}
	same("second order")
	if ids, _ := box.got(); len(ids) != 2 {
		t.Fatalf("second order: %d e-mails, want two (one confirmation each)", len(ids))
	}
	for i, db := range []*data.DB{first.db, second} {
		if n := count(t, db, `SELECT count(*) FROM messages WHERE body LIKE 'Template C%'`); n != 0 {
			t.Errorf("desk %d keeps %d messages of the first desk's copy, which lost", i+1, n)
		}
		if n := count(t, db, `SELECT count(*) FROM message_unconfirmed`); n != 0 {
			t.Errorf("desk %d: %d messages still unconfirmed", i+1, n)
		}
		// A message that took the server's copy still verifies: its row
		// as it is now was audited (received) on this desk.
		if rep, err := db.Verify(context.Background()); err != nil || !rep.OK() {
			t.Errorf("desk %d does not verify: %+v, %v", i+1, rep, err)
		}
	}
}

// TestEarlierDeskGetsNoSendLease: a desk of a version before message plans
// (desk migration 0156) cannot write a plan's messages out; holding the
// send lease it would keep every booking of the newer desks unsent for as
// long as it renewed it. The server (migration 0110) gives the lease only
// to desks that ask as writers of plans: the earlier desks' call, made
// here through the second desk's login as those programs make it, never
// takes nor renews the lease; it names the holder, or the nil id while
// nobody holds it, so the earlier desk sends nothing. An earlier desk
// holding the lease when the server was updated keeps it until its time
// runs out, and no newer desk sends before then; after, the newer desk
// takes it and sends the plans' messages.
func TestEarlierDeskGetsNoSendLease(t *testing.T) {
	t.Parallel()
	box, port := startSMTP(t)
	u, first, second := plansDesks(t, time.Minute)
	ctx := context.Background()
	earlier, err := pgx.Connect(ctx, deskURL(t, second, u))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { earlier.Close(ctx) })
	const nobody = "00000000-0000-0000-0000-000000000000"
	askEarlier := func() string {
		t.Helper()
		var site string
		if err := earlier.QueryRow(ctx, `SELECT site_id::text FROM sync.take_send_lease($1, 60)`, second.SiteID()).Scan(&site); err != nil {
			t.Fatal(err)
		}
		return site
	}
	holder := func() string {
		var site string
		servertest.QueryRow(t, u, `SELECT coalesce((SELECT site_id::text FROM sync.send_lease WHERE expires_at > now()), '')`, nil, &site)
		return site
	}
	if got := askEarlier(); got != nobody || holder() != "" {
		t.Fatalf("an earlier desk asking for the free lease: named %s, the server's holder %q", got, holder())
	}

	if _, err := first.svc.Messages.SetMessageSettings(first.ctx(app.RoleAdmin), mailSettings(port)); err != nil {
		t.Fatal(err)
	}
	email := "upgraded@example.org"
	p := emailPatient(t, first, "Upgraded", email)
	book := func(after time.Duration) {
		t.Helper()
		if _, err := first.svc.Appointments.Book(system, app.AppointmentCreate{PatientID: p.ID, DoctorID: first.users[app.RoleDoctor].ID,
			Start: first.clock.Now().Add(after), Minutes: 30, Reason: "Check-up", OverrideReason: "sync test"}); err != nil {
			t.Fatal(err)
		}
	}
	book(3 * time.Hour)
	if rep := deliverRound(t, first.svc); rep.Sent != 1 {
		t.Fatalf("the newer desk sent %+v", rep)
	}
	if got := askEarlier(); got != first.db.SiteID() || holder() != first.db.SiteID() {
		t.Fatalf("an earlier desk asking while the newer holds the lease: named %s, the server's holder %q", got, holder())
	}

	// The earlier desk held the lease when the server was updated (its
	// row, which migration 0110 leaves as it is): not renewed, and kept
	// until it runs out.
	if err := first.svc.Messages.(interface{ ReleaseSendLease(context.Context) error }).ReleaseSendLease(ctx); err != nil {
		t.Fatal(err)
	}
	servertest.Exec(t, u, `INSERT INTO sync.send_lease (id, site_id, expires_at) VALUES (1, $1, now() + interval '3 seconds')`, second.SiteID())
	if got := askEarlier(); got != nobody {
		t.Errorf("the earlier desk renewing its lease was named %s, want nobody (it sends no more)", got)
	}
	book(5 * time.Hour)
	if rep := deliverRound(t, first.svc); rep.Sent != 0 {
		t.Fatalf("the newer desk sent %+v while the earlier desk's lease ran", rep)
	}
	time.Sleep(3500 * time.Millisecond)
	if got := askEarlier(); got != nobody {
		t.Errorf("the earlier desk took the lease that ran out: named %s", got)
	}
	if rep := deliverRound(t, first.svc); rep.Sent != 1 {
		t.Fatalf("the newer desk, after the earlier desk's lease ran out, sent %+v", rep)
	}
	if ids, _ := box.got(); len(ids) != 2 {
		t.Fatalf("the patient got %d messages, want the two confirmations", len(ids))
	}
}

// TestEarlierDeskKeepsAnUnknownTableAside: what a desk of a version
// before message plans does with a plan it pulls, shown on the same path
// (pull.go's apply, unchanged since before migration 0156) with a table
// this version does not know: a newer server syncs it (its sync.entities
// lists it) and a newer desk pushes a row of it. The desk keeps the change
// aside, unapplied, with the reason naming the table and asking for an
// update, listed for review; everything pulled with it and after it is
// applied; the next rounds try it again and change nothing else.
func TestEarlierDeskKeepsAnUnknownTableAside(t *testing.T) {
	t.Parallel()
	noInternalErrors(t) // refused where it is pulled, and kept for review: no fault of the program
	u, first, second := twoDesks(t)
	const later = "later_message_plans"
	servertest.Exec(t, u, `INSERT INTO sync.entities (entity, mode) VALUES ($1, 'append')`, later)
	f := newForger(t, u, first.db)
	if got := f.push(later, "plan-1", hlc.KindInsert, map[string]any{"id": "plan-1", "plan": "{}"}); !strings.Contains(got, `"applied"`) {
		t.Fatalf("the newer desk's row: %s", got)
	}
	p := newPatient(t, first.svc, "After")
	mustSync(t, first.db)
	for range 2 {
		syncUntilCaughtUp(t, u, second)
	}
	if n := count(t, second, `SELECT count(*) FROM patients WHERE id = ?`, p.ID); n != 1 {
		t.Errorf("the patient pushed after the unknown row did not arrive (%d)", n)
	}
	if n := count(t, second, `SELECT count(*) FROM conflicts WHERE entity = ? AND rule LIKE ? AND resolved_at IS NULL`,
		later, data.RuleNotApplied+"%does not sync%update it%"); n != 1 {
		var rules string
		_ = rawDB(t, second).QueryRow(`SELECT coalesce(group_concat(entity || ': ' || rule, '; '), '') FROM conflicts`).Scan(&rules)
		t.Errorf("the unknown row kept aside %d times, want once with the reason; conflicts: %s", n, rules)
	}
}

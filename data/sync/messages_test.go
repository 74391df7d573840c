package sync_test

import (
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/mail"
	"slices"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/jackc/pgx/v5"

	"hms/app"
	"hms/app/messaging"
	"hms/data"
	"hms/data/datatest"
	"hms/data/sync"
	"hms/data/sync/hlc"
	"hms/data/sync/server/servertest"
)

// mailbox is a local SMTP server's store: the Message-ID and recipient of
// every message it accepted, and the password each login gave.
type mailbox struct {
	mu        stdsync.Mutex
	ids, to   []string
	bodies    []string
	passwords []string
}

func (b *mailbox) got() (ids, to []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.ids...), append([]string(nil), b.to...)
}

type smtpBackend struct{ box *mailbox }

func (b smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &smtpSession{box: b.box}, nil
}

type smtpSession struct {
	box  *mailbox
	to   string
	auth bool
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		s.box.mu.Lock()
		s.box.passwords = append(s.box.passwords, pass)
		s.box.mu.Unlock()
		if user != "desk" || pass != "mail password" {
			return &smtp.SMTPError{Code: 535, Message: "wrong password"}
		}
		s.auth = true
		return nil
	}), nil
}
func (s *smtpSession) Reset()        { s.to = "" }
func (s *smtpSession) Logout() error { return nil }
func (s *smtpSession) Mail(string, *smtp.MailOptions) error {
	if !s.auth {
		return &smtp.SMTPError{Code: 530, Message: "authentication required"}
	}
	return nil
}
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }
func (s *smtpSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	body, err := io.ReadAll(m.Body)
	if err != nil {
		return err
	}
	s.box.ids = append(s.box.ids, m.Header.Get("Message-ID"))
	s.box.bodies = append(s.box.bodies, string(body))
	s.box.to = append(s.box.to, s.to)
	return nil
}

// startSMTP runs a local SMTP server (plain text on loopback, AUTH PLAIN
// with user desk and password "mail password").
func startSMTP(t *testing.T) (*mailbox, int) {
	t.Helper()
	box := &mailbox{}
	srv := smtp.NewServer(smtpBackend{box})
	srv.Domain, srv.AllowInsecureAuth = "localhost", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return box, ln.Addr().(*net.TCPAddr).Port
}

// mailSettings are message settings through the local server at port.
func mailSettings(port int) app.MessageSettings {
	return app.MessageSettings{Enabled: true, ReminderOffsets: []time.Duration{2 * time.Hour},
		SMTP: app.SMTPSettings{Host: "127.0.0.1", Port: port, Security: app.SMTPNone, Username: "desk",
			Password: "mail password", From: "Clinic <desk@clinic.example>"}}
}

// mailFrom starts a local SMTP server (startSMTP) and sets the clinic's
// message settings on the desk c to send through it, as an administrator
// (mailSettings): the server's mailbox and port.
func mailFrom(t *testing.T, c *clinic) (*mailbox, int) {
	t.Helper()
	box, port := startSMTP(t)
	if _, err := c.svc.Messages.SetMessageSettings(c.ctx(app.RoleAdmin), mailSettings(port)); err != nil {
		t.Fatal(err)
	}
	return box, port
}

// emailPatient registers a patient named name on the desk c, with the
// e-mail address email, who consented to messages by e-mail.
func emailPatient(t *testing.T, c *clinic, name, email string) *app.Patient {
	t.Helper()
	p := newPatient(t, c.svc, name)
	if _, err := c.svc.Patients.UpdatePatient(system, p.ID, app.PatientUpdate{Email: &email}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.svc.Messages.SetMessageConsent(c.ctx(app.RoleReception), p.ID, app.ChannelEmail, true); err != nil {
		t.Fatal(err)
	}
	return p
}

// leasedDesks are two enrolled desks on fake clocks (so a reminder comes
// due when the test says), each with a sync engine whose send lease lasts
// lease.
func leasedDesks(t *testing.T, lease time.Duration) (u string, first *clinic, second *data.DB, secondClock *fakeClock) {
	t.Helper()
	u = newSyncServer(t)
	first = mustSetup(t)
	engines.Store(first.db, sync.New(first.db, sync.Options{AppVersion: "test", SendLease: lease}))
	first.svc = services(first.db)
	mustEnroll(t, first.db, u)
	mustSync(t, first.db)
	secondClock = newFakeClock()
	second = MustOpenDB(t, secondClock)
	engines.Store(second, sync.New(second, sync.Options{AppVersion: "test", SendLease: lease}))
	mustEnroll(t, second, u)
	syncUntilCaughtUp(t, u, second) // the accounts, to log in with
	// An administrator logs in on the second desk, vouching for its
	// sealing key: the message secrets are sealed to it from then on.
	if _, err := services(second).Users.Login(anon, "admin", datatest.AdminPassword); err != nil {
		t.Fatal(err)
	}
	syncUntilCaughtUp(t, u, second)
	syncUntilCaughtUp(t, u, first.db)
	return u, first, second, secondClock
}

// sender is the desk's schedule: it delivers as data.DeliveryCaller.
var sender = app.NewContextWithCaller(context.Background(), data.DeliveryCaller)

// TestMessagesSentOnceByTheLeaseHolder: a reminder queued on the first
// desk reaches the second by sync; both desks run delivery when it is due,
// and the patient gets it once: the desk holding the send lease sends
// every desk's messages, records it, and the other desk, which does not
// hold the lease, sends nothing. When the holder stops renewing, the lease
// moves to the other desk once it runs out, and that desk sends what is
// due then (and not the message sent before). A desk that is not enrolled
// sends itself; delivery straight from the data layer of an enrolled desk,
// without the lease, is refused.
func TestMessagesSentOnceByTheLeaseHolder(t *testing.T) {
	t.Parallel()
	u, first, second, secondClock := leasedDesks(t, 2*time.Second)
	tick := func(d time.Duration) { first.clock.Add(d); secondClock.Add(d) }
	box, _ := mailFrom(t, first)
	email := "reminded@example.org"
	p := emailPatient(t, first, "Reminded", email)
	doctor := first.users[app.RoleDoctor].ID
	book := func(start time.Time) *app.Appointment {
		ap, err := first.svc.Appointments.Book(system, app.AppointmentCreate{PatientID: p.ID, DoctorID: doctor, Start: start,
			Minutes: 30, Reason: "Check-up", OverrideReason: "sync test"})
		if err != nil {
			t.Fatal(err)
		}
		return ap
	}
	book(first.clock.Now().Add(3 * time.Hour)) // a confirmation now, a reminder in an hour
	mustSync(t, first.db)
	// A round pulls only what lies below the oldest transaction open on
	// the server's cluster (any database's): until the second has it all.
	syncUntilCaughtUp(t, u, second)
	secondSvc := services(second)

	deliver := func(svc app.Services) app.DeliveryReport {
		t.Helper()
		return deliverRound(t, svc)
	}
	// The second desk asks first: it holds the lease and sends the first
	// desk's confirmation; the first desk, asking next, sends nothing.
	if rep := deliver(secondSvc); rep.Sent != 1 {
		t.Fatalf("the second desk, first to ask, sent %+v", rep)
	}
	if rep := deliver(first.svc); rep != (app.DeliveryReport{}) {
		t.Fatalf("the first desk sent without the lease: %+v", rep)
	}
	// The reminder comes due; both desks deliver, each several times.
	tick(time.Hour + time.Minute)
	for range 2 {
		deliver(first.svc)
		deliver(secondSvc)
	}
	syncUntilCaughtUp(t, u, first.db)
	syncUntilCaughtUp(t, u, second)
	ids, to := box.got()
	for _, pw := range box.passwords {
		if pw != "mail password" {
			t.Errorf("a desk logged in to the mail server with %q", pw)
		}
	}
	if len(ids) != 2 || ids[0] == ids[1] || to[0] != email || to[1] != email {
		t.Fatalf("the patient got %v (to %v), want the confirmation and the reminder once each", ids, to)
	}
	for i, db := range []*data.DB{first.db, second} {
		ms, err := services(db).Messages.FindMessages(first.ctx(app.RoleReception), app.MessageFilter{PatientID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.Status != app.MessageSent || m.Reference != m.ID || !slices.Contains(ids, messaging.MessageID(m.ID, "Clinic <desk@clinic.example>")) {
				t.Errorf("desk %d: %s %s, reference %q; the mailbox has %v", i+1, m.Kind, m.Status, m.Reference, ids)
			}
		}
		if n := count(t, db, `SELECT count(*) FROM message_due`); n != 0 {
			t.Errorf("desk %d: %d messages still queued", i+1, n)
		}
		if n := count(t, db, `SELECT count(*) FROM message_plan_due`); n != 0 {
			t.Errorf("desk %d: %d message plans still to write out", i+1, n)
		}
	}

	// The second desk stops renewing (it closed): once its lease runs out
	// the first desk takes it and sends the next booking's confirmation.
	deliver(secondSvc) // renews
	book(first.clock.Now().Add(5 * time.Hour))
	mustSync(t, first.db)
	time.Sleep(2500 * time.Millisecond)
	if rep := deliver(first.svc); rep.Sent != 1 {
		t.Fatalf("the first desk, after the second's lease ran out, sent %+v", rep)
	}
	mustSync(t, second)
	if rep := deliver(secondSvc); rep.Sent != 0 {
		t.Fatalf("the second desk sent again: %+v", rep)
	}
	if ids, _ := box.got(); len(ids) != 3 {
		t.Fatalf("the patient got %d messages, want 3", len(ids))
	}
	// A desk closing gives its lease up: the other takes it at once.
	if err := engine(first.db).ReleaseSendLease(context.Background()); err != nil {
		t.Fatal(err)
	}
	book(first.clock.Now().Add(7 * time.Hour))
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second)
	if rep := deliver(secondSvc); rep.Sent != 1 {
		t.Fatalf("the second desk, after the first gave the lease up, sent %+v", rep)
	}

	// The data layer of an enrolled desk refuses to send without the lease.
	if _, err := second.Services().Messages.DeliverDue(sender, &messaging.Transport{}); code(err) != app.ECONFLICT {
		t.Fatalf("an enrolled desk delivered without the lease: %v", err)
	}
	// A nurse takes no lease.
	if _, err := secondSvc.Messages.DeliverDue(as(callerOf(first.users[app.RoleNurse])), &messaging.Transport{}); code(err) != app.EUNAUTHORIZED {
		t.Fatalf("a nurse delivering: %v", err)
	}
}

// holdBackPulls opens a transaction with a transaction id on another
// database of the server's cluster, and returns its end: until then a
// pull holds back every change committed after it began (sync.pull hands
// out only what lies below the cluster's oldest running transaction), as
// a long transaction anywhere on a clinic's server does.
// deliverRound asks svc's desk to send what is due, as its sender does.
// A round on a desk that has not yet pulled every change the server holds
// sends nothing and says it waits: the tests of this package run in
// parallel on one cluster, and another test's open transaction (such as
// holdBackPulls's) holds pulls back. It is asked again until it does not
// wait, for up to two minutes.
func deliverRound(t testing.TB, svc app.Services) app.DeliveryReport {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		rep, err := svc.Messages.DeliverDue(sender, &messaging.Transport{})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Waiting {
			return rep
		}
		if time.Now().After(deadline) {
			t.Fatal("the desk's rounds still wait for changes the server holds back after two minutes")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func holdBackPulls(t *testing.T) (end func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, servertest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_current_xact_id()`); err != nil {
		t.Fatal(err)
	}
	var once stdsync.Once
	end = func() {
		once.Do(func() {
			tx.Rollback(ctx)
			conn.Close(ctx)
		})
	}
	t.Cleanup(end)
	return end
}

// TestNewLeaseHolderSendsOnlyWhenCaughtUp: the lease passes to a desk that
// has the queued message but not yet the record that its last holder sent
// it, because the server's pull holds that record back (a transaction
// elsewhere on the server's cluster began before it and is still open).
// The new holder sent the message again; it now sends nothing until it
// has the whole log, and then nothing more.
func TestNewLeaseHolderSendsOnlyWhenCaughtUp(t *testing.T) {
	t.Parallel()
	u, first, second, _ := leasedDesks(t, time.Minute)
	box, _ := mailFrom(t, first)
	email := "once.only@example.org"
	p := emailPatient(t, first, "Once Only", email)
	if _, err := first.svc.Appointments.Book(system, app.AppointmentCreate{PatientID: p.ID, DoctorID: first.users[app.RoleDoctor].ID,
		Start: first.clock.Now().Add(3 * time.Hour), Minutes: 30, Reason: "Check-up", OverrideReason: "sync test"}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second) // it has the booking and its confirmation to send
	deliver := func(svc app.Services) app.DeliveryReport {
		t.Helper()
		return deliverRound(t, svc)
	}

	end := holdBackPulls(t)
	if rep := deliver(first.svc); rep.Sent != 1 {
		t.Fatalf("the lease holder sent %+v", rep)
	}
	if err := engine(first.db).ReleaseSendLease(context.Background()); err != nil {
		t.Fatal(err)
	}
	if rep, err := services(second).Messages.DeliverDue(sender, &messaging.Transport{}); err != nil || rep != (app.DeliveryReport{Waiting: true}) {
		t.Errorf("the new holder, without the record of the last holder's sending, did %+v (%v), want a round that waits", rep, err)
	}
	end()
	syncUntilCaughtUp(t, u, second)
	if rep := deliver(services(second)); rep != (app.DeliveryReport{}) {
		t.Errorf("the new holder, caught up, sent %+v", rep)
	}
	if ids, _ := box.got(); len(ids) != 1 {
		t.Fatalf("the patient got %d messages, want the confirmation once", len(ids))
	}
}

// TestMessageSettingsReachEveryDesk: the message settings are a clinic
// setting under the administrator rule. An administrator's settings on
// the first desk reach the second, which opens the mail password and the
// gateway's secret sealed to it (and sends with them: the lease test);
// neither is in the outbox or on the server in clear. The same settings
// forged by a desk's server login, unsigned (another mail server), and a
// forged desk key are refused on every desk and change nothing.
func TestMessageSettingsReachEveryDesk(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
	if _, err := services(second).Users.Login(anon, "admin", datatest.AdminPassword); err != nil {
		t.Fatal(err)
	}
	mustSync(t, second)
	mustSync(t, first.db)
	in := mailSettings(2525)
	in.SMS = app.SMSGateway{URL: "https://sms.example.org/send", Headers: []string{"Authorization: Bearer {secret}"},
		Body: "to={to}&text={text}", Secret: "gateway token"}
	in.Language = "el"
	if _, err := first.svc.Messages.SetMessageSettings(first.ctx(app.RoleAdmin), in); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"mail password", "gateway token"} {
		if n := count(t, first.db, `SELECT count(*) FROM outbox WHERE payload LIKE ?`, "%"+secret+"%"); n != 0 {
			t.Errorf("%q is in the outbox in clear", secret)
		}
	}
	mustSync(t, first.db)
	if rep := syncAllReport(t, u, second); rep.PullConflicts != 0 {
		t.Fatalf("the administrator's message settings were refused on the second desk: %+v", rep)
	}
	for _, secret := range []string{"mail password", "gateway token"} {
		if n := servertest.QueryInt(t, u, `SELECT (SELECT count(*) FROM sync.rows WHERE data::text LIKE $1)
			+ (SELECT count(*) FROM sync.change_log WHERE row_snapshot::text LIKE $1)`, "%"+secret+"%"); n != 0 {
			t.Errorf("%q is on the server in clear", secret)
		}
		if n := count(t, second, `SELECT count(*) FROM settings WHERE value LIKE ?`, "%"+secret+"%"); n != 0 {
			t.Errorf("%q is in the second desk's settings in clear", secret)
		}
	}
	adminOnSecond := as(callerOf(first.users[app.RoleAdmin]))
	got, err := services(second).Messages.GetMessageSettings(adminOnSecond)
	if err != nil || !got.Enabled || got.SMTP.Host != "127.0.0.1" || !got.SMTP.HasPassword || !got.SMS.HasSecret ||
		got.SMTP.Password != "" || got.SMS.Secret != "" || got.Language != "el" {
		t.Fatalf("the second desk's message settings: %+v, %v", got, err)
	}

	f := newForger(t, u, second)
	forged := `{"enabled": true, "reminder_offsets": ["24h"], "smtp": {"Host": "mail.attacker.example", "Port": 25, "Security": "none", "From": "x@attacker.example"}, "sms": {}, "templates": {}}`
	f.push("settings", "message_settings", hlc.KindUpdate, map[string]any{"value": forged})
	pub := base64.StdEncoding.EncodeToString(make([]byte, 32))
	f.push("settings", "desk_key:01900000-0000-7000-8000-000000000000", hlc.KindInsert, map[string]any{"key": "desk_key:01900000-0000-7000-8000-000000000000", "value": pub, "updated_at": "2026-11-25T09:00:00Z"})
	for i, db := range []*data.DB{first.db, second} {
		n := count(t, db, `SELECT count(*) FROM conflicts WHERE rule LIKE ?`, sync.RuleUnsignedPower+"%")
		syncUntilCaughtUp(t, u, db)
		if got := count(t, db, `SELECT count(*) FROM conflicts WHERE rule LIKE ?`, sync.RuleUnsignedPower+"%"); got != n+2 {
			t.Errorf("desk %d: the forged settings were not both refused (%d refusals, had %d)", i+1, got, n)
		}
		st, err := services(db).Messages.GetMessageSettings(adminOnSecond)
		if err != nil || st.SMTP.Host != "127.0.0.1" {
			t.Errorf("desk %d: message settings after the forgery %+v, %v", i+1, st, err)
		}
		if n := count(t, db, `SELECT count(*) FROM settings WHERE key LIKE 'desk_key:0190%'`); n != 0 {
			t.Errorf("desk %d took the forged desk key", i+1)
		}
	}
}

// TestPlanWrittenOutOnTwoDesks: a booking's message plan, written out by
// two desks before either saw the other's rows (one cancels the
// appointment, which writes the plan out to drop it; the lease holder
// writes it out to send the confirmation), gives the same messages rows on
// both: the server keeps each once, both desks end with the same messages
// and nothing for review; the confirmation is sent once, and the
// cancellation waits as a plan of its own on both.
func TestPlanWrittenOutOnTwoDesks(t *testing.T) {
	t.Parallel()
	u, first, second, _ := leasedDesks(t, time.Minute)
	box, _ := mailFrom(t, first)
	email := "planned@example.org"
	p := emailPatient(t, first, "Planned", email)
	ap, err := first.svc.Appointments.Book(system, app.AppointmentCreate{PatientID: p.ID, DoctorID: first.users[app.RoleDoctor].ID,
		Start: first.clock.Now().Add(3 * time.Hour), Minutes: 30, Reason: "Check-up", OverrideReason: "sync test"})
	if err != nil {
		t.Fatal(err)
	}
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second) // a round pulls only below the oldest transaction open on the cluster
	for i, db := range []*data.DB{first.db, second} {
		if n := count(t, db, `SELECT count(*) FROM message_plan_due`); n != 1 {
			t.Fatalf("desk %d: %d plans to write out, want 1", i+1, n)
		}
	}
	// The first desk cancels, unsynced: it writes the plan out and drops
	// its two messages. The second desk, holding the lease, writes the
	// same plan out and sends the confirmation.
	if _, err := first.svc.Appointments.Cancel(first.ctx(app.RoleReception), ap.ID, "patient called"); err != nil {
		t.Fatal(err)
	}
	secondSvc := services(second)
	if rep := deliverRound(t, secondSvc); rep.Sent != 1 {
		t.Fatalf("the lease holder sent %+v", rep)
	}
	syncAll(t, first.db, second)
	const q = `SELECT group_concat(id || ' ' || kind, ', ') FROM (SELECT id, kind FROM messages ORDER BY id)`
	var one, two string
	if err := rawDB(t, first.db).QueryRow(q).Scan(&one); err != nil {
		t.Fatal(err)
	}
	if err := rawDB(t, second).QueryRow(q).Scan(&two); err != nil {
		t.Fatal(err)
	}
	if one != two || strings.Count(one, ",") != 1 || !strings.Contains(one, ".0.email confirmation") {
		t.Fatalf("the desks' messages differ or are not the plan's two:\n%s\n%s", one, two)
	}
	for i, db := range []*data.DB{first.db, second} {
		if n := count(t, db, `SELECT count(*) FROM message_plan_due`); n != 1 {
			// The cancellation's own plan waits for the lease holder.
			t.Errorf("desk %d: %d plans to write out, want the cancellation's", i+1, n)
		}
		if n := count(t, db, `SELECT count(*) FROM conflicts`); n != 0 {
			t.Errorf("desk %d: %d conflicts", i+1, n)
		}
	}
	if ids, _ := box.got(); len(ids) != 1 {
		t.Fatalf("the patient got %d messages, want the confirmation once", len(ids))
	}
}

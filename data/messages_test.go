package data_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"hms/app"
	"hms/data"
)

// fakeTransport records what it is asked to send; fail, when set, says
// what each send returns.
type fakeTransport struct {
	mu   sync.Mutex
	sent []*app.Message
	refs []string
	fail func(m *app.Message) error
}

func (f *fakeTransport) Send(_ context.Context, s *app.MessageSettings, m *app.Message, ref string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s.SMTP.Password != "mail password" && s.SMTP.Username != "" {
		return fmt.Errorf("the transport got password %q", s.SMTP.Password)
	}
	if f.fail != nil {
		if err := f.fail(m); err != nil {
			return err
		}
	}
	f.sent = append(f.sent, m)
	f.refs = append(f.refs, ref)
	return nil
}

func (f *fakeTransport) kinds() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, m := range f.sent {
		out = append(out, string(m.Kind)+"/"+string(m.Channel))
	}
	slices.Sort(out)
	return out
}

func (f *fakeTransport) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent, f.refs = nil, nil
}

var testMessageSettings = app.MessageSettings{
	Enabled:         true,
	ReminderOffsets: []time.Duration{24 * time.Hour, 2 * time.Hour},
	SMTP: app.SMTPSettings{Host: "smtp.clinic.example", Port: 587, Security: app.SMTPStartTLS, Username: "desk",
		Password: "mail password", From: "Clinic <desk@clinic.example>"},
	SMS: app.SMSGateway{URL: "https://sms.example.org/send?key=secret", Method: "POST", Body: "to={to}&text={text}"},
}

// messagesClinic is the appointments fixture with messages switched on and
// zoe (the patient account's record) consenting on both channels.
func messagesClinic(t *testing.T) (*apptClinic, app.MessageService, *fakeTransport) {
	t.Helper()
	a := mustAppointments(t)
	svc := a.svc.Messages
	if _, err := svc.SetMessageSettings(a.ctx(app.RoleAdmin), testMessageSettings); err != nil {
		t.Fatal(err)
	}
	email, phone := "zoe@example.org", "+30 690 000 0001"
	if _, err := a.svc.Patients.UpdatePatient(a.ctx(app.RoleReception), a.patient, app.PatientUpdate{Email: &email, Phone: &phone}); err != nil {
		t.Fatal(err)
	}
	for _, ch := range app.MessageChannels {
		if _, err := svc.SetMessageConsent(a.ctx(app.RoleReception), a.patient, ch, true); err != nil {
			t.Fatal(err)
		}
	}
	return a, svc, &fakeTransport{}
}

func deliver(t *testing.T, a *apptClinic, svc app.MessageService, tr app.MessageTransport) app.DeliveryReport {
	t.Helper()
	rep, err := svc.DeliverDue(a.ctx(app.RoleAdmin), tr)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func patientMessages(t *testing.T, a *apptClinic, svc app.MessageService, patientID string) []*app.Message {
	t.Helper()
	ms, err := svc.FindMessages(a.ctx(app.RoleReception), app.MessageFilter{PatientID: patientID})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func countStatus(ms []*app.Message, kind app.MessageKind, st app.MessageStatus) int {
	n := 0
	for _, m := range ms {
		if m.Kind == kind && m.Status == st {
			n++
		}
	}
	return n
}

// TestReminderLifecycle: a booking queues its confirmation and reminders
// on both channels in the same transaction; they go out once, when due,
// with the right text; cancelling drops the reminders still waiting and
// sends the cancellation.
func TestReminderLifecycle(t *testing.T) {
	a, svc, tr := messagesClinic(t)
	start := a.at("2026-11-28", "09:30") // Saturday, three days ahead
	ap := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: start,
		Reason: "Chest pain follow-up"})

	ms := patientMessages(t, a, svc, a.patient)
	if len(ms) != 6 || countStatus(ms, app.MessageConfirmation, app.MessageWaiting) != 2 ||
		countStatus(ms, app.MessageReminder, app.MessageWaiting) != 4 {
		t.Fatalf("queued %d messages: %+v", len(ms), ms)
	}
	for _, m := range ms {
		if strings.Contains(m.Body, "Chest pain") || strings.Contains(m.Subject, "Chest pain") {
			t.Fatalf("a message tells the reason for the visit: %q", m.Body)
		}
	}

	if rep := deliver(t, a, svc, tr); rep.Sent != 2 || rep.Failed+rep.Retrying+rep.Dropped != 0 {
		t.Fatalf("first round: %+v", rep)
	}
	if got := tr.kinds(); !slices.Equal(got, []string{"confirmation/email", "confirmation/sms"}) {
		t.Fatalf("sent %v", got)
	}
	for _, m := range tr.sent {
		if !strings.Contains(m.Body, "Saturday 28 November 2026 at 09:30") || !strings.Contains(m.Body, "Dear zoe Papadopoulou") {
			t.Fatalf("body %q", m.Body)
		}
	}
	if tr.sent[0].Channel == app.ChannelEmail && !strings.Contains(tr.sent[0].Subject, "Saturday") {
		t.Fatalf("subject %q", tr.sent[0].Subject)
	}
	if tr.sent[0].To != "zoe@example.org" && tr.sent[0].To != "+30 690 000 0001" {
		t.Fatalf("to %q", tr.sent[0].To)
	}
	// Nothing more is due, and a second round sends nothing twice.
	tr.reset()
	if rep := deliver(t, a, svc, tr); rep != (app.DeliveryReport{}) {
		t.Fatalf("second round: %+v", rep)
	}

	// A day before: the 24-hour reminders.
	a.clock.Add(start.Add(-24*time.Hour).Sub(a.clock.Now()) + time.Minute)
	if rep := deliver(t, a, svc, tr); rep.Sent != 2 {
		t.Fatalf("24h round: %+v", rep)
	}
	if got := tr.kinds(); !slices.Equal(got, []string{"reminder/email", "reminder/sms"}) {
		t.Fatalf("sent %v", got)
	}
	tr.reset()

	// Cancelled before the 2-hour reminders: they are dropped, the
	// cancellation goes.
	if _, err := a.svc.Appointments.Cancel(a.ctx(app.RoleReception), ap.ID, "doctor ill"); err != nil {
		t.Fatal(err)
	}
	a.clock.Add(23 * time.Hour)
	rep := deliver(t, a, svc, tr)
	if got := tr.kinds(); rep.Sent != 2 || !slices.Equal(got, []string{"cancellation/email", "cancellation/sms"}) {
		t.Fatalf("after cancelling: %+v, sent %v", rep, got)
	}
	ms = patientMessages(t, a, svc, a.patient)
	if n := countStatus(ms, app.MessageReminder, app.MessageDropped); n != 2 {
		t.Fatalf("%d reminders dropped, want 2", n)
	}
	for _, m := range ms {
		if m.Status == app.MessageDropped && !strings.Contains(m.LastError, "cancelled") {
			t.Fatalf("dropped with %q", m.LastError)
		}
		if m.Status == app.MessageSent && m.Reference != m.ID {
			t.Fatalf("sent with reference %q, want the message's id", m.Reference)
		}
	}
}

// TestNoConsentNoMessage: without consent nothing is queued; withdrawing
// consent drops what waits, with a log entry.
func TestNoConsentNoMessage(t *testing.T) {
	a, svc, tr := messagesClinic(t)
	// yannis has given no consent.
	a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient2, DoctorID: a.doctor, Start: a.at("2026-11-28", "10:00")})
	if ms := patientMessages(t, a, svc, a.patient2); len(ms) != 0 {
		t.Fatalf("queued without consent: %+v", ms)
	}
	a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: a.at("2026-11-28", "09:00")})
	// The patient withdraws SMS consent themselves.
	if _, err := svc.SetMessageConsent(a.ctx(app.RolePatient), a.patient, app.ChannelSMS, false); err != nil {
		t.Fatal(err)
	}
	ms := patientMessages(t, a, svc, a.patient)
	for _, m := range ms {
		if m.Channel == app.ChannelSMS && (m.Status != app.MessageDropped || m.LastError != "consent withdrawn") {
			t.Fatalf("SMS after withdrawal: %+v", m)
		}
		if m.Channel == app.ChannelEmail && m.Status != app.MessageWaiting {
			t.Fatalf("e-mail: %+v", m)
		}
	}
	deliver(t, a, svc, tr)
	if got := tr.kinds(); !slices.Equal(got, []string{"confirmation/email"}) {
		t.Fatalf("sent %v", got)
	}
	cs, err := svc.MessageConsents(a.ctx(app.RolePatient), a.patient)
	if err != nil || len(cs) != 2 || !cs[0].Given || cs[1].Given || cs[1].RecordedBy == "" || cs[1].RecordedAt.IsZero() {
		t.Fatalf("consents %+v %v", cs, err)
	}
	// A patient cannot record another patient's consent.
	_, err = svc.SetMessageConsent(a.ctx(app.RolePatient), a.patient2, app.ChannelSMS, true)
	wantErr(t, err, app.EUNAUTHORIZED, "", "")
	_, err = svc.FindMessages(a.ctx(app.RolePatient), app.MessageFilter{PatientID: a.patient2})
	wantErr(t, err, app.EUNAUTHORIZED, "", "")
	_, err = svc.FindMessages(a.ctx(app.RolePatient), app.MessageFilter{})
	wantErr(t, err, app.EUNAUTHORIZED, "", "")
}

// TestRescheduleMessages: moving an appointment drops the old one's
// reminders and sends the "moved" message with the new time.
func TestRescheduleMessages(t *testing.T) {
	a, svc, tr := messagesClinic(t)
	ap := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: a.at("2026-11-28", "09:00")})
	deliver(t, a, svc, tr)
	tr.reset()
	moved, err := a.svc.Appointments.Reschedule(a.ctx(app.RoleReception), ap.ID, a.at("2026-11-30", "15:00"), "")
	if err != nil {
		t.Fatal(err)
	}
	deliver(t, a, svc, tr)
	if got := tr.kinds(); !slices.Equal(got, []string{"reschedule/email", "reschedule/sms"}) {
		t.Fatalf("sent %v", got)
	}
	if !strings.Contains(tr.sent[0].Body, "Monday 30 November 2026 at 15:00") {
		t.Fatalf("body %q", tr.sent[0].Body)
	}
	for _, m := range patientMessages(t, a, svc, a.patient) {
		switch {
		case m.AppointmentID == ap.ID && m.Kind == app.MessageReminder:
			if m.Status != app.MessageDropped || m.LastError != "the appointment was moved" {
				t.Fatalf("old reminder %+v", m)
			}
		case m.AppointmentID == moved.ID && m.Kind == app.MessageReminder:
			if m.Status != app.MessageWaiting {
				t.Fatalf("new reminder %+v", m)
			}
		}
	}
}

// TestGatewayDownRetriesThenFails: a failing gateway is retried with
// backoff, then the message fails and is listed with the reason; reception
// sends it again.
func TestGatewayDownRetriesThenFails(t *testing.T) {
	a, svc, tr := messagesClinic(t)
	down := errors.New("cannot reach the SMS gateway: connection refused")
	tr.fail = func(m *app.Message) error {
		if m.Channel == app.ChannelSMS {
			return down
		}
		return nil
	}
	a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: a.at("2026-12-10", "09:00")})
	for i := 1; i <= app.MaxMessageAttempts; i++ {
		rep := deliver(t, a, svc, tr)
		if i < app.MaxMessageAttempts && rep.Retrying != 1 {
			t.Fatalf("round %d: %+v", i, rep)
		}
		if i == app.MaxMessageAttempts && rep.Failed != 1 {
			t.Fatalf("last round: %+v", rep)
		}
		// Not before the backoff has passed.
		if i < app.MaxMessageAttempts {
			if rep := deliver(t, a, svc, tr); rep.Retrying+rep.Failed != 0 {
				t.Fatalf("retried before the backoff: %+v", rep)
			}
			a.clock.Add(app.MessageRetryDelay(i))
		}
	}
	failed, err := svc.FindMessages(a.ctx(app.RoleReception), app.MessageFilter{Status: app.MessageFailed})
	if err != nil || len(failed) != 1 || failed[0].Attempts != app.MaxMessageAttempts || !strings.Contains(failed[0].LastError, "connection refused") {
		t.Fatalf("failed list %+v %v", failed, err)
	}
	// Billing may not resend; reception may.
	_, err = svc.ResendMessage(a.ctx(app.RoleBilling), failed[0].ID)
	wantErr(t, err, app.EUNAUTHORIZED, "", "")
	tr.fail = nil
	again, err := svc.ResendMessage(a.ctx(app.RoleReception), failed[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID == failed[0].ID || again.Channel != app.ChannelSMS {
		t.Fatalf("resent %+v", again)
	}
	tr.reset()
	if rep := deliver(t, a, svc, tr); rep.Sent != 1 {
		t.Fatalf("after resend: %+v %v", rep, tr.kinds())
	}
	// A sent message is not sent again.
	_, err = svc.ResendMessage(a.ctx(app.RoleReception), again.ID)
	wantErr(t, err, app.ECONFLICT, "", "only a failed or dropped")
}

// TestMessageSettingsPassword: the SMTP password is write-only, kept when
// the form leaves it empty, stored sealed, and handed to the transport.
func TestMessageSettingsPassword(t *testing.T) {
	a, svc, tr := messagesClinic(t)
	got, err := svc.GetMessageSettings(a.ctx(app.RoleAdmin))
	if err != nil {
		t.Fatal(err)
	}
	if got.SMTP.Password != "" || !got.SMTP.HasPassword || !got.Enabled || got.SMTP.Host != "smtp.clinic.example" {
		t.Fatalf("settings %+v", got.SMTP)
	}
	got.SMTP.Password = ""
	if _, err := svc.SetMessageSettings(a.ctx(app.RoleAdmin), *got); err != nil {
		t.Fatal(err)
	}
	var stored string
	raw := openPlain(t, a.db.Path())
	defer raw.Close()
	if err := raw.QueryRow(`SELECT value FROM settings WHERE key = 'message_settings'`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, "mail password") || strings.Contains(strings.ToLower(stored), fmt.Sprintf("%x", "mail password")) {
		t.Fatal("the password is stored in the clear")
	}
	a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: a.at("2026-12-10", "09:00")})
	// fakeTransport refuses to send unless it was given the password.
	if rep := deliver(t, a, svc, tr); rep.Sent != 2 {
		t.Fatalf("%+v", rep)
	}

	bad := testMessageSettings
	bad.Templates = app.DefaultMessageTemplates()
	bad.Templates[app.MessageReminder] = app.MessageTemplate{Body: "See you {tomorow}"}
	_, err = svc.SetMessageSettings(a.ctx(app.RoleAdmin), bad)
	wantErr(t, err, app.EINVALID, "template_reminder_body", "{tomorow}")
	_, err = svc.SetMessageSettings(a.ctx(app.RoleReception), testMessageSettings)
	wantErr(t, err, app.EUNAUTHORIZED, "", "")
}

// TestSendTestMessage: an administrator sends a sample reminder through
// the settings as typed, the stored password standing in for an empty
// one; a bad address is refused next to its field, a channel not set up
// next to its settings, and only administrators may send one.
func TestSendTestMessage(t *testing.T) {
	a, _, _ := messagesClinic(t)
	tr := &fakeTransport{}
	desk, err := data.Open(a.db.Path(), data.Options{HashParams: cheapHash, Now: a.clock.Now, MessageTransport: tr})
	if err != nil {
		t.Fatal(err)
	}
	defer desk.Close()
	svc := desk.Services().Messages
	typed := testMessageSettings
	typed.SMTP.Password = "" // as the form sends it: the stored one stands
	if err := svc.SendTestMessage(a.ctx(app.RoleAdmin), typed, app.ChannelEmail, "admin@clinic.example"); err != nil {
		t.Fatal(err)
	}
	if got := tr.kinds(); !slices.Equal(got, []string{"reminder/email"}) {
		t.Fatalf("sent %v, want one reminder by e-mail", got)
	}
	m := tr.sent[0]
	if m.To != "admin@clinic.example" || !strings.HasPrefix(m.Subject, "[Test] Reminder") || !strings.Contains(m.Body, "Test Patient") {
		t.Errorf("test message = %+v", m)
	}
	if err := svc.SendTestMessage(a.ctx(app.RoleAdmin), typed, app.ChannelSMS, "not a phone"); app.ErrorField(err) != "test_to" {
		t.Errorf("bad phone: %v, want an error on test_to", err)
	}
	noSMS := typed
	noSMS.SMS = app.SMSGateway{}
	if err := svc.SendTestMessage(a.ctx(app.RoleAdmin), noSMS, app.ChannelSMS, "+30 690 000 0001"); app.ErrorField(err) != "sms_url" {
		t.Errorf("no gateway: %v, want an error on sms_url", err)
	}
	tr.fail = func(*app.Message) error { return errors.New("connection refused") }
	if err := svc.SendTestMessage(a.ctx(app.RoleAdmin), typed, app.ChannelSMS, "+30 690 000 0001"); err == nil ||
		!strings.Contains(err.Error(), "connection refused") {
		t.Errorf("gateway down: %v, want the reason", err)
	}
	if err := svc.SendTestMessage(a.ctx(app.RoleReception), typed, app.ChannelEmail, "x@clinic.example"); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Errorf("reception: %v, want unauthorized", err)
	}
	if n := len(tr.kinds()); n != 1 {
		t.Errorf("%d messages handed over, want 1", n)
	}
}

// TestNoShowRateReminded: the dashboard splits the no-show rate by whether
// a reminder went out: zoe was reminded and came, yannis (no consent, so
// no reminder) did not come.
func TestNoShowRateReminded(t *testing.T) {
	a, svc, tr := messagesClinic(t)
	start := a.at("2026-11-28", "09:30")
	came := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: start})
	missed := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient2, DoctorID: a.doctor,
		Start: a.at("2026-11-28", "10:00")})
	a.clock.Add(start.Add(-24*time.Hour).Sub(a.clock.Now()) + time.Minute)
	if rep := deliver(t, a, svc, tr); rep.Sent != 4 { // confirmations and 24-hour reminders, both channels
		t.Fatalf("sending: %+v", rep)
	}
	a.clock.Add(24 * time.Hour)
	if _, err := a.svc.Appointments.CheckIn(a.ctx(app.RoleReception), came.ID); err != nil {
		t.Fatal(err)
	}
	a.clock.Add(2 * time.Hour)
	if _, err := a.svc.Appointments.MarkNoShow(a.ctx(app.RoleReception), missed.ID); err != nil {
		t.Fatal(err)
	}
	day, _ := app.ParseDay("2026-11-28")
	p, err := app.CustomPeriod(day, day)
	if err != nil {
		t.Fatal(err)
	}
	d, err := a.svc.Dashboard.Dashboard(a.ctx(app.RoleAdmin), p)
	if err != nil {
		t.Fatal(err)
	}
	c := d.Clinical
	if c.Reminded != (app.NoShowFigure{Seen: 1, NoShows: 0}) || c.NotReminded != (app.NoShowFigure{Seen: 1, NoShows: 1, Rate: 1}) {
		t.Errorf("reminded %+v, not reminded %+v", c.Reminded, c.NotReminded)
	}
	if c.NoShowRate != 0.5 {
		t.Errorf("no-show rate %v, want 0.5", c.NoShowRate)
	}
}

// TestMessagesInTheClinicsLanguage: templates are kept per kind and
// language; the clinic's message language chooses the one a message is
// written from, and a language without a template of the kind falls back
// to the clinic's.
func TestMessagesInTheClinicsLanguage(t *testing.T) {
	a, svc, tr := messagesClinic(t)
	in := testMessageSettings
	in.Language = "el"
	in.Templates = map[app.MessageKind]app.MessageTemplate{
		app.MessageConfirmation: {Subject: "Το ραντεβού σας", Body: "Αγαπητή {patient}, το ραντεβού σας είναι {weekday} {date} στις {time}."},
	}
	in.Translations = map[string]map[app.MessageKind]app.MessageTemplate{
		"en": {app.MessageConfirmation: {Subject: "Your appointment", Body: "Dear {patient}, see you at {time}."}},
		"es": {app.MessageReminder: {Body: "Estimada {patient}, le recordamos su cita a las {time}."}},
	}
	got, err := svc.SetMessageSettings(a.ctx(app.RoleAdmin), in)
	if err != nil {
		t.Fatal(err)
	}
	if got.Language != "el" || got.Translations["es"][app.MessageReminder].Body == "" || got.Translations["en"][app.MessageConfirmation].Body == "" {
		t.Fatalf("stored %+v", got)
	}
	if tm, lang := got.Template(app.MessageReminder, "es"); lang != "es" || !strings.HasPrefix(tm.Body, "Estimada") {
		t.Errorf("the Spanish reminder: %q in %s", tm.Body, lang)
	}
	if tm, lang := got.Template(app.MessageCancellation, "es"); lang != "es" || tm.Body != app.DefaultMessageTemplatesIn("es")[app.MessageCancellation].Body {
		t.Errorf("a kind with no Spanish template of the clinic's: HMS's own, got %q in %s", tm.Body, lang)
	}
	if tm := got.Templates[app.MessageCancellation]; tm.Body != app.DefaultMessageTemplatesIn("el")[app.MessageCancellation].Body {
		t.Errorf("a kind the Greek clinic wrote no text for: %q, want HMS's Greek one", tm.Body)
	}
	a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: a.at("2026-12-10", "09:00")})
	deliver(t, a, svc, tr)
	var greek int
	for _, m := range tr.sent {
		if m.Kind == app.MessageConfirmation && strings.HasPrefix(m.Body, "Αγαπητή ") {
			greek++
		}
	}
	if greek != 2 {
		t.Errorf("%d confirmations in Greek, want one per channel: %v", greek, tr.kinds())
	}
	in.Language = "fr"
	_, err = svc.SetMessageSettings(a.ctx(app.RoleAdmin), in)
	wantErr(t, err, app.EINVALID, "language", "")
}

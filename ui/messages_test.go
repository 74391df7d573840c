package ui

import (
	"context"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"hms/app"
	"hms/app/mock"
)

// messagesFake is a message service in memory: one patient's consents and
// a log of three messages (sent, failed, waiting).
type messagesFake struct {
	mu       sync.Mutex
	settings app.MessageSettings
	consents map[app.MessageChannel]app.MessageConsent
	messages []*app.Message
}

func sampleMessages(now time.Time) []*app.Message {
	return []*app.Message{
		{ID: "m-3", PatientID: "p-1", PatientName: "Grace Hopper", Kind: app.MessageReminder, Channel: app.ChannelSMS,
			To: "+30 690 0000001", CreatedAt: now.Add(-time.Hour), SendAt: now.Add(20 * time.Hour), Status: app.MessageWaiting},
		{ID: "m-2", PatientID: "p-1", PatientName: "Grace Hopper", Kind: app.MessageConfirmation, Channel: app.ChannelSMS,
			To: "+30 690 0000001", CreatedAt: now.Add(-2 * time.Hour), Status: app.MessageFailed, Attempts: 5,
			LastError: "gateway answered 503"},
		{ID: "m-1", PatientID: "p-1", PatientName: "Grace Hopper", Kind: app.MessageConfirmation, Channel: app.ChannelEmail,
			To: "grace@example.org", CreatedAt: now.Add(-2 * time.Hour), Status: app.MessageSent, SentAt: now.Add(-2 * time.Hour)},
	}
}

// withMessages gives h's UI a message service answering from f.
func (h *harness) withMessages() *messagesFake {
	f := &messagesFake{settings: app.MessageSettings{ReminderOffsets: app.DefaultReminderOffsets,
		Templates: app.DefaultMessageTemplates(),
		SMTP: app.SMTPSettings{Host: "smtp.clinic.example", Port: 587, Security: app.SMTPStartTLS, Username: "desk",
			HasPassword: true, From: "Clinic <desk@clinic.example>"}},
		consents: map[app.MessageChannel]app.MessageConsent{
			app.ChannelEmail: {PatientID: "p-1", Channel: app.ChannelEmail, Given: true,
				RecordedAt: h.clock().Add(-48 * time.Hour), RecordedBy: "Rita Reception"},
		},
		messages: sampleMessages(h.clock())}
	m := &mock.MessageService{
		GetMessageSettingsFn: func(ctx context.Context) (*app.MessageSettings, error) {
			h.record("GetMessageSettings", ctx, nil)
			f.mu.Lock()
			defer f.mu.Unlock()
			s := f.settings
			return &s, nil
		},
		SetMessageSettingsFn: func(ctx context.Context, s app.MessageSettings) (*app.MessageSettings, error) {
			h.record("SetMessageSettings", ctx, s)
			if err := s.Validate(); err != nil {
				return nil, err
			}
			if s.SMS.URL == "https://refused.example" {
				return nil, app.FieldErrorf("sms_url", "The gateway refused.")
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			s.SMTP.HasPassword = s.SMTP.Password != "" || f.settings.SMTP.HasPassword
			s.SMTP.Password = ""
			f.settings = s
			return &s, nil
		},
		SendTestMessageFn: func(ctx context.Context, s app.MessageSettings, ch app.MessageChannel, to string) error {
			h.record("SendTestMessage", ctx, []any{s, ch, to})
			if to == "" {
				return app.FieldErrorf("test_to", "Write the address the test goes to.")
			}
			if ch == app.ChannelSMS {
				return app.Errorf(app.ECONFLICT, "The test message was not sent: connection refused")
			}
			return nil
		},
		MessageConsentsFn: func(ctx context.Context, id string) ([]app.MessageConsent, error) {
			h.record("MessageConsents", ctx, id)
			f.mu.Lock()
			defer f.mu.Unlock()
			var out []app.MessageConsent
			for _, ch := range app.MessageChannels {
				c, ok := f.consents[ch]
				if !ok {
					c = app.MessageConsent{PatientID: id, Channel: ch}
				}
				out = append(out, c)
			}
			return out, nil
		},
		SetMessageConsentFn: func(ctx context.Context, id string, ch app.MessageChannel, given bool) (*app.MessageConsent, error) {
			h.record("SetMessageConsent", ctx, []any{id, ch, given})
			f.mu.Lock()
			defer f.mu.Unlock()
			c := app.MessageConsent{PatientID: id, Channel: ch, Given: given, RecordedAt: h.clock(), RecordedBy: "Someone"}
			f.consents[ch] = c
			return &c, nil
		},
		FindMessagesFn: func(ctx context.Context, flt app.MessageFilter) ([]*app.Message, error) {
			h.record("FindMessages", ctx, flt)
			f.mu.Lock()
			defer f.mu.Unlock()
			var out []*app.Message
			for _, m := range f.messages {
				if (flt.Status == "" || m.Status == flt.Status) && (flt.PatientID == "" || flt.PatientID == m.PatientID) {
					out = append(out, m)
				}
			}
			return out, nil
		},
		ResendMessageFn: func(ctx context.Context, id string) (*app.Message, error) {
			h.record("ResendMessage", ctx, id)
			f.mu.Lock()
			defer f.mu.Unlock()
			nm := &app.Message{ID: "m-4", PatientID: "p-1", PatientName: "Grace Hopper", Kind: app.MessageConfirmation,
				Channel: app.ChannelSMS, To: "+30 690 0000001", CreatedAt: h.clock(), Status: app.MessageWaiting}
			f.messages = append([]*app.Message{nm}, f.messages...)
			return nm, nil
		},
	}
	h.u.svc.Messages = m
	return f
}

func openTab(tabs *container.AppTabs, title string) bool {
	for _, it := range tabs.Items {
		if it.Text == title {
			tabs.Select(it)
			return true
		}
	}
	return false
}

// TestMessageSettingsScreen: an administrator's Settings → Messages is
// filled from the stored settings (the password never shown), refuses a
// bad reminder time and port next to their fields, shows the service's
// refusal next to its field, saves what is typed (an empty password keeps
// the stored one), and sends a test message, saying when it did not go.
func TestMessageSettingsScreen(t *testing.T) {
	h := newHarness(t)
	h.withMessages()
	h.loginAs(user(app.RoleAdmin))
	h.openArea(app.AreaSettings)
	if !openTab(h.u.main.settingsTabs, settingsTabMessages) {
		t.Fatal("no Messages tab in Settings")
	}
	s := h.u.main.messageSettings
	h.waitFor("the message settings", func() bool { return s.smtpHost.Text == "smtp.clinic.example" })
	if s.smtpPassword.Text != "" || s.smtpPassword.PlaceHolder != "Stored; type a new one to change it" {
		t.Errorf("password field = %q / %q", s.smtpPassword.Text, s.smtpPassword.PlaceHolder)
	}
	if s.reminders.Text != "24h, 2h" || s.smtpSecurity.Selected != "STARTTLS" {
		t.Errorf("reminders %q, security %q", s.reminders.Text, s.smtpSecurity.Selected)
	}

	s.reminders.SetText("yesterday")
	test.Tap(s.save)
	if s.errs.text("reminder_offsets") == "" {
		t.Error("a bad reminder time shows no message next to it")
	}
	s.reminders.SetText("48h, 3h")
	s.smtpPort.SetText("smtp")
	test.Tap(s.save)
	if s.errs.text("smtp_port") == "" || s.errs.text("reminder_offsets") != "" {
		t.Errorf("port message %q, reminders message %q", s.errs.text("smtp_port"), s.errs.text("reminder_offsets"))
	}
	s.smtpPort.SetText("465")
	s.smtpSecurity.SetSelected("TLS")
	s.smsURL.SetText("https://refused.example")
	test.Tap(s.save)
	h.waitFor("the gateway's refusal", func() bool { return s.errs.text("sms_url") == "The gateway refused." })
	s.bodies[app.MessageReminder].SetText("See you {tomorow}")
	test.Tap(s.save)
	h.waitFor("the template's message", func() bool { return s.errs.text("template_reminder_body") != "" })

	s.bodies[app.MessageReminder].SetText("Dear {patient}, see you {weekday} at {time}.")
	s.smsURL.SetText("https://gw.example/send")
	s.smsHeaders.SetText("Authorization: Bearer k\n\n")
	s.enabled.SetChecked(true)
	test.Tap(s.save)
	h.waitFor("saved", func() bool { return s.saved.Visible() })
	calls := h.callsOf("SetMessageSettings")
	got := calls[len(calls)-1].(app.MessageSettings)
	if !got.Enabled || got.SMTP.Port != 465 || got.SMTP.Security != app.SMTPTLS || got.SMTP.Password != "" ||
		len(got.ReminderOffsets) != 2 || got.ReminderOffsets[0] != 48*time.Hour || len(got.SMS.Headers) != 1 ||
		got.Templates[app.MessageReminder].Body != "Dear {patient}, see you {weekday} at {time}." {
		t.Errorf("saved %+v", got)
	}

	test.Tap(s.test)
	h.waitFor("the address's message", func() bool { return s.errs.text("test_to") != "" })
	test.Type(s.testTo, "admin@clinic.example")
	test.Tap(s.test)
	h.waitFor("the test's outcome", func() bool { return s.testResult.Visible() })
	if s.testResult.Text != "The test message was handed to the mail server for admin@clinic.example." {
		t.Errorf("outcome %q", s.testResult.Text)
	}
	s.testChannel.SetSelected("SMS")
	test.Tap(s.test)
	h.waitFor("the failed test", func() bool {
		return s.testResult.Text != "" && s.testResult.Text[0:4] == "The " &&
			s.testResult.Text != "The test message was handed to the mail server for admin@clinic.example."
	})
	if s.testResult.Text != "The test message was not sent: connection refused" {
		t.Errorf("failed test shows %q", s.testResult.Text)
	}
	tc := h.callsOf("SendTestMessage")
	last := tc[len(tc)-1].([]any)
	if last[1] != app.ChannelSMS || last[0].(app.MessageSettings).SMS.URL != "https://gw.example/send" {
		t.Errorf("test sent with %v", last)
	}
}

// TestMessageSettingsOnlyForAdmins: reception's Settings (the conflicts
// only, if any) has no Messages tab.
func TestMessageSettingsOnlyForAdmins(t *testing.T) {
	h := newHarness(t)
	h.withMessages()
	h.loginAs(user(app.RoleReception))
	if h.u.main.messageSettings != nil || h.u.main.settingsTabs != nil {
		t.Error("reception got the message settings")
	}
	h.settle()
	if h.called("GetMessageSettings") != 0 {
		t.Error("reception's screens read the message settings")
	}
}

// TestMessagesLog: reception's Appointments has the Messages log: every
// message with its status and reason; filtering by status asks the
// service for that status; a failed message has Resend, a sent one not,
// and resending shows the new message.
func TestMessagesLog(t *testing.T) {
	h := newHarness(t)
	h.withMessages()
	v := openMessagesLog(t, h)
	h.waitFor("the log", func() bool { return len(v.items) == 3 })
	h.waitFor("the failure's reason", func() bool { return h.shows("Failed: gateway answered 503") })
	if rowButton(v.list, "m-2", "Resend") == nil {
		t.Error("the failed message has no Resend")
	}
	if rowButton(v.list, "m-1", "Resend") != nil || rowButton(v.list, "m-3", "Resend") != nil {
		t.Error("a sent or waiting message has Resend")
	}
	v.status.SetSelected("Failed")
	h.waitFor("the failed ones", func() bool { return len(v.items) == 1 })
	calls := h.callsOf("FindMessages")
	if f := calls[len(calls)-1].(app.MessageFilter); f.Status != app.MessageFailed || f.PatientID != "" {
		t.Errorf("filter %+v", f)
	}
	v.status.SetSelected("All")
	h.waitFor("all again", func() bool { return len(v.items) == 3 })
	test.Tap(rowButton(v.list, "m-2", "Resend"))
	h.waitFor("the resent message", func() bool { return len(v.items) == 4 })
	if got := h.callsOf("ResendMessage"); len(got) != 1 || got[0] != "m-2" {
		t.Errorf("resend calls %v", got)
	}
}

// openMessagesLog logs reception in and opens Appointments → Messages.
func openMessagesLog(t *testing.T, h *harness) *messagesLogView {
	t.Helper()
	h.loginAs(user(app.RoleReception))
	h.openArea(app.AreaAppointments)
	a := h.u.main.appts
	if a.messages == nil || !openTab(a.tabs, "Messages") {
		t.Fatal("reception has no Messages log")
	}
	return a.messages
}

// TestMessagesLogNotForDoctors: a doctor's Appointments has no log.
func TestMessagesLogNotForDoctors(t *testing.T) {
	h := newHarness(t)
	h.withMessages()
	h.loginAs(user(app.RoleDoctor))
	h.openArea(app.AreaAppointments)
	if h.u.main.appts.messages != nil {
		t.Error("a doctor got the messages log")
	}
}

// TestChartMessages: reception's chart of a patient has a Messages tab
// with the consent per channel (when and by whom) and the messages sent to
// them; withdrawing a consent records it and shows the new state.
func TestChartMessages(t *testing.T) {
	h := newClinicHarness(t)
	h.withMessages()
	c := h.openChartOf(app.RoleReception)
	if c.messages == nil || !openTab(c.tabs, "Messages") {
		t.Fatal("the chart has no Messages tab")
	}
	m := c.messages
	h.waitFor("the messages", func() bool { return len(m.items) == 3 })
	if got := m.consents[app.ChannelEmail].Text; got != "Given Sat 2026-02-28 11:00, recorded by Rita Reception." {
		t.Errorf("e-mail consent %q", got)
	}
	if got := m.consents[app.ChannelSMS].Text; got != "No consent recorded: no messages by this channel." {
		t.Errorf("SMS consent %q", got)
	}
	if !m.withdraw[app.ChannelEmail].Visible() || m.give[app.ChannelEmail].Visible() || !m.give[app.ChannelSMS].Visible() {
		t.Error("the consent buttons do not match the consents")
	}
	for _, call := range h.callsOf("FindMessages") {
		if call.(app.MessageFilter).PatientID != "p-1" {
			t.Errorf("the chart asked for %+v", call)
		}
	}
	test.Tap(m.withdraw[app.ChannelEmail])
	h.waitFor("the withdrawal", func() bool { return m.give[app.ChannelEmail].Visible() })
	if got := h.callsOf("SetMessageConsent"); len(got) != 1 || got[0].([]any)[0] != "p-1" ||
		got[0].([]any)[1] != app.ChannelEmail || got[0].([]any)[2] != false {
		t.Errorf("consent calls %v", got)
	}
	if got := m.consents[app.ChannelEmail].Text; got != "Withdrawn Mon 2026-03-02 11:00, recorded by Someone: no messages by this channel." {
		t.Errorf("after withdrawing: %q", got)
	}
}

// TestMyRecordMessages: a patient's My record has a Messages tab where
// they give consent themselves, for their own record.
func TestMyRecordMessages(t *testing.T) {
	h := newClinicHarness(t)
	f := h.withMessages()
	f.messages = nil
	h.patients.FindPatientByIDFn = func(ctx context.Context, id string) (*app.Patient, error) {
		p := grace()
		p.ID = id
		return p, nil
	}
	h.loginAs(user(app.RolePatient))
	r := h.u.main.record
	if r.messages == nil || !openTab(r.tabs, "Messages") {
		t.Fatal("My record has no Messages tab")
	}
	m := r.messages
	h.waitFor("the consents", func() bool { return m.give[app.ChannelSMS].Visible() })
	if !h.shows("No messages yet.") {
		t.Error("no empty state")
	}
	test.Tap(m.give[app.ChannelSMS])
	h.waitFor("the consent", func() bool { return m.withdraw[app.ChannelSMS].Visible() })
	got := h.callsOf("SetMessageConsent")
	if len(got) != 1 || got[0].([]any)[0] != "p-42" || got[0].([]any)[1] != app.ChannelSMS || got[0].([]any)[2] != true {
		t.Errorf("consent calls %v", got)
	}
}

// TestMessageSettingsSectionsAlign: the fields of every section of
// Settings → Messages start at one x (one label column), and the
// templates are edited per language, the clinic's language in Templates
// and the others in Translations.
func TestMessageSettingsSectionsAlign(t *testing.T) {
	h := newHarness(t)
	h.withMessages()
	h.loginAs(user(app.RoleAdmin))
	h.openArea(app.AreaSettings)
	if !openTab(h.u.main.settingsTabs, settingsTabMessages) {
		t.Fatal("no Messages tab in Settings")
	}
	s := h.u.main.messageSettings
	h.waitFor("the message settings", func() bool { return s.smtpHost.Text == "smtp.clinic.example" })
	x := func(o fyne.CanvasObject) float32 {
		return fyne.CurrentApp().Driver().AbsolutePositionForObject(o).X
	}
	want := x(s.reminders)
	for name, o := range map[string]fyne.CanvasObject{"mail server": s.smtpHost, "gateway URL": s.smsURL,
		"gateway secret": s.smsSecret, "reminder template": s.bodies[app.MessageReminder], "test address": s.testTo} {
		if got := x(o); got != want {
			t.Errorf("the %s field starts at x=%v, the reminders field at x=%v", name, got, want)
		}
	}

	s.templateLang.SetSelected("Español")
	s.bodies[app.MessageReminder].SetText("Estimada {patient}, su cita es a las {time}.")
	s.templateLang.SetSelected("English")
	if s.bodies[app.MessageReminder].Text == "Estimada {patient}, su cita es a las {time}." {
		t.Fatal("the English template shows the Spanish text")
	}
	st, ok := s.read()
	if !ok || st.Translations["es"][app.MessageReminder].Body != "Estimada {patient}, su cita es a las {time}." ||
		st.Templates[app.MessageReminder].Body == "" || st.Language != "en" {
		t.Fatalf("read %v: %+v", ok, st)
	}
}

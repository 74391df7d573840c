package ui

import (
	"context"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// settingsTabMessages is the Settings area's tab of message settings.
var settingsTabMessages = i18n.N("Messages")

// The choices of the SMTP security select, in the order shown.
// "STARTTLS" and "TLS" are names of protocols, the same in every language.
func smtpSecurityLabels() []string { return []string{"STARTTLS", "TLS", T("None")} } //i18n:ok protocol names

func smtpSecurityLabel(s app.SMTPSecurity) string {
	switch s {
	case app.SMTPTLS:
		return "TLS" //i18n:ok a protocol's name
	case app.SMTPNone:
		return T("None")
	}
	return "STARTTLS" //i18n:ok a protocol's name
}

func smtpSecurityOf(label string) app.SMTPSecurity {
	switch label {
	case "TLS":
		return app.SMTPTLS
	case T("None"):
		return app.SMTPNone
	}
	return app.SMTPStartTLS
}

// messageSettingsScreen is Settings → Messages, for administrators: the
// mail server and SMS gateway messages go through, the templates of each
// kind of message, when to remind, and a test message sent through the
// settings as typed.
type messageSettingsScreen struct {
	u *UI

	enabled   *escCheck
	reminders *escEntry
	language  *escSelect // the clinic's message language

	smtpHost     *escEntry
	smtpPort     *escEntry
	smtpSecurity *escSelect
	smtpUser     *escEntry
	smtpPassword *escEntry
	smtpFrom     *escEntry

	smsURL         *escEntry
	smsMethod      *escSelect
	smsHeaders     *escEntry
	smsContentType *escEntry
	smsBody        *escEntry
	smsSuccess     *escEntry
	smsSender      *escEntry
	smsSecret      *escEntry

	// templateLang is the language whose templates the template entries
	// show; texts hold every language's as edited, by language code.
	templateLang *escSelect
	shownLang    string
	texts        map[string]map[app.MessageKind]app.MessageTemplate

	subjects map[app.MessageKind]*escEntry
	bodies   map[app.MessageKind]*escEntry

	testChannel *escSelect
	testTo      *escEntry
	test        *widget.Button
	testResult  *widget.Label

	save  *widget.Button
	saved *widget.Label
	errs  fieldErrors

	content fyne.CanvasObject
}

func newMessageSettingsScreen(u *UI) *messageSettingsScreen {
	s := &messageSettingsScreen{u: u, errs: fieldErrors{}, subjects: map[app.MessageKind]*escEntry{},
		bodies: map[app.MessageKind]*escEntry{}, texts: map[string]map[app.MessageKind]app.MessageTemplate{}}
	s.buildUI()
	return s
}

func multiLine(rows int, placeholder string) *escEntry {
	e := multiLineEntry()
	e.Wrapping = fyne.TextWrapWord
	e.SetMinRowsVisible(rows)
	e.SetPlaceHolder(placeholder)
	return e
}

func (s *messageSettingsScreen) buildUI() {
	s.enabled = newCheck(T("Send messages to patients who consented"), nil)
	s.reminders = entry(T("e.g. 24h, 2h; empty: no reminders"))
	s.smtpHost = entry(T("e.g. smtp.example.org; empty: no e-mail"))
	s.smtpPort = entry("587")
	s.smtpSecurity = newSelect(smtpSecurityLabels(), nil)
	s.smtpUser = entry(T("Optional"))
	s.smtpPassword = passwordEntry("")
	s.smtpFrom = entry(T("Clinic <desk@clinic.example>"))
	s.smsURL = entry(T("https://gateway.example/send?to={to}; empty: no SMS"))
	s.smsMethod = newSelect([]string{"POST", "GET"}, nil)  //i18n:ok HTTP methods
	s.smsHeaders = multiLine(2, "Authorization: Bearer …") //i18n:ok an HTTP header
	s.smsContentType = entry(T("application/json or application/x-www-form-urlencoded"))
	s.smsBody = multiLine(2, `{"to": "{to}", "text": "{text}", "ref": "{reference}"}`) //i18n:ok a JSON example
	s.smsSuccess = entry(T("A regular expression over the reply; empty: any 2xx"))
	s.smsSender = entry(T("The sender's name or number, {sender}"))
	s.smsSecret = passwordEntry("")
	s.language = newSelect(messageLanguageNames(), nil)
	s.templateLang = newSelect(messageLanguageNames(), func(string) { s.showTemplates() })

	// One label column for every section, so their fields line up.
	col := &labelColumn{}

	general := col.form(
		widget.NewFormItem(T("Messages"), s.errs.add("enabled", s.enabled)),
		widget.NewFormItem(T("Remind before"), s.errs.add("reminder_offsets", s.reminders)),
		widget.NewFormItem(T("Language"), s.errs.add("language", s.language)),
	)
	mail := col.form(
		widget.NewFormItem(T("Mail server"), s.errs.add("smtp_host", s.smtpHost)),
		widget.NewFormItem(T("Port"), s.errs.add("smtp_port", s.smtpPort)),
		widget.NewFormItem(T("Security"), s.errs.add("smtp_security", s.smtpSecurity)),
		widget.NewFormItem(T("User"), s.errs.add("smtp_user", s.smtpUser)),
		widget.NewFormItem(T("Password"), s.errs.add("smtp_password", s.smtpPassword)),
		widget.NewFormItem(T("Sender"), s.errs.add("smtp_from", s.smtpFrom)),
	)
	sms := col.form(
		widget.NewFormItem(T("URL template"), s.errs.add("sms_url", s.smsURL)),
		widget.NewFormItem(T("Method"), s.errs.add("sms_method", s.smsMethod)),
		widget.NewFormItem(T("Headers"), s.errs.add("sms_headers", s.smsHeaders)),
		widget.NewFormItem(T("Content type"), s.errs.add("sms_content_type", s.smsContentType)),
		widget.NewFormItem(T("Body template"), s.errs.add("sms_body", s.smsBody)),
		widget.NewFormItem(T("Success pattern"), s.errs.add("sms_success", s.smsSuccess)),
		widget.NewFormItem(T("Sender"), s.errs.add("sms_sender", s.smsSender)),
		widget.NewFormItem(T("Secret"), s.errs.add("sms_secret", s.smsSecret)),
	)
	items := []*widget.FormItem{widget.NewFormItem(T("Templates in"), s.templateLang)}
	for _, k := range app.MessageKinds {
		subj := entry(T("E-mail subject"))
		body := multiLine(3, "")
		s.subjects[k], s.bodies[k] = subj, body
		items = append(items, widget.NewFormItem(Tf("%s subject", T(k.Label())), s.errs.add("template_"+string(k)+"_subject", subj)),
			widget.NewFormItem(T(k.Label()), s.errs.add("template_"+string(k)+"_body", body)))
	}
	templates := col.form(items...)

	s.testChannel = newSelect([]string{T(app.ChannelEmail.Label()), T(app.ChannelSMS.Label())}, nil)
	s.testChannel.SetSelected(T(app.ChannelEmail.Label()))
	s.testTo = entry(T("Your e-mail address or phone number"))
	s.test = widget.NewButtonWithIcon(T("Send a test message"), theme.MailSendIcon(), s.onTest)
	s.test.Disable()
	s.testResult = widget.NewLabel("")
	s.testResult.Wrapping = fyne.TextWrapWord
	s.testResult.Hide()
	test := col.form(
		widget.NewFormItem(T("By"), s.errs.add("test_channel", s.testChannel)),
		widget.NewFormItem(T("Send to"), s.errs.add("test_to", s.testTo)),
	)

	s.save = widget.NewButton(T("Save message settings"), s.onSave)
	s.save.Importance = widget.HighImportance
	s.save.Disable() // until loaded
	s.saved = widget.NewLabel("")
	s.saved.Importance = widget.SuccessImportance
	s.saved.Hide()
	general2 := newErrorLabel()
	s.errs[""] = general2

	narrow := func(o fyne.CanvasObject) fyne.CanvasObject { return container.New(widthLayout{680}, o) }
	box := container.NewVBox(
		sectionTitle(T("Messages to patients")),
		mutedLabel(T("Reminders, booking confirmations, cancellations and moves go by e-mail and SMS to patients who "+
			"consented on that channel (their chart, or My record). The SMTP password is stored sealed and never shown.")),
		narrow(general),
		sectionTitle(T("E-mail (SMTP)")), narrow(mail),
		sectionTitle(T("SMS gateway (HTTP)")),
		mutedLabel(T("Placeholders: {to}, {text}, {reference}, {sender}, {secret} (the gateway's key, stored sealed like the "+
			"SMTP password). README, Appointment messages, shows two gateways set up.")),
		narrow(sms),
		sectionTitle(T("Templates")),
		mutedLabel(Tf("Placeholders: %s. Messages go in the clinic's language above; "+
			"a language's empty template is its text in the clinic's language.", strings.Join(placeholderNames(), ", "))),
		narrow(templates),
		general2,
		container.NewHBox(s.saved, layout.NewSpacer(), s.save),
		widget.NewSeparator(),
		sectionTitle(T("Send a test message")),
		mutedLabel(T("A sample reminder goes through the settings as typed above, saved or not.")),
		narrow(test),
		container.NewHBox(s.test),
		s.testResult,
	)
	s.content = container.NewVScroll(box)
}

// messageLanguageNames are the names of app.MessageLanguages, for a select.
func messageLanguageNames() []string {
	out := make([]string, len(app.MessageLanguages))
	for i, l := range app.MessageLanguages {
		out[i] = l.Name
	}
	return out
}

// messageLanguageCode is the code of the language named name; English
// when none.
func messageLanguageCode(name string) string {
	for _, l := range app.MessageLanguages {
		if l.Name == name {
			return l.Code
		}
	}
	return "en"
}

func messageLanguageName(code string) string {
	for _, l := range app.MessageLanguages {
		if l.Code == code {
			return l.Name
		}
	}
	return app.MessageLanguages[0].Name
}

// keepTemplates stores the template entries as the shown language's.
func (s *messageSettingsScreen) keepTemplates() {
	if s.shownLang == "" {
		return
	}
	ts := map[app.MessageKind]app.MessageTemplate{}
	for _, k := range app.MessageKinds {
		ts[k] = app.MessageTemplate{Subject: s.subjects[k].Text, Body: s.bodies[k].Text}
	}
	s.texts[s.shownLang] = ts
}

// showTemplates shows the templates of the language the select names,
// keeping the ones shown before.
func (s *messageSettingsScreen) showTemplates() {
	s.keepTemplates()
	s.shownLang = messageLanguageCode(s.templateLang.Selected)
	for _, k := range app.MessageKinds {
		t := s.texts[s.shownLang][k]
		s.subjects[k].SetText(t.Subject)
		s.bodies[k].SetText(t.Body)
	}
}

func placeholderNames() []string {
	out := make([]string, len(app.MessagePlaceholders))
	for i, p := range app.MessagePlaceholders {
		out[i] = "{" + p + "}"
	}
	return out
}

// load fills the form from the stored settings.
func (s *messageSettingsScreen) load() {
	background(s.u, func(ctx context.Context) (*app.MessageSettings, error) {
		return s.u.svc.Messages.GetMessageSettings(ctx)
	}, func(st *app.MessageSettings, err error) {
		if err != nil {
			showError(err, s.u.win)
			return
		}
		s.fill(st)
		s.save.Enable()
		s.test.Enable()
	})
}

func (s *messageSettingsScreen) fill(st *app.MessageSettings) {
	s.enabled.SetChecked(st.Enabled)
	s.reminders.SetText(app.FormatReminderOffsets(st.ReminderOffsets))
	s.smtpHost.SetText(st.SMTP.Host)
	port := ""
	if st.SMTP.Port != 0 {
		port = strconv.Itoa(st.SMTP.Port)
	}
	s.smtpPort.SetText(port)
	s.smtpSecurity.SetSelected(smtpSecurityLabel(st.SMTP.Security))
	s.smtpUser.SetText(st.SMTP.Username)
	s.smtpPassword.SetText("")
	if st.SMTP.HasPassword {
		s.smtpPassword.SetPlaceHolder(T("Stored; type a new one to change it"))
	} else {
		s.smtpPassword.SetPlaceHolder(T("None stored"))
	}
	s.smtpFrom.SetText(st.SMTP.From)
	s.smsURL.SetText(st.SMS.URL)
	s.smsMethod.SetSelected(cmpOr(st.SMS.Method, "POST")) //i18n:ok an HTTP method
	s.smsHeaders.SetText(strings.Join(st.SMS.Headers, "\n"))
	s.smsContentType.SetText(st.SMS.ContentType)
	s.smsBody.SetText(st.SMS.Body)
	s.smsSuccess.SetText(st.SMS.SuccessPattern)
	s.smsSender.SetText(st.SMS.Sender)
	s.smsSecret.SetText("")
	if st.SMS.HasSecret {
		s.smsSecret.SetPlaceHolder(T("Stored; type a new one to change it"))
	} else {
		s.smsSecret.SetPlaceHolder(T("Optional, {secret}; none stored"))
	}
	s.language.SetSelected(messageLanguageName(st.Lang()))
	s.texts = map[string]map[app.MessageKind]app.MessageTemplate{st.Lang(): st.Templates}
	for lang, ts := range st.Translations {
		s.texts[lang] = ts
	}
	s.shownLang = ""
	if s.templateLang.Selected == messageLanguageName(st.Lang()) {
		s.showTemplates()
	} else {
		s.templateLang.SetSelected(messageLanguageName(st.Lang())) // shows them
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// read makes settings of what the form shows; a problem the form can tell
// by itself shows next to its field.
func (s *messageSettingsScreen) read() (app.MessageSettings, bool) {
	s.errs.clear()
	s.saved.Hide()
	st := app.MessageSettings{Enabled: s.enabled.Checked}
	offsets, err := app.ParseReminderOffsets(s.reminders.Text)
	if err != nil {
		s.errs.show(err, s.u.win)
		return st, false
	}
	st.ReminderOffsets = offsets
	port := 0
	if p := strings.TrimSpace(s.smtpPort.Text); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			s.errs.set("smtp_port", T("A port is a number from 1 to 65535, e.g. 587."))
			return st, false
		}
	}
	st.SMTP = app.SMTPSettings{Host: s.smtpHost.Text, Port: port, Security: smtpSecurityOf(s.smtpSecurity.Selected),
		Username: strings.TrimSpace(s.smtpUser.Text), Password: s.smtpPassword.Text, From: s.smtpFrom.Text}
	var headers []string
	for h := range strings.SplitSeq(s.smsHeaders.Text, "\n") {
		if h = strings.TrimSpace(h); h != "" {
			headers = append(headers, h)
		}
	}
	st.SMS = app.SMSGateway{URL: s.smsURL.Text, Method: s.smsMethod.Selected, Headers: headers,
		Body: strings.TrimSpace(s.smsBody.Text), ContentType: strings.TrimSpace(s.smsContentType.Text),
		SuccessPattern: s.smsSuccess.Text, Sender: strings.TrimSpace(s.smsSender.Text)}
	st.SMS.Secret = s.smsSecret.Text
	st.Language = messageLanguageCode(s.language.Selected)
	s.keepTemplates()
	for lang, ts := range s.texts {
		cp := map[app.MessageKind]app.MessageTemplate{}
		for k, t := range ts {
			cp[k] = t
		}
		if lang == st.Language {
			st.Templates = cp
			continue
		}
		if st.Translations == nil {
			st.Translations = map[string]map[app.MessageKind]app.MessageTemplate{}
		}
		st.Translations[lang] = cp
	}
	return st, true
}

func (s *messageSettingsScreen) onSave() {
	st, ok := s.read()
	if !ok {
		return
	}
	s.save.Disable()
	background(s.u, func(ctx context.Context) (*app.MessageSettings, error) {
		return s.u.svc.Messages.SetMessageSettings(ctx, st)
	}, func(got *app.MessageSettings, err error) {
		s.save.Enable()
		if err != nil {
			s.errs.show(err, s.u.win)
			return
		}
		s.fill(got)
		s.saved.SetText(T("Message settings saved."))
		s.saved.Show()
	})
}

func (s *messageSettingsScreen) onTest() {
	st, ok := s.read()
	if !ok {
		return
	}
	ch := app.ChannelEmail
	if s.testChannel.Selected == T(app.ChannelSMS.Label()) {
		ch = app.ChannelSMS
	}
	to := strings.TrimSpace(s.testTo.Text)
	s.testResult.Hide()
	s.test.Disable()
	background(s.u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.u.svc.Messages.SendTestMessage(ctx, st, ch, to)
	}, func(_ struct{}, err error) {
		s.test.Enable()
		if err != nil {
			if app.ErrorField(err) == "" {
				s.testResult.Importance = widget.DangerImportance
				s.testResult.SetText(errText(err))
				s.testResult.Show()
				return
			}
			s.errs.show(err, s.u.win)
			return
		}
		s.testResult.Importance = widget.SuccessImportance
		if ch == app.ChannelSMS {
			s.testResult.SetText(Tf("The test message was handed to the SMS gateway for %s.", to))
		} else {
			s.testResult.SetText(Tf("The test message was handed to the mail server for %s.", to))
		}
		s.testResult.Show()
	})
}

// withMessagesTab adds Settings → Messages to view, for administrators
// of a desk with the message service.
func (s *mainScreen) withMessagesTab(view fyne.CanvasObject) fyne.CanvasObject {
	if s.u.svc.Messages == nil || app.CanManageMessageSettings(s.u.session.Caller()) != nil {
		return view
	}
	s.messageSettings = newMessageSettingsScreen(s.u)
	item := container.NewTabItemWithIcon(T(settingsTabMessages), theme.MailComposeIcon(), s.messageSettings.content)
	tabs := s.settingsTabs
	if tabs == nil {
		tabs = container.NewAppTabs(container.NewTabItemWithIcon(T(syncTabClinic), theme.SettingsIcon(), view))
		s.settingsTabs = tabs
	}
	tabs.Append(item)
	prev := tabs.OnSelected
	tabs.OnSelected = func(t *container.TabItem) {
		if t == item {
			s.messageSettings.load()
			return
		}
		if prev != nil {
			prev(t)
		}
	}
	return tabs
}

package app

import (
	"context"
	"errors"
	"fmt"
	"hms/app/i18n"
	"net/mail"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Messages to patients about their appointments: a confirmation when an
// appointment is booked, reminders before it, and a word when it is
// cancelled or moved, by e-mail and SMS.
//
// Threat model. A message leaves the clinic: it must go only to a patient
// who consented on that channel (recorded with date and who recorded it),
// only to the address on their record when it was queued, and say no more
// than the appointment's day, time, doctor and clinic (no reason for the
// visit, no clinical words). A stale message is worse than none: one whose
// appointment was cancelled or moved before it went out is dropped, not
// sent. The gateway and SMTP credentials are the clinic's: only
// administrators set or read them, and the screens never show the stored
// password. A message handed to a gateway whose reply was lost may go out
// twice; each carries its own reference (Message-ID, the gateway's
// {reference}) so a duplicate can be told from a new message.

// MessageChannel is how a message reaches a patient.
type MessageChannel string

// The channels.
const (
	ChannelEmail MessageChannel = "email"
	ChannelSMS   MessageChannel = "sms"
)

// MessageChannels are the channels in the order screens list them.
var MessageChannels = []MessageChannel{ChannelEmail, ChannelSMS}

// Label names the channel for a person.
func (c MessageChannel) Label() string {
	switch c {
	case ChannelEmail:
		return i18n.N("E-mail")
	case ChannelSMS:
		return i18n.N("SMS")
	}
	return string(c)
}

// Valid reports whether c is one of the channels.
func (c MessageChannel) Valid() bool { return slices.Contains(MessageChannels, c) }

// MessageKind is what a message is about.
type MessageKind string

// The kinds of messages.
const (
	MessageConfirmation MessageKind = "confirmation" // an appointment was booked
	MessageReminder     MessageKind = "reminder"     // an appointment is coming
	MessageCancellation MessageKind = "cancellation" // an appointment was cancelled
	MessageReschedule   MessageKind = "reschedule"   // an appointment was moved
)

// MessageKinds are the kinds in the order screens list them.
var MessageKinds = []MessageKind{MessageReminder, MessageConfirmation, MessageCancellation, MessageReschedule}

// Valid reports whether k is one of the kinds.
func (k MessageKind) Valid() bool { return slices.Contains(MessageKinds, k) }

// Label names the kind for a person.
func (k MessageKind) Label() string {
	switch k {
	case MessageConfirmation:
		return i18n.N("Booking confirmation")
	case MessageReminder:
		return i18n.N("Reminder")
	case MessageCancellation:
		return i18n.N("Cancellation")
	case MessageReschedule:
		return i18n.N("Rescheduled")
	}
	return string(k)
}

// MessageStatus is where a message stands.
type MessageStatus string

// The statuses: waiting to be sent (first try or a retry), sent, failed
// for good, or dropped without sending (its appointment changed, consent
// was withdrawn, the patient has no address any more).
const (
	MessageWaiting MessageStatus = "waiting"
	MessageSent    MessageStatus = "sent"
	MessageFailed  MessageStatus = "failed"
	MessageDropped MessageStatus = "dropped"
)

// Message is one message to a patient, as queued, with how its sending
// went.
type Message struct {
	ID            string
	AppointmentID string
	PatientID     string
	PatientName   string
	Kind          MessageKind
	Channel       MessageChannel
	To            string // the address or phone number it goes to
	Subject       string // e-mail only
	Body          string
	SendAt        time.Time // not before
	// ApptStart is the appointment's start when the message was queued: a
	// reminder whose appointment moved since is dropped.
	ApptStart time.Time
	Origin    string // the desk that queued it (the desk holding the send lease sends it)
	CreatedAt time.Time
	CreatedBy string

	Status        MessageStatus
	Attempts      int       // tries that failed
	NextAttemptAt time.Time // when waiting after a failure
	LastError     string    // why the last try failed, or why it was dropped
	Reference     string    // the Message-ID or gateway reference of the try that sent it
	SentAt        time.Time
}

// MessageConsent is a patient's consent to messages on one channel, as
// last recorded.
type MessageConsent struct {
	PatientID  string
	Channel    MessageChannel
	Given      bool
	RecordedAt time.Time // zero: never recorded (no consent)
	RecordedBy string    // the person who recorded it
}

// MessageFilter selects messages for the Messages log and the chart.
type MessageFilter struct {
	PatientID string        // one patient's; "" every patient's (staff)
	Status    MessageStatus // "" any
	From, To  time.Time     // created in [From, To); zero: open
	Limit     int           // 0: 200
}

// MessageTemplate is the subject (e-mail) and body of one kind of
// message, with placeholders (MessagePlaceholders) in braces.
type MessageTemplate struct {
	Subject string
	Body    string
}

// MessagePlaceholders are the words a template may use in braces.
var MessagePlaceholders = []string{"patient", "doctor", "date", "weekday", "time", "clinic", "phone"}

// MessageFields are the values of the placeholders for one message.
type MessageFields struct {
	Patient, Doctor, Date, Weekday, Time, Clinic, Phone string
}

// SMTPSecurity is how the connection to the mail server is protected.
type SMTPSecurity string

// The choices: STARTTLS on the submission port, TLS from the first byte,
// or none (only for a relay on the same machine or a test).
const (
	SMTPStartTLS SMTPSecurity = "starttls"
	SMTPTLS      SMTPSecurity = "tls"
	SMTPNone     SMTPSecurity = "none"
)

// SMTPSettings are the mail server messages go through.
type SMTPSettings struct {
	Host     string
	Port     int
	Security SMTPSecurity
	Username string
	// Password is write-only: GetMessageSettings returns it empty and
	// HasPassword true when one is stored; SetMessageSettings keeps the
	// stored one when it is given empty.
	Password    string
	HasPassword bool
	From        string // the sender address, e.g. "Clinic <desk@clinic.example>"
}

// SMSGateway is a generic HTTP SMS gateway: a request made from templates
// (placeholders {to}, {text}, {reference}, URL-escaped in the URL and
// JSON- or form-escaped in the body as its content type asks), and a
// pattern its reply must match to count as accepted.
type SMSGateway struct {
	URL            string
	Method         string   // POST (default) or GET
	Headers        []string // "Name: value" lines; values may use the placeholders
	Body           string
	ContentType    string // e.g. application/json or application/x-www-form-urlencoded
	SuccessPattern string // a regular expression over the reply's body; empty: any 2xx
	Sender         string // the sender name or number, placeholder {sender}
	// Secret is the gateway's key or token, placeholder {secret} (in the
	// URL, a header or the body): sealed like the SMTP password, and
	// write-only as it is (HasSecret says one is stored).
	Secret    string
	HasSecret bool
}

// MessageLanguage is a language messages to patients can be written in.
type MessageLanguage struct {
	Code string // ISO 639-1: en, el, es
	Name string // in the language itself
}

// MessageLanguages are the languages a clinic can word its messages in.
var MessageLanguages = []MessageLanguage{{"en", "English"}, {"el", "Ελληνικά"}, {"es", "Español"}}

// ValidMessageLanguage reports whether code is one of MessageLanguages.
func ValidMessageLanguage(code string) bool {
	return slices.ContainsFunc(MessageLanguages, func(l MessageLanguage) bool { return l.Code == code })
}

// MessageSettings are a clinic's message settings.
type MessageSettings struct {
	Enabled bool
	// ReminderOffsets are how long before an appointment reminders go,
	// e.g. 24h and 2h.
	ReminderOffsets []time.Duration
	SMTP            SMTPSettings
	SMS             SMSGateway
	// Language is the clinic's message language (MessageLanguages; ""
	// is English): the language of Templates, and of a message to a
	// patient whose language has no template of the kind.
	Language  string
	Templates map[MessageKind]MessageTemplate
	// Translations are the templates in the clinic's other languages, by
	// language code: a kind without one there goes in Language.
	Translations map[string]map[MessageKind]MessageTemplate
}

// Template is the template of kind in the language lang (a patient's):
// the clinic's own text in that language, else HMS's default text in it,
// else the clinic's text in its message language; the language of the
// template returned is returned too.
func (s *MessageSettings) Template(kind MessageKind, lang string) (MessageTemplate, string) {
	if lang != "" && lang != s.Lang() {
		if t, ok := s.Translations[lang][kind]; ok && strings.TrimSpace(t.Body) != "" {
			return t, lang
		}
		if t, ok := defaultMessageTemplates[lang][kind]; ok {
			return t, lang
		}
	}
	return s.Templates[kind], s.Lang()
}

// Lang is the clinic's message language, English when none is set.
func (s *MessageSettings) Lang() string {
	if s.Language == "" {
		return "en"
	}
	return s.Language
}

// MaxMessageAttempts is how many tries a message gets before it fails for
// good.
const MaxMessageAttempts = 5

// MessageRetryDelay is how long after its nth failed try (1-based) a
// message is tried again: 1 minute, 5, 30, 2 hours.
func MessageRetryDelay(attempt int) time.Duration {
	switch {
	case attempt <= 1:
		return time.Minute
	case attempt == 2:
		return 5 * time.Minute
	case attempt == 3:
		return 30 * time.Minute
	}
	return 2 * time.Hour
}

// DefaultReminderOffsets are 24 hours and 2 hours before.
var DefaultReminderOffsets = []time.Duration{24 * time.Hour, 2 * time.Hour}

// DefaultMessageTemplates are the English templates a clinic starts with.
func DefaultMessageTemplates() map[MessageKind]MessageTemplate {
	return DefaultMessageTemplatesIn("en")
}

// DefaultMessageTemplatesIn are HMS's templates in the language lang (a
// language HMS has none in gets the English ones): what a clinic starts
// with in its message language, and what a patient whose language the
// clinic wrote no text in gets. The Greek and Spanish texts are to be
// reviewed by a native speaker (README).
func DefaultMessageTemplatesIn(lang string) map[MessageKind]MessageTemplate {
	ts, ok := defaultMessageTemplates[lang]
	if !ok {
		ts = defaultMessageTemplates["en"]
	}
	out := make(map[MessageKind]MessageTemplate, len(ts))
	for k, t := range ts {
		out[k] = t
	}
	return out
}

// defaultMessageTemplates are HMS's templates by language. Greek avoids
// an article before the weekday (feminine but for Σάββατο) with "{weekday}
// {date}, ώρα {time}"; the Spanish date reads "el lunes 30 de noviembre de
// 2026".
var defaultMessageTemplates = map[string]map[MessageKind]MessageTemplate{
	"en": {
		MessageReminder: {
			Subject: "Reminder: your appointment on {weekday} {date} at {time}",
			Body:    "Dear {patient}, this is a reminder of your appointment with {doctor} at {clinic} on {weekday} {date} at {time}. To change it, call {phone}.",
		},
		MessageConfirmation: {
			Subject: "Your appointment on {weekday} {date} at {time}",
			Body:    "Dear {patient}, your appointment with {doctor} at {clinic} is booked for {weekday} {date} at {time}. To change it, call {phone}.",
		},
		MessageCancellation: {
			Subject: "Your appointment on {weekday} {date} is cancelled",
			Body:    "Dear {patient}, your appointment with {doctor} at {clinic} on {weekday} {date} at {time} is cancelled. To book another, call {phone}.",
		},
		MessageReschedule: {
			Subject: "Your appointment is moved to {weekday} {date} at {time}",
			Body:    "Dear {patient}, your appointment with {doctor} at {clinic} is moved to {weekday} {date} at {time}. To change it, call {phone}.",
		},
	},
	"el": {
		MessageReminder: {
			Subject: "Υπενθύμιση ραντεβού: {weekday} {date}, ώρα {time}",
			Body:    "Αγαπητέ/ή {patient}, σας υπενθυμίζουμε το ραντεβού σας με {doctor} ({clinic}): {weekday} {date}, ώρα {time}. Για αλλαγή, καλέστε στο {phone}.",
		},
		MessageConfirmation: {
			Subject: "Το ραντεβού σας: {weekday} {date}, ώρα {time}",
			Body:    "Αγαπητέ/ή {patient}, επιβεβαιώνουμε το ραντεβού σας με {doctor} ({clinic}): {weekday} {date}, ώρα {time}. Για αλλαγή, καλέστε στο {phone}.",
		},
		MessageCancellation: {
			Subject: "Ακύρωση ραντεβού: {weekday} {date}",
			Body:    "Αγαπητέ/ή {patient}, το ραντεβού σας με {doctor} ({clinic}) για {weekday} {date}, ώρα {time}, ακυρώθηκε. Για νέο ραντεβού, καλέστε στο {phone}.",
		},
		MessageReschedule: {
			Subject: "Αλλαγή ραντεβού: {weekday} {date}, ώρα {time}",
			Body:    "Αγαπητέ/ή {patient}, το ραντεβού σας με {doctor} ({clinic}) μεταφέρθηκε: {weekday} {date}, ώρα {time}. Για αλλαγή, καλέστε στο {phone}.",
		},
	},
	"es": {
		MessageReminder: {
			Subject: "Recordatorio: su cita del {weekday} {date} a las {time}",
			Body:    "Estimado/a {patient}: le recordamos su cita con {doctor} en {clinic} el {weekday} {date} a las {time}. Para cambiarla, llame al {phone}.",
		},
		MessageConfirmation: {
			Subject: "Su cita del {weekday} {date} a las {time}",
			Body:    "Estimado/a {patient}: su cita con {doctor} en {clinic} queda reservada para el {weekday} {date} a las {time}. Para cambiarla, llame al {phone}.",
		},
		MessageCancellation: {
			Subject: "Su cita del {weekday} {date} ha sido cancelada",
			Body:    "Estimado/a {patient}: su cita con {doctor} en {clinic} del {weekday} {date} a las {time} ha sido cancelada. Para pedir otra, llame al {phone}.",
		},
		MessageReschedule: {
			Subject: "Su cita ha cambiado al {weekday} {date} a las {time}",
			Body:    "Estimado/a {patient}: su cita con {doctor} en {clinic} ha cambiado al {weekday} {date} a las {time}. Para cambiarla, llame al {phone}.",
		},
	},
}

// MessageNoPhone is what {phone} says when the clinic has no phone number
// set, by language, to read after the templates' "call" ("call the
// clinic", "καλέστε στο ιατρείο", "llame al centro").
var MessageNoPhone = map[string]string{"en": "the clinic", "el": "ιατρείο", "es": "centro"}

var placeholderRE = regexp.MustCompile(`\{[^{}]*\}`)

// RenderMessage fills a template's placeholders.
func RenderMessage(tmpl string, f MessageFields) string {
	vals := map[string]string{"patient": f.Patient, "doctor": f.Doctor, "date": f.Date, "weekday": f.Weekday,
		"time": f.Time, "clinic": f.Clinic, "phone": f.Phone}
	return placeholderRE.ReplaceAllStringFunc(tmpl, func(m string) string {
		if v, ok := vals[m[1:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// NameFitForMessage reports whether a person's name may go into a message
// to a patient as {patient} or {doctor}. Those names come from rows any
// desk's server login can push unsigned (a patient's given and family
// names; an account's full_name), unlike the templates, the clinic's
// name and phone (signed settings), so a forged rename is what would put
// a forger's words into the clinic's own text: the sending desk sends no
// message with a name this refuses (data.deliverOne). A name here holds
// what names hold: letters (with their accents and marks), spaces, the
// punctuation . , ' ’ ‘ " - ‐ – — ( ) ·, and at most three digits. So no
// link (no ":" or "/", no "www." or "evil.example": a dot directly
// followed by two letters or digits, where a name's dot ends an initial,
// "J.R.R. Tolkien"), no e-mail address ("@"), no phone or account number,
// and no control, text-direction or invisible character. A name with
// "Dr.House" written without its space is refused too: the Messages log
// says which name to correct.
func NameFitForMessage(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	digits, dot, after := 0, false, 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsMark(r):
		case unicode.IsDigit(r):
			if digits++; digits > 3 {
				return false
			}
		case r == ' ' || r == '\u00a0' || strings.ContainsRune(".,'’‘\"-‐–—()·", r):
		default:
			return false
		}
		// A dot with two letters or digits right after it: a domain.
		switch {
		case unicode.IsMark(r): // an accent, of the letter before
		case dot && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if after++; after == 2 {
				return false
			}
		default:
			dot, after = r == '.', 0
		}
	}
	return true
}

// ValidateMessageTemplate checks a template: not empty, at most 1,000
// characters, only known placeholders.
func ValidateMessageTemplate(field, s string, required bool) error {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return FieldErrorf(field, "Write the message's text.")
		}
		return nil
	}
	// A subject is one line; a body may have several. What the clinic
	// types is sent to patients: no control or text-direction characters
	// (a subject or body that reads otherwise than it is stored).
	if strings.HasSuffix(field, "_subject") {
		if err := CheckLine(field, i18n.N("The subject"), s); err != nil {
			return err
		}
	} else if err := CheckMultiline(field, i18n.N("The message"), s); err != nil {
		return err
	}
	if utf8.RuneCountInString(s) > 1000 {
		return FieldErrorf(field, "A message template is at most 1,000 characters.")
	}
	for _, m := range placeholderRE.FindAllString(s, -1) {
		if !slices.Contains(MessagePlaceholders, m[1:len(m)-1]) {
			return FieldErrorf(field, "%s is not a placeholder HMS knows: use %s.", m, placeholderList())
		}
	}
	return nil
}

func placeholderList() string {
	out := make([]string, len(MessagePlaceholders))
	for i, p := range MessagePlaceholders {
		out[i] = "{" + p + "}"
	}
	return strings.Join(out, ", ")
}

// ReminderTimes are the times reminders for an appointment starting at
// start go out, given the offsets: those still ahead of now, earliest
// first, none for an appointment less than ten minutes away.
func ReminderTimes(start, now time.Time, offsets []time.Duration) []time.Time {
	var out []time.Time
	if start.Sub(now) < 10*time.Minute {
		return nil
	}
	for _, o := range offsets {
		if at := start.Add(-o); at.After(now) {
			out = append(out, at)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return slices.CompactFunc(out, func(a, b time.Time) bool { return a.Equal(b) })
}

// ParseReminderOffsets reads "24h, 2h" (hours h or minutes m, comma
// separated, at most four, each from 15 minutes to 14 days).
func ParseReminderOffsets(s string) ([]time.Duration, error) {
	var out []time.Duration
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(strings.ToLower(part))
		if part == "" {
			continue
		}
		unit := part[len(part)-1]
		n, err := strconv.Atoi(strings.TrimSpace(part[:len(part)-1]))
		if err != nil || (unit != 'h' && unit != 'm') || n <= 0 {
			return nil, FieldErrorf("reminder_offsets", "Write when to remind as hours or minutes before, e.g. \"24h, 2h\" (%q is neither).", part)
		}
		d := time.Duration(n) * time.Hour
		if unit == 'm' {
			d = time.Duration(n) * time.Minute
		}
		if d < 15*time.Minute || d > 14*24*time.Hour {
			return nil, FieldErrorf("reminder_offsets", "A reminder goes between 15 minutes and 14 days before (%s is not).", part)
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	if len(out) > 4 {
		return nil, FieldErrorf("reminder_offsets", "At most four reminders per appointment.")
	}
	slices.SortFunc(out, func(a, b time.Duration) int { return int(b - a) })
	return out, nil
}

// FormatReminderOffsets writes offsets as ParseReminderOffsets reads them.
func FormatReminderOffsets(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		if d%time.Hour == 0 {
			parts[i] = fmt.Sprintf("%dh", d/time.Hour)
		} else {
			parts[i] = fmt.Sprintf("%dm", d/time.Minute)
		}
	}
	return strings.Join(parts, ", ")
}

// Validate checks message settings, trimming them; the first problem is
// returned as a field error.
func (s *MessageSettings) Validate() error {
	if s.Templates == nil {
		s.Templates = DefaultMessageTemplatesIn(s.Lang())
	}
	for _, k := range MessageKinds {
		t, ok := s.Templates[k]
		if !ok {
			t = DefaultMessageTemplatesIn(s.Lang())[k]
		}
		t.Subject, t.Body = strings.TrimSpace(t.Subject), strings.TrimSpace(t.Body)
		if err := ValidateMessageTemplate("template_"+string(k)+"_subject", t.Subject, false); err != nil {
			return err
		}
		if err := ValidateMessageTemplate("template_"+string(k)+"_body", t.Body, true); err != nil {
			return err
		}
		s.Templates[k] = t
	}
	if s.Language != "" && !ValidMessageLanguage(s.Language) {
		return FieldErrorf("language", "Choose one of the languages HMS words messages in.")
	}
	for lang, ts := range s.Translations {
		if !ValidMessageLanguage(lang) {
			return FieldErrorf("language", "Choose one of the languages HMS words messages in (%q is not).", lang)
		}
		for k, t := range ts {
			if !k.Valid() {
				return FieldErrorf("template_"+string(k)+"_body", "There is no message of kind %q.", k)
			}
			t.Subject, t.Body = strings.TrimSpace(t.Subject), strings.TrimSpace(t.Body)
			if t.Body == "" && t.Subject == "" || lang == s.Lang() {
				delete(ts, k) // none: the clinic's language
				continue
			}
			if err := ValidateMessageTemplate("template_"+string(k)+"_subject", t.Subject, false); err != nil {
				return err
			}
			if err := ValidateMessageTemplate("template_"+string(k)+"_body", t.Body, true); err != nil {
				return err
			}
			ts[k] = t
		}
		if len(ts) == 0 {
			delete(s.Translations, lang)
		}
	}
	for _, o := range s.ReminderOffsets {
		if o < 15*time.Minute || o > 14*24*time.Hour {
			return FieldErrorf("reminder_offsets", "A reminder goes between 15 minutes and 14 days before.")
		}
	}
	if len(s.ReminderOffsets) > 4 {
		return FieldErrorf("reminder_offsets", "At most four reminders per appointment.")
	}
	m := &s.SMTP
	m.Host, m.Username, m.From = strings.TrimSpace(m.Host), strings.TrimSpace(m.Username), strings.TrimSpace(m.From)
	if m.Host != "" {
		if strings.ContainsAny(m.Host, " /:@") {
			return FieldErrorf("smtp_host", "Write the mail server's name or address only, e.g. smtp.example.org.")
		}
		if m.Port == 0 {
			m.Port = 587
		}
		if m.Port < 1 || m.Port > 65535 {
			return FieldErrorf("smtp_port", "A port is a number from 1 to 65535.")
		}
		switch m.Security {
		case "":
			m.Security = SMTPStartTLS
		case SMTPStartTLS, SMTPTLS, SMTPNone:
		default:
			return FieldErrorf("smtp_security", "Choose STARTTLS, TLS or none.")
		}
		if _, err := mail.ParseAddress(m.From); err != nil {
			return FieldErrorf("smtp_from", "Write the sender's e-mail address, e.g. Clinic <desk@clinic.example>.")
		}
	}
	g := &s.SMS
	g.URL, g.Method, g.SuccessPattern = strings.TrimSpace(g.URL), strings.ToUpper(strings.TrimSpace(g.Method)), strings.TrimSpace(g.SuccessPattern)
	if g.URL != "" {
		if !strings.HasPrefix(g.URL, "https://") && !strings.HasPrefix(g.URL, "http://") {
			return FieldErrorf("sms_url", "The gateway's address starts with https://.")
		}
		if g.Method == "" {
			g.Method = "POST"
		}
		if g.Method != "POST" && g.Method != "GET" {
			return FieldErrorf("sms_method", "The gateway is called with POST or GET.")
		}
		for _, h := range g.Headers {
			if name, _, ok := strings.Cut(h, ":"); !ok || strings.TrimSpace(name) == "" || strings.ContainsAny(name, " \t\r\n") || strings.ContainsAny(h, "\r\n") {
				return FieldErrorf("sms_headers", "Write each header as Name: value on its own line (%q is not).", h)
			}
		}
		if g.SuccessPattern != "" {
			if _, err := regexp.Compile(g.SuccessPattern); err != nil {
				return FieldErrorf("sms_success", "The success pattern is not a valid regular expression: %v.", err)
			}
		}
	}
	return nil
}

// ChannelReady reports whether the settings can send on ch.
func (s *MessageSettings) ChannelReady(ch MessageChannel) bool {
	switch ch {
	case ChannelEmail:
		return s.SMTP.Host != ""
	case ChannelSMS:
		return s.SMS.URL != ""
	}
	return false
}

// MessageAddress is where a patient's message on ch goes, from their
// record; "" when they have none for it.
func MessageAddress(p *Patient, ch MessageChannel) string {
	switch ch {
	case ChannelEmail:
		if _, err := mail.ParseAddress(p.Email); err == nil {
			return p.Email
		}
	case ChannelSMS:
		if digits := strings.TrimPrefix(p.Phone, "+"); len(digits) >= 6 && strings.Trim(digits, "0123456789 ") == "" {
			return p.Phone
		}
	}
	return ""
}

// MessageTransport hands one message to the mail server or SMS gateway;
// ref is the message's own reference (the Message-ID or gateway
// reference), the same on every try of one message.
type MessageTransport interface {
	Send(ctx context.Context, s *MessageSettings, m *Message, ref string) error
}

// Undeliverable marks a sending failure that trying again will not mend
// (a refused recipient, a gateway that rejects the request): the message
// fails at once instead of being retried.
type Undeliverable struct{ Err error }

func (u *Undeliverable) Error() string { return u.Err.Error() }
func (u *Undeliverable) Unwrap() error { return u.Err }

// IsUndeliverable reports whether err will not go away by trying again.
func IsUndeliverable(err error) bool {
	var u *Undeliverable
	return errors.As(err, &u)
}

// Why the sending desk refused a message: its text is not what the
// clinic's templates say, or a name on record could carry another's words
// (NameFitForMessage). Stored as the dropped message's reason, in English.
var (
	MessageTextNotTheClinics        = i18n.N("its text is not what the clinic's templates say for this appointment")
	MessageTextNotTheClinicsWritten = i18n.N("its text is not what the clinic's templates say for this appointment: written again as they say")
	MessagePatientNameUnfit         = i18n.N("the patient's name on record cannot go into a message: correct it (a name holds letters, spaces and . , ' - only, no web address or number)")
	MessageDoctorNameUnfit          = i18n.N("the doctor's name on record cannot go into a message: correct it (a name holds letters, spaces and . , ' - only, no web address or number)")
)

// MessageRefused says whether reason, a dropped message's stored reason,
// is a refusal: a text or a name that may carry a forger's words, for
// staff to look at, unlike a routine drop (consent withdrawn, the
// appointment cancelled).
func MessageRefused(reason string) bool {
	switch reason {
	case MessageTextNotTheClinics, MessageTextNotTheClinicsWritten, MessagePatientNameUnfit, MessageDoctorNameUnfit:
		return true
	}
	return false
}

// DeliveryReport is what one round of sending did. Waiting says that the
// round sent nothing because the desk has not yet pulled every change the
// sync server holds (a transaction open on the server holds newer changes
// back): it may lack the record that another desk sent a message, so it
// sends with a later round.
type DeliveryReport struct {
	Sent, Failed, Retrying, Dropped int
	Waiting                         bool
}

// MessageService queues, sends and lists messages to patients.
type MessageService interface {
	// GetMessageSettings returns the clinic's message settings, without
	// the stored SMTP password (administrators).
	GetMessageSettings(ctx context.Context) (*MessageSettings, error)
	// SetMessageSettings replaces them (administrators); an empty SMTP
	// password keeps the stored one.
	SetMessageSettings(ctx context.Context, s MessageSettings) (*MessageSettings, error)
	// SetMessageConsent records a patient's consent on a channel, given
	// or withdrawn (staff who edit patients; a patient for themselves).
	// Withdrawing drops that channel's waiting messages.
	SetMessageConsent(ctx context.Context, patientID string, ch MessageChannel, given bool) (*MessageConsent, error)
	// MessageConsents lists a patient's consent per channel.
	MessageConsents(ctx context.Context, patientID string) ([]MessageConsent, error)
	// FindMessages lists messages, newest first: a patient's (anyone who
	// may see the patient), or every patient's (staff who manage
	// appointments).
	FindMessages(ctx context.Context, f MessageFilter) ([]*Message, error)
	// ResendMessage queues a failed or dropped message again, as a new
	// message with the patient's current address (staff who manage
	// appointments); refused when the appointment has passed or changed.
	ResendMessage(ctx context.Context, id string) (*Message, error)
	// SendTestMessage sends one sample reminder on ch to the address to,
	// through the settings s as typed (an empty SMTP password: the stored
	// one), without queueing it (administrators); the error says why it
	// did not go.
	SendTestMessage(ctx context.Context, s MessageSettings, ch MessageChannel, to string) error
	// DeliverDue sends the clinic's queued messages that are due and
	// reached this desk, through t (administrators and the desk's own
	// schedule). A desk that syncs sends only while it holds the clinic's
	// send lease, so that each message goes once.
	DeliverDue(ctx context.Context, t MessageTransport) (DeliveryReport, error)
}

// CanManageMessageSettings: administrators.
func CanManageMessageSettings(c Caller) error {
	if err := RequireLoggedIn(c); err != nil {
		return err
	}
	if c.Can(PermManageSettings) {
		return nil
	}
	return denied("You are not allowed to change how HMS sends messages: an administrator does.")
}

// CanSetMessageConsent: staff who edit patients' records, for any patient;
// a patient for themselves.
func CanSetMessageConsent(c Caller, patientID string) error {
	if err := RequireLoggedIn(c); err != nil {
		return err
	}
	if c.Can(PermEditPatient) || (c.Can(PermViewOwnRecord) && c.PatientID != "" && c.PatientID == patientID) {
		return nil
	}
	return denied("You are not allowed to record this patient's consent to messages.")
}

// CanSeeMessagesOf: whoever may see the patient's record.
func CanSeeMessagesOf(c Caller, patientID string) error {
	return CanViewPatient(c, patientID)
}

// CanSeeMessageLog: staff who manage appointments see every patient's
// messages, and resend them.
func CanSeeMessageLog(c Caller) error {
	if err := RequireLoggedIn(c); err != nil {
		return err
	}
	if c.Can(PermManageAppointments) {
		return nil
	}
	return denied("You are not allowed to see the messages log: reception and administrators do.")
}

// CanDeliverMessages: administrators (the desk's schedule acts as one).
func CanDeliverMessages(c Caller) error {
	if err := RequireLoggedIn(c); err != nil {
		return err
	}
	if c.Can(PermManageSettings) {
		return nil
	}
	return denied("You are not allowed to send the queued messages: the desk sends them on its own.")
}

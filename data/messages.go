package data

import (
	"cmp"
	"context"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"hms/app"
	"hms/app/i18n"
)

// Messages to patients about their appointments (app.MessageService; the
// threat model is app/messages.go's).
//
// An appointment's change queues its messages in the same transaction
// (appointmentMessages): a booking or a confirmed request its confirmation
// and reminders, a move the "moved" message, a cancellation its word; a
// cancel, a move, a check-in or a no-show drops the appointment's waiting
// messages. The change queues them as one row, the message plan
// (message_plans, migration 0156: to whom by which channel, the language,
// the placeholders' values, the kinds and when), not a row per message
// and channel: a booking with two reminders on two channels wrote six rows
// with their sync payloads, seals, queue rows and indexes, which cost it
// about 0.7 ms of CPU. The plan is listed as its messages (waiting) at
// once; the desk that sends writes its messages out as messages rows
// (expandPlans) at the start of its round, with ids made of the plan's
// (PLAN.ITEM.CHANNEL), so that two desks writing one plan write the same
// rows (but for a subject and body rendered with other templates: every
// desk takes the server's copy, and an enrolled desk sends one only once
// it has it, migration 0190); a drop (cancel, consent withdrawn) writes them out first and drops
// them, so the log shows each. Messages, plans, tries and consents are
// rows written once that sync like any other, and every desk keeps the
// clinic's queue (message_due and message_plan_due, kept by the triggers
// of migrations 0089 and 0156). A desk that is not
// enrolled sends its queue itself (DeliverDue); an enrolled desk sends only
// while it holds the clinic's send lease (WithSendLease, taken on the sync
// server by data/sync/messages.go), and then every desk's messages that
// reached it. Before each try it checks again that the appointment is as
// it was, the consent still given and the channel set up, else the message
// is dropped with the reason; and it sends only the clinic's text: a row
// whose subject or body is not what the templates say for the appointment
// now is refused and written again (asTheClinicWrites, refuseText). Sending happens outside any transaction; its
// outcome is written after, and syncs, so no other desk sends it again. A
// crash between the two sends the message again on the next round, with
// the same reference (the message's id), so the duplicate can be told.

// MessageService implements app.MessageService.
type MessageService struct {
	db *DB
}

var _ app.MessageService = (*MessageService)(nil)

// The message settings are a clinic setting (key message_settings), so
// that whichever desk holds the send lease sends with them: written by an
// administrator and signed like every setting, refused unsigned by the
// other desks (docs/SYNC-DESIGN.md, the administrator rule). The SMTP
// password and the SMS gateway's secret are in it only sealed, once for
// each desk of the clinic, to that desk's own sealing key: an X25519 key
// derived from the desk's audit key, whose public half the desk publishes
// as the setting desk_key:SITE, signed by an administrator who logged in
// on it (so the server cannot slip in a key of its own). Neither the
// outbox, the server nor a copy of a desk's database without its key
// file holds them in clear. A desk an administrator has not logged in on
// since the secrets were last saved has no envelope and cannot open them:
// saving Settings → Messages on a desk that can seals them again for
// every desk vouched for. Before this, each desk kept its own settings in
// the table message_settings (migration 0065), read while the clinic
// setting is not there.

// messageSettingsKey is the clinic setting that holds the message settings.
const messageSettingsKey = "message_settings"

// deskKeyPrefix starts the settings that hold each desk's public sealing
// key, by site id.
const deskKeyPrefix = "desk_key:"

// storedMessageSettings is the setting's value (and the legacy table's):
// the settings without their secrets, and the secrets sealed per desk.
type storedMessageSettings struct {
	Enabled      bool                                               `json:"enabled"`
	Offsets      []string                                           `json:"reminder_offsets"`
	SMTP         app.SMTPSettings                                   `json:"smtp"`
	SMS          app.SMSGateway                                     `json:"sms"`
	Language     string                                             `json:"language,omitempty"`
	Templates    map[app.MessageKind]app.MessageTemplate            `json:"templates"`
	Translations map[string]map[app.MessageKind]app.MessageTemplate `json:"translations,omitempty"`
	// Sealed are the secrets (messageSecrets, JSON), sealed to each
	// desk's key, by site id.
	Sealed map[string]string `json:"sealed,omitempty"`
}

// messageSecrets are what Sealed holds.
type messageSecrets struct {
	SMTPPassword string `json:"smtp_password,omitempty"`
	SMSSecret    string `json:"sms_secret,omitempty"`
}

// secretKey is the key the desk's message password was sealed with in the
// legacy table, derived from its audit key.
func (db *DB) secretKey() []byte {
	h := sha256.New()
	h.Write([]byte("hms message settings secret v1\x00"))
	h.Write(db.key)
	return h.Sum(nil)
}

func (db *DB) openSecret(sealed []byte) (string, error) {
	aead, err := chacha20poly1305.NewX(db.secretKey())
	if err != nil {
		return "", err
	}
	if len(sealed) < aead.NonceSize() {
		return "", errors.New("the stored message password is damaged")
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte("message_settings"))
	if err != nil {
		return "", errors.New("the stored message password cannot be opened with this desk's audit key: enter it again in Settings → Messages")
	}
	return string(plain), nil
}

// boxKey is the desk's sealing key for the message secrets, derived from
// its audit key.
func (db *DB) boxKey() (*ecdh.PrivateKey, error) {
	h := sha256.New()
	h.Write([]byte("hms message box key v1\x00"))
	h.Write(db.key)
	return ecdh.X25519().NewPrivateKey(h.Sum(nil))
}

// boxAEAD is the cipher of one envelope: a key from the X25519 secret
// between an ephemeral key and the desk's, and both public keys.
func boxAEAD(shared, ephPub, deskPub []byte) (cipher.AEAD, error) {
	h := sha256.New()
	h.Write([]byte("hms message secrets v1\x00"))
	h.Write(shared)
	h.Write(ephPub)
	h.Write(deskPub)
	return chacha20poly1305.NewX(h.Sum(nil))
}

// sealTo seals plain to the desk site's public key pub (base64): the
// ephemeral public key, the nonce and the sealed text, base64.
func sealTo(site, pub string, plain []byte) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(pub)
	if err != nil {
		return "", fmt.Errorf("desk %s's key: %w", site, err)
	}
	desk, err := ecdh.X25519().NewPublicKey(raw)
	if err != nil {
		return "", fmt.Errorf("desk %s's key: %w", site, err)
	}
	eph, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	shared, err := eph.ECDH(desk)
	if err != nil {
		return "", err
	}
	aead, err := boxAEAD(shared, eph.PublicKey().Bytes(), raw)
	if err != nil {
		return "", err
	}
	out := append([]byte{}, eph.PublicKey().Bytes()...)
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out = append(out, nonce...)
	out = aead.Seal(out, nonce, plain, []byte(messageSettingsKey+":"+site))
	return base64.StdEncoding.EncodeToString(out), nil
}

// openBox opens this desk's envelope.
func (db *DB) openBox(env string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(env)
	if err != nil || len(raw) < 32+chacha20poly1305.NonceSizeX {
		return nil, errors.New("this desk's sealed message secrets are damaged")
	}
	key, err := db.boxKey()
	if err != nil {
		return nil, err
	}
	eph, err := ecdh.X25519().NewPublicKey(raw[:32])
	if err != nil {
		return nil, err
	}
	shared, err := key.ECDH(eph)
	if err != nil {
		return nil, err
	}
	aead, err := boxAEAD(shared, raw[:32], key.PublicKey().Bytes())
	if err != nil {
		return nil, err
	}
	nonce := raw[32 : 32+aead.NonceSize()]
	plain, err := aead.Open(nil, nonce, raw[32+aead.NonceSize():], []byte(messageSettingsKey+":"+db.siteID))
	if err != nil {
		return nil, errors.New("this desk's sealed message secrets do not open with its key")
	}
	return plain, nil
}

// vouchDeskKey publishes this desk's public sealing key as the setting
// desk_key:SITE, signed with k (an administrator's key, at their login or
// as they save the message settings), if it is not there as it is.
func (tx *Tx) vouchDeskKey(k *app.SigningKey) error {
	key, err := tx.db.boxKey()
	if err != nil {
		return err
	}
	pub := base64.StdEncoding.EncodeToString(key.PublicKey().Bytes())
	name := deskKeyPrefix + tx.db.siteID
	var have string
	if err := tx.QueryRowContext(tx.ctx, `SELECT value FROM settings WHERE key = ?`, name).Scan(&have); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if have == pub {
		return nil
	}
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, name, pub, formatTime(tx.now)); err != nil {
		return fmt.Errorf("desk key: %w", err)
	}
	return tx.signPower("settings", name, k)
}

// vouchDeskAtLogin publishes the desk's sealing key at an administrator's
// login on a desk that syncs, so that the message secrets can be sealed
// to it.
func (tx *Tx) vouchDeskAtLogin(k *app.SigningKey) error {
	if k == nil {
		return nil
	}
	if on, err := tx.enrolled(); err != nil || !on {
		return err
	}
	return tx.vouchDeskKey(k)
}

// loadMessageSettings reads the clinic's message settings (before there
// were any, this desk's own); withSecret opens the secrets sealed to this
// desk. Nothing stored: the defaults, switched off.
func (db *DB) loadMessageSettings(ctx context.Context, q rowQuerier, withSecret bool) (*app.MessageSettings, error) {
	out := &app.MessageSettings{ReminderOffsets: app.DefaultReminderOffsets, Templates: app.DefaultMessageTemplates()}
	var raw string
	var legacy []byte
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, messageSettingsKey).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		err = q.QueryRowContext(ctx, `SELECT settings, secret FROM message_settings WHERE id = 1`).Scan(&raw, &legacy)
	}
	if errors.Is(err, sql.ErrNoRows) {
		out.SMTP.Port, out.SMTP.Security, out.SMS.Method = 587, app.SMTPStartTLS, "POST"
		return out, nil
	} else if err != nil {
		return nil, err
	}
	var st storedMessageSettings
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return nil, fmt.Errorf("message settings: %w", err)
	}
	offsets, err := app.ParseReminderOffsets(strings.Join(st.Offsets, ","))
	if err != nil {
		return nil, fmt.Errorf("message settings: %w", err)
	}
	out.Enabled, out.ReminderOffsets, out.SMTP, out.SMS = st.Enabled, offsets, st.SMTP, st.SMS
	out.Language, out.Translations = st.Language, st.Translations
	out.Templates = app.DefaultMessageTemplatesIn(out.Lang())
	for k, t := range st.Templates {
		out.Templates[k] = t
	}
	out.SMTP.Password, out.SMS.Secret = "", ""
	if legacy != nil {
		out.SMTP.HasPassword = len(legacy) > 0
	}
	if !withSecret || (!out.SMTP.HasPassword && !out.SMS.HasSecret) {
		return out, nil
	}
	if legacy != nil {
		out.SMTP.Password, err = db.openSecret(legacy)
		return out, err
	}
	env, ok := st.Sealed[db.siteID]
	if !ok {
		return nil, errors.New("the mail password and gateway secret were not sealed for this desk: an administrator logs in on this desk, then saves Settings → Messages on a desk that sends")
	}
	plain, err := db.openBox(env)
	if err != nil {
		return nil, err
	}
	var sec messageSecrets
	if err := json.Unmarshal(plain, &sec); err != nil {
		return nil, fmt.Errorf("message secrets: %w", err)
	}
	out.SMTP.Password, out.SMS.Secret = sec.SMTPPassword, sec.SMSSecret
	return out, nil
}

// sealToDesks seals plain to every desk vouched for (the desk_key
// settings), by site id.
func (tx *Tx) sealToDesks(plain []byte) (map[string]string, error) {
	rows, err := tx.QueryContext(tx.ctx, `SELECT key, value FROM settings WHERE key LIKE ? ORDER BY key`, deskKeyPrefix+"%")
	if err != nil {
		return nil, err
	}
	keys := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return nil, err
		}
		keys[strings.TrimPrefix(k, deskKeyPrefix)] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(keys))
	for site, pub := range keys {
		env, err := sealTo(site, pub, plain)
		if err != nil {
			return nil, err
		}
		out[site] = env
	}
	return out, nil
}

// GetMessageSettings implements app.MessageService.
func (s *MessageService) GetMessageSettings(ctx context.Context) (*app.MessageSettings, error) {
	caller, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "messages.settings.get", "message_settings", "", "", app.CanManageMessageSettings(caller)); err != nil {
		return nil, err
	}
	out, err := s.db.loadMessageSettings(ctx, s.db.r, false)
	if err != nil {
		return nil, internal("messages.settings.get", err)
	}
	return out, nil
}

// SetMessageSettings implements app.MessageService.
func (s *MessageService) SetMessageSettings(ctx context.Context, in app.MessageSettings) (*app.MessageSettings, error) {
	verr := in.Validate()
	var out *app.MessageSettings
	err := s.db.writeFor(ctx, "messages.settings.set", "message_settings", "", "", func(tx *Tx) error {
		if err := authorize(app.CanManageMessageSettings(tx.caller)); err != nil {
			return err
		}
		if verr != nil {
			return verr
		}
		if in.Enabled && !in.ChannelReady(app.ChannelEmail) && !in.ChannelReady(app.ChannelSMS) {
			return app.FieldErrorf("enabled", "Set up a mail server or an SMS gateway before switching messages on.")
		}
		old, err := tx.db.loadMessageSettings(tx.ctx, tx, false)
		if err != nil {
			return err
		}
		sec := messageSecrets{SMTPPassword: in.SMTP.Password, SMSSecret: in.SMS.Secret}
		if (sec.SMTPPassword == "" && old.SMTP.HasPassword) || (sec.SMSSecret == "" && old.SMS.HasSecret) {
			kept, err := tx.db.loadMessageSettings(tx.ctx, tx, true)
			if err != nil {
				return app.Errorf(app.ECONFLICT, "This desk cannot open the stored secrets (%v): type the mail password and the gateway's secret again.", err)
			}
			sec.SMTPPassword, sec.SMSSecret = cmp.Or(sec.SMTPPassword, kept.SMTP.Password), cmp.Or(sec.SMSSecret, kept.SMS.Secret)
		}
		if in.SMTP.Username == "" || in.SMTP.Host == "" {
			sec.SMTPPassword = ""
		}
		if in.SMS.URL == "" {
			sec.SMSSecret = ""
		}
		st := storedMessageSettings{Enabled: in.Enabled, SMTP: in.SMTP, SMS: in.SMS, Language: in.Language,
			Templates: in.Templates, Translations: in.Translations}
		st.SMTP.Password, st.SMTP.HasPassword = "", sec.SMTPPassword != ""
		st.SMS.Secret, st.SMS.HasSecret = "", sec.SMSSecret != ""
		for _, o := range in.ReminderOffsets {
			st.Offsets = append(st.Offsets, app.FormatReminderOffsets([]time.Duration{o}))
		}
		if sec != (messageSecrets{}) {
			if err := tx.vouchDeskKey(tx.caller.Signer); err != nil {
				return err
			}
			plain, err := json.Marshal(sec)
			if err != nil {
				return err
			}
			if st.Sealed, err = tx.sealToDesks(plain); err != nil {
				return err
			}
		}
		raw, err := json.Marshal(st)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			messageSettingsKey, string(raw), formatTime(tx.now)); err != nil {
			return err
		}
		if err := tx.signPower("settings", messageSettingsKey, tx.caller.Signer); err != nil {
			return err
		}
		state := "off"
		if in.Enabled {
			state = "on"
		}
		tx.Audit("messages.settings.set", "message_settings", "1", "", fmt.Sprintf("messages %s; e-mail via %s; SMS via %s; reminders %s",
			state, orNone(in.SMTP.Host), orNone(gatewayHost(in.SMS.URL)), app.FormatReminderOffsets(in.ReminderOffsets)))
		if out, err = tx.db.loadMessageSettings(tx.ctx, tx, false); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// gatewayHost is the host part of a gateway URL, for the audit log (its
// query may hold a key).
func gatewayHost(u string) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	host, _, _ := strings.Cut(u, "/")
	host, _, _ = strings.Cut(host, "?")
	if i := strings.LastIndex(host, "@"); i >= 0 {
		host = host[i+1:]
	}
	return host
}

// SendTestMessage implements app.MessageService.
func (s *MessageService) SendTestMessage(ctx context.Context, in app.MessageSettings, ch app.MessageChannel, to string) error {
	caller, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "messages.test", "message_settings", "", "", app.CanManageMessageSettings(caller)); err != nil {
		return err
	}
	if err := in.Validate(); err != nil {
		return err
	}
	to = strings.TrimSpace(to)
	probe := &app.Patient{Email: to, Phone: to}
	switch {
	case !ch.Valid():
		return app.FieldErrorf("test_channel", "Choose e-mail or SMS.")
	case !in.ChannelReady(ch):
		field := "smtp_host"
		if ch == app.ChannelSMS {
			field = "sms_url"
		}
		return app.FieldErrorf(field, "Set up %s before sending a test message by it.", ch.Label())
	case app.MessageAddress(probe, ch) == "":
		if ch == app.ChannelEmail {
			return app.FieldErrorf("test_to", "Write the e-mail address the test goes to.")
		}
		return app.FieldErrorf("test_to", "Write the phone number the test goes to, e.g. +30 690 000 0000.")
	}
	if s.db.transport == nil {
		return app.Errorf(app.ECONFLICT, "This desk cannot send messages.")
	}
	if (in.SMTP.Password == "" && in.SMTP.Username != "") || (in.SMS.Secret == "" && in.SMS.URL != "") {
		stored, err := s.db.loadMessageSettings(ctx, s.db.r, true)
		if err != nil {
			return app.Errorf(app.ECONFLICT, "The test message was not sent: %v.", err)
		}
		in.SMTP.Password, in.SMS.Secret = cmp.Or(in.SMTP.Password, stored.SMTP.Password), cmp.Or(in.SMS.Secret, stored.SMS.Secret)
	}
	settings, err := readSettings(ctx, s.db.r)
	if err != nil {
		return internal("messages.test", err)
	}
	now := s.db.now().In(zoneNamed(settings.TimeZone)).Add(24 * time.Hour)
	fields := messageValues{start: now, phone: settings.Phone,
		fields: app.MessageFields{Patient: "Test Patient", Doctor: "Dr Test", Clinic: settings.ClinicName}}.in(in.Lang())
	tmpl := in.Templates[app.MessageReminder]
	m := &app.Message{ID: "test-" + newID(), Kind: app.MessageReminder, Channel: ch, To: to,
		Body: "[Test] " + app.RenderMessage(tmpl.Body, fields), SendAt: s.db.now()}
	if ch == app.ChannelEmail {
		m.Subject = "[Test] " + app.RenderMessage(tmpl.Subject, fields)
	}
	sendErr := s.db.transport.Send(ctx, &in, m, m.ID)
	outcome := "sent"
	if sendErr != nil {
		outcome = "not sent: " + truncate(sendErr.Error(), 200)
	}
	if err := s.db.inTx(ctx, caller, "messages.test", func(tx *Tx) error {
		tx.Audit("messages.test", "message_settings", "1", "", "test "+ch.Label()+" message "+outcome)
		return nil
	}); err != nil {
		return internal("messages.test", err)
	}
	if sendErr != nil {
		return app.Errorf(app.ECONFLICT, "The test message was not sent: %v", sendErr)
	}
	return nil
}

// SetMessageConsent implements app.MessageService.
func (s *MessageService) SetMessageConsent(ctx context.Context, patientID string, ch app.MessageChannel, given bool) (*app.MessageConsent, error) {
	var out *app.MessageConsent
	err := s.db.writeFor(ctx, "messages.consent", "patients", patientID, patientID, func(tx *Tx) error {
		if err := authorize(app.CanSetMessageConsent(tx.caller, patientID)); err != nil {
			return err
		}
		if !ch.Valid() {
			return app.FieldErrorf("channel", "Choose e-mail or SMS.")
		}
		var name string
		if err := tx.QueryRowContext(tx.ctx, `SELECT given_name || ' ' || family_name FROM patients WHERE id = ? AND deleted_at IS NULL`,
			patientID).Scan(&name); errors.Is(err, sql.ErrNoRows) {
			return app.Errorf(app.ENOTFOUND, "There is no such patient.")
		} else if err != nil {
			return err
		}
		by, err := tx.callerName()
		if err != nil {
			return err
		}
		ts := formatTime(tx.now)
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO message_consents (id, patient_id, channel, given, recorded_by,
			recorded_by_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			newID(), patientID, ch, given, tx.caller.Username, by, ts, ts); err != nil {
			return err
		}
		detail := ch.Label() + ": consent given"
		if !given {
			if _, err := tx.expandPlans(nil, `m.patient_id = ?`, maxPlansAtOnce, patientID); err != nil {
				return err
			}
			n, err := tx.dropWaiting(`m.patient_id = ? AND m.channel = ?`, "consent withdrawn", patientID, ch)
			if err != nil {
				return err
			}
			detail = fmt.Sprintf("%s: consent withdrawn; %d waiting message(s) dropped", ch.Label(), n)
		}
		tx.Audit("messages.consent", "patients", patientID, patientID, detail)
		out = &app.MessageConsent{PatientID: patientID, Channel: ch, Given: given, RecordedAt: tx.now, RecordedBy: by}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MessageConsents implements app.MessageService.
func (s *MessageService) MessageConsents(ctx context.Context, patientID string) ([]app.MessageConsent, error) {
	caller, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "messages.consents", "patients", patientID, patientID, app.CanSeeMessagesOf(caller, patientID)); err != nil {
		return nil, err
	}
	out := make([]app.MessageConsent, 0, len(app.MessageChannels))
	for _, ch := range app.MessageChannels {
		c, err := consentOf(ctx, s.db.r, patientID, ch)
		if err != nil {
			return nil, internal("messages.consents", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// consentOf is a patient's consent on ch as last recorded.
func consentOf(ctx context.Context, q rowQuerier, patientID string, ch app.MessageChannel) (app.MessageConsent, error) {
	c := app.MessageConsent{PatientID: patientID, Channel: ch}
	var at string
	err := q.QueryRowContext(ctx, `SELECT given, recorded_by_name, created_at FROM message_consents
		WHERE patient_id = ? AND channel = ? AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1`,
		patientID, ch).Scan(&c.Given, &c.RecordedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	} else if err != nil {
		return c, err
	}
	c.RecordedAt = parseTime(at)
	return c, nil
}

// parsedMessageSettings are the message settings parsed from their
// stored text (the clinic setting's value, or the legacy table's row).
type parsedMessageSettings struct {
	raw, legacy string
	cfg         *app.MessageSettings
}

// messageSettingsIfOn reads the desk's message settings inside tx, without
// their secrets; nil when messages are off. Every booking asks, so the
// parsed settings are kept, keyed by the stored text itself: a change
// made here, by another desk through sync or by a restore changes the
// text, and the next booking parses it again. The settings returned are
// shared: read them, never change them.
func (tx *Tx) messageSettingsIfOn() (*app.MessageSettings, error) {
	var raw, legacy sql.NullString
	err := tx.QueryRowContext(tx.ctx, `SELECT (SELECT value FROM settings WHERE key = ?),
		(SELECT settings || ' ' || coalesce(length(secret), -1) FROM message_settings WHERE id = 1)`,
		messageSettingsKey).Scan(&raw, &legacy)
	if err != nil {
		return nil, err
	}
	if !raw.Valid && !legacy.Valid {
		return nil, nil
	}
	if raw.Valid {
		legacy.String = ""
	}
	if c := tx.db.msgSettings.Load(); c != nil && c.raw == raw.String && c.legacy == legacy.String {
		if !c.cfg.Enabled {
			return nil, nil
		}
		return c.cfg, nil
	}
	cfg, err := tx.db.loadMessageSettings(tx.ctx, tx, false)
	if err != nil {
		// Settings that do not parse stop nothing while they are off.
		var enabled int
		if qerr := tx.QueryRowContext(tx.ctx, `SELECT coalesce((SELECT json_extract(value, '$.enabled') FROM settings WHERE key = ?),
			(SELECT json_extract(settings, '$.enabled') FROM message_settings WHERE id = 1), 0)`, messageSettingsKey).Scan(&enabled); qerr == nil && enabled == 0 {
			return nil, nil
		}
		return nil, err
	}
	tx.db.msgSettings.Store(&parsedMessageSettings{raw: raw.String, legacy: legacy.String, cfg: cfg})
	if !cfg.Enabled {
		return nil, nil
	}
	return cfg, nil
}

// queuedMessage is one message of a kind to queue, at SendAt.
type queuedMessage struct {
	Kind   app.MessageKind
	SendAt time.Time
}

// appointmentMessages queues and drops what an appointment's move from
// status from to its status now means for the patient's messages (see the
// top of this file). a is the appointment as it now is.
func (tx *Tx) appointmentMessages(a *app.Appointment, from app.AppointmentStatus) error {
	switch a.Status {
	case app.AppointmentCancelled, app.AppointmentCheckedIn, app.AppointmentCompleted, app.AppointmentNoShow:
		why := "the appointment is " + strings.ToLower(a.Status.Label())
		if a.RescheduledTo != "" {
			why = "the appointment was moved"
		}
		// Its plans no desk has written out yet are written now, to be
		// dropped with the rest, so the log shows each message dropped.
		if _, err := tx.expandPlans(nil, `m.appointment_id = ?`, maxPlansAtOnce, a.ID); err != nil {
			return err
		}
		if _, err := tx.dropWaiting(`m.appointment_id = ?`, why, a.ID); err != nil {
			return err
		}
	}
	cfg, err := tx.messageSettingsIfOn()
	if err != nil || cfg == nil {
		return err
	}
	switch {
	case a.Status == app.AppointmentConfirmed && (from == "" || from == app.AppointmentPending):
		kind := app.MessageConfirmation
		if from == "" && a.RescheduledFrom != "" {
			kind = app.MessageReschedule
		}
		queue := []queuedMessage{{kind, tx.now}}
		for _, at := range app.ReminderTimes(a.Start, tx.now, cfg.ReminderOffsets) {
			queue = append(queue, queuedMessage{app.MessageReminder, at})
		}
		return tx.queuePlan(cfg, a, queue)
	case a.Status == app.AppointmentCancelled && a.RescheduledTo == "" && a.Start.After(tx.now) &&
		(from == app.AppointmentConfirmed || from == app.AppointmentPending):
		return tx.queuePlan(cfg, a, []queuedMessage{{app.MessageCancellation, tx.now}})
	}
	return nil
}

// queueMessage queues one message of kind about a, at sendAt, as
// messages rows of its own (a resend of the message resendID on its
// channel resendOf).
func (tx *Tx) queueMessage(cfg *app.MessageSettings, a *app.Appointment, kind app.MessageKind, sendAt time.Time, resendOf app.MessageChannel, resendID string) error {
	pl, err := tx.planMessages(cfg, a, []queuedMessage{{kind, sendAt}}, resendOf)
	if err != nil || pl == nil {
		return err
	}
	row := planRow{appointmentID: a.ID, patientID: a.PatientID, apptStart: a.Start, createdBy: tx.caller.Username, createdAt: tx.now}
	ms := row.messages(cfg, pl)
	for _, m := range ms {
		m.ID = newID()
	}
	return tx.insertMessages(ms, optText(resendID))
}

// queuePlan queues the messages queue about a as one row, the message
// plan (migration 0156): what each says is decided now, and the desk that
// sends writes them as messages rows (expandPlans) before it sends them.
func (tx *Tx) queuePlan(cfg *app.MessageSettings, a *app.Appointment, queue []queuedMessage) error {
	pl, err := tx.planMessages(cfg, a, queue, "")
	if err != nil || pl == nil {
		return err
	}
	raw, err := json.Marshal(pl)
	if err != nil {
		return err
	}
	ts := formatTime(tx.now)
	if _, err := tx.exec(`INSERT INTO message_plans (id, appointment_id, patient_id, appt_start, plan, origin, created_by,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, (SELECT site_id FROM sync_meta), ?, ?, ?)`,
		newID(), a.ID, a.PatientID, formatTime(a.Start), string(raw), tx.caller.Username, ts, ts); err != nil {
		return fmt.Errorf("queue messages: %w", err)
	}
	return nil
}

// messagePlan is a message plan's plan: to whom each message goes, in
// which language, with which values, and when.
type messagePlan struct {
	Lang    string        `json:"lang"`
	Zone    string        `json:"zone,omitempty"`
	Phone   string        `json:"phone,omitempty"`
	Patient string        `json:"patient"`
	Doctor  string        `json:"doctor"`
	Clinic  string        `json:"clinic,omitempty"`
	To      []planAddress `json:"to"`
	Items   []planItem    `json:"items"`
}

// planAddress is one channel a plan's messages go by, and the address.
type planAddress struct {
	Channel app.MessageChannel `json:"channel"`
	Address string             `json:"address"`
}

// planItem is one message of a plan, sent on each of its channels.
type planItem struct {
	Kind   app.MessageKind `json:"kind"`
	SendAt string          `json:"send_at"`
}

// planMessages decides the messages queue about a: each on each channel
// the patient consented to and has an address for (on resendOf only, when
// set), with the placeholders' values and the language; nil when no
// channel is left. The patient, the placeholders and the consents are
// read by one statement.
func (tx *Tx) planMessages(cfg *app.MessageSettings, a *app.Appointment, queue []queuedMessage, resendOf app.MessageChannel) (*messagePlan, error) {
	var p app.Patient
	var plang sql.NullString
	given := make([]bool, len(app.MessageChannels))
	var clinic, phone, zone, doctor sql.NullString
	// One read for what every message of the booking needs: the patient,
	// their consents as last recorded (consentOf's order), the clinic's
	// name, phone and zone, the doctor's name.
	dest := []any{&p.GivenName, &p.FamilyName, &p.Phone, &p.Email, &plang}
	for i := range given {
		dest = append(dest, &given[i])
	}
	dest = append(dest, &clinic, &phone, &zone, &doctor)
	if err := tx.queryRow(queueReadSQL, append(consentArgs(), a.DoctorID, a.PatientID)...).Scan(dest...); err != nil {
		return nil, fmt.Errorf("message patient: %w", err)
	}
	pl := &messagePlan{}
	for i, ch := range app.MessageChannels {
		if !cfg.ChannelReady(ch) || (resendOf != "" && ch != resendOf) || !given[i] {
			continue
		}
		if to := app.MessageAddress(&p, ch); to != "" {
			pl.To = append(pl.To, planAddress{ch, to})
		}
	}
	if len(pl.To) == 0 {
		return nil, nil
	}
	if a.DoctorName != "" {
		doctor.String = a.DoctorName
	} else if !doctor.Valid {
		return nil, fmt.Errorf("message doctor %s: %w", a.DoctorID, sql.ErrNoRows)
	}
	// The patient's language chooses the template (the clinic's when they
	// have none, or when there is no text in theirs); the dates are
	// written in the template's language.
	pl.Lang, pl.Zone, pl.Phone = cmp.Or(plang.String, cfg.Lang()), zone.String, phone.String
	pl.Patient, pl.Doctor, pl.Clinic = strings.TrimSpace(p.GivenName+" "+p.FamilyName), doctor.String, clinic.String
	for _, m := range queue {
		pl.Items = append(pl.Items, planItem{m.Kind, formatTime(m.SendAt)})
	}
	return pl, nil
}

// planRow is a message plan's row, or what a message queued at once
// shares with it.
type planRow struct {
	id, appointmentID, patientID, patientName string
	origin, createdBy                         string
	apptStart, createdAt                      time.Time
	count                                     int // messages written out (expandPlans)
}

// planMessageID is the id of the message of a plan's item i on ch: the
// same on every desk that writes the plan's messages.
func planMessageID(planID string, i int, ch app.MessageChannel) string {
	return planID + "." + strconv.Itoa(i) + "." + string(ch)
}

// messages are the plan pl's messages, waiting, with their text in the
// templates of cfg.
func (r planRow) messages(cfg *app.MessageSettings, pl *messagePlan) []*app.Message {
	base := messageValues{start: r.apptStart.In(zoneNamed(pl.Zone)), phone: pl.Phone,
		fields: app.MessageFields{Patient: pl.Patient, Doctor: pl.Doctor, Clinic: pl.Clinic}}
	out := make([]*app.Message, 0, len(pl.Items)*len(pl.To))
	for i, it := range pl.Items {
		tmpl, in := cfg.Template(it.Kind, pl.Lang)
		fields := base.in(in)
		body := truncate(app.RenderMessage(tmpl.Body, fields), 2000)
		for _, to := range pl.To {
			m := &app.Message{AppointmentID: r.appointmentID, PatientID: r.patientID, PatientName: r.patientName,
				Kind: it.Kind, Channel: to.Channel, To: to.Address, Body: body, SendAt: parseTime(it.SendAt),
				ApptStart: r.apptStart, Origin: r.origin, CreatedBy: r.createdBy, CreatedAt: r.createdAt,
				Status: app.MessageWaiting}
			if r.id != "" {
				m.ID = planMessageID(r.id, i, to.Channel)
			}
			if to.Channel == app.ChannelEmail {
				m.Subject = truncate(app.RenderMessage(tmpl.Subject, fields), 1000)
			}
			out = append(out, m)
		}
	}
	return out
}

// insertMessages writes ms as messages rows, by one statement; resendOf
// is the resend_of of each. A message without an origin is this desk's.
func (tx *Tx) insertMessages(ms []*app.Message, resendOf any) error {
	if len(ms) == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO messages (id, appointment_id, patient_id, kind, channel, to_address,
		subject, body, send_at, appt_start, origin, resend_of, created_by, created_at, updated_at) VALUES `)
	args := make([]any, 0, 14*len(ms))
	for i, m := range ms {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, (SELECT site_id FROM sync_meta)), ?, ?, ?, ?)`)
		ts := formatTime(m.CreatedAt)
		args = append(args, m.ID, m.AppointmentID, m.PatientID, m.Kind, m.Channel, m.To, m.Subject, m.Body,
			formatTime(m.SendAt), formatTime(m.ApptStart), optText(m.Origin), resendOf, m.CreatedBy, ts, ts)
	}
	// A plan's message already here (pulled, or pushed by another desk's
	// login before this desk wrote the plan out) stays as it is: written
	// once, the first wins, as on the server (migration 0195).
	q.WriteString(` ON CONFLICT (id) DO NOTHING`)
	if _, err := tx.ExecContext(tx.ctx, q.String(), args...); err != nil {
		return fmt.Errorf("queue message: %w", err)
	}
	return nil
}

// maxPlansAtOnce is how many plans one transaction writes out at most.
const maxPlansAtOnce = 500

// planColumns are a pending plan's columns, read by scanPlan.
const planColumns = `m.id, m.appointment_id, m.patient_id, p.given_name || ' ' || p.family_name, m.appt_start, m.plan,
	m.origin, m.created_by, m.created_at`

// pendingPlans are the plans whose messages no desk has written yet
// (message_plan_due) that where (over message_plans m, with its patient
// p) selects, in order, up to limit.
func pendingPlans(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, where, order string, limit int, args ...any) ([]planRow, []*messagePlan, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+planColumns+` FROM message_plan_due d
		JOIN message_plans m ON m.id = d.plan_id JOIN patients p ON p.id = m.patient_id
		WHERE m.deleted_at IS NULL AND `+where+` ORDER BY `+order+` LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []planRow
	var plans []*messagePlan
	for rows.Next() {
		var r planRow
		var start, created, raw string
		if err := rows.Scan(&r.id, &r.appointmentID, &r.patientID, &r.patientName, &start, &raw, &r.origin,
			&r.createdBy, &created); err != nil {
			return nil, nil, err
		}
		pl := &messagePlan{}
		if err := json.Unmarshal([]byte(raw), pl); err != nil {
			// Not a plan this desk wrote (another desk's login can push
			// any row): it says nothing and stops nothing, the log's
			// listing and the sending desk's round go on without it.
			slog.Warn("a message plan that is not one is skipped", "plan", r.id, "err", err)
			continue
		}
		r.apptStart, r.createdAt = parseTime(start), parseTime(created)
		out, plans = append(out, r), append(plans, pl)
	}
	return out, plans, rows.Err()
}

// expandPlans writes the messages of the pending plans that where (as
// pendingPlans) selects, up to limit plans, with the templates of cfg
// (this desk's settings when nil); it returns how many plans it wrote
// out, each with its count of messages. Their ids are the plan's (planMessageID), so a desk that writes a
// plan another desk wrote too writes the same rows, which the server keeps
// once.
func (tx *Tx) expandPlans(cfg *app.MessageSettings, where string, limit int, args ...any) ([]planRow, error) {
	rows, plans, err := pendingPlans(tx.ctx, tx, where, "m.created_at, m.id", limit, args...)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	if cfg == nil {
		if cfg, err = tx.db.loadMessageSettings(tx.ctx, tx, false); err != nil {
			return nil, err
		}
	}
	for i, r := range rows {
		ms := r.messages(cfg, plans[i])
		if err := tx.insertMessages(ms, nil); err != nil {
			return nil, err
		}
		rows[i].count = len(ms)
	}
	return rows, nil
}

// queueReadSQL is planMessages' one read: the patient's name, phone,
// e-mail and language, their last consent on each channel (as consentOf),
// the clinic's name, phone and time zone, and the doctor's name. Its
// arguments are consentArgs, the doctor's id, the patient's id.
var queueReadSQL = func() string {
	var q strings.Builder
	q.WriteString(`SELECT p.given_name, p.family_name, p.phone, p.email, p.language`)
	for range app.MessageChannels {
		q.WriteString(`, coalesce((SELECT c.given FROM message_consents c WHERE c.patient_id = p.id AND c.channel = ?
			AND c.deleted_at IS NULL ORDER BY c.created_at DESC, c.id DESC LIMIT 1), 0)`)
	}
	q.WriteString(`, (SELECT value FROM settings WHERE key = 'clinic_name'), (SELECT value FROM settings WHERE key = 'phone'),
		(SELECT value FROM settings WHERE key = 'time_zone'), (SELECT full_name FROM users WHERE id = ?)
		FROM patients p WHERE p.id = ?`)
	return q.String()
}()

// consentArgs are queueReadSQL's channels.
func consentArgs() []any {
	out := make([]any, len(app.MessageChannels))
	for i, ch := range app.MessageChannels {
		out[i] = ch
	}
	return out
}

// messageValues are a message's placeholders before they are written in a
// language: the appointment's start in the clinic's zone and its phone.
type messageValues struct {
	start  time.Time
	phone  string
	fields app.MessageFields
}

// in is the placeholders' values in the language lang: the weekday, the
// date without it ("30 Νοεμβρίου 2026") and the time through i18n, and
// the words for a clinic without a phone number.
func (v messageValues) in(lang string) app.MessageFields {
	f := v.fields
	l, err := i18n.Parse(lang)
	if err != nil {
		l = i18n.English
	}
	tr := i18n.For(l)
	f.Weekday, f.Date, f.Time = tr.Weekday(v.start.Weekday()), dateWithoutWeekday(tr, v.start), tr.Clock(v.start)
	f.Phone = cmp.Or(v.phone, app.MessageNoPhone[string(l)], app.MessageNoPhone["en"])
	return f
}

// dateWithoutWeekday is tr's long date of t without its weekday: "30
// November 2026", "30 Νοεμβρίου 2026", "30 de noviembre de 2026".
func dateWithoutWeekday(tr *i18n.Tr, t time.Time) string {
	long := tr.LongDate(t)
	if rest, ok := strings.CutPrefix(long, tr.Weekday(t.Weekday())); ok {
		return strings.TrimLeft(rest, ", ")
	}
	return long
}

// dropWaiting drops the waiting messages that where (over messages m)
// selects, with why; it returns how many.
func (tx *Tx) dropWaiting(where, why string, args ...any) (int, error) {
	rows, err := tx.QueryContext(tx.ctx, `SELECT m.id FROM messages m WHERE `+where+`
		AND NOT EXISTS (SELECT 1 FROM message_attempts x WHERE x.message_id = m.id AND x.outcome IN ('sent', 'failed', 'dropped'))`, args...)
	if err != nil {
		return 0, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := tx.messageAttempt(id, "dropped", why, "", time.Time{}); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// messageAttempt records one outcome of a message; a final one takes it
// off the queue, a retry moves it to next (the triggers of migration 0089,
// which do the same for the tries other desks recorded).
func (tx *Tx) messageAttempt(id, outcome, detail, ref string, next time.Time) error {
	ts := formatTime(tx.now)
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO message_attempts (id, message_id, at, outcome, detail, reference, next_at,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, newID(), id, ts, outcome, truncate(detail, 600), ref,
		optTime(next), ts, ts); err != nil {
		return fmt.Errorf("message attempt: %w", err)
	}
	return nil
}

const messageColumns = `m.id, m.appointment_id, m.patient_id, p.given_name || ' ' || p.family_name, m.kind, m.channel,
	m.to_address, m.subject, m.body, m.send_at, m.appt_start, m.origin, m.created_by, m.created_at`

func scanMessage(r rowScanner) (*app.Message, error) {
	m := &app.Message{}
	var sendAt, apptStart, created string
	if err := r.Scan(&m.ID, &m.AppointmentID, &m.PatientID, &m.PatientName, &m.Kind, &m.Channel, &m.To, &m.Subject,
		&m.Body, &sendAt, &apptStart, &m.Origin, &m.CreatedBy, &created); err != nil {
		return nil, err
	}
	m.SendAt, m.ApptStart, m.CreatedAt = parseTime(sendAt), parseTime(apptStart), parseTime(created)
	m.Status = app.MessageWaiting
	return m, nil
}

// withAttempts sets each message's status from its tries.
func withAttempts(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, ms []*app.Message) error {
	byID := make(map[string]*app.Message, len(ms))
	ids := make([]any, 0, len(ms))
	for _, m := range ms {
		byID[m.ID] = m
		ids = append(ids, m.ID)
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		chunk := ids[:n]
		ids = ids[n:]
		rows, err := q.QueryContext(ctx, `SELECT message_id, at, outcome, detail, reference, next_at FROM message_attempts
			WHERE message_id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`) ORDER BY at, id`, chunk...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, at, outcome, detail, ref string
			var next sql.NullString
			if err := rows.Scan(&id, &at, &outcome, &detail, &ref, &next); err != nil {
				rows.Close()
				return err
			}
			m := byID[id]
			if m.Status != app.MessageWaiting {
				continue // a final outcome stands
			}
			switch outcome {
			case "retry":
				m.Attempts++
				m.LastError, m.NextAttemptAt = detail, parseTime(next.String)
			case "failed":
				m.Attempts++
				m.Status, m.LastError = app.MessageFailed, detail
			case "dropped":
				m.Status, m.LastError = app.MessageDropped, detail
			case "sent":
				m.Status, m.Reference, m.SentAt = app.MessageSent, ref, parseTime(at)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// FindMessages implements app.MessageService.
func (s *MessageService) FindMessages(ctx context.Context, f app.MessageFilter) ([]*app.Message, error) {
	caller, _ := app.CallerFromContext(ctx)
	var perr error
	if f.PatientID != "" {
		perr = app.CanSeeMessagesOf(caller, f.PatientID)
	} else {
		perr = app.CanSeeMessageLog(caller)
	}
	if err := s.db.authorizeRead(ctx, "messages.find", "messages", "", f.PatientID, perr); err != nil {
		return nil, err
	}
	if f.Status != "" && f.Status != app.MessageWaiting && f.Status != app.MessageSent && f.Status != app.MessageFailed &&
		f.Status != app.MessageDropped {
		return nil, app.FieldErrorf("status", "Choose waiting, sent, failed or dropped.")
	}
	where, args := []string{"m.deleted_at IS NULL"}, []any{}
	if f.PatientID != "" {
		where, args = append(where, "m.patient_id = ?"), append(args, f.PatientID)
	}
	if !f.From.IsZero() {
		where, args = append(where, "m.created_at >= ?"), append(args, formatTime(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "m.created_at < ?"), append(args, formatTime(f.To))
	}
	limit := f.Limit
	if limit <= 0 || limit > 2000 {
		limit = 200
	}
	// With a status asked for, read more and keep those: the status is
	// the outcome of the tries.
	fetch := limit
	if f.Status != "" {
		fetch = limit * 5
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+messageColumns+` FROM messages m JOIN patients p ON p.id = m.patient_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY m.created_at DESC, m.id DESC LIMIT ?`, append(args, fetch)...)
	if err != nil {
		return nil, internal("messages.find", err)
	}
	var out []*app.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			rows.Close()
			return nil, internal("messages.find", err)
		}
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, internal("messages.find", err)
	}
	if err := withAttempts(ctx, s.db.r, out); err != nil {
		return nil, internal("messages.find", err)
	}
	// The messages of the plans no desk has written out yet, waiting.
	if f.Status == "" || f.Status == app.MessageWaiting {
		plans, pls, err := pendingPlans(ctx, s.db.r, strings.Join(where, " AND "), "m.created_at DESC, m.id DESC", fetch, args...)
		if err != nil {
			return nil, internal("messages.find", err)
		}
		if len(plans) > 0 {
			cfg, err := s.db.loadMessageSettings(ctx, s.db.r, false)
			if err != nil {
				return nil, internal("messages.find", err)
			}
			// A plan's message already here (migration 0195) is listed
			// as it is, once.
			have := make(map[string]bool, len(out))
			for _, m := range out {
				have[m.ID] = true
			}
			for i, r := range plans {
				for _, m := range r.messages(cfg, pls[i]) {
					if !have[m.ID] {
						out = append(out, m)
					}
				}
			}
			slices.SortStableFunc(out, func(a, b *app.Message) int {
				return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.ID, a.ID))
			})
		}
	}
	if f.Status != "" {
		kept := out[:0]
		for _, m := range out {
			if m.Status == f.Status {
				kept = append(kept, m)
			}
		}
		out = kept
	}
	if len(out) > limit {
		out = out[:limit]
	}
	if f.PatientID != "" {
		if err := s.db.auditOpen(ctx, "messages.find", "patients", f.PatientID, f.PatientID, "messages"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// findMessage reads one message with its status inside tx.
func (tx *Tx) findMessage(id string) (*app.Message, error) {
	m, err := scanMessage(tx.QueryRowContext(tx.ctx, `SELECT `+messageColumns+` FROM messages m
		JOIN patients p ON p.id = m.patient_id WHERE m.id = ? AND m.deleted_at IS NULL`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, app.Errorf(app.ENOTFOUND, "There is no such message.")
	} else if err != nil {
		return nil, err
	}
	if err := withAttempts(tx.ctx, tx, []*app.Message{m}); err != nil {
		return nil, err
	}
	return m, nil
}

// ResendMessage implements app.MessageService.
func (s *MessageService) ResendMessage(ctx context.Context, id string) (*app.Message, error) {
	var out *app.Message
	err := s.db.writeFor(ctx, "messages.resend", "messages", id, "", func(tx *Tx) error {
		if err := authorize(app.CanSeeMessageLog(tx.caller)); err != nil {
			return err
		}
		m, err := tx.findMessage(id)
		if err != nil {
			return err
		}
		if m.Status != app.MessageFailed && m.Status != app.MessageDropped {
			return app.Errorf(app.ECONFLICT, "This message is %s: only a failed or dropped message is sent again.", m.Status)
		}
		a, err := tx.findAppointment(m.AppointmentID)
		if err != nil {
			return err
		}
		if why := messageStale(m, a, tx.now); why != "" {
			return app.Errorf(app.ECONFLICT, "This message is not sent again: %s.", why)
		}
		cfg, err := tx.db.loadMessageSettings(tx.ctx, tx, false)
		if err != nil {
			return err
		}
		if !cfg.Enabled || !cfg.ChannelReady(m.Channel) {
			return app.Errorf(app.ECONFLICT, "Messages by %s are not set up on this desk (Settings → Messages).", m.Channel.Label())
		}
		if err := tx.queueMessage(cfg, a, m.Kind, tx.now, m.Channel, m.ID); err != nil {
			return err
		}
		nm, err := scanMessage(tx.QueryRowContext(tx.ctx, `SELECT `+messageColumns+` FROM messages m JOIN patients p ON p.id = m.patient_id
			WHERE m.resend_of = ? AND m.channel = ? ORDER BY m.created_at DESC, m.id DESC LIMIT 1`, m.ID, m.Channel))
		if errors.Is(err, sql.ErrNoRows) {
			return app.Errorf(app.ECONFLICT, "This message is not sent again: the patient has no consent or no %s on record.", m.Channel.Label())
		} else if err != nil {
			return err
		}
		tx.Audit("messages.resend", "messages", nm.ID, m.PatientID, fmt.Sprintf("%s by %s, again (was %s)", m.Kind.Label(), m.Channel.Label(), m.ID))
		out = nm
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// messageStale says why m should no longer go out, given its appointment
// as it is now; "" when it should.
func messageStale(m *app.Message, a *app.Appointment, now time.Time) string {
	switch m.Kind {
	case app.MessageCancellation:
		if a.Status != app.AppointmentCancelled {
			return "the appointment is " + strings.ToLower(a.Status.Label()) + " now"
		}
		return ""
	}
	switch {
	case a.Status != app.AppointmentConfirmed:
		if a.RescheduledTo != "" {
			return "the appointment was moved"
		}
		return "the appointment is " + strings.ToLower(a.Status.Label())
	case !a.Start.Equal(m.ApptStart):
		return "the appointment's time changed"
	case !a.Start.After(now):
		return "the appointment has begun"
	}
	return ""
}

type sendLeaseKey struct{}

// WithSendLease returns a context in which DeliverDue may send on a desk
// that syncs: the desk holds the clinic's send lease until until (the
// desk's clock, a margin before the server's end). DeliverDue stops
// sending once until passes.
func WithSendLease(ctx context.Context, until time.Time) context.Context {
	return context.WithValue(ctx, sendLeaseKey{}, until)
}

func sendLeaseFrom(ctx context.Context) (time.Time, bool) {
	t, ok := ctx.Value(sendLeaseKey{}).(time.Time)
	return t, ok
}

// DeliveryCaller is who the audit log names for messages the desk sends
// on its own.
var DeliveryCaller = app.Caller{Username: "hms:messages", Role: app.RoleAdmin}

// DeliverDue implements app.MessageService.
func (s *MessageService) DeliverDue(ctx context.Context, t app.MessageTransport) (app.DeliveryReport, error) {
	var rep app.DeliveryReport
	caller, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "messages.deliver", "messages", "", "", app.CanDeliverMessages(caller)); err != nil {
		return rep, err
	}
	if t == nil {
		return rep, errors.New("messages.deliver: no transport")
	}
	until, leased := sendLeaseFrom(ctx)
	if !leased {
		var epoch sql.NullString
		if err := s.db.r.QueryRowContext(ctx, `SELECT server_epoch FROM sync_meta WHERE id = 1`).Scan(&epoch); err != nil {
			return rep, internal("messages.deliver", err)
		}
		if epoch.Valid {
			return rep, app.Errorf(app.ECONFLICT, "This desk syncs with the clinic's other desks: it sends messages only while it holds the clinic's send lease, so that no message goes twice.")
		}
	}
	cfg, err := s.db.loadMessageSettings(ctx, s.db.r, true)
	if err != nil {
		return rep, internal("messages.deliver", err)
	}
	if !cfg.Enabled {
		return rep, nil
	}
	// The plans of bookings since the last round become their messages
	// (their confirmations are due at once).
	for {
		var pending bool
		if err := s.db.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM message_plan_due)`).Scan(&pending); err != nil {
			return rep, internal("messages.deliver", err)
		}
		if !pending || ctx.Err() != nil || (leased && !s.db.now().Before(until)) {
			break
		}
		var n int
		err := s.db.inTx(ctx, caller, "messages.deliver", func(tx *Tx) error {
			rows, err := tx.expandPlans(cfg, "1", maxPlansAtOnce)
			for _, r := range rows {
				tx.Audit("messages.deliver", "appointments", r.appointmentID, r.patientID,
					fmt.Sprintf("%d message(s) queued with the appointment written out (plan %s)", r.count, r.id))
			}
			n = len(rows)
			return err
		})
		if err != nil {
			return rep, err
		}
		if n < maxPlansAtOnce {
			break
		}
	}
	now := s.db.now().UTC()
	// A plan's message this enrolled desk wrote out goes once the server
	// has confirmed its copy (message_unconfirmed, migration 0190): another
	// desk may have written the plan out first, with other templates, and
	// the server keeps that copy, which this desk then pulls.
	rows, err := s.db.r.QueryContext(ctx, `SELECT message_id FROM message_due WHERE due_at <= ?
		AND message_id NOT IN (SELECT message_id FROM message_unconfirmed) ORDER BY due_at LIMIT 200`, formatTime(now))
	if err != nil {
		return rep, internal("messages.deliver", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return rep, internal("messages.deliver", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	for i := 0; i < len(ids); i++ {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if leased && !s.db.now().Before(until) {
			break // the lease ran out: the next round renews it, or another desk sends
		}
		again, err := s.deliverOne(ctx, t, cfg, ids[i], &rep)
		if err != nil {
			return rep, err
		}
		if again != "" {
			ids = append(ids, again) // written again as the templates say: it goes this round
		}
	}
	return rep, nil
}

// misaddressed says why m, about the appointment a, must not go to its
// address ("" when it may): a message goes only to the appointment's
// patient, at the address on their record for its channel. Messages and
// plans are rows any desk's login can push (the server keeps them as
// written), so the desk that sends checks this itself before each try:
// a row naming another address, or another patient than the
// appointment's, is dropped with the reason, never handed to the mail
// server or gateway. A patient whose address changed since the message
// was queued gets it no more at the old one (dropped, with the reason).
// Nor does a copy of a message already sent go again.
func (tx *Tx) misaddressed(m *app.Message, a *app.Appointment) (string, error) {
	if m.PatientID != a.PatientID {
		return "it is not about the appointment's patient", nil
	}
	var p app.Patient
	err := tx.QueryRowContext(tx.ctx, `SELECT email, phone FROM patients WHERE id = ?`, m.PatientID).Scan(&p.Email, &p.Phone)
	if errors.Is(err, sql.ErrNoRows) {
		return "the patient is not on record", nil
	} else if err != nil {
		return "", err
	}
	if to := app.MessageAddress(&p, m.Channel); to == "" || to != m.To {
		return "it is not addressed to the patient's " + strings.ToLower(m.Channel.Label()) + " on record", nil
	}
	// A copy of a message already sent (another plan, or a row, with the
	// same appointment, kind, channel and time, that is no resend): the
	// patient has it. A resend a person asked for goes.
	var dup bool
	if err := tx.QueryRowContext(tx.ctx, `SELECT EXISTS (SELECT 1 FROM messages o JOIN message_attempts x ON x.message_id = o.id
		WHERE o.appointment_id = ? AND o.kind = ? AND o.channel = ? AND o.send_at = ? AND o.id <> ? AND x.outcome = 'sent')
		AND (SELECT resend_of IS NULL FROM messages WHERE id = ?)`,
		a.ID, m.Kind, m.Channel, formatTime(m.SendAt), m.ID, m.ID).Scan(&dup); err != nil {
		return "", err
	}
	if dup {
		return "the same message was sent already", nil
	}
	return "", nil
}

// MessagesUnconfirmed is how many of the plans' messages this enrolled
// desk wrote out still wait for the server to confirm its copy (migration
// 0190): the sync engine syncs before it sends them.
func (db *DB) MessagesUnconfirmed(ctx context.Context) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM message_unconfirmed`).Scan(&n)
	return n, err
}

// unfitName says which name of the plan pl cannot go into a message to
// the patient (app.NameFitForMessage), "" when both can.
func (pl *messagePlan) unfitName() string {
	switch {
	case !app.NameFitForMessage(pl.Patient):
		return app.MessagePatientNameUnfit
	case !app.NameFitForMessage(pl.Doctor):
		return app.MessageDoctorNameUnfit
	}
	return ""
}

// asTheClinicWrites is the message m about the appointment a as the
// sending desk writes it now: its kind, channel and time, with the values
// of this desk's records (the patient's name, language and address, the
// doctor's name, the clinic's name, phone and zone, the appointment's
// start) in the clinic's templates of cfg, which every desk takes only
// signed by an administrator. Nil when it cannot be written (no consent
// or address on its channel, the doctor not on record).
//
// Messages and plans are rows any desk's login can push, with any text,
// so the desk that sends never sends a row's text as it came: it sends a
// message only when the row says what this says (data.deliverOne), else
// the row is refused. The names it writes in come from rows a desk's
// login can push unsigned too (the patient's, the doctor's): unfit says
// which of them cannot go into a message (messagePlan.unfitName), and
// then there is no message to write.
func (tx *Tx) asTheClinicWrites(cfg *app.MessageSettings, m *app.Message, a *app.Appointment) (w *app.Message, unfit string, err error) {
	pl, err := tx.planMessages(cfg, a, []queuedMessage{{m.Kind, m.SendAt}}, m.Channel)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", nil
	} else if err != nil || pl == nil {
		return nil, "", err
	}
	if unfit := pl.unfitName(); unfit != "" {
		return nil, unfit, nil
	}
	row := planRow{appointmentID: a.ID, patientID: a.PatientID, patientName: m.PatientName, apptStart: a.Start,
		createdBy: tx.caller.Username, createdAt: tx.now}
	for _, w := range row.messages(cfg, pl) {
		if w.Channel == m.Channel {
			return w, "", nil
		}
	}
	return nil, "", nil
}

// refuseText drops the message m, whose text is not w's (what the
// clinic's templates say; nil when they say nothing), audited as refused,
// and writes w in its place, as a resend of m, unless the patient has
// this message already or it waits under another row; it returns the id
// of the message written, "" when none.
func (tx *Tx) refuseText(m, w *app.Message) (string, error) {
	var have bool
	if w != nil && w.To == m.To {
		if err := tx.QueryRowContext(tx.ctx, `SELECT EXISTS (SELECT 1 FROM messages o WHERE o.appointment_id = ? AND o.kind = ?
			AND o.channel = ? AND o.send_at = ? AND o.id <> ? AND o.deleted_at IS NULL
			AND (o.resend_of = ? OR o.id IN (SELECT message_id FROM message_due)
				OR EXISTS (SELECT 1 FROM message_attempts x WHERE x.message_id = o.id AND x.outcome = 'sent')))`,
			m.AppointmentID, m.Kind, m.Channel, formatTime(m.SendAt), m.ID, m.ID).Scan(&have); err != nil {
			return "", err
		}
	}
	again := ""
	why := app.MessageTextNotTheClinics
	if w != nil && w.To == m.To && !have {
		w.ID, w.SendAt = newID(), m.SendAt
		if err := tx.insertMessages([]*app.Message{w}, m.ID); err != nil {
			return "", err
		}
		again, why = w.ID, app.MessageTextNotTheClinicsWritten
	}
	if err := tx.messageAttempt(m.ID, "dropped", why, "", time.Time{}); err != nil {
		return "", err
	}
	// The row's own words (its text, who it says wrote it) are the
	// forger's when it was pushed: the log names the row, not them.
	detail := fmt.Sprintf("%s by %s refused, not sent: its text is not what the clinic's templates say for this appointment",
		m.Kind.Label(), m.Channel.Label())
	if again != "" {
		detail += "; written again as they say (" + again + ")"
	}
	tx.Audit("messages.refused", "messages", m.ID, m.PatientID, detail)
	return again, nil
}

// refuseName drops the message m, which would carry a name that cannot
// go into a message (unfit, messagePlan.unfitName), audited as refused;
// nothing is written in its place. Neither the name nor the row's text
// goes into the log: they may be a forger's.
func (tx *Tx) refuseName(m *app.Message, unfit string) error {
	if err := tx.messageAttempt(m.ID, "dropped", unfit, "", time.Time{}); err != nil {
		return err
	}
	tx.Audit("messages.refused", "messages", m.ID, m.PatientID, fmt.Sprintf("%s by %s refused, not sent: %s",
		m.Kind.Label(), m.Channel.Label(), unfit))
	return nil
}

// deliverOne checks one due message, sends it outside any transaction and
// records the outcome; it returns the id of a message it wrote in place
// of one whose text was not the clinic's ("" when none), due at once.
func (s *MessageService) deliverOne(ctx context.Context, t app.MessageTransport, cfg *app.MessageSettings, id string, rep *app.DeliveryReport) (string, error) {
	var m *app.Message
	var again string
	caller, _ := app.CallerFromContext(ctx)
	// The check writes (and audits) only when it drops the message.
	err := s.db.inTx(ctx, caller, "messages.deliver", func(tx *Tx) error {
		var err error
		if m, err = tx.findMessage(id); err != nil {
			return err
		}
		if m.Status != app.MessageWaiting {
			// Finished elsewhere (dropped on another desk): off the queue.
			_, err := tx.ExecContext(tx.ctx, `DELETE FROM message_due WHERE message_id = ?`, id)
			tx.Audit("messages.deliver", "messages", id, m.PatientID, "already "+string(m.Status))
			m = nil
			return err
		}
		a, err := tx.findAppointment(m.AppointmentID)
		if err != nil {
			return err
		}
		why := messageStale(m, a, tx.now)
		if why == "" {
			c, err := consentOf(tx.ctx, tx, m.PatientID, m.Channel)
			if err != nil {
				return err
			}
			if !c.Given {
				why = "consent withdrawn"
			} else if !cfg.ChannelReady(m.Channel) {
				why = m.Channel.Label() + " is not set up on this desk"
			}
		}
		if why == "" {
			if why, err = tx.misaddressed(m, a); err != nil {
				return err
			}
		}
		if why == "" {
			// Only the clinic's text goes: the row's, when it is what the
			// templates say for this appointment now.
			w, unfit, err := tx.asTheClinicWrites(cfg, m, a)
			if err != nil {
				return err
			}
			if unfit != "" {
				rep.Dropped++
				err = tx.refuseName(m, unfit)
				m = nil
				return err
			}
			if w == nil || w.To != m.To || w.Subject != m.Subject || w.Body != m.Body {
				rep.Dropped++
				again, err = tx.refuseText(m, w)
				m = nil
				return err
			}
		}
		if why != "" {
			rep.Dropped++
			if err := tx.messageAttempt(id, "dropped", why, "", time.Time{}); err != nil {
				return err
			}
			tx.Audit("messages.deliver", "messages", id, m.PatientID, m.Kind.Label()+" dropped: "+why)
			m = nil
		}
		return nil
	})
	if err != nil || m == nil {
		return again, err
	}
	sendErr := t.Send(ctx, cfg, m, m.ID)
	return "", s.db.writeFor(ctx, "messages.deliver", "messages", id, m.PatientID, func(tx *Tx) error {
		switch {
		case sendErr == nil:
			rep.Sent++
			if err := tx.messageAttempt(id, "sent", "", m.ID, time.Time{}); err != nil {
				return err
			}
			tx.Audit("messages.deliver", "messages", id, m.PatientID, m.Kind.Label()+" sent by "+m.Channel.Label())
		case app.IsUndeliverable(sendErr) || m.Attempts+1 >= app.MaxMessageAttempts:
			rep.Failed++
			if err := tx.messageAttempt(id, "failed", sendErr.Error(), "", time.Time{}); err != nil {
				return err
			}
			tx.Audit("messages.deliver", "messages", id, m.PatientID, m.Kind.Label()+" failed: "+truncate(sendErr.Error(), 200))
		default:
			rep.Retrying++
			next := tx.now.Add(app.MessageRetryDelay(m.Attempts + 1))
			if err := tx.messageAttempt(id, "retry", sendErr.Error(), "", next); err != nil {
				return err
			}
			tx.Audit("messages.deliver", "messages", id, m.PatientID, m.Kind.Label()+" not sent, retry at "+formatTime(next)+": "+
				truncate(sendErr.Error(), 200))
		}
		return nil
	})
}

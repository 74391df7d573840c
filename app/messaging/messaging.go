// Package messaging hands messages to patients to a mail server (SMTP) or
// an HTTP SMS gateway. It knows nothing of the database: the data layer
// decides what is due and records the outcome.
package messaging

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/mail"
	"net/smtp"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"hms/app"
)

// Transport sends by e-mail and SMS with the clinic's settings. The zero
// value is ready; TLSConfig and HTTPClient may be set (tests trust their
// own certificate through them).
type Transport struct {
	TLSConfig  *tls.Config
	HTTPClient *http.Client
	// Now stamps the e-mail's Date header; nil is time.Now.
	Now func() time.Time
}

var _ app.MessageTransport = (*Transport)(nil)

// Send implements app.MessageTransport.
func (t *Transport) Send(ctx context.Context, s *app.MessageSettings, m *app.Message, ref string) error {
	switch m.Channel {
	case app.ChannelEmail:
		return t.sendMail(ctx, &s.SMTP, m, ref)
	case app.ChannelSMS:
		return t.sendSMS(ctx, &s.SMS, m, ref)
	}
	return fmt.Errorf("no such channel %q", m.Channel)
}

// MessageID is the Message-ID an e-mail of reference ref carries.
func MessageID(ref, from string) string {
	domain := "hms.invalid"
	if a, err := mail.ParseAddress(from); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok && d != "" {
			domain = d
		}
	}
	return "<" + ref + "@" + domain + ">"
}

// mailText is the message as RFC 5322 text: UTF-8, quoted-printable free
// (base64 body), with the Message-ID that makes a resend identifiable.
func (t *Transport) mailText(cfg *app.SMTPSettings, m *app.Message, ref string) ([]byte, error) {
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("the sender address %q: %w", cfg.From, err)
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("the patient's address %q: %w", m.To, err)
	}
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	var b strings.Builder
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", from.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", oneLine(m.Subject)))
	header("Date", now().Format(time.RFC1123Z))
	header("Message-ID", MessageID(ref, cfg.From))
	header("MIME-Version", "1.0")
	header("Content-Type", `text/plain; charset="utf-8"`)
	header("Content-Transfer-Encoding", "8bit")
	b.WriteString("\r\n")
	body := strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")
	b.WriteString(body)
	b.WriteString("\r\n")
	return []byte(b.String()), nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func (t *Transport) sendMail(ctx context.Context, cfg *app.SMTPSettings, m *app.Message, ref string) error {
	if cfg.Host == "" {
		return errors.New("no mail server is set up (Settings → Messages)")
	}
	text, err := t.mailText(cfg, m, ref)
	if err != nil {
		return err
	}
	from, _ := mail.ParseAddress(cfg.From)
	to, _ := mail.ParseAddress(m.To)
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	tlsCfg := &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	if t.TLSConfig != nil {
		tlsCfg = t.TLSConfig.Clone()
		if tlsCfg.ServerName == "" {
			tlsCfg.ServerName = cfg.Host
		}
	}
	d := &net.Dialer{Timeout: 20 * time.Second}
	var conn net.Conn
	if cfg.Security == app.SMTPTLS {
		conn, err = (&tls.Dialer{NetDialer: d, Config: tlsCfg}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("cannot reach the mail server %s: %w", addr, err)
	}
	deadline := time.Now().Add(60 * time.Second)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, cfg.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("the mail server %s: %w", addr, err)
	}
	defer c.Close()
	if cfg.Security == app.SMTPStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fmt.Errorf("the mail server %s does not offer STARTTLS; choose TLS or ask its administrator", addr)
		}
		if err := c.StartTLS(tlsCfg); err != nil {
			return fmt.Errorf("STARTTLS with %s: %w", addr, err)
		}
	}
	if cfg.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return fmt.Errorf("the mail server %s does not accept a login", addr)
		}
		// net/smtp's PlainAuth refuses to send the password unencrypted
		// except to localhost.
		if err := c.Auth(smtp.PlainAuth("", cfg.Username, cfg.Password, cfg.Host)); err != nil {
			return fmt.Errorf("the mail server refused the login: %w", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("the mail server refused the sender: %w", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return &app.Undeliverable{Err: fmt.Errorf("the mail server refused the recipient %s: %w", to.Address, err)}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(text); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("the mail server did not accept the message: %w", err)
	}
	return c.Quit()
}

// smsValues are the gateway template's placeholders for one message.
func smsValues(g *app.SMSGateway, m *app.Message, ref string) map[string]string {
	return map[string]string{"to": m.To, "text": m.Body, "reference": ref, "sender": g.Sender, "secret": g.Secret}
}

var smsPlaceholder = regexp.MustCompile(`\{(to|text|reference|sender|secret)\}`)

func fill(tmpl string, vals map[string]string, escape func(string) string) string {
	return smsPlaceholder.ReplaceAllStringFunc(tmpl, func(p string) string {
		return escape(vals[p[1:len(p)-1]])
	})
}

// SMSRequest builds the gateway request for one message.
func SMSRequest(ctx context.Context, g *app.SMSGateway, m *app.Message, ref string) (*http.Request, error) {
	vals := smsValues(g, m, ref)
	u := fill(g.URL, vals, url.QueryEscape)
	var body io.Reader
	ct := strings.ToLower(g.ContentType)
	if g.Method != "GET" && g.Body != "" {
		esc := func(s string) string { return s }
		switch {
		case strings.Contains(ct, "json"):
			esc = func(s string) string {
				b, _ := json.Marshal(s)
				return string(b[1 : len(b)-1])
			}
		case strings.Contains(ct, "x-www-form-urlencoded"):
			esc = url.QueryEscape
		}
		body = strings.NewReader(fill(g.Body, vals, esc))
	}
	method := g.Method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("the gateway's address: %w", err)
	}
	if g.ContentType != "" && body != nil {
		req.Header.Set("Content-Type", g.ContentType)
	}
	for _, h := range g.Headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), fill(strings.TrimSpace(v), vals, func(s string) string { return s }))
	}
	return req, nil
}

func (t *Transport) sendSMS(ctx context.Context, g *app.SMSGateway, m *app.Message, ref string) error {
	if g.URL == "" {
		return errors.New("no SMS gateway is set up (Settings → Messages)")
	}
	req, err := SMSRequest(ctx, g, m, ref)
	if err != nil {
		return err
	}
	client := t.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach the SMS gateway: %w", err)
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		err := fmt.Errorf("the SMS gateway answered %s: %s", resp.Status, oneLine(string(reply)))
		if resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests &&
			resp.StatusCode != http.StatusRequestTimeout {
			return &app.Undeliverable{Err: err}
		}
		return err
	}
	if g.SuccessPattern != "" {
		re, err := regexp.Compile(g.SuccessPattern)
		if err != nil {
			return &app.Undeliverable{Err: fmt.Errorf("the success pattern: %w", err)}
		}
		if !re.Match(reply) {
			return fmt.Errorf("the SMS gateway's reply does not say the message was accepted: %s", oneLine(string(reply)))
		}
	}
	return nil
}

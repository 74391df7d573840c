package messaging_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"hms/app"
	"hms/app/messaging"
)

// mailbox is a local SMTP server's store: every message it accepted.
type mailbox struct {
	mu    sync.Mutex
	mails []received
	// refuse, when set, is the recipient the server refuses.
	refuse string
}

type received struct {
	from, to string
	data     string
	user     string
}

type backend struct{ box *mailbox }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{box: b.box}, nil }

type session struct {
	box  *mailbox
	cur  received
	user string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "desk" || pass != "mail password" {
			return errors.New("invalid credentials")
		}
		s.user = user
		return nil
	}), nil
}
func (s *session) Reset()        { s.cur = received{} }
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.user == "" {
		return &smtp.SMTPError{Code: 530, Message: "authentication required"}
	}
	s.cur.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if to == s.box.refuse {
		return &smtp.SMTPError{Code: 550, Message: "no such user"}
	}
	s.cur.to = to
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data, s.cur.user = string(b), s.user
	s.box.mu.Lock()
	s.box.mails = append(s.box.mails, s.cur)
	s.box.mu.Unlock()
	return nil
}

// selfSigned is a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mail.test"},
		DNSNames: []string{"mail.test"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// startSMTP runs a local SMTP server offering STARTTLS and AUTH PLAIN.
func startSMTP(t *testing.T) (*mailbox, int, *x509.CertPool) {
	t.Helper()
	cert, pool := selfSigned(t)
	box := &mailbox{}
	srv := smtp.NewServer(backend{box})
	srv.Domain = "mail.test"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return box, l.Addr().(*net.TCPAddr).Port, pool
}

func message(ch app.MessageChannel, to string) *app.Message {
	return &app.Message{ID: "01JMSG0001", Channel: ch, To: to, Kind: app.MessageReminder,
		Subject: "Υπενθύμιση: your appointment on Saturday 28 November 2026 at 09:30",
		Body:    "Dear Ζωή Παπαδοπούλου, this is a reminder of your appointment.\nTo change it, call 210 555 0100."}
}

// TestSendMail: a reminder through a real SMTP conversation, STARTTLS with
// the server's certificate checked, a login, UTF-8 text, and the
// message's reference in its Message-ID.
func TestSendMail(t *testing.T) {
	box, port, pool := startSMTP(t)
	s := &app.MessageSettings{SMTP: app.SMTPSettings{Host: "127.0.0.1", Port: port, Security: app.SMTPStartTLS,
		Username: "desk", Password: "mail password", From: "Riverside Clinic <desk@clinic.example>"}}
	tr := &messaging.Transport{TLSConfig: &tls.Config{RootCAs: pool}}
	if err := tr.Send(context.Background(), s, message(app.ChannelEmail, "zoe@example.org"), "01JMSG0001"); err != nil {
		t.Fatal(err)
	}
	box.mu.Lock()
	defer box.mu.Unlock()
	if len(box.mails) != 1 {
		t.Fatalf("%d mails", len(box.mails))
	}
	m := box.mails[0]
	if m.from != "desk@clinic.example" || m.to != "zoe@example.org" || m.user != "desk" {
		t.Fatalf("envelope %+v", m)
	}
	for _, want := range []string{"Message-ID: <01JMSG0001@clinic.example>", "Subject: =?utf-8?q?",
		"Dear Ζωή Παπαδοπούλου", "charset=\"utf-8\"", "\r\nTo change it"} {
		if !strings.Contains(m.data, want) {
			t.Errorf("the mail lacks %q:\n%s", want, m.data)
		}
	}
}

// TestSendMailRefusals: an untrusted certificate, a wrong password and a
// refused recipient each fail with a clear reason; the refused recipient
// is final (not retried), the others are retried.
func TestSendMailRefusals(t *testing.T) {
	box, port, pool := startSMTP(t)
	box.refuse = "gone@example.org"
	base := app.SMTPSettings{Host: "127.0.0.1", Port: port, Security: app.SMTPStartTLS, Username: "desk",
		Password: "mail password", From: "desk@clinic.example"}
	ctx := context.Background()

	err := (&messaging.Transport{}).Send(ctx, &app.MessageSettings{SMTP: base}, message(app.ChannelEmail, "zoe@example.org"), "r1")
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") || app.IsUndeliverable(err) {
		t.Fatalf("an unknown certificate: %v", err)
	}
	bad := base
	bad.Password = "wrong"
	tr := &messaging.Transport{TLSConfig: &tls.Config{RootCAs: pool}}
	err = tr.Send(ctx, &app.MessageSettings{SMTP: bad}, message(app.ChannelEmail, "zoe@example.org"), "r2")
	if err == nil || !strings.Contains(err.Error(), "refused the login") {
		t.Fatalf("a wrong password: %v", err)
	}
	err = tr.Send(ctx, &app.MessageSettings{SMTP: base}, message(app.ChannelEmail, "gone@example.org"), "r3")
	if err == nil || !app.IsUndeliverable(err) || !strings.Contains(err.Error(), "gone@example.org") {
		t.Fatalf("a refused recipient: %v", err)
	}
	if len(box.mails) != 0 {
		t.Fatalf("%d mails went", len(box.mails))
	}
}

// TestSendSMS: the generic gateway gets the request its templates make,
// escaped for the body's type, and the reply is checked against the
// success pattern.
func TestSendSMS(t *testing.T) {
	var mu sync.Mutex
	var got []url.Values
	var auth []string
	reply := `{"status":"queued"}`
	code := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		got = append(got, r.PostForm)
		auth = append(auth, r.Header.Get("Authorization"))
		w.WriteHeader(code)
		io.WriteString(w, reply)
	}))
	defer srv.Close()
	g := app.SMSGateway{URL: srv.URL + "/send?ref={reference}", Method: "POST", ContentType: "application/x-www-form-urlencoded",
		Headers: []string{"Authorization: Bearer test-token"}, Body: "to={to}&from={sender}&text={text}",
		SuccessPattern: `"status":"queued"`, Sender: "Clinic"}
	s := &app.MessageSettings{SMS: g}
	tr := &messaging.Transport{}
	ctx := context.Background()
	if err := tr.Send(ctx, s, message(app.ChannelSMS, "+30 690 000 0001"), "01JMSG0001"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(got) != 1 || got[0].Get("to") != "+30 690 000 0001" || got[0].Get("from") != "Clinic" ||
		!strings.HasPrefix(got[0].Get("text"), "Dear Ζωή") || auth[0] != "Bearer test-token" {
		t.Fatalf("gateway got %v %v", got, auth)
	}
	mu.Unlock()

	reply = `{"status":"rejected"}`
	if err := tr.Send(ctx, s, message(app.ChannelSMS, "+30 690 000 0001"), "r2"); err == nil || app.IsUndeliverable(err) {
		t.Fatalf("a reply without the pattern: %v", err)
	}
	code, reply = http.StatusServiceUnavailable, "busy"
	if err := tr.Send(ctx, s, message(app.ChannelSMS, "+30 690 000 0001"), "r3"); err == nil || app.IsUndeliverable(err) ||
		!strings.Contains(err.Error(), strconv.Itoa(code)) {
		t.Fatalf("a busy gateway is retried: %v", err)
	}
	code = http.StatusBadRequest
	if err := tr.Send(ctx, s, message(app.ChannelSMS, "+30 690 000 0001"), "r4"); !app.IsUndeliverable(err) {
		t.Fatalf("a rejected request is final: %v", err)
	}
}

// TestSMSRequestJSON: a JSON body escapes the text as a JSON string.
func TestSMSRequestJSON(t *testing.T) {
	g := &app.SMSGateway{URL: "https://sms.example.org/v1/messages", Method: "POST", ContentType: "application/json",
		Body: `{"to":"{to}","text":"{text}","client_ref":"{reference}"}`}
	m := message(app.ChannelSMS, "+306900000001")
	m.Body = "Line \"one\"\nline two"
	req, err := messaging.SMSRequest(context.Background(), g, m, "ref-1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(req.Body)
	want := `{"to":"+306900000001","text":"Line \"one\"\nline two","client_ref":"ref-1"}`
	if string(b) != want || req.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("body %s", b)
	}
}

// TestSMSRequestSecret: the gateway's secret fills {secret} in a header
// and a form body, escaped as the body's type asks.
func TestSMSRequestSecret(t *testing.T) {
	g := &app.SMSGateway{URL: "https://rest.example.org/sms", Method: "POST", ContentType: "application/x-www-form-urlencoded",
		Headers: []string{"Authorization: Basic {secret}"}, Body: "api_secret={secret}&to={to}", Secret: "s3cr&t"}
	req, err := messaging.SMSRequest(context.Background(), g, message(app.ChannelSMS, "+306900000001"), "ref-2")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(req.Body)
	if string(b) != "api_secret=s3cr%26t&to=%2B306900000001" || req.Header.Get("Authorization") != "Basic s3cr&t" {
		t.Fatalf("body %s, header %q", b, req.Header.Get("Authorization"))
	}
}

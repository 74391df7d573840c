package escpos

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"hms/app"
)

func sampleReceipt(method app.PaymentMethod) *app.Receipt {
	return &app.Receipt{
		Clinic: app.Settings{ClinicName: "Riverside Clinic", Address: "1 Main St", Phone: "555-0100"},
		Payment: app.Payment{
			ReceiptNumber: "R-D1-2026-000042", PatientName: "Ana Müller", PatientMRN: "MRN-000123",
			Currency: "EUR", Amount: 2500, Method: method, Tendered: 3000, Change: 500,
			CashierName: "Bea Cash", TakenAt: time.Date(2026, 12, 5, 9, 30, 0, 0, time.UTC),
		},
		Invoices: []app.ReceiptInvoice{{Number: "INV-D1-2026-000017", Total: 2500, Paid: 2500}},
		TimeZone: "UTC",
	}
}

func TestReceiptBytes(t *testing.T) {
	b, err := Receipt(sampleReceipt(app.PayCash), false, Columns80mm)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte{0x1b, 0x40}) {
		t.Errorf("does not start with ESC @: % x", b[:4])
	}
	// A cash payment's first print: cut, then open the drawer.
	tail := []byte{0x1d, 0x56, 0x42, 0x03, 0x1b, 0x70, 0x00, 0x19, 0xfa}
	if !bytes.HasSuffix(b, tail) {
		t.Errorf("ends % x, want cut and drawer kick % x", b[max(0, len(b)-12):], tail)
	}
	for _, want := range []string{
		"Riverside Clinic\n", "R-D1-2026-000042\n", "Date Sat 2026-12-05 09:30\n",
		"Ana Muller\n", "Record no. MRN-000123\n", "Invoice INV-D1-2026-000017\n",
		"Cash tendered" + strings.Repeat(" ", 48-len("Cash tendered")-len("30.00 EUR")) + "30.00 EUR\n",
		"Received by Bea Cash. Thank you.\n",
	} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("missing %q in\n%s", want, b)
		}
	}
	if bytes.Contains(b, []byte("COPY")) {
		t.Error("first print says COPY")
	}
	for i, c := range b[:len(b)-len(tail)] {
		if c > 0x7f {
			t.Fatalf("byte %d is %#x: text must be ASCII", i, c)
		}
	}
}

func TestReceiptCopyNoDrawer(t *testing.T) {
	b, err := Receipt(sampleReceipt(app.PayCash), true, Columns58mm)
	if err != nil {
		t.Fatal(err)
	}
	// A copy says so in bold, centred, and cuts without opening the drawer.
	if !bytes.Contains(b, []byte("\x1ba\x01\x1bE\x01COPY\n\x1bE\x00\x1ba\x00")) {
		t.Errorf("no bold centred COPY in %q", b)
	}
	if !bytes.HasSuffix(b, []byte{0x1d, 0x56, 0x42, 0x03}) {
		t.Errorf("copy does not end with the cut: % x", b[len(b)-9:])
	}
	for _, line := range strings.Split(string(b), "\n") {
		if len(stripCommands(line)) > Columns58mm {
			t.Errorf("line wider than %d columns: %q", Columns58mm, line)
		}
	}
	card, _ := Receipt(sampleReceipt(app.PayCard), false, Columns80mm)
	if bytes.Contains(card, []byte{0x1b, 0x70}) {
		t.Error("a card payment opens the drawer")
	}
}

func stripCommands(s string) string {
	for _, c := range []string{"\x1ba\x01", "\x1ba\x00", "\x1bE\x01", "\x1bE\x00", "\x1b@"} {
		s = strings.ReplaceAll(s, c, "")
	}
	return s
}

type sink struct {
	bytes.Buffer
	closed bool
}

func (s *sink) Close() error { s.closed = true; return nil }

func TestSendTargets(t *testing.T) {
	data := []byte("\x1b@hello\n")
	var got struct {
		file, network, addr, cmd string
		args                     []string
		stdin                    []byte
	}
	dev := &sink{}
	server, client := net.Pipe()
	read := make(chan []byte)
	go func() { b, _ := io.ReadAll(server); read <- b }()
	s := Sender{
		Open: func(path string) (io.WriteCloser, error) { got.file = path; return dev, nil },
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			got.network, got.addr = network, addr
			return client, nil
		},
		Run: func(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
			got.cmd, got.args, got.stdin = name, args, stdin
			return nil, nil
		},
	}
	ctx := context.Background()
	if err := s.Send(ctx, "/dev/usb/lp0", data); err != nil || got.file != "/dev/usb/lp0" || dev.String() != string(data) || !dev.closed {
		t.Errorf("device: %v %q %q", err, got.file, dev.String())
	}
	if err := s.Send(ctx, "192.168.1.50:9100", data); err != nil || got.network != "tcp" || got.addr != "192.168.1.50:9100" {
		t.Errorf("network: %v %q %q", err, got.network, got.addr)
	}
	if b := <-read; string(b) != string(data) {
		t.Errorf("network got %q", b)
	}
	if err := s.Send(ctx, "Front_Desk_POS", data); err != nil || got.cmd != "lp" ||
		strings.Join(got.args, " ") != "-d Front_Desk_POS -o raw" || string(got.stdin) != string(data) {
		t.Errorf("queue: %v %q %q %q", err, got.cmd, got.args, got.stdin)
	}
	if err := s.Send(ctx, "", data); err != nil || strings.Join(got.args, " ") != "-o raw" {
		t.Errorf("default queue: %v %q", err, got.args)
	}
	s.Run = func(context.Context, []byte, string, ...string) ([]byte, error) {
		return []byte("lp: The printer or class does not exist."), errors.New("exit status 1")
	}
	if err := s.Send(ctx, "Nope", data); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("spooler error: %v", err)
	}
}

func TestTargetKind(t *testing.T) {
	for target, want := range map[string]string{
		"/dev/usb/lp0": "device", `\\.\COM3`: "device", "COM1": "device",
		"pos.local:9100": "network", "10.0.0.9:9100": "network", "[fe80::1]:9100": "network",
		"Front_Desk": "queue", "": "queue",
	} {
		if got := TargetKind(target); got != want {
			t.Errorf("TargetKind(%q) = %q, want %q", target, got, want)
		}
	}
}

// TestGreekReceipt: a Greek patient's receipt prints its Greek words,
// and Greek names, in Latin letters: an ESC/POS printer has ASCII only.
func TestGreekReceipt(t *testing.T) {
	r := sampleReceipt(app.PayCash)
	r.Language, r.Payment.PatientName = "el", "Ελένη Παπαδοπούλου"
	b, err := Receipt(r, true, Columns80mm)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ANTIGRAFO\n", "Apodeixi\n", "Eleni Papadopoulou\n", "Timologio INV-D1-2026-000017\n", "Metrita"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("missing %q in\n%s", want, b)
		}
	}
	if bytes.Contains(b, []byte("?")) {
		t.Errorf("a Greek letter printed as ?:\n%s", b)
	}
}

// TestCyrillicReceipt: a Cyrillic name prints in Latin letters after ICAO
// Doc 9303 (the passports' spelling), not as "?".
func TestCyrillicReceipt(t *testing.T) {
	r := sampleReceipt(app.PayCash)
	r.Payment.PatientName = "Анна Иванова-Щукина"
	b, err := Receipt(r, false, Columns80mm)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("Anna Ivanova-Shchukina\n")) {
		t.Errorf("the name is not in ICAO Latin letters:\n%s", b)
	}
	if bytes.Contains(b, []byte("?")) {
		t.Errorf("a Cyrillic letter printed as ?:\n%s", b)
	}
	for in, want := range map[string]string{
		"Жанна Хорошилова": "Zhanna Khoroshilova", "ЮРИЙ ЧАЙКОВСКИЙ": "IURII CHAIKOVSKII",
		"Алёна Сергеевна": "Alena Sergeevna", "Ігор Їжак": "Igor Izhak", "Мария Цветаева": "Mariia Tsvetaeva",
		"Дарья Объедкова": "Daria Obieedkova", "Ђорђе Љубичић": "Dorde Ljubichic",
	} {
		if got := ascii(in); got != want {
			t.Errorf("ascii(%q) = %q, want %q", in, got, want)
		}
	}
}

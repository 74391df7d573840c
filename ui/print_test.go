package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/mock"
)

// printer stands in for the folder dialog and the print command: it
// answers every folder question with folder (counting them) and records
// the commands run, answering with out and err.
type printer struct {
	folder string
	asked  int

	mu       sync.Mutex
	commands [][]string
	out      []byte
	err      error
}

// fakePrinter installs a printer on h's UI with a fresh folder.
func fakePrinter(h *harness) *printer {
	p := &printer{folder: h.t.TempDir()}
	h.u.docs.chooseFolder = func(_ fyne.Window, _ string, done func(string, error)) {
		p.asked++
		done(p.folder, nil)
	}
	h.u.docs.run = func(name string, args ...string) ([]byte, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.commands = append(p.commands, append([]string{name}, args...))
		return p.out, p.err
	}
	return p
}

func (p *printer) ran() [][]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.commands)
}

// awaitSaved waits for the "Saved to" dialog of the next document and
// returns it.
func (h *harness) awaitSaved() *savedDialog {
	h.t.Helper()
	h.waitFor("the saved document", func() bool { return h.u.docs.saved != nil })
	d := h.u.docs.saved
	h.u.docs.saved = nil
	return d
}

// readSaved returns the bytes of the document d saved.
func readSaved(t *testing.T, d *savedDialog) []byte {
	t.Helper()
	b, err := os.ReadFile(d.path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPrintSavesWithoutOverwriting(t *testing.T) {
	h := newHarness(t)
	p := fakePrinter(h)
	h.u.deliverPDF("INV-D1-2026-000042.pdf", []byte("%PDF first"))
	first := h.awaitSaved()
	h.u.deliverPDF("INV-D1-2026-000042.pdf", []byte("%PDF second"))
	second := h.awaitSaved()

	if p.asked != 1 {
		t.Errorf("folder asked %d times, want once", p.asked)
	}
	if got := h.a.Preferences().String(prefDocumentFolder); got != p.folder {
		t.Errorf("remembered folder = %q, want %q", got, p.folder)
	}
	if first.path != filepath.Join(p.folder, "INV-D1-2026-000042.pdf") ||
		second.path != filepath.Join(p.folder, "INV-D1-2026-000042-2.pdf") {
		t.Errorf("paths = %s, %s", first.path, second.path)
	}
	if string(readSaved(t, first)) != "%PDF first" || string(readSaved(t, second)) != "%PDF second" {
		t.Error("saved bytes differ from the documents")
	}
	if !strings.Contains(second.message.Text, second.path) {
		t.Errorf("dialog says %q", second.message.Text)
	}
}

func TestPrintCommand(t *testing.T) {
	for _, tc := range []struct {
		goos string
		want func(path string) []string
	}{
		{"linux", func(path string) []string { return []string{"lp", path} }},
		{"darwin", func(path string) []string { return []string{"lp", path} }},
		{"windows", func(path string) []string {
			return []string{"powershell", "-NoProfile", "-NonInteractive", "-Command",
				"Start-Process -FilePath '" + path + "' -Verb Print"}
		}},
	} {
		t.Run(tc.goos, func(t *testing.T) {
			h := newHarness(t)
			p := fakePrinter(h)
			h.u.docs.goos = tc.goos
			h.u.deliverPDF("receipt.pdf", []byte("%PDF"))
			d := h.awaitSaved()
			test.Tap(d.print)
			h.waitFor("the print status", func() bool { return d.status.Text == "Sent to the printer." })
			if got := p.ran(); len(got) != 1 || !slices.Equal(got[0], tc.want(d.path)) {
				t.Errorf("commands = %q, want %q", got, tc.want(d.path))
			}
		})
	}
}

func TestPrintWindowsQuotesThePath(t *testing.T) {
	_, args := printCommand("windows", `C:\Users\O'Brien\Documents\receipt.pdf`)
	if want := `Start-Process -FilePath 'C:\Users\O''Brien\Documents\receipt.pdf' -Verb Print`; args[3] != want {
		t.Errorf("command = %q, want %q", args[3], want)
	}
}

func TestPrintFailures(t *testing.T) {
	for _, tc := range []struct {
		name      string
		out       string
		err       error
		want      string
		noPrinter bool // Print stays disabled: trying again is pointless
	}{
		{"NoPrinterCommand", "", fmt.Errorf("exec: %q: %w", "lp", exec.ErrNotFound),
			"This computer has no printer command (lp)", true},
		{"PrinterRefuses", "lp: Error - No default destination.\n", errors.New("exit status 1"),
			"The document was not printed: lp: Error - No default destination.", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			p := fakePrinter(h)
			p.out, p.err = []byte(tc.out), tc.err
			h.u.deliverPDF("receipt.pdf", []byte("%PDF"))
			d := h.awaitSaved()
			test.Tap(d.print)
			h.waitFor("the print failure", func() bool { return strings.Contains(d.status.Text, tc.want) })
			if d.print.Disabled() != tc.noPrinter || d.status.Importance != widget.DangerImportance {
				t.Errorf("print button disabled %v, status importance %v", d.print.Disabled(), d.status.Importance)
			}
		})
	}
}

func TestPrintFolderChoice(t *testing.T) {
	t.Run("CancelSavesNothing", func(t *testing.T) {
		h := newHarness(t)
		h.u.docs.chooseFolder = func(_ fyne.Window, _ string, done func(string, error)) { done("", nil) }
		h.u.deliverPDF("a.pdf", []byte("%PDF"))
		h.settle()
		if h.u.docs.saved != nil || h.a.Preferences().String(prefDocumentFolder) != "" {
			t.Error("a cancelled choice saved something")
		}
	})

	t.Run("GoneFolderAsksAgain", func(t *testing.T) {
		h := newHarness(t)
		p := fakePrinter(h)
		h.a.Preferences().SetString(prefDocumentFolder, filepath.Join(p.folder, "unplugged"))
		h.u.deliverPDF("a.pdf", []byte("%PDF"))
		if d := h.awaitSaved(); p.asked != 1 || filepath.Dir(d.path) != p.folder {
			t.Errorf("asked %d times, saved to %s", p.asked, d.path)
		}
	})

	t.Run("ChangeFolder", func(t *testing.T) {
		h := newHarness(t)
		p := fakePrinter(h)
		h.u.deliverPDF("a.pdf", []byte("%PDF"))
		d := h.awaitSaved()
		p.folder = t.TempDir()
		test.Tap(d.folder)
		if !strings.Contains(d.status.Text, p.folder) {
			t.Errorf("status = %q", d.status.Text)
		}
		h.u.deliverPDF("b.pdf", []byte("%PDF"))
		if d := h.awaitSaved(); filepath.Dir(d.path) != p.folder {
			t.Errorf("next document saved to %s, want %s", d.path, p.folder)
		}
	})

	t.Run("UnwritableFolder", func(t *testing.T) {
		h := newHarness(t)
		h.u.saveDocument(filepath.Join(t.TempDir(), "missing"), "a.pdf", []byte("%PDF"), &app.DeskPrinter{Kind: app.DocReport})
		h.waitFor("the failure", func() bool { return h.shows("HMS could not save a.pdf in") })
		if h.u.docs.saved != nil {
			t.Error("a failed save showed the saved dialog")
		}
	})
}

func TestPrintDocumentName(t *testing.T) {
	for in, want := range map[string]string{
		"INV-D1-2026-000042.pdf":         "INV-D1-2026-000042.pdf",
		"cash-up-2026-03-02-Ana Pérez":   "cash-up-2026-03-02-Ana Pérez.pdf",
		`..\..\evil/name:1?.PDF`:         "-..-evil-name-1-.PDF",
		"":                               "document.pdf",
		"receipt-R-D1-2026-000001-copy.": "receipt-R-D1-2026-000001-copy.pdf",
	} {
		if got := documentName(in); got != want {
			t.Errorf("documentName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestOpenWithoutViewer: on a computer with no PDF viewer, opening a saved
// document says that no viewer was found and where the file is, not that
// something went wrong.
func TestOpenWithoutViewer(t *testing.T) {
	h := newHarness(t)
	fakePrinter(h)
	h.u.docs.open = func(*url.URL) error { return errors.New(`exec: "xdg-open": executable file not found in $PATH`) }
	h.u.deliverPDF("RX-D1-2026-000012.pdf", []byte("%PDF rx"))
	d := h.awaitSaved()
	test.Tap(d.open)
	if h.u.docs.noViewer == nil || !h.shows("No program to open PDF files was found") || !h.shows(d.path) {
		t.Fatalf("no message naming the saved file: %q", h.texts())
	}
	if h.shows("went wrong") || h.shows("inside HMS") {
		t.Fatalf("reported as a failure: %q", h.texts())
	}
	// The prescription flow opens its file through the same path.
	h.u.docs.noViewer = nil
	openURI(h.u, storage.NewFileURI(d.path))
	if h.u.docs.noViewer == nil {
		t.Fatal("openURI: no no-viewer message")
	}
}

// TestPrintersListedPerSystem: the printers come from lpstat on Linux and
// macOS and from the spooler on Windows; a document goes to the printer
// chosen with lp -d or the PrintTo verb.
func TestPrintersListedPerSystem(t *testing.T) {
	for _, c := range []struct {
		goos, out string
		cmd       []string
		want      []string
	}{
		{"linux", "TM-T20\nHP_LaserJet\n", []string{"lpstat", "-e"}, []string{"TM-T20", "HP_LaserJet"}},
		{"darwin", "Brother_QL\n", []string{"lpstat", "-e"}, []string{"Brother_QL"}},
		{"windows", "EPSON TM-T20\r\nMicrosoft Print to PDF\r\n", []string{"powershell"}, []string{"EPSON TM-T20", "Microsoft Print to PDF"}},
	} {
		var ran []string
		got, err := listPrinters(c.goos, func(name string, args ...string) ([]byte, error) {
			ran = append([]string{name}, args...)
			return []byte(c.out), nil
		})
		if err != nil || !slices.Equal(got, c.want) || !slices.Equal(ran[:len(c.cmd)], c.cmd) {
			t.Errorf("%s: ran %q, got %q, %v", c.goos, ran, got, err)
		}
	}
	none, err := listPrinters("linux", func(string, ...string) ([]byte, error) {
		return []byte("lpstat: No destinations added.\n"), errors.New("exit status 1")
	})
	if err != nil || len(none) != 0 {
		t.Errorf("no printers: %q, %v", none, err)
	}
	if name, args := printToCommand("linux", "TM-T20", "/tmp/r.pdf"); name != "lp" || !slices.Equal(args, []string{"-d", "TM-T20", "--", "/tmp/r.pdf"}) {
		t.Errorf("linux: %s %q", name, args)
	}
	if name, args := printToCommand("windows", "EPSON TM-T20", `C:\r.pdf`); name != "powershell" ||
		!strings.Contains(args[len(args)-1], "-Verb PrintTo -ArgumentList '\"EPSON TM-T20\"'") {
		t.Errorf("windows: %s %q", name, args)
	}
	if name, args := printToCommand("darwin", "", "/tmp/r.pdf"); name != "lp" || !slices.Equal(args, []string{"/tmp/r.pdf"}) {
		t.Errorf("default printer: %s %q", name, args)
	}
}

// TestReceiptPrintsWithoutAsking: a desk whose receipts print without
// asking sends a receipt to its receipt printer as soon as it is saved.
func TestReceiptPrintsWithoutAsking(t *testing.T) {
	h := newHarness(t)
	p := fakePrinter(h)
	h.u.docs.goos = "linux"
	h.u.svc.Printing = &mock.PrintingService{DeskPrintersFn: func(context.Context) ([]*app.DeskPrinter, error) {
		return []*app.DeskPrinter{{Kind: app.DocReceipt, Printer: "TM-T20", Layout: app.Layout80mm, Auto: true},
			{Kind: app.DocInvoice}}, nil
	}}
	h.u.deliverPDF("receipt-R-D1-2026-000001.pdf", []byte("%PDF r"))
	d := h.awaitSaved()
	h.waitFor("the print", func() bool { return len(p.ran()) == 1 })
	if got := p.ran()[0]; !slices.Equal(got, []string{"lp", "-d", "TM-T20", "--", d.path}) {
		t.Errorf("ran %q", got)
	}
	h.waitFor("the status", func() bool { return h.shows("Sent to TM-T20.") })
	// An invoice, asking first, waits for the Print button.
	h.u.deliverPDF("invoice-INV-D1-2026-000001.pdf", []byte("%PDF i"))
	d = h.awaitSaved()
	if len(p.ran()) != 1 || d.print.Text != "Print" {
		t.Fatalf("the invoice printed without asking: %q, button %q", p.ran(), d.print.Text)
	}
}

// TestPrinterSettingsSaved: the desk's printer settings list the system's
// printers and save only the kinds changed.
func TestPrinterSettingsSaved(t *testing.T) {
	h := newHarness(t)
	p := fakePrinter(h)
	p.out = []byte("TM-T20\nHP_LaserJet\n")
	h.u.docs.goos = "linux"
	var saved []app.DeskPrinter
	var mu sync.Mutex
	h.u.svc.Printing = &mock.PrintingService{
		DeskPrintersFn: func(context.Context) ([]*app.DeskPrinter, error) {
			var out []*app.DeskPrinter
			for _, k := range app.DocumentKinds {
				out = append(out, &app.DeskPrinter{Kind: k})
			}
			return out, nil
		},
		SetDeskPrinterFn: func(_ context.Context, dp app.DeskPrinter) (*app.DeskPrinter, error) {
			mu.Lock()
			defer mu.Unlock()
			saved = append(saved, dp)
			return &dp, nil
		},
	}
	s := showPrinterSettings(h.u)
	h.waitFor("the printers", func() bool { return !s.save.Disabled() })
	r := s.rows[app.DocReceipt]
	if !slices.Equal(r.options, []string{defaultPrinterLabel, "TM-T20", "HP_LaserJet"}) {
		t.Fatalf("printers offered: %q", r.options)
	}
	r.printer.SetText("TM-T20")
	r.layout.SetSelected(app.Layout80mm)
	r.auto.SetChecked(true)
	// A printer not in the list can be typed in: a raw target such as a
	// network printer's port.
	l := s.rows[app.DocStatement]
	l.printer.SetText("10.0.0.9:9100")
	test.Tap(s.save)
	h.waitFor("the save", func() bool { mu.Lock(); defer mu.Unlock(); return len(saved) == 2 })
	if want := (app.DeskPrinter{Kind: app.DocReceipt, Printer: "TM-T20", Layout: app.Layout80mm, Auto: true}); saved[0] != want {
		t.Errorf("saved %+v", saved[0])
	}
	if saved[1].Printer != "10.0.0.9:9100" {
		t.Errorf("typed target saved as %+v", saved[1])
	}
}

// TestReceiptESCPOS: on a desk whose receipts are ESC/POS, printing a
// receipt sends its raw commands to the desk's target, not a PDF.
func TestReceiptESCPOS(t *testing.T) {
	h := newClinicHarness(t)
	var mu sync.Mutex
	var sent []string
	h.u.docs.sendRaw = func(ctx context.Context, target string, data []byte) error {
		mu.Lock()
		defer mu.Unlock()
		sent = append(sent, target+" "+string(data))
		return nil
	}
	h.u.svc.Printing = &mock.PrintingService{DeskPrintersFn: func(context.Context) ([]*app.DeskPrinter, error) {
		return []*app.DeskPrinter{{Kind: app.DocReceipt, Printer: "10.0.0.9:9100", Layout: app.LayoutESCPOS}}, nil
	}}
	h.u.svc.Billing = &mock.BillingService{ReceiptESCPOSFn: func(ctx context.Context, id string, reprint bool) ([]byte, error) {
		return []byte("raw " + id), nil
	}}
	delivered := false
	printReceipt(h.u, func(string, []byte) { delivered = true }, &app.Payment{ID: "pay-1", ReceiptNumber: "R-1"}, false)
	h.waitFor("the raw receipt", func() bool { mu.Lock(); defer mu.Unlock(); return len(sent) == 1 })
	if sent[0] != "10.0.0.9:9100 raw pay-1" || delivered {
		t.Errorf("sent %q, delivered a PDF %v", sent, delivered)
	}
}

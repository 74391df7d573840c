package app

import (
	"context"
	"hms/app/i18n"
	"slices"
	"strings"
	"unicode"
)

// DocumentKind is a kind of document a desk prints; each desk chooses a
// printer, a layout and whether it prints without asking, per kind.
type DocumentKind string

// The kinds of documents HMS delivers.
const (
	DocReceipt      DocumentKind = "receipt"
	DocInvoice      DocumentKind = "invoice"
	DocStatement    DocumentKind = "statement"
	DocPrescription DocumentKind = "prescription"
	DocReport       DocumentKind = "report"
	DocCashUp       DocumentKind = "cashup"
	DocLabel        DocumentKind = "label"
	// DocToken is the slip with a patient's queue token, printed at
	// check-in when the desk's setting for it prints without asking.
	DocToken DocumentKind = "token"
)

// DocumentKinds are the kinds in the order the printer settings list them.
var DocumentKinds = []DocumentKind{DocReceipt, DocInvoice, DocStatement, DocPrescription, DocReport, DocCashUp, DocLabel,
	DocToken}

// Label names the kind for a person: "Receipts".
func (k DocumentKind) Label() string {
	switch k {
	case DocCashUp:
		return i18n.N("Cash-ups")
	case DocReport:
		return i18n.N("Reports")
	case DocToken:
		return i18n.N("Queue token slips")
	case DocReceipt:
		return i18n.N("Receipts")
	case DocInvoice:
		return i18n.N("Invoices")
	case DocStatement:
		return i18n.N("Statements")
	case DocPrescription:
		return i18n.N("Prescriptions")
	case DocLabel:
		return i18n.N("Labels")
	}
	s := string(k)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "s"
}

// Layouts of printed documents: A4 pages, receipt rolls, label stock.
const (
	LayoutA4   = "a4"
	Layout80mm = "80mm"
	Layout58mm = "58mm"
	// Raw ESC/POS for receipt printers without a driver, 48 or 32
	// columns; the desk's printer setting names the target: a device
	// file, host:port or the spooler's raw queue (see app/escpos).
	LayoutESCPOS    = "escpos"
	LayoutESCPOS58  = "escpos58"
	LayoutLabel5025 = "50x25"
	LayoutLabel3825 = "38x25"
	LayoutWristband = "wristband"
)

// LayoutsFor are the layouts a kind can print in, the default first.
func LayoutsFor(k DocumentKind) []string {
	switch k {
	case DocReceipt:
		return []string{LayoutA4, Layout80mm, Layout58mm, LayoutESCPOS, LayoutESCPOS58}
	case DocLabel:
		return []string{LayoutLabel5025, LayoutLabel3825, LayoutWristband}
	case DocToken:
		return []string{Layout80mm, Layout58mm}
	}
	return []string{LayoutA4}
}

// DeskPrinter is how this desk prints one kind of document. It is the
// desk's own setting, kept in its database and never synced: printers are
// attached to computers, not to the clinic.
type DeskPrinter struct {
	Kind DocumentKind
	// Printer is the system's name of the printer; "" for the system's
	// default printer.
	Printer string
	// Layout is one of LayoutsFor(Kind); "" for the default.
	Layout string
	// Auto prints the document as soon as it is made, without asking.
	Auto bool
}

// maxPrinterName bounds a printer's name; CUPS allows 127 bytes.
const maxPrinterName = 127

// Validate checks the kind, the layout for the kind and the printer's name
// (printed names from the system: no control characters).
func (p *DeskPrinter) Validate() error {
	p.Printer = strings.TrimSpace(p.Printer)
	if !slices.Contains(DocumentKinds, p.Kind) {
		return FieldErrorf("kind", "Choose a kind of document.")
	}
	if p.Layout != "" && !slices.Contains(LayoutsFor(p.Kind), p.Layout) {
		return FieldErrorf("layout", "Choose one of the layouts for %s.", Lower(p.Kind.Label()))
	}
	if len(p.Printer) > maxPrinterName || strings.IndexFunc(p.Printer, unicode.IsControl) >= 0 {
		return FieldErrorf("printer", "Choose a printer from the list.")
	}
	return nil
}

// LayoutOrDefault is the layout chosen, or the kind's default.
func (p *DeskPrinter) LayoutOrDefault() string {
	if p.Layout == "" {
		return LayoutsFor(p.Kind)[0]
	}
	return p.Layout
}

// PrintingService keeps this desk's printer for each kind of document.
type PrintingService interface {
	// DeskPrinters returns this desk's printer settings, one per kind, the
	// defaults for kinds never set (any staff member).
	DeskPrinters(ctx context.Context) ([]*DeskPrinter, error)
	// SetDeskPrinter sets the printer of one kind on this desk (any staff
	// member: the desk's users set up its printers), audited.
	SetDeskPrinter(ctx context.Context, p DeskPrinter) (*DeskPrinter, error)
}

// CanSetDeskPrinters: staff set and read the desk's printers; a patient at
// a kiosk does not.
func CanSetDeskPrinters(c Caller) error {
	if err := RequireLoggedIn(c); err != nil {
		return err
	}
	if c.Role == RolePatient {
		return denied("You are not allowed to set up this desk's printers.")
	}
	return nil
}

// PrintCommand is the command that sends the file at path to printer, or
// to the system's default printer when printer is "": CUPS's lp on Linux
// and macOS, the shell's Print or PrintTo verb on Windows. The GUI and
// the command line run it; building it here keeps them the same.
func PrintCommand(goos, printer, path string) (name string, args []string) {
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	if goos == "windows" {
		verb := " -Verb Print"
		if printer != "" {
			verb = " -Verb PrintTo -ArgumentList " + quote(`"`+printer+`"`)
		}
		return "powershell", []string{"-NoProfile", "-NonInteractive", "-Command",
			"Start-Process -FilePath " + quote(path) + verb}
	}
	if printer == "" {
		return "lp", []string{path}
	}
	return "lp", []string{"-d", printer, "--", path}
}

// ListPrintersCommand is the command listing the system's printers, one
// name a line: lpstat -e on CUPS, Get-Printer from the Windows spooler.
func ListPrintersCommand(goos string) (name string, args []string) {
	if goos == "windows" {
		return "powershell", []string{"-NoProfile", "-NonInteractive", "-Command",
			"Get-Printer | ForEach-Object { $_.Name }"}
	}
	return "lpstat", []string{"-e"}
}

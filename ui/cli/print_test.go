package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hms/app"
	"hms/app/mock"
)

// TestPrint: hms print finds a receipt by its number and an invoice by
// its number, prints each on the desk's printer for its kind (lp -d on
// Linux, the PrintTo verb on Windows) or saves it with --out.
func TestPrint(t *testing.T) {
	h := newHarness(t)
	h.createDB(true)
	var reprints []bool
	var layouts []string
	h.clinic.billing = &mock.BillingService{
		FindPaymentFn: func(ctx context.Context, id string) (*app.Payment, error) {
			if id != "R-D1-2026-000042" {
				return nil, app.Errorf(app.ENOTFOUND, "There is no such payment.")
			}
			return &app.Payment{ID: "pay-1", ReceiptNumber: id}, nil
		},
		ReceiptPDFLayoutFn: func(ctx context.Context, id string, reprint bool, layout string) ([]byte, error) {
			reprints = append(reprints, reprint)
			layouts = append(layouts, layout)
			return []byte("%PDF receipt " + id + " " + layout), nil
		},
		FindInvoicesFn: func(ctx context.Context, f app.InvoiceFilter) ([]*app.Invoice, error) {
			if f.Number != "INV-D1-2026-000017" {
				return nil, nil
			}
			return []*app.Invoice{{ID: "inv-1", Number: f.Number}}, nil
		},
		InvoicePDFFn: func(ctx context.Context, id string) ([]byte, error) { return []byte("%PDF invoice " + id), nil },
		FindCashUpFn: func(ctx context.Context, number string) (*app.DeskCashUp, error) {
			if number != "CU-D2-2026-000003" {
				return nil, app.Errorf(app.ENOTFOUND, "There is no cash-up %s.", number)
			}
			return &app.DeskCashUp{Number: number, Desk: "D2", Day: "2026-11-25", Status: app.CashUpClosed}, nil
		},
		DeskCashUpPDFFn: func(ctx context.Context, desk, day string) ([]byte, error) {
			return []byte("%PDF cash-up " + desk + " " + day), nil
		},
	}
	h.clinic.printing = &mock.PrintingService{DeskPrintersFn: func(context.Context) ([]*app.DeskPrinter, error) {
		return []*app.DeskPrinter{{Kind: app.DocReceipt, Printer: "TM-T20"}, {Kind: app.DocInvoice}}, nil
	}}
	cashup := filepath.Join(t.TempDir(), "cu.pdf")
	h.run("", h.db("print", "cashup", "CU-D2-2026-000003", "--out", cashup)...).want(t, 0, "Saved cashup CU-D2-2026-000003", "")
	if b, err := os.ReadFile(cashup); err != nil || string(b) != "%PDF cash-up D2 2026-11-25" {
		t.Errorf("saved cash-up %q, %v", b, err)
	}
	h.run("", h.db("print", "cashup", "CU-NOPE")...).want(t, 1, "", "no cash-up CU-NOPE")

	h.goos = "linux"
	h.run("", h.db("print", "receipt", "R-D1-2026-000042", "--copy")...).want(t, 0, "Sent receipt R-D1-2026-000042 to TM-T20", "")
	if len(h.commands) != 1 || !slices.Equal(h.commands[0][:4], []string{"lp", "-d", "TM-T20", "--"}) || !reprints[0] || layouts[0] != "" {
		t.Fatalf("ran %q, reprint %v, layouts %q", h.commands, reprints, layouts)
	}
	// A receipt in another layout than the desk's.
	rcpt := filepath.Join(t.TempDir(), "r.pdf")
	h.run("", h.db("print", "receipt", "R-D1-2026-000042", "--layout", "58mm", "--out", rcpt)...).want(t, 0, "Saved receipt", "")
	if b, err := os.ReadFile(rcpt); err != nil || string(b) != "%PDF receipt pay-1 58mm" {
		t.Errorf("saved %q, %v", b, err)
	}
	h.run("", h.db("print", "receipt", "R-D1-2026-000042", "--layout", "wristband")...).want(t, 2, "", "a4, 80mm or 58mm")
	h.run("", h.db("print", "invoice", "INV-D1-2026-000017", "--layout", "58mm")...).want(t, 2, "", "--layout is a receipt's")
	h.goos = "windows"
	h.run("", h.db("print", "invoice", "INV-D1-2026-000017")...).want(t, 0, "to the default printer", "")
	if c := h.commands[1]; c[0] != "powershell" {
		t.Errorf("windows ran %q", c)
	}

	out := filepath.Join(t.TempDir(), "inv.pdf")
	h.run("", h.db("print", "invoice", "INV-D1-2026-000017", "--out", out)...).want(t, 0, "Saved invoice", "")
	if b, err := os.ReadFile(out); err != nil || string(b) != "%PDF invoice inv-1" {
		t.Errorf("saved %q, %v", b, err)
	}
	h.run("", h.db("print", "invoice", "INV-D1-2026-000017", "--out", out)...).want(t, 1, "", "Cannot save")
	h.run("", h.db("print", "invoice", "INV-NOPE")...).want(t, 1, "", "no invoice INV-NOPE")
	h.run("", h.db("print", "receipt", "R-NOPE")...).want(t, 1, "", "no such payment")
	h.run("", h.db("print", "poster", "1")...).want(t, 2, "", "receipt, invoice, prescription, label or cashup")
	if len(h.commands) != 2 {
		t.Errorf("printed %d times", len(h.commands))
	}
}

// TestPrintESCPOS: on a desk whose receipts are ESC/POS, hms print receipt
// sends the raw commands to the desk's target; --out still saves the PDF.
func TestPrintESCPOS(t *testing.T) {
	h := newHarness(t)
	h.createDB(true)
	h.clinic.billing = &mock.BillingService{
		FindPaymentFn: func(ctx context.Context, id string) (*app.Payment, error) {
			return &app.Payment{ID: "pay-1", ReceiptNumber: id}, nil
		},
		ReceiptPDFLayoutFn: func(ctx context.Context, id string, reprint bool, layout string) ([]byte, error) {
			return []byte("%PDF roll"), nil
		},
		ReceiptESCPOSFn: func(ctx context.Context, id string, reprint bool) ([]byte, error) {
			return []byte("\x1b@receipt " + id), nil
		},
	}
	h.clinic.printing = &mock.PrintingService{DeskPrintersFn: func(context.Context) ([]*app.DeskPrinter, error) {
		return []*app.DeskPrinter{{Kind: app.DocReceipt, Printer: "10.0.0.9:9100", Layout: app.LayoutESCPOS}}, nil
	}}
	h.goos = "linux"
	h.run("", h.db("print", "receipt", "R-D1-2026-000042")...).want(t, 0, "Sent receipt R-D1-2026-000042 to 10.0.0.9:9100 (ESC/POS)", "")
	if len(h.raw) != 1 || h.raw[0] != "10.0.0.9:9100 \x1b@receipt pay-1" || len(h.commands) != 0 {
		t.Fatalf("sent %q, ran %q", h.raw, h.commands)
	}
	out := filepath.Join(t.TempDir(), "r.pdf")
	h.run("", h.db("print", "receipt", "R-D1-2026-000042", "--out", out)...).want(t, 0, "Saved receipt", "")
	if b, _ := os.ReadFile(out); string(b) != "%PDF roll" {
		t.Errorf("saved %q", b)
	}
	h.run("", h.db("print", "receipt", "R-D1-2026-000042", "--layout", "a4")...).want(t, 2, "", "with --layout, save the PDF with --out")
}

// TestPrintLabel: hms print label finds the record by its number and
// prints its label on the desk's label printer in the desk's layout, or
// the layout asked for, or saves it.
func TestPrintLabel(t *testing.T) {
	h := newHarness(t)
	h.createDB(true)
	var opened []string
	h.clinic.patients = &mock.PatientService{
		FindPatientsFn: func(ctx context.Context, f app.PatientFilter) (*app.PatientPage, error) {
			if f.Query != "P-D1-000123" {
				return &app.PatientPage{}, nil
			}
			return &app.PatientPage{Patients: []*app.Patient{{ID: "pat-1", MRN: "P-D1-000123"}}}, nil
		},
		FindPatientByIDFn: func(ctx context.Context, id string) (*app.Patient, error) {
			opened = append(opened, id)
			return &app.Patient{ID: id, MRN: "P-D1-000123", GivenName: "Ana", FamilyName: "Muller", BirthDate: "1984-03-07"}, nil
		},
	}
	h.clinic.printing = &mock.PrintingService{DeskPrintersFn: func(context.Context) ([]*app.DeskPrinter, error) {
		return []*app.DeskPrinter{{Kind: app.DocLabel, Printer: "Zebra", Layout: app.LayoutWristband}}, nil
	}}
	h.goos = "linux"
	h.run("", h.db("print", "label", "P-D1-000123")...).want(t, 0, "Sent label P-D1-000123 to Zebra", "")
	if len(h.commands) != 1 || !slices.Equal(h.commands[0][:4], []string{"lp", "-d", "Zebra", "--"}) || len(opened) != 1 {
		t.Fatalf("ran %q, opened %q", h.commands, opened)
	}
	out := filepath.Join(t.TempDir(), "label.pdf")
	h.run("", h.db("print", "label", "P-D1-000123", "--layout", "38x25", "--out", out)...).want(t, 0, "Saved label", "")
	if b, err := os.ReadFile(out); err != nil || !strings.Contains(string(b), "/MediaBox [0 0 107.72 70.87]") {
		t.Errorf("saved a label that is not 38x25 mm: %v", err)
	}
	h.run("", h.db("print", "label", "P-D1-000123", "--layout", "a4")...).want(t, 2, "", "50x25, 38x25 or wristband")
	h.run("", h.db("print", "label", "P-NOPE")...).want(t, 1, "", "no patient with record number P-NOPE")
}

// TestPrintPrescription: hms print prescription finds the prescription by
// its number and prints it on the desk's prescription printer, or saves it;
// a number the service refuses or does not know prints nothing.
func TestPrintPrescription(t *testing.T) {
	h := newHarness(t)
	h.createDB(true)
	h.clinic.clinical = &mock.ClinicalService{
		FindPrescriptionFn: func(ctx context.Context, number string) (*app.Prescription, error) {
			if number != "RX-D1-2026-000012" {
				return nil, app.Errorf(app.ENOTFOUND, "There is no prescription %s.", number)
			}
			return &app.Prescription{ID: "rx-1", Number: number}, nil
		},
		PrescriptionPDFFn: func(ctx context.Context, id string) ([]byte, error) { return []byte("%PDF prescription " + id), nil },
	}
	h.clinic.printing = &mock.PrintingService{DeskPrintersFn: func(context.Context) ([]*app.DeskPrinter, error) {
		return []*app.DeskPrinter{{Kind: app.DocPrescription, Printer: "LaserJet"}}, nil
	}}
	h.goos = "linux"
	h.run("", h.db("print", "prescription", "RX-D1-2026-000012")...).want(t, 0, "Sent prescription RX-D1-2026-000012 to LaserJet", "")
	if len(h.commands) != 1 || !slices.Equal(h.commands[0][:4], []string{"lp", "-d", "LaserJet", "--"}) {
		t.Fatalf("ran %q", h.commands)
	}
	out := filepath.Join(t.TempDir(), "rx.pdf")
	h.run("", h.db("print", "prescription", "RX-D1-2026-000012", "--out", out)...).want(t, 0, "Saved prescription", "")
	if b, err := os.ReadFile(out); err != nil || string(b) != "%PDF prescription rx-1" {
		t.Errorf("saved %q, %v", b, err)
	}
	h.run("", h.db("print", "prescription", "RX-NOPE")...).want(t, 1, "", "no prescription RX-NOPE")
	if len(h.commands) != 1 {
		t.Errorf("printed %d times", len(h.commands))
	}
}

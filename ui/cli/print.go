package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"hms/app"
	"hms/app/i18n"
	"hms/app/pdf"
)

// ExecCommand runs a program and returns its combined output, giving the
// spooler 30 seconds to accept a job: Env.Command for the real program.
func ExecCommand(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return exec.CommandContext(ctx, name, args...).CombinedOutput()
}

func (r *runner) cmdPrint(args []string) (code int) {
	fs := r.newFlags("print", "hms [--db PATH] print receipt|invoice|prescription|label|cashup NUMBER [--copy] [--layout LAYOUT] [--out FILE]",
		`Prints a receipt (by its receipt number), an invoice (by its invoice
number) or a prescription (by its number, RX-…; doctors, nurses and
administrators) on this desk's printer for that kind of document, as set in the app
(Printers… in the dialog of a saved document), or on the system's default
printer. With --out the PDF is saved to FILE instead, never over an
existing file. A receipt printed again is marked COPY. A desk whose
receipt layout is ESC/POS sends receipts as raw commands to its receipt
printer's target: a device file (/dev/usb/lp0), host:9100, or a spooler
queue (lp -o raw); --out saves the roll's PDF. A receipt prints in the
desk's receipt layout, or as a PDF in the one given with --layout: a4,
80mm or 58mm. A label (by the patient's record number) prints in the
desk's label layout, or the one given with --layout: 50x25 or 38x25 mm
stickers, or a wristband. A closed cash-up prints by its number
(CU-…; billing staff and administrators).

Example:
  hms print receipt R-D1-2026-000042
  hms print receipt R-D1-2026-000042 --copy --layout 58mm --out copy.pdf
  hms print invoice INV-D1-2026-000017 --out invoice.pdf
  hms print label P-D1-000123 --layout wristband
  hms print prescription RX-D1-2026-000012
  hms print cashup CU-D1-2026-000003`)
	out := fs.String("out", "", "save the PDF to `FILE` instead of printing it")
	reprint := fs.Bool("copy", false, "print a receipt as a COPY (a reprint)")
	layout := fs.String("layout", "", "a receipt's `LAYOUT` (a4, 80mm, 58mm) or a label's (50x25, 38x25, wristband); default: the desk's")
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 2 {
		return r.usageError(fs, "print needs what to print and its number: print receipt R-D1-2026-000042")
	}
	kind, number := app.DocumentKind(pos[0]), strings.TrimSpace(pos[1])
	if pos[0] == "cashup" {
		kind = app.DocCashUp
	}
	if kind != app.DocReceipt && kind != app.DocInvoice && kind != app.DocLabel && kind != app.DocPrescription &&
		kind != app.DocCashUp {
		return r.usageError(fs, "print: %q cannot be printed from the command line; receipt, invoice, prescription, label or cashup", pos[0])
	}
	switch {
	case *layout == "":
	case kind == app.DocLabel && !slices.Contains(app.LayoutsFor(app.DocLabel), *layout):
		return r.usageError(fs, "print: a label's --layout is 50x25, 38x25 or wristband")
	case kind == app.DocReceipt && app.ValidateReceiptLayout(*layout) != nil:
		return r.usageError(fs, "print: a receipt's --layout is a4, 80mm or 58mm")
	case kind != app.DocLabel && kind != app.DocReceipt:
		return r.usageError(fs, "print: --layout is a receipt's (a4, 80mm, 58mm) or a label's (50x25, 38x25, wristband)")
	}
	svc, closer, _, err := r.open(true)
	if err != nil {
		return r.fail(err, nil)
	}
	defer r.closeDB(closer, &code)
	var body []byte
	switch kind {
	case app.DocReceipt:
		p, err := svc.Billing.FindPayment(r.ctx, number)
		if err != nil {
			return r.fail(err, nil)
		}
		if *out == "" {
			if dp, err := r.deskPrinter(svc, kind); err != nil {
				return r.fail(err, nil)
			} else if dp.Layout == app.LayoutESCPOS || dp.Layout == app.LayoutESCPOS58 {
				if *layout != "" {
					return r.usageError(fs, "print: this desk prints receipts as ESC/POS; with --layout, save the PDF with --out FILE")
				}
				return r.sendRaw(svc, dp, number, *reprint, p.ID)
			}
		}
		body, err = svc.Billing.ReceiptPDFLayout(r.ctx, p.ID, *reprint, *layout)
		if err != nil {
			return r.fail(err, nil)
		}
	case app.DocLabel:
		if body, err = r.label(svc, number, *layout); err != nil {
			return r.fail(err, nil)
		}
	case app.DocPrescription:
		if svc.Clinical == nil {
			return r.fail(app.Errorf(app.EINTERNAL, "This build has no clinical records."), nil)
		}
		rx, err := svc.Clinical.FindPrescription(r.ctx, number)
		if err != nil {
			return r.fail(err, nil)
		}
		if body, err = svc.Clinical.PrescriptionPDF(r.ctx, rx.ID); err != nil {
			return r.fail(err, nil)
		}
	case app.DocCashUp:
		cu, err := svc.Billing.FindCashUp(r.ctx, number)
		if err != nil {
			return r.fail(err, nil)
		}
		if body, err = svc.Billing.DeskCashUpPDF(r.ctx, cu.Desk, cu.Day); err != nil {
			return r.fail(err, nil)
		}
	case app.DocInvoice:
		invs, err := svc.Billing.FindInvoices(r.ctx, app.InvoiceFilter{Number: number, Limit: 1})
		if err != nil {
			return r.fail(err, nil)
		}
		if len(invs) == 0 {
			return r.fail(app.Errorf(app.ENOTFOUND, "There is no invoice %s.", number), nil)
		}
		if body, err = svc.Billing.InvoicePDF(r.ctx, invs[0].ID); err != nil {
			return r.fail(err, nil)
		}
	}
	if *out != "" {
		if err := writeNew(*out, body); err != nil {
			return r.fail(app.Errorf(app.EINVALID, "Cannot save %s: %v.", *out, unwrapPath(err)), nil)
		}
		fmt.Fprintf(r.env.Stdout, "Saved %s %s to %s.\n", kind, number, *out)
		return ExitOK
	}
	return r.sendToPrinter(svc, kind, number, body)
}

// sendToPrinter prints body on the desk's printer for kind.
func (r *runner) sendToPrinter(svc app.Services, kind app.DocumentKind, number string, body []byte) int {
	if r.env.Command == nil {
		return r.fail(app.Errorf(app.EINTERNAL, "This build cannot print: use --out FILE."), nil)
	}
	printer := ""
	if svc.Printing != nil {
		ps, err := svc.Printing.DeskPrinters(r.ctx)
		if err != nil {
			return r.fail(err, nil)
		}
		for _, p := range ps {
			if p.Kind == kind {
				printer = p.Printer
			}
		}
	}
	dir, err := os.MkdirTemp("", "hms-print-*")
	if err != nil {
		return r.fail(err, nil)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, string(kind)+"-"+strings.ReplaceAll(number, "/", "-")+".pdf")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		return r.fail(err, nil)
	}
	name, args := app.PrintCommand(r.env.GOOS, printer, path)
	if outText, err := r.env.Command(name, args...); err != nil {
		detail := strings.TrimSpace(string(outText))
		if detail == "" {
			detail = err.Error()
		}
		return r.fail(app.Errorf(app.EINTERNAL, "The %s was not printed (%s): %s. Save it with --out FILE instead.", kind, name, detail), nil)
	}
	where := printer
	if where == "" {
		where = "the default printer"
	}
	fmt.Fprintf(r.env.Stdout, "Sent %s %s to %s.\n", kind, number, where)
	return ExitOK
}

// label renders the label of the patient with record number mrn, in
// layout or the desk's label layout; opening the record is audited.
func (r *runner) label(svc app.Services, mrn, layout string) ([]byte, error) {
	page, err := svc.Patients.FindPatients(r.ctx, app.PatientFilter{Query: mrn, Limit: 5})
	if err != nil {
		return nil, err
	}
	id := ""
	for _, p := range page.Patients {
		if strings.EqualFold(p.MRN, mrn) {
			id = p.ID
		}
	}
	if id == "" {
		return nil, app.Errorf(app.ENOTFOUND, "There is no patient with record number %s.", mrn)
	}
	p, err := svc.Patients.FindPatientByID(r.ctx, id)
	if err != nil {
		return nil, err
	}
	if layout == "" {
		dp, err := r.deskPrinter(svc, app.DocLabel)
		if err != nil {
			return nil, err
		}
		layout = dp.LayoutOrDefault()
	}
	// The label's one word is in the patient's language (English when
	// they have none: the command line knows no clinic's).
	lang, err := i18n.Parse(p.Language)
	if err != nil {
		lang = i18n.English
	}
	return pdf.Label(p, layout, time.Now(), lang)
}

// deskPrinter is this desk's printer setting for kind.
func (r *runner) deskPrinter(svc app.Services, kind app.DocumentKind) (*app.DeskPrinter, error) {
	if svc.Printing != nil {
		ps, err := svc.Printing.DeskPrinters(r.ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if p.Kind == kind {
				return p, nil
			}
		}
	}
	return &app.DeskPrinter{Kind: kind}, nil
}

// sendRaw prints a receipt as ESC/POS on the desk's target.
func (r *runner) sendRaw(svc app.Services, dp *app.DeskPrinter, number string, reprint bool, paymentID string) int {
	if r.env.SendRaw == nil {
		return r.fail(app.Errorf(app.EINTERNAL, "This build cannot print: use --out FILE."), nil)
	}
	body, err := svc.Billing.ReceiptESCPOS(r.ctx, paymentID, reprint)
	if err != nil {
		return r.fail(err, nil)
	}
	if err := r.env.SendRaw(r.ctx, dp.Printer, body); err != nil {
		return r.fail(app.Errorf(app.EINTERNAL, "The receipt was not printed: %v. Save it with --out FILE instead.", err), nil)
	}
	where := dp.Printer
	if where == "" {
		where = "the default printer"
	}
	fmt.Fprintf(r.env.Stdout, "Sent receipt %s to %s (ESC/POS).\n", number, where)
	return ExitOK
}

// writeNew writes body to path, refusing to replace an existing file.
func writeNew(path string, body []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(body); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

package ui

// How documents reach this desk's printers: the printers the system has
// (CUPS's lpstat on Linux and macOS, the spooler on Windows), the printer
// the desk chose for each kind of document (app.PrintingService, kept in
// the desk's own database), and printing without asking where the desk
// chose that.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// defaultPrinterLabel stands for the system's default printer in lists.
var defaultPrinterLabel = i18n.N("System default printer")

// listPrinters asks the system for its printers' names.
func listPrinters(goos string, run func(string, ...string) ([]byte, error)) ([]string, error) {
	name, args := app.ListPrintersCommand(goos)
	out, err := run(name, args...)
	if err != nil {
		// lpstat exits 1 with "No destinations added." when there are none.
		if strings.Contains(string(out), "No destinations") {
			return nil, nil
		}
		return nil, fmt.Errorf("list printers: %w", err)
	}
	var names []string
	for line := range strings.SplitSeq(string(out), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			names = append(names, line)
		}
	}
	return names, nil
}

// printToCommand sends the file at path to printer, or to the default
// printer when printer is "".
func printToCommand(goos, printer, path string) (name string, args []string) {
	return app.PrintCommand(goos, printer, path)
}

// documentKindOf is the kind of a document by the name HMS gives its file.
func documentKindOf(filename string) app.DocumentKind {
	n := strings.ToLower(filename)
	for _, c := range []struct {
		prefix string
		kind   app.DocumentKind
	}{{"receipt", app.DocReceipt}, {"invoice", app.DocInvoice}, {"statement", app.DocStatement},
		{"cash-up", app.DocCashUp}, {"rx-", app.DocPrescription}, {"label", app.DocLabel},
		{"appointment", app.DocReceipt}, // the slip prints where receipts do
		{"token", app.DocToken}} {
		if strings.HasPrefix(n, c.prefix) {
			return c.kind
		}
	}
	return app.DocReport
}

// deskPrinter reads this desk's printer for kind; the default (the
// system's printer, asking first) when none is set or it cannot be read.
func deskPrinter(ctx context.Context, u *UI, kind app.DocumentKind) *app.DeskPrinter {
	if u.svc.Printing != nil {
		if ps, err := u.svc.Printing.DeskPrinters(ctx); err == nil {
			for _, p := range ps {
				if p.Kind == kind {
					return p
				}
			}
		}
	}
	return &app.DeskPrinter{Kind: kind}
}

// printerSettings is the dialog in which a desk chooses, per kind of
// document, its printer, layout and whether it prints without asking.
type printerSettings struct {
	u       *UI
	rows    map[app.DocumentKind]*printerRow
	save    *escButton
	message *widget.Label
	dialog  dialog.Dialog
}

type printerRow struct {
	// printer is chosen from the system's printers or typed in: a raw
	// ESC/POS receipt printer's device file or host:port.
	printer *escSelectEntry
	options []string
	layout  *escSelect
	auto    *escCheck
	was     app.DeskPrinter
}

// showPrinterSettings lists the system's printers and this desk's
// settings, then shows the dialog.
func showPrinterSettings(u *UI) *printerSettings {
	s := &printerSettings{u: u, rows: map[app.DocumentKind]*printerRow{}}
	s.message = wrapLabel(T("Reading the printers…"))
	s.save = newButton(T("Save"), s.onSave)
	s.save.Importance = widget.HighImportance
	s.save.Disable()
	form := widget.NewForm()
	for _, k := range app.DocumentKinds {
		r := &printerRow{printer: newSelectEntry(nil), layout: newSelect(app.LayoutsFor(k), nil),
			auto: newCheck(T("Print without asking"), nil)}
		r.layout.SetSelectedIndex(0)
		s.rows[k] = r
		form.Append(T(k.Label()), container.NewGridWithColumns(3, r.printer, r.layout, r.auto))
	}
	cancel := newButton(T("Close"), func() { s.dialog.Hide() })
	s.dialog = showFormDialog(u, T("This desk's printers"), 760, container.NewVBox(s.message, form, buttonsRow(cancel, s.save)))
	docs := u.docs
	type loaded struct {
		printers []string
		listErr  error
		set      []*app.DeskPrinter
	}
	background(u, func(ctx context.Context) (loaded, error) {
		var l loaded
		l.printers, l.listErr = listPrinters(docs.goos, docs.run)
		var err error
		l.set, err = u.svc.Printing.DeskPrinters(ctx)
		return l, err
	}, func(l loaded, err error) {
		if err != nil {
			s.message.SetText("")
			showError(err, u.win)
			return
		}
		opts := append([]string{T(defaultPrinterLabel)}, l.printers...)
		switch {
		case l.listErr != nil:
			s.message.SetText(Tf("HMS could not list this computer's printers (%s); documents go to the system's default printer.", reason(l.listErr)))
		case len(l.printers) == 0:
			s.message.SetText(T("This computer has no printers set up; documents go to the system's default printer once one is."))
		default:
			s.message.SetText(T("Choose the printer for each kind of document on this desk. Only this computer uses these settings."))
		}
		for _, p := range l.set {
			r := s.rows[p.Kind]
			if r == nil {
				continue
			}
			r.was = *p
			o := opts
			if p.Printer != "" && !slices.Contains(o, p.Printer) {
				o = append(append([]string{}, o...), p.Printer) // chosen before, not connected now
			}
			r.printer.SetOptions(o)
			r.options = o
			if p.Printer == "" {
				r.printer.SetText(T(defaultPrinterLabel))
			} else {
				r.printer.SetText(p.Printer)
			}
			r.layout.SetSelected(p.LayoutOrDefault())
			r.auto.SetChecked(p.Auto)
		}
		s.save.Enable()
	})
	return s
}

// onSave saves the rows that changed.
func (s *printerSettings) onSave() {
	var changed []app.DeskPrinter
	for _, k := range app.DocumentKinds {
		r := s.rows[k]
		p := app.DeskPrinter{Kind: k, Printer: strings.TrimSpace(r.printer.Text), Layout: r.layout.Selected, Auto: r.auto.Checked}
		if p.Printer == T(defaultPrinterLabel) {
			p.Printer = ""
		}
		if p.Layout == app.LayoutsFor(k)[0] && r.was.Layout == "" {
			p.Layout = ""
		}
		if p != r.was {
			changed = append(changed, p)
		}
	}
	s.save.Disable()
	background(s.u, func(ctx context.Context) (int, error) {
		for i, p := range changed {
			if _, err := s.u.svc.Printing.SetDeskPrinter(ctx, p); err != nil {
				return i, err
			}
		}
		return len(changed), nil
	}, func(n int, err error) {
		s.save.Enable()
		for _, p := range changed[:n] {
			s.rows[p.Kind].was = p
		}
		if err != nil {
			showError(err, s.u.win)
			return
		}
		s.dialog.Hide()
	})
}

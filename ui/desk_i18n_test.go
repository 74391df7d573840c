package ui

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// The front desk's screens in Greek (the language of the demo clinic and
// one of the longest HMS speaks) and Spanish: the board, the booking dialog, an
// invoice and the cash-up show their words translated, and no label is
// narrower than its text (a column header wider than its column would
// run into the next one). HMS_LOOK_DIR=/tmp/look saves each screen as a
// PNG to look at.
func TestDeskScreensTranslated(t *testing.T) {
	t.Cleanup(func() { setScreenLanguage(i18n.English) })
	for _, l := range []i18n.Lang{i18n.Greek, i18n.Spanish} {
		t.Run(string(l), func(t *testing.T) { deskScreensIn(t, l) })
	}
}

func deskScreensIn(t *testing.T, l i18n.Lang) {
	speakIn(t, l)

	t.Run("board", func(t *testing.T) {
		h := newClinicHarness(t)
		h.openBoard(app.RoleReception)
		h.u.win.Resize(fyne.NewSize(1280, 800))
		h.settle()
		checkShown(t, h.harness, "board", T("Reception board"), T("Token"), T("Walk-in…"))
	})
	t.Run("booking", func(t *testing.T) {
		h := newClinicHarness(t)
		h.u.win.Resize(fyne.NewSize(1280, 800))
		h.openBookForm()
		h.settle()
		checkShown(t, h.harness, "booking", T("Book appointment"), T("Free slots"), T("Reason for the visit"))
	})
	t.Run("invoice", func(t *testing.T) {
		h, fb := newBillingHarness(t)
		issuedInvoice(fb, 3, 1)
		v, _ := h.openInvoices(app.RoleBilling)
		h.u.win.Resize(fyne.NewSize(1280, 800))
		v.open("inv-long")
		h.waitFor("the invoice", func() bool { return v.invoice.inv != nil && len(v.invoice.payments) == 1 })
		h.settle()
		checkShown(t, h.harness, "invoice", Tf("Invoice %s", "INV-D1-2026-000042"), T("Balance due"), T("Unit price"), T("Cash"))
	})
	t.Run("cash-up", func(t *testing.T) {
		d := newDeskHarness(t)
		d.billing.DeskCashUpFn = func(ctx context.Context, desk, day string) (*app.DeskCashUp, error) {
			return cashUpDay(day), nil
		}
		d.u.win.Resize(fyne.NewSize(1280, 800))
		v := d.openBillingTab(app.RoleBilling, T("Cash-up")).deskCashUp
		d.waitFor("the day", func() bool { return v.cu != nil })
		d.settle()
		checkShown(t, d.harness, "cash-up", T("Opening float"), T("Expected cash"), T("Close day"), "30,00")
	})
}

// checkShown fails when a word of want is not on the screen or when a
// visible label or button is narrower than its text, and saves the
// screen under HMS_LOOK_DIR when it is set.
func checkShown(t *testing.T, h *harness, name string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !h.shows(w) {
			t.Errorf("%s: %q is not shown; the screen shows %q", name, w, h.texts())
		}
	}
	// Lay the window out anew, as the desktop driver does when a text
	// changes a widget's minimum size.
	h.u.win.Resize(fyne.NewSize(1281, 801))
	h.u.win.Resize(fyne.NewSize(1280, 800))
	h.settle()
	c := h.u.win.Canvas()
	objs := []fyne.CanvasObject{c.Content()}
	objs = append(objs, c.Overlays().List()...)
	for _, o := range objs {
		walk(o, func(o fyne.CanvasObject) {
			if !o.Visible() || o.Size().Width == 0 {
				return
			}
			if b, ok := asButton(o); ok {
				if b.Text != "" && b.MinSize().Width > b.Size().Width+1 {
					t.Errorf("%s: button %q needs %.0f, has %.0f: cut off", name, b.Text, b.MinSize().Width, b.Size().Width)
				}
				return
			}
			if w, ok := o.(*widget.Label); ok {
				if w.Text == "" || w.Wrapping != fyne.TextWrapOff || w.Truncation != fyne.TextTruncateOff {
					return
				}
				need := fyne.MeasureText(w.Text, theme.TextSize(), w.TextStyle).Width + 2*theme.InnerPadding()
				if need > w.Size().Width+1 {
					t.Errorf("%s: label %q needs %.0f, has %.0f: cut off", name, w.Text, need, w.Size().Width)
				}
			}
		})
	}
	dir := os.Getenv("HMS_LOOK_DIR")
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, "desk-"+string(tr().Lang())+"-"+name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, c.Capture()); err != nil {
		t.Fatal(err)
	}
}

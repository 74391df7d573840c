package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// issuedInvoice is an issued invoice for grace with n lines of 10.00 EUR,
// numbered "Service 1" to "Service n", and paid 5.00 EUR by each of pays
// payments.
func issuedInvoice(fb *fakeBilling, n, pays int) {
	h := fb.h
	inv := &app.Invoice{ID: "inv-long", Number: "INV-D1-2026-000042", PatientID: "p-1", PatientName: "Grace Hopper",
		PatientMRN: "P-D1-000001", Status: app.InvoiceIssued, Currency: "EUR", IssuedAt: h.clock()}
	for i := 1; i <= n; i++ {
		inv.Lines = append(inv.Lines, &app.InvoiceLine{ID: fmt.Sprintf("l-%d", i), Code: "LAB", Description: fmt.Sprintf("Service %d", i),
			Quantity: 1, UnitPrice: 1000, LineAmounts: app.LineAmounts{Gross: 1000, Net: 1000, Total: 1000}})
	}
	fb.invoices = []*app.Invoice{inv}
	for i := 1; i <= pays; i++ {
		fb.payments = append(fb.payments, &app.Payment{ID: fmt.Sprintf("pay-%d", i), ReceiptNumber: fmt.Sprintf("R-D1-2026-%06d", i),
			PatientID: "p-1", Method: app.PayCash, Amount: 500, Currency: "EUR", CashierName: "Bea Billing",
			TakenAt: h.clock(), Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: 500}}})
	}
}

// rowText is the text of a column row's cells, joined by " | ".
func rowText(r *listRow) string {
	var parts []string
	for _, o := range r.columns().Objects {
		parts = append(parts, o.(*widget.Label).Text)
	}
	return strings.Join(parts, " | ")
}

// TestInvoiceLinesAreAListBesideTheTotals: an invoice's lines are a list
// with the screen's height, the totals beside them, so an invoice of one,
// five or thirty lines shows its lines readably, the total in view; its
// payments are a list under the lines.
func TestInvoiceLinesAreAListBesideTheTotals(t *testing.T) {
	for _, tc := range []struct{ lines, pays int }{{1, 0}, {5, 1}, {30, 6}} {
		t.Run(fmt.Sprintf("%d lines", tc.lines), func(t *testing.T) {
			h, fb := newBillingHarness(t)
			issuedInvoice(fb, tc.lines, tc.pays)
			v, _ := h.openInvoices(app.RoleBilling)
			h.u.win.Resize(fyne.NewSize(1280, 800))
			v.open("inv-long")
			s := v.invoice
			h.waitFor("the invoice", func() bool { return s.inv != nil && len(s.payments) == tc.pays })
			h.settle()

			rows := listRows(s.lineL)
			shown := min(tc.lines, 6)
			if len(rows) < shown {
				t.Fatalf("%d line rows on screen, want at least %d", len(rows), shown)
			}
			if len(rows) > tc.lines+2 {
				t.Errorf("%d rows built for %d lines: the list builds more than it shows", len(rows), tc.lines)
			}
			if got, want := rowText(rows[0]), "LAB | Service 1 | 1 | 10.00 |  | 0% | 10.00"; got != want {
				t.Errorf("first row %q, want %q", got, want)
			}
			rowH := rows[0].MinSize().Height
			if hgt := s.lineL.Size().Height; hgt < float32(shown)*rowH {
				t.Errorf("the lines' list is %.0f high, under %d rows of %.0f", hgt, shown, rowH)
			}
			if w := rows[0].columns().Objects[1].Size().Width; w < 200 {
				t.Errorf("a line's description is %.0f wide", w)
			}
			total := app.Format(app.Money(tc.lines*1000), "EUR")
			if !visibleLabel(h, total) || !visibleLabel(h, "Total") || !visibleLabel(h, "Balance due") {
				t.Errorf("the total %s or the balance is not in view: %q", total, h.texts())
			}
			if lineButtons(s.lineL) != 0 {
				t.Error("an issued invoice's lines can be edited")
			}

			// The last line is a scroll away.
			s.lineL.ScrollToBottom()
			h.settle()
			rows = listRows(s.lineL)
			if last := rowText(rows[len(rows)-1]); !strings.Contains(last, fmt.Sprintf("Service %d |", tc.lines)) {
				t.Errorf("the last row on screen after scrolling is %q", last)
			}

			// Payments: each a row with its receipt and buttons, under the lines.
			if tc.pays == 0 {
				if s.payPane.Visible() {
					t.Error("an unpaid invoice shows a payments list")
				}
				return
			}
			pays := listRows(s.payL)
			if len(pays) < min(tc.pays, paymentsShown) {
				t.Fatalf("%d payment rows on screen, want %d", len(pays), min(tc.pays, paymentsShown))
			}
			if got := rowText(pays[0]); !strings.Contains(got, "R-D1-2026-") || !strings.Contains(got, "5.00") ||
				!strings.Contains(got, "Bea Billing") {
				t.Errorf("first payment row %q", got)
			}
			if rowButton(s.payL, pays[0].key, "Reprint") == nil || rowButton(s.payL, pays[0].key, "Refund…") == nil {
				t.Error("a payment's row has no Reprint or Refund…")
			}
			if ph := s.payL.Size().Height; ph < float32(min(tc.pays, paymentsShown))*pays[0].MinSize().Height {
				t.Errorf("the payments' list is %.0f high for %d payments", ph, tc.pays)
			}
			if s.lineL.Size().Height < float32(shown)*rowH {
				t.Error("the payments take the lines' height")
			}
		})
	}
}

// visibleLabel reports whether a label reading text is shown inside the
// window.
func visibleLabel(h *clinicHarness, text string) bool {
	c := h.u.win.Canvas()
	found := false
	walk(c.Content(), func(o fyne.CanvasObject) {
		l, ok := o.(*widget.Label)
		if !ok || l.Text != text || !l.Visible() || l.Size().Height == 0 {
			return
		}
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(l)
		if pos.Y >= 0 && pos.Y+l.Size().Height <= c.Size().Height && pos.X+l.Size().Width <= c.Size().Width {
			found = true
		}
	})
	return found
}

// A draft's line has two buttons, by their place in its row.
const (
	lineEdit = iota
	lineRemove
)

// lineButton is the button at place i of the row of list on screen that
// shows the line key, nil when hidden.
func lineButton(list fyne.CanvasObject, key string, i int) *widget.Button {
	for _, r := range listRows(list) {
		if r.key == key && r.actions[i].Visible() {
			return r.actions[i]
		}
	}
	return nil
}

// lineButtons counts the shown buttons of the rows of list on screen.
func lineButtons(list fyne.CanvasObject) int {
	n := 0
	for _, r := range listRows(list) {
		for _, b := range r.actions {
			if b.Visible() {
				n++
			}
		}
	}
	return n
}

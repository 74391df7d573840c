package data_test

import (
	"bytes"
	"strings"
	"testing"

	"hms/app"
)

// TestDeskPrinters: a desk's printer settings default per kind, are set
// one kind at a time, validated, audited, and read back.
func TestDeskPrinters(t *testing.T) {
	c := mustSetup(t)
	ctx := c.ctx(app.RoleReception)
	ps, err := c.svc.Printing.DeskPrinters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != len(app.DocumentKinds) || ps[0].Kind != app.DocReceipt || ps[0].Printer != "" || ps[0].Auto {
		t.Fatalf("defaults %+v", ps)
	}
	if _, err := c.svc.Printing.SetDeskPrinter(ctx, app.DeskPrinter{Kind: app.DocReceipt, Printer: "TM-T20",
		Layout: app.Layout80mm, Auto: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.svc.Printing.SetDeskPrinter(ctx, app.DeskPrinter{Kind: app.DocInvoice, Layout: app.Layout80mm}); code(err) != app.EINVALID {
		t.Errorf("an invoice on a receipt roll: %v", err)
	}
	if _, err := c.svc.Printing.SetDeskPrinter(ctx, app.DeskPrinter{Kind: "poster"}); code(err) != app.EINVALID {
		t.Errorf("an unknown kind: %v", err)
	}
	ps, err = c.svc.Printing.DeskPrinters(c.ctx(app.RoleBilling))
	if err != nil {
		t.Fatal(err)
	}
	if p := ps[0]; p.Printer != "TM-T20" || p.Layout != app.Layout80mm || !p.Auto {
		t.Errorf("receipt printer read back as %+v", p)
	}
	var n int
	if err := rawDB(t, c.db).QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'printing.set' AND outcome = 'ok'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("audit rows: %d, %v", n, err)
	}
}

// TestReceiptOnDeskRoll: a desk whose receipts print on an 80 mm roll gets
// its receipts, first prints and copies, as wide as the roll, with the
// same content; the stored original stays the A4 receipt.
func TestReceiptOnDeskRoll(t *testing.T) {
	b := mustBilling(t)
	inv := b.issued(t, app.LineInput{PriceItemID: b.lab.ID, Quantity: 1})
	p, err := b.svc.Billing.TakePayment(b.billing(), pay(inv.ID, 1000))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Printing.SetDeskPrinter(b.billing(), app.DeskPrinter{Kind: app.DocReceipt, Layout: app.Layout80mm}); err != nil {
		t.Fatal(err)
	}
	for _, reprint := range []bool{false, true, false} {
		roll, err := b.svc.Billing.ReceiptPDF(b.billing(), p.ID, reprint)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(roll, []byte("/MediaBox [0 0 226.77 ")) {
			t.Errorf("reprint %v: not an 80 mm page", reprint)
		}
		text := pdfToText(t, roll)
		if !strings.Contains(text, p.ReceiptNumber) || !strings.Contains(text, "Received by Staff billing") ||
			strings.Contains(text, "COPY") != reprint {
			t.Errorf("reprint %v:\n%s", reprint, text)
		}
	}
	var stored []byte
	if err := rawDB(t, b.db).QueryRow(`SELECT pdf FROM receipts WHERE payment_id = ?`, p.ID).Scan(&stored); err != nil ||
		!bytes.Contains(stored, []byte("/MediaBox [0 0 595.28 841.89]")) {
		t.Errorf("the stored original is not A4: %v", err)
	}
}

// TestReceiptPDFLayout: a receipt in the layout asked for, whatever the
// desk's: A4 on a roll desk, 58 mm; "" is the desk's (80 mm here); any
// other layout is refused next to the field, and the stored original stays
// the A4 receipt.
func TestReceiptPDFLayout(t *testing.T) {
	b := mustBilling(t)
	inv := b.issued(t, app.LineInput{PriceItemID: b.lab.ID, Quantity: 1})
	p, err := b.svc.Billing.TakePayment(b.billing(), pay(inv.ID, 1000))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Printing.SetDeskPrinter(b.billing(), app.DeskPrinter{Kind: app.DocReceipt, Layout: app.Layout80mm}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		layout string
		box    string
	}{{app.LayoutA4, "/MediaBox [0 0 595.28 841.89]"}, {app.Layout58mm, "/MediaBox [0 0 164.41 "},
		{"", "/MediaBox [0 0 226.77 "}, {app.Layout80mm, "/MediaBox [0 0 226.77 "}} {
		for _, reprint := range []bool{false, true} {
			out, err := b.svc.Billing.ReceiptPDFLayout(b.billing(), p.ID, reprint, c.layout)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(out, []byte(c.box)) {
				t.Errorf("%q (reprint %v): no %s", c.layout, reprint, c.box)
			}
			if text := pdfToText(t, out); !strings.Contains(text, p.ReceiptNumber) || strings.Contains(text, "COPY") != reprint {
				t.Errorf("%q (reprint %v):\n%s", c.layout, reprint, text)
			}
		}
	}
	_, err = b.svc.Billing.ReceiptPDFLayout(b.billing(), p.ID, false, "letter")
	if code(err) != app.EINVALID || app.ErrorField(err) != "layout" {
		t.Errorf("a letter-size receipt: %v", err)
	}
	var stored []byte
	if err := rawDB(t, b.db).QueryRow(`SELECT pdf FROM receipts WHERE payment_id = ?`, p.ID).Scan(&stored); err != nil ||
		!bytes.Contains(stored, []byte("/MediaBox [0 0 595.28 841.89]")) {
		t.Errorf("the stored original is not A4: %v", err)
	}
}

// TestReceiptESCPOS: a desk whose receipts print as ESC/POS gets them as
// raw commands, COPY on reprints, the drawer opened only on a cash
// payment's first print; its PDF is the roll's, and a desk that prints
// receipts otherwise is told so.
func TestReceiptESCPOS(t *testing.T) {
	b := mustBilling(t)
	inv := b.issued(t, app.LineInput{PriceItemID: b.lab.ID, Quantity: 1})
	cash := pay(inv.ID, 1000)
	cash.Method, cash.Tendered = app.PayCash, 2000
	p, err := b.svc.Billing.TakePayment(b.billing(), cash)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Billing.ReceiptESCPOS(b.billing(), p.ID, false); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("an A4 desk: %v, want EINVALID", err)
	}
	if _, err := b.svc.Printing.SetDeskPrinter(b.billing(), app.DeskPrinter{Kind: app.DocReceipt, Layout: app.LayoutESCPOS58, Printer: "/dev/usb/lp0"}); err != nil {
		t.Fatal(err)
	}
	kick := []byte{0x1b, 0x70, 0x00}
	for _, reprint := range []bool{false, true} {
		raw, err := b.svc.Billing.ReceiptESCPOS(b.billing(), p.ID, reprint)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(raw, []byte{0x1b, 0x40}) || !bytes.Contains(raw, []byte(p.ReceiptNumber)) ||
			bytes.Contains(raw, []byte("COPY")) != reprint || !bytes.Contains(raw, []byte{0x1d, 0x56}) {
			t.Errorf("reprint %v: %q", reprint, raw)
		}
		if bytes.Contains(raw, kick) == reprint {
			t.Errorf("reprint %v: drawer kick %v", reprint, bytes.Contains(raw, kick))
		}
	}
	roll, err := b.svc.Billing.ReceiptPDF(b.billing(), p.ID, true)
	if err != nil || !bytes.Contains(roll, []byte("/MediaBox [0 0 164.41 ")) {
		t.Errorf("the PDF of an ESC/POS desk is not the 58 mm roll: %v", err)
	}
	var n int
	if err := rawDB(t, b.db).QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'receipt.reprint'`).Scan(&n); err != nil || n != 2 {
		t.Errorf("reprint audit rows: %d, %v", n, err)
	}
}

package data_test

import (
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

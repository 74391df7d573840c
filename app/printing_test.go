package app_test

import (
	"testing"

	"hms/app"
)

func TestDeskPrinterValidate(t *testing.T) {
	for _, c := range []struct {
		p     app.DeskPrinter
		field string
	}{
		{app.DeskPrinter{Kind: app.DocReceipt, Layout: app.Layout58mm, Printer: " TM-T20 "}, ""},
		{app.DeskPrinter{Kind: app.DocLabel, Layout: app.LayoutWristband}, ""},
		{app.DeskPrinter{Kind: app.DocInvoice}, ""},
		{app.DeskPrinter{Kind: "poster"}, "kind"},
		{app.DeskPrinter{Kind: app.DocInvoice, Layout: app.Layout80mm}, "layout"},
		{app.DeskPrinter{Kind: app.DocReceipt, Printer: "bad\nname"}, "printer"},
	} {
		err := c.p.Validate()
		if got := app.ErrorField(err); (err != nil) != (c.field != "") || got != c.field {
			t.Errorf("%+v: %v (field %q), want field %q", c.p, err, got, c.field)
		}
	}
}

package data_test

import (
	"strings"
	"testing"

	"hms/app"
)

// TestBillingShowsPeoplesNames: invoices, payments and receipts name the
// person who issued or took them ("Staff billing"), not their username
// ("billing1").
func TestBillingShowsPeoplesNames(t *testing.T) {
	b := mustBilling(t)
	inv := b.issued(t, app.LineInput{PriceItemID: b.lab.ID, Quantity: 1})
	if inv.IssuedBy != "Staff billing" {
		t.Errorf("issued invoice: issued by %q", inv.IssuedBy)
	}
	got, err := b.svc.Billing.FindInvoice(b.billing(), inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.IssuedBy != "Staff billing" {
		t.Errorf("invoice read back: issued by %q", got.IssuedBy)
	}
	p, err := b.svc.Billing.TakePayment(b.ctx(app.RoleReception), pay(inv.ID, 1000))
	if err != nil {
		t.Fatal(err)
	}
	if p.CashierName != "Staff reception" {
		t.Errorf("payment taken by %q", p.CashierName)
	}
	rp, err := b.svc.Billing.FindPayment(b.billing(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rp.CashierName != "Staff reception" {
		t.Errorf("payment read back: taken by %q", rp.CashierName)
	}
	// hms print finds a payment by its receipt number.
	if byNumber, err := b.svc.Billing.FindPayment(b.billing(), p.ReceiptNumber); err != nil || byNumber.ID != p.ID {
		t.Errorf("FindPayment(%s) = %v, %v", p.ReceiptNumber, byNumber, err)
	}
	receipt, err := b.svc.Billing.ReceiptPDF(b.billing(), p.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if text := pdfToText(t, receipt); !strings.Contains(text, "Received by Staff reception") || strings.Contains(text, "reception1") {
		t.Errorf("receipt names the cashier as:\n%s", text)
	}
}

// TestPriceHistoryNamesPeople: the price list's versions name who made
// them by their name, not their username.
func TestPriceHistoryNamesPeople(t *testing.T) {
	b := mustBilling(t)
	vs, err := b.svc.Billing.PriceItemHistory(b.billing(), "CONS-GP")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].CreatedBy != b.users[app.RoleAdmin].FullName || vs[0].CreatedBy == b.users[app.RoleAdmin].Username {
		t.Errorf("made by %q", vs[0].CreatedBy)
	}
	items, err := b.svc.Billing.FindPriceItems(b.billing(), app.PriceFilter{Query: "blood"})
	if err != nil || len(items) != 1 || items[0].CreatedBy != b.users[app.RoleAdmin].FullName {
		t.Errorf("found %v, %v", items, err)
	}
}

package data_test

import (
	"context"
	"reflect"
	"slices"

	"hms/app"
)

// The billing service's rows of the role matrix. Admins keep the price
// list; admins and billing clerks make, issue and void invoices and refund
// payments; reception also takes payments, prints receipts, sees bills
// and the outstanding list, and sees and prints its own cash-up; a patient
// sees and prints their own bills and statement (the fixture's patient's) and reads the price list;
// doctors and nurses have no access.
//
// Records a call needs (a price item, an issued invoice of the fixture's
// patient, a payment on it) are made only when the calling role is
// allowed; a denied role is refused before anything is looked up, with an
// id that does not exist.
func init() {
	matrixInterfaces = append(matrixInterfaces, reflect.TypeFor[app.BillingService]())
	var (
		priceAdmins = []app.Role{app.RoleAdmin}
		cashiers    = []app.Role{app.RoleAdmin, app.RoleReception, app.RoleBilling}
		managers    = []app.Role{app.RoleAdmin, app.RoleBilling}
		viewers     = []app.Role{app.RoleAdmin, app.RoleReception, app.RoleBilling, app.RolePatient}
	)
	const missing = "01900000-0000-7000-8000-000000000000"
	allowed := func(ctx context.Context, roles []app.Role) bool {
		caller, ok := app.CallerFromContext(ctx)
		return ok && slices.Contains(roles, caller.Role)
	}
	type records struct{ invoice, draft, line, payment string }
	// setup makes, as admin and billing, an issued invoice of the
	// fixture's patient with a payment on it, and a draft with one line.
	setup := func(ctx context.Context, c *clinic, roles []app.Role) (records, error) {
		if !allowed(ctx, roles) {
			return records{missing, missing, missing, missing}, nil
		}
		b := c.ctx(app.RoleBilling)
		pid := c.users[app.RolePatient].PatientID
		item, err := c.svc.Billing.CreatePriceItem(c.ctx(app.RoleAdmin), app.PriceItemInput{Code: "CONS", Name: "Consultation",
			Kind: app.PriceConsultation, Price: 5000})
		if err != nil {
			return records{}, err
		}
		inv, err := c.svc.Billing.CreateDraftInvoice(b, app.DraftInvoice{PatientID: pid,
			Lines: []app.LineInput{{PriceItemID: item.ID, Quantity: 1}}})
		if err != nil {
			return records{}, err
		}
		if inv, err = c.svc.Billing.IssueInvoice(b, inv.ID); err != nil {
			return records{}, err
		}
		p, err := c.svc.Billing.TakePayment(b, app.PaymentInput{Method: app.PayCard, Amount: 1000,
			Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: 1000}}})
		if err != nil {
			return records{}, err
		}
		d, err := c.svc.Billing.CreateDraftInvoice(b, app.DraftInvoice{PatientID: pid,
			Lines: []app.LineInput{{Description: "Dressing", Quantity: 1, UnitPrice: 700}}})
		if err != nil {
			return records{}, err
		}
		return records{invoice: inv.ID, draft: d.ID, line: d.Lines[0].ID, payment: p.ID}, nil
	}
	with := func(roles []app.Role, f func(ctx context.Context, c *clinic, r records) error) call {
		return call{allowed: roles, do: func(ctx context.Context, c *clinic) error {
			r, err := setup(ctx, c, roles)
			if err != nil {
				return err
			}
			return f(ctx, c, r)
		}}
	}
	item := app.PriceItemInput{Code: "LAB-1", Name: "Lab test", Kind: app.PriceLab, Price: 1200, TaxRate: 600}
	matrix["BillingService.CreatePriceItem"] = call{allowed: priceAdmins, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Billing.CreatePriceItem(ctx, item)
		return err
	}}
	matrix["BillingService.ChangePriceItem"] = with(priceAdmins, func(ctx context.Context, c *clinic, _ records) error {
		_, err := c.svc.Billing.ChangePriceItem(ctx, app.PriceItemInput{Code: "CONS", Name: "Consultation",
			Kind: app.PriceConsultation, Price: 5500})
		return err
	})
	matrix["BillingService.RetirePriceItem"] = with(priceAdmins, func(ctx context.Context, c *clinic, _ records) error {
		_, err := c.svc.Billing.RetirePriceItem(ctx, "CONS")
		return err
	})
	matrix["BillingService.FindPriceItems"] = call{allowed: viewers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Billing.FindPriceItems(ctx, app.PriceFilter{})
		return err
	}}
	matrix["BillingService.PriceItemHistory"] = call{allowed: cashiers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Billing.PriceItemHistory(ctx, "CONS")
		return err
	}}
	matrix["BillingService.CreateDraftInvoice"] = call{allowed: managers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Billing.CreateDraftInvoice(ctx, app.DraftInvoice{PatientID: c.users[app.RolePatient].PatientID,
			Lines: []app.LineInput{{Description: "Dressing", Quantity: 1, UnitPrice: 700}}})
		return err
	}}
	matrix["BillingService.DraftForAppointment"] = call{allowed: managers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Billing.DraftForAppointment(ctx, missing)
		return err
	}}
	matrix["BillingService.AddLine"] = with(managers, func(ctx context.Context, c *clinic, r records) error {
		_, err := c.svc.Billing.AddLine(ctx, r.draft, app.LineInput{Description: "Gauze", Quantity: 2, UnitPrice: 150})
		return err
	})
	matrix["BillingService.UpdateLine"] = with(managers, func(ctx context.Context, c *clinic, r records) error {
		_, err := c.svc.Billing.UpdateLine(ctx, r.line, app.LineInput{Description: "Dressing", Quantity: 3, UnitPrice: 700})
		return err
	})
	matrix["BillingService.RemoveLine"] = with(managers, func(ctx context.Context, c *clinic, r records) error {
		_, err := c.svc.Billing.RemoveLine(ctx, r.line)
		return err
	})
	matrix["BillingService.SetInvoiceDiscount"] = with(managers, func(ctx context.Context, c *clinic, r records) error {
		_, err := c.svc.Billing.SetInvoiceDiscount(ctx, r.draft, 1000, 0, nil)
		return err
	})
	matrix["BillingService.IssueInvoice"] = with(managers, func(ctx context.Context, c *clinic, r records) error {
		_, err := c.svc.Billing.IssueInvoice(ctx, r.draft)
		return err
	})
	matrix["BillingService.VoidInvoice"] = with(managers, func(ctx context.Context, c *clinic, r records) error {
		_, err := c.svc.Billing.VoidInvoice(ctx, r.invoice, "billed twice")
		return err
	})
	matrix["BillingService.FindInvoice"] = with(viewers, func(ctx context.Context, c *clinic, r records) error {
		_, err := c.svc.Billing.FindInvoice(ctx, r.invoice)
		return err
	})
	matrix["BillingService.FindInvoices"] = call{allowed: viewers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Billing.FindInvoices(ctx, app.InvoiceFilter{PatientID: c.users[app.RolePatient].PatientID})
		return err
	}}
	matrix["BillingService.TakePayment"] = with(cashiers, func(ctx context.Context, c *clinic, r records) error {
		_, err := c.svc.Billing.TakePayment(ctx, app.PaymentInput{Method: app.PayCash, Amount: 500, Tendered: 1000,
			Allocations: []app.Allocation{{InvoiceID: r.invoice, Amount: 500}}})
		return err
	})
	matrix["BillingService.RefundPayment"] = with(managers, func(ctx context.Context, c *clinic, r records) error {
		_, err := c.svc.Billing.RefundPayment(ctx, r.payment, "card charged twice")
		return err
	})
	matrix["BillingService.FindPayment"] = with(viewers, func(ctx context.Context, c *clinic, r records) error {
		_, err := c.svc.Billing.FindPayment(ctx, r.payment)
		return err
	})
	matrix["BillingService.PatientStatement"] = call{allowed: viewers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Billing.PatientStatement(ctx, c.users[app.RolePatient].PatientID)
		return err
	}}
	matrix["BillingService.OutstandingInvoices"] = call{allowed: cashiers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Billing.OutstandingInvoices(ctx, app.OutstandingFilter{})
		return err
	}}
	// Each cashier's own day: reception sees only its own, billing any.
	matrix["BillingService.CashUp"] = call{allowed: cashiers, do: func(ctx context.Context, c *clinic) error {
		caller, _ := app.CallerFromContext(ctx)
		_, err := c.svc.Billing.CashUp(ctx, caller.UserID, "2026-11-25")
		return err
	}}
	matrix["BillingService.Cashiers"] = call{allowed: cashiers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Billing.Cashiers(ctx)
		return err
	}}
	matrix["BillingService.ReceiptPDF"] = with(viewers, func(ctx context.Context, c *clinic, r records) error {
		_, err := c.svc.Billing.ReceiptPDF(ctx, r.payment, false)
		return err
	})
	matrix["BillingService.ReceiptPDFLayout"] = with(viewers, func(ctx context.Context, c *clinic, r records) error {
		_, err := c.svc.Billing.ReceiptPDFLayout(ctx, r.payment, false, app.Layout58mm)
		return err
	})
	matrix["BillingService.ReceiptESCPOS"] = with(viewers, func(ctx context.Context, c *clinic, r records) error {
		_, err := c.svc.Billing.ReceiptESCPOS(ctx, r.payment, false)
		if app.ErrorCode(err) == app.EINVALID {
			return nil // allowed, on a desk whose receipts are not ESC/POS
		}
		return err
	})
	matrix["BillingService.InvoicePDF"] = with(viewers, func(ctx context.Context, c *clinic, r records) error {
		_, err := c.svc.Billing.InvoicePDF(ctx, r.invoice)
		return err
	})
	matrix["BillingService.StatementPDF"] = with(viewers, func(ctx context.Context, c *clinic, _ records) error {
		_, err := c.svc.Billing.StatementPDF(ctx, c.users[app.RolePatient].PatientID)
		return err
	})
	matrix["BillingService.OutstandingPDF"] = with(cashiers, func(ctx context.Context, c *clinic, _ records) error {
		_, err := c.svc.Billing.OutstandingPDF(ctx)
		return err
	})
	// A desk's cash-up: billing staff and administrators; reopening a
	// closed day, administrators only.
	till := app.CashUpInput{Day: "2026-11-25", OpeningFloat: 5000, Counts: []app.CashCount{{Denomination: 1000, Count: 4}}}
	matrix["BillingService.DeskCashUp"] = call{allowed: managers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Billing.DeskCashUp(ctx, "", "2026-11-25")
		return err
	}}
	matrix["BillingService.CashUpDesks"] = call{allowed: managers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Billing.CashUpDesks(ctx)
		return err
	}}
	matrix["BillingService.SaveCashUp"] = call{allowed: managers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Billing.SaveCashUp(ctx, till)
		return err
	}}
	matrix["BillingService.CloseCashUp"] = call{allowed: managers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Billing.CloseCashUp(ctx, till)
		return err
	}}
	// closed closes the day as billing when the caller may see it, so that
	// the number and the reopening find a closed day.
	closed := func(ctx context.Context, c *clinic, roles []app.Role) (string, error) {
		if !allowed(ctx, roles) {
			return "CU-D1-2026-999999", nil
		}
		cu, err := c.svc.Billing.CloseCashUp(c.ctx(app.RoleBilling), till)
		if err != nil {
			return "", err
		}
		return cu.Number, nil
	}
	matrix["BillingService.FindCashUp"] = call{allowed: managers, do: func(ctx context.Context, c *clinic) error {
		number, err := closed(ctx, c, managers)
		if err != nil {
			return err
		}
		_, err = c.svc.Billing.FindCashUp(ctx, number)
		return err
	}}
	matrix["BillingService.ReopenCashUp"] = call{allowed: priceAdmins, do: func(ctx context.Context, c *clinic) error {
		if _, err := closed(ctx, c, priceAdmins); err != nil {
			return err
		}
		_, err := c.svc.Billing.ReopenCashUp(ctx, "", till.Day, "recount")
		return err
	}}
	matrix["BillingService.DeskCashUpPDF"] = call{allowed: managers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Billing.DeskCashUpPDF(ctx, "", "2026-11-25")
		return err
	}}
	matrix["BillingService.UnbilledVisits"] = call{allowed: managers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Billing.UnbilledVisits(ctx, "2026-11-01", "2026-11-30")
		return err
	}}
	// A visit that does not exist is listed as refused, not an error.
	matrix["BillingService.BillVisits"] = call{allowed: managers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Billing.BillVisits(ctx, []string{missing}, true)
		return err
	}}
	matrix["BillingService.CashUpPDF"] = with(cashiers, func(ctx context.Context, c *clinic, _ records) error {
		caller, _ := app.CallerFromContext(ctx)
		_, err := c.svc.Billing.CashUpPDF(ctx, caller.UserID, "2026-11-25")
		return err
	})
}

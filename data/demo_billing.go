package data

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"hms/app"
)

// demoPrices is the demo's price list: code, name, kind, price in cents,
// tax in basis points, and the demo doctor's username for a doctor's own
// consultation.
var demoPrices = []struct {
	code, name string
	kind       app.PriceKind
	price      app.Money
	tax        app.BasisPoints
	doctor     string
	spec       string
}{
	{"CONS-GP", "General consultation", app.PriceConsultation, 4000, 0, "", ""},
	{"CONS-HOUSE", "Consultation, Dr. Helena Papadaki", app.PriceConsultation, 6000, 0, "dr.house", ""},
	{"CONS-IVANOVA", "Consultation, Dr. Анна Иванова", app.PriceConsultation, 5500, 0, "dr.ivanova", ""},
	{"CONS-CARD", "Cardiology consultation", app.PriceConsultation, 7000, 0, "", "Cardiology"},
	{"PROC-ECG", "Electrocardiogram (ECG)", app.PriceProcedure, 3500, 0, "", ""},
	{"PROC-DRESS", "Wound dressing", app.PriceProcedure, 1500, 600, "", ""},
	{"PROC-SUTURE", "Suture, simple", app.PriceProcedure, 4500, 0, "", ""},
	{"LAB-CBC", "Full blood count", app.PriceLab, 1200, 0, "", ""},
	{"LAB-LIPID", "Lipid profile", app.PriceLab, 1800, 0, "", ""},
	{"LAB-HBA1C", "HbA1c", app.PriceLab, 1650, 0, "", ""},
	{"LAB-URINE", "Urinalysis", app.PriceLab, 800, 0, "", ""},
	{"MED-AMOX", "Amoxicillin 500 mg, 21 capsules", app.PriceMedicine, 599, 600, "", ""},
	{"MED-PARA", "Paracetamol 500 mg, 20 tablets", app.PriceMedicine, 245, 600, "", ""},
	{"MED-IBU", "Ibuprofen 400 mg, 20 tablets", app.PriceMedicine, 399, 600, "", ""},
	{"OTH-CERT", "Medical certificate", app.PriceOther, 2000, 2400, "", ""},
	{"OTH-COPY", "Copy of records", app.PriceOther, 500, 2400, "", ""},
}

// demoPriceList adds the demo's price list, in force since five years ago
// (the demo's history begins then), so that the demo's past visits bill
// from it; demoBilling and demoClinical use it.
func (db *DB) demoPriceList(ctx context.Context) ([]*app.PriceItem, error) {
	doctors := map[string]string{}
	rows, err := db.r.QueryContext(ctx, `SELECT username, id FROM users WHERE role = 'doctor'`)
	if err != nil {
		return nil, fmt.Errorf("demo price list: %w", err)
	}
	for rows.Next() {
		var u, id string
		if err := rows.Scan(&u, &id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("demo price list: %w", err)
		}
		doctors[u] = id
	}
	rows.Close()
	var items []*app.PriceItem
	err = db.write(ctx, "price.create", func(tx *Tx) error {
		made := tx.now
		tx.now = made.AddDate(-5, 0, -1).Truncate(time.Second)
		for _, p := range demoPrices {
			it, err := tx.insertPriceVersion(app.PriceItemInput{Code: p.code, Name: p.name, Kind: p.kind, Price: p.price,
				TaxRate: p.tax, DoctorID: doctors[p.doctor], Specialization: p.spec}, true, "price.create")
			if err != nil {
				return fmt.Errorf("demo price %s: %w", p.code, err)
			}
			items = append(items, it)
		}
		tx.now = made
		tx.Audit("price.create", "price_items", "", "", fmt.Sprintf("demo data: %d items in force for five years", len(items)))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("demo price list: %w", err)
	}
	return items, nil
}

// demoBilling links the demo doctors' consultations and adds five years
// of invoices and payments in every state: drafts, issued, partly paid,
// paid, refunded and void, numbered from the desk's series year by year as
// they would have been. There are at most 20,000 invoices, whatever the
// number of patients; the demo patient account gets a few of its own
// through the services.
func (db *DB) demoBilling(ctx context.Context, rng *rand.Rand, patients int, items []*app.PriceItem) error {
	users := map[string]string{}
	rows, err := db.r.QueryContext(ctx, `SELECT username, id FROM users WHERE role IN ('doctor', 'billing', 'reception')`)
	if err != nil {
		return fmt.Errorf("demo billing: %w", err)
	}
	for rows.Next() {
		var u, id string
		if err := rows.Scan(&u, &id); err != nil {
			rows.Close()
			return fmt.Errorf("demo billing: %w", err)
		}
		users[u] = id
	}
	rows.Close()
	// Each demo doctor's profile links their own consultation item: the
	// fee their profile shows is the fee their visits are billed.
	appts := db.Services().Appointments
	for _, link := range [][2]string{{"dr.house", "CONS-HOUSE"}, {"dr.ivanova", "CONS-IVANOVA"}} {
		p, err := appts.GetDoctorProfile(ctx, users[link[0]])
		if err != nil {
			return fmt.Errorf("demo consultation item: %w", err)
		}
		p.ConsultationCode = link[1]
		if _, err := appts.SetDoctorProfile(ctx, *p); err != nil {
			return fmt.Errorf("demo consultation item: %w", err)
		}
	}

	settings, err := readSettings(ctx, db.r)
	if err != nil {
		return fmt.Errorf("demo billing: %w", err)
	}
	loc := settings.Location()
	var maxRow int64
	if err := db.r.QueryRowContext(ctx, `SELECT coalesce(max(rowid), 0) FROM patients`).Scan(&maxRow); err != nil {
		return fmt.Errorf("demo billing: %w", err)
	}
	n := min(max(patients/2, 50), 20000)
	end := db.now().UTC()
	start := end.AddDate(-5, 0, 0)
	span := end.Sub(start)
	cashiers := [][2]string{{users["billing"], "billing"}, {users["reception"], "reception"}}
	const batch = 2000
	for done := 0; done < n; done += batch {
		size := min(batch, n-done)
		err := db.write(ctx, "invoice.import", func(tx *Tx) error {
			for i := 0; i < size; i++ {
				at := start.Add(time.Duration(float64(span) * float64(done+i) / float64(n))).Truncate(time.Second)
				if err := tx.demoInvoice(rng, items, cashiers, maxRow, at, end, loc, settings.Currency); err != nil {
					return err
				}
			}
			tx.Audit("invoice.import", "invoices", "", "", fmt.Sprintf("demo data: %d invoices with their payments", size))
			return nil
		})
		if err != nil {
			return fmt.Errorf("demo invoices: %w", err)
		}
	}
	return db.demoOwnBills(ctx, items)
}

// demoInvoice writes one invoice issued at at, its lines and what became of
// it, through the same tables and triggers as the service.
func (tx *Tx) demoInvoice(rng *rand.Rand, items []*app.PriceItem, cashiers [][2]string, maxRow int64, at, end time.Time,
	loc *time.Location, currency string) error {
	var pid, name, mrn string
	if err := tx.QueryRowContext(tx.ctx, `SELECT id, trim(given_name || ' ' || family_name), mrn FROM patients
		WHERE rowid >= ? AND deleted_at IS NULL ORDER BY rowid LIMIT 1`, 1+rng.Int64N(max(maxRow, 1))).Scan(&pid, &name, &mrn); err != nil {
		return err
	}
	cashier := cashiers[rng.IntN(len(cashiers))]
	id, ts := newIDAt(at, rng), formatTime(at)
	type demoLine struct {
		item *app.PriceItem
		qty  int64
		disc app.BasisPoints
	}
	var lines []demoLine
	var amounts []app.LineAmounts
	var taxes []app.BasisPoints
	for pos := 1; pos <= 1+rng.IntN(4); pos++ {
		// A visit starts with its doctor's consultation; the services follow.
		it := items[4+rng.IntN(len(items)-4)]
		if pos == 1 {
			it = items[1+rng.IntN(2)]
		}
		qty := int64(1)
		if it.Kind == app.PriceMedicine || it.Kind == app.PriceLab {
			qty = 1 + rng.Int64N(2)
		}
		var disc app.BasisPoints
		if rng.IntN(10) == 0 {
			disc = 1000
		}
		a, err := app.ComputeLine(qty, it.Price, disc, 0, it.TaxRate)
		if err != nil {
			return err
		}
		lines = append(lines, demoLine{it, qty, disc})
		amounts, taxes = append(amounts, a), append(taxes, it.TaxRate)
	}
	// One invoice in twelve has an invoice discount: 5 or 15 %, or 5.00
	// off where the lines come to more than that.
	var discRate app.BasisPoints
	var discAmount app.Money
	switch rng.IntN(36) {
	case 0:
		discRate = 500
	case 1:
		discRate = 1500
	case 2:
		discAmount = min(500, amounts[0].Net)
	}
	amounts, totals, err := app.ComputeInvoice(amounts, taxes, discRate, discAmount)
	if err != nil {
		return err
	}
	total := totals.Total
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO invoices (id, patient_id, patient_name, patient_mrn, status, currency,
		discount_rate, discount_amount, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, 'billing', ?, ?)`, id, pid, name, mrn, currency, discRate, discAmount,
		ts, ts); err != nil {
		return err
	}
	for i, l := range lines {
		a := amounts[i]
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO invoice_lines (id, invoice_id, position, price_item_id, code,
			description, kind, quantity, unit_price, discount_rate, discount_amount, tax_rate, gross, discount,
			invoice_discount, net, tax, total, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, newIDAt(at, rng), id, i+1, l.item.ID,
			l.item.Code, l.item.Name, l.item.Kind, l.qty, l.item.Price, l.disc, l.item.TaxRate, a.Gross,
			a.Discount+a.InvoiceDiscount, a.InvoiceDiscount, a.Net, a.Tax, a.Total, ts, ts); err != nil {
			return err
		}
	}
	fate := rng.IntN(100)
	if fate < 2 && end.Sub(at) < 14*24*time.Hour {
		return nil // a recent draft, still open
	}
	year := at.In(loc).Year()
	number, err := tx.takeNumber(tx.series(seriesInvoice, year))
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE invoices SET number = ?, status = 'issued', issued_at = ?, issued_by = 'billing'
		WHERE id = ?`, number, ts, id); err != nil {
		return err
	}
	switch {
	case fate < 5: // voided by a credit note
		cn, err := tx.takeNumber(tx.series(seriesCreditNote, year))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO credit_notes (id, number, invoice_id, amount, reason, created_by,
			created_at, updated_at) VALUES (?, ?, ?, ?, 'Billed in error', 'billing', ?, ?)`, newIDAt(at, rng),
			cn, id, total, ts, ts); err != nil {
			return err
		}
		_, err = tx.ExecContext(tx.ctx, `UPDATE invoices SET status = 'void' WHERE id = ?`, id)
		return err
	case fate < 15 || total == 0: // not paid yet
		if total == 0 {
			_, err := tx.ExecContext(tx.ctx, `UPDATE invoices SET status = 'paid' WHERE id = ?`, id)
			return err
		}
		return nil
	}
	payAt := at.Add(time.Duration(rng.Int64N(int64(72 * time.Hour))))
	if payAt.After(end) {
		payAt = end
	}
	amount := total
	if fate < 25 {
		amount = max(1, total/2) // partly paid
	}
	methods := []app.PaymentMethod{app.PayCash, app.PayCash, app.PayCard, app.PayCard, app.PayCard, app.PayBankTransfer, app.PayInsurance}
	method := methods[rng.IntN(len(methods))]
	p := &app.Payment{ID: newIDAt(payAt, rng), PatientID: pid, PatientName: name, PatientMRN: mrn, Method: method,
		Amount: amount, Currency: currency, CashierID: cashier[0], CashierName: cashier[1], TakenAt: payAt}
	if method == app.PayCash {
		p.Tendered = (amount + 999) / 1000 * 1000
		p.Change = p.Tendered - amount
	}
	if method == app.PayBankTransfer || method == app.PayInsurance {
		p.Reference = fmt.Sprintf("REF-%08d", rng.IntN(100000000))
	}
	if p.ReceiptNumber, err = tx.demoReceiptNumber(payAt, loc); err != nil {
		return err
	}
	if err := tx.insertPayment(p); err != nil {
		return err
	}
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO payment_allocations (payment_id, invoice_id, amount) VALUES (?, ?, ?)`,
		p.ID, id, amount); err != nil {
		return err
	}
	if fate >= 25 && fate < 27 { // refunded
		refAt := payAt.Add(time.Hour)
		r := *p
		r.ID, r.ReversalOf, r.Reason, r.TakenAt, r.Tendered, r.Change = newIDAt(refAt, rng), p.ID, "Paid twice by mistake", refAt, 0, 0
		if r.ReceiptNumber, err = tx.demoReceiptNumber(refAt, loc); err != nil {
			return err
		}
		if err := tx.insertPayment(&r); err != nil {
			return err
		}
	}
	return tx.refreshStatus(id)
}

func (tx *Tx) demoReceiptNumber(at time.Time, loc *time.Location) (string, error) {
	return tx.takeNumber(tx.series(seriesReceipt, at.In(loc).Year()))
}

// demoOwnBills gives the demo patient account a paid, a partly paid and an
// outstanding invoice, through the services, so its "My bills" is not empty.
func (db *DB) demoOwnBills(ctx context.Context, items []*app.PriceItem) error {
	var patientID, billingID string
	if err := db.r.QueryRowContext(ctx, `SELECT patient_id FROM users WHERE username = 'patient'`).Scan(&patientID); err != nil {
		return fmt.Errorf("demo own bills: %w", err)
	}
	if err := db.r.QueryRowContext(ctx, `SELECT id FROM users WHERE username = 'billing'`).Scan(&billingID); err != nil {
		return fmt.Errorf("demo own bills: %w", err)
	}
	bctx := app.NewContextWithCaller(ctx, app.Caller{UserID: billingID, Username: "billing", Role: app.RoleBilling})
	svc := db.Services().Billing
	for i, pay := range []float64{1, 0.5, 0} {
		d, err := svc.CreateDraftInvoice(bctx, app.DraftInvoice{PatientID: patientID, Lines: []app.LineInput{
			{PriceItemID: items[1+i%2].ID, Quantity: 1}, {PriceItemID: items[7+i].ID, Quantity: 1}}})
		if err != nil {
			return fmt.Errorf("demo own bills: %w", err)
		}
		inv, err := svc.IssueInvoice(bctx, d.ID)
		if err != nil {
			return fmt.Errorf("demo own bills: %w", err)
		}
		amount := app.Money(float64(inv.Balance) * pay)
		if amount == 0 {
			continue
		}
		if _, err := svc.TakePayment(bctx, app.PaymentInput{Method: app.PayCard, Amount: amount,
			Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: amount}}}); err != nil {
			return fmt.Errorf("demo own bills: %w", err)
		}
	}
	return nil
}

package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"hms/app"
)

// BillingService implements app.BillingService on SQLite. Every write runs
// in one transaction with its audit row and, for anything about a patient,
// their timeline entry; numbers (invoice, credit note, receipt) are taken
// from the desk's gap-free series in that same transaction.
type BillingService struct {
	db *DB
}

var _ app.BillingService = (*BillingService)(nil)

// billingContext is what numbering and amounts need from the settings.
type billingContext struct {
	currency string
	loc      *time.Location
}

// billingContext reads the two settings a bill needs, in one statement by
// key: not the whole settings table with its logo (decoded each time), and
// the zone not read again from the system's zone files (zoneNamed). Every
// invoice and payment write reads it.
func (tx *Tx) billingContext() (*billingContext, error) {
	var cur, zone string
	if err := tx.queryRow(`SELECT coalesce((SELECT value FROM settings WHERE key = 'currency'), ''),
		coalesce((SELECT value FROM settings WHERE key = 'time_zone'), '')`).Scan(&cur, &zone); err != nil {
		return nil, err
	}
	if cur == "" {
		cur = "EUR"
	}
	return &billingContext{currency: cur, loc: zoneNamed(zone)}, nil
}

// billingNumber takes the next number of a yearly series of this desk,
// e.g. INV-D1-2026-000042; the year is the clinic's.
func (tx *Tx) billingNumber(prefix string, loc *time.Location) (string, error) {
	return tx.takeNumber(tx.series(prefix, tx.now.In(loc).Year()))
}

// ---- price list ----

const priceColumns = `id, code, version, name, kind, price, tax_rate, coalesce(doctor_id, ''), specialization, active,
	valid_from, created_at, ` + priceCreatorNameSQL

func scanPriceItem(r rowScanner) (*app.PriceItem, error) {
	var p app.PriceItem
	var from, created string
	var active int
	if err := r.Scan(&p.ID, &p.Code, &p.Version, &p.Name, &p.Kind, &p.Price, &p.TaxRate, &p.DoctorID,
		&p.Specialization, &active, &from, &created, &p.CreatedBy); err != nil {
		return nil, err
	}
	p.Active = active == 1
	p.ValidFrom, p.CreatedAt = parseTime(from), parseTime(created)
	return &p, nil
}

// currentPrice returns the version of code in force at t.
func currentPrice(ctx context.Context, q rowQuerier, code string, t time.Time) (*app.PriceItem, error) {
	p, err := scanPriceItem(q.QueryRowContext(ctx, `SELECT `+priceColumns+` FROM price_items
		WHERE code = ? AND valid_from <= ? ORDER BY valid_from DESC, version DESC LIMIT 1`, code, formatTime(t)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return p, err
}

// insertPriceVersion adds a version of a price list item.
func (tx *Tx) insertPriceVersion(in app.PriceItemInput, active bool, action string) (*app.PriceItem, error) {
	if err := tx.Require(app.PermManageSettings); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	from := in.ValidFrom.UTC()
	if from.IsZero() || from.Before(tx.now) {
		if !from.IsZero() && tx.now.Sub(from) > time.Minute {
			return nil, app.FieldErrorf("valid_from", "A price takes effect now or later, never in the past: issued bills keep their prices.")
		}
		from = tx.now
	}
	if in.DoctorID != "" {
		var role string
		err := tx.QueryRowContext(tx.ctx, `SELECT role FROM users WHERE id = ?`, in.DoctorID).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) || role != string(app.RoleDoctor) {
			return nil, app.FieldErrorf("doctor_id", "Choose a doctor.")
		} else if err != nil {
			return nil, err
		}
	}
	var version int
	var lastFrom sql.NullString
	if err := tx.QueryRowContext(tx.ctx, `SELECT coalesce(max(version), 0), max(valid_from) FROM price_items WHERE code = ?`,
		in.Code).Scan(&version, &lastFrom); err != nil {
		return nil, err
	}
	switch {
	case action == "price.create" && version > 0:
		return nil, app.FieldErrorf("code", "There is already an item with the code %s: change its price instead.", in.Code)
	case action != "price.create" && version == 0:
		return nil, app.Errorf(app.ENOTFOUND, "There is no price list item with the code %s.", in.Code)
	}
	if lastFrom.Valid && formatTime(from) < lastFrom.String {
		from = parseTime(lastFrom.String) // versions take effect in order
	}
	p := &app.PriceItem{ID: newID(), Code: in.Code, Version: version + 1, Name: in.Name, Kind: in.Kind, Price: in.Price,
		TaxRate: in.TaxRate, DoctorID: in.DoctorID, Specialization: in.Specialization, Active: active,
		ValidFrom: from, CreatedAt: tx.now, CreatedBy: tx.caller.Username}
	var doctor any
	if p.DoctorID != "" {
		doctor = p.DoctorID
	}
	activeInt := 0
	if active {
		activeInt = 1
	}
	now := formatTime(tx.now)
	// Signed by the administrator: the other desks take a price only so
	// (docs/SYNC-DESIGN.md).
	fields := map[string]*string{"code": textp(p.Code), "version": textp(strconv.Itoa(p.Version)), "name": textp(p.Name),
		"kind": textp(string(p.Kind)), "price": textp(strconv.FormatInt(int64(p.Price), 10)),
		"tax_rate": textp(strconv.FormatInt(int64(p.TaxRate), 10)), "specialization": textp(p.Specialization),
		"active": textp(strconv.Itoa(activeInt)), "valid_from": textp(formatTime(from))}
	if p.DoctorID != "" {
		fields["doctor_id"] = textp(p.DoctorID)
	}
	sig, err := tx.powerSignature("price_items", p.ID, fields, tx.caller.Signer)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO price_items (id, code, version, name, search_name, kind, price, tax_rate,
		doctor_id, specialization, active, valid_from, created_by, created_at, updated_at, power_sig)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, p.Code, p.Version, p.Name, foldSearch(p.Name), p.Kind,
		p.Price, p.TaxRate, doctor, p.Specialization, activeInt, formatTime(from), p.CreatedBy, now, now, sig); err != nil {
		return nil, err
	}
	tx.Audit(action, "price_items", p.ID, "", fmt.Sprintf("%s v%d %s: %d minor units, tax %s, from %s", p.Code, p.Version,
		p.Name, p.Price, app.FormatRate(p.TaxRate), formatTime(from)))
	return p, nil
}

func foldSearch(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CreatePriceItem implements app.BillingService.
func (s *BillingService) CreatePriceItem(ctx context.Context, in app.PriceItemInput) (*app.PriceItem, error) {
	var p *app.PriceItem
	err := s.db.write(ctx, "price.create", func(tx *Tx) (err error) {
		p, err = tx.insertPriceVersion(in, true, "price.create")
		return err
	})
	return p, err
}

// ChangePriceItem implements app.BillingService.
func (s *BillingService) ChangePriceItem(ctx context.Context, in app.PriceItemInput) (*app.PriceItem, error) {
	var p *app.PriceItem
	err := s.db.write(ctx, "price.change", func(tx *Tx) (err error) {
		p, err = tx.insertPriceVersion(in, true, "price.change")
		return err
	})
	return p, err
}

// RetirePriceItem implements app.BillingService.
func (s *BillingService) RetirePriceItem(ctx context.Context, code string) (*app.PriceItem, error) {
	var p *app.PriceItem
	code = strings.ToUpper(strings.TrimSpace(code))
	err := s.db.write(ctx, "price.retire", func(tx *Tx) error {
		if err := tx.Require(app.PermManageSettings); err != nil {
			return err
		}
		cur, err := currentPrice(tx.ctx, tx, code, tx.now)
		if err != nil {
			return err
		}
		if cur == nil {
			return app.Errorf(app.ENOTFOUND, "There is no price list item with the code %s.", code)
		}
		p, err = tx.insertPriceVersion(app.PriceItemInput{Code: cur.Code, Name: cur.Name, Kind: cur.Kind, Price: cur.Price,
			TaxRate: cur.TaxRate, DoctorID: cur.DoctorID, Specialization: cur.Specialization}, false, "price.retire")
		return err
	})
	return p, err
}

// FindPriceItems implements app.BillingService: for each code, the version
// in force at f.At.
func (s *BillingService) FindPriceItems(ctx context.Context, f app.PriceFilter) ([]*app.PriceItem, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "price.list", "price_items", "", "", app.CanSeePriceList(c)); err != nil {
		return nil, err
	}
	at := f.At
	if at.IsZero() {
		at = s.db.now()
	}
	q := `SELECT ` + priceColumns + ` FROM price_items p WHERE valid_from <= ?1
		AND version = (SELECT v.version FROM price_items v WHERE v.code = p.code AND v.valid_from <= ?1
			ORDER BY v.valid_from DESC, v.version DESC LIMIT 1)`
	args := []any{formatTime(at)}
	if !f.IncludeRetired {
		q += ` AND active = 1`
	}
	if f.Kind != "" {
		q += ` AND kind = ?`
		args = append(args, f.Kind)
	}
	if t := strings.TrimSpace(f.Query); t != "" {
		q += ` AND (instr(code, upper(?)) > 0 OR instr(search_name, lower(?)) > 0)`
		args = append(args, t, t)
	}
	q += ` ORDER BY code LIMIT 1000`
	return scanPriceItems(s.db.r.QueryContext(ctx, q, args...))
}

func scanPriceItems(rows *sql.Rows, err error) ([]*app.PriceItem, error) {
	if err != nil {
		return nil, internal("price.list", err)
	}
	defer rows.Close()
	var out []*app.PriceItem
	for rows.Next() {
		p, err := scanPriceItem(rows)
		if err != nil {
			return nil, internal("price.list", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("price.list", err)
	}
	return out, nil
}

// PriceItemHistory implements app.BillingService.
func (s *BillingService) PriceItemHistory(ctx context.Context, code string) ([]*app.PriceItem, error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "price.history", "price_items", "", "", app.CanHandleBills(c)); err != nil {
		return nil, err
	}
	return scanPriceItems(s.db.r.QueryContext(ctx, `SELECT `+priceColumns+` FROM price_items WHERE code = ?
		ORDER BY version`, strings.ToUpper(strings.TrimSpace(code))))
}

// ---- invoices ----

// invoiceColumns read an invoice with its totals and paid amount, all
// computed from its lines and its payments' allocations. A line's discount
// column holds its own discount and its share of the invoice discount
// (migration 0009); the totals show them apart.
const invoiceColumns = invoiceHead + `,
	(SELECT coalesce(sum(l.gross), 0) FROM invoice_lines l WHERE l.invoice_id = i.id),
	(SELECT coalesce(sum(l.discount - l.invoice_discount), 0) FROM invoice_lines l WHERE l.invoice_id = i.id),
	(SELECT coalesce(sum(l.invoice_discount), 0) FROM invoice_lines l WHERE l.invoice_id = i.id),
	(SELECT coalesce(sum(l.tax), 0) FROM invoice_lines l WHERE l.invoice_id = i.id),
	(SELECT coalesce(sum(l.total), 0) FROM invoice_lines l WHERE l.invoice_id = i.id),
	` + paidSQL

// invoiceHead are an invoice's own columns with its credit note's.
const invoiceHead = `i.id, coalesce(i.number, ''), i.patient_id, i.patient_name, i.patient_mrn,
	coalesce(i.appointment_id, ''), i.status, i.currency, i.notes, i.discount_rate, i.discount_amount,
	i.issued_at, ` + issuedByNameSQL + `, i.created_at, i.created_by, coalesce(c.id, ''), coalesce(c.number, ''), coalesce(c.reason, ''), c.created_at`

// oneInvoiceColumns read one invoice whose lines are read too: the totals
// are summed from those lines instead (the zeros), the paid amount in SQL.
const oneInvoiceColumns = invoiceHead + `, 0, 0, 0, 0, 0, ` + paidSQL

// paidSQL is what an invoice i has been paid: the allocations of payments
// that have not been reversed.
const paidSQL = `(SELECT coalesce(sum(a.amount), 0) FROM payment_allocations a WHERE a.invoice_id = i.id
		AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = a.payment_id))`

const invoiceFrom = ` FROM invoices i LEFT JOIN credit_notes c ON c.invoice_id = i.id`

func scanInvoice(r rowScanner) (*app.Invoice, error) {
	var inv app.Invoice
	var issued, voided sql.NullString
	var created string
	if err := r.Scan(&inv.ID, &inv.Number, &inv.PatientID, &inv.PatientName, &inv.PatientMRN, &inv.AppointmentID,
		&inv.Status, &inv.Currency, &inv.Notes, &inv.DiscountRate, &inv.DiscountAmount, &issued, &inv.IssuedBy, &created,
		&inv.CreatedBy, &inv.CreditNoteID, &inv.CreditNoteNumber, &inv.VoidReason, &voided,
		&inv.Totals.Gross, &inv.Totals.Discount, &inv.Totals.InvoiceDiscount, &inv.Totals.Tax, &inv.Totals.Total,
		&inv.Paid); err != nil {
		return nil, err
	}
	inv.Totals.Net = inv.Totals.Gross - inv.Totals.Discount - inv.Totals.InvoiceDiscount
	inv.IssuedAt, inv.VoidedAt, inv.CreatedAt = parseNullTime(issued), parseNullTime(voided), parseTime(created)
	if inv.Status != app.InvoiceVoid {
		inv.Balance = inv.Totals.Total - inv.Paid
	}
	return &inv, nil
}

// lineColumns read a line; its own discount is the discount column less
// its share of the invoice discount (migration 0009).
const lineColumns = `id, invoice_id, position, coalesce(price_item_id, ''), code, description, kind, quantity, unit_price,
	discount_rate, discount_amount, tax_rate, gross, discount - invoice_discount, invoice_discount, net, tax, total`

func scanLine(r rowScanner) (*app.InvoiceLine, error) {
	var l app.InvoiceLine
	err := r.Scan(&l.ID, &l.InvoiceID, &l.Position, &l.PriceItemID, &l.Code, &l.Description, &l.Kind, &l.Quantity,
		&l.UnitPrice, &l.DiscountRate, &l.DiscountAmount, &l.TaxRate, &l.Gross, &l.Discount, &l.InvoiceDiscount, &l.Net,
		&l.Tax, &l.Total)
	return &l, err
}

// loadInvoice reads an invoice and its lines through q.
func loadInvoice(ctx context.Context, q rowQuerier, id string) (*app.Invoice, error) {
	inv, err := scanInvoice(q.QueryRowContext(ctx, `SELECT `+oneInvoiceColumns+invoiceFrom+` WHERE i.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, app.Errorf(app.ENOTFOUND, "There is no such invoice.")
	} else if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+lineColumns+` FROM invoice_lines WHERE invoice_id = ? ORDER BY position, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		l, err := scanLine(rows)
		if err != nil {
			return nil, err
		}
		// The stored position orders the lines (linePosition); the line's
		// number on the invoice is its place in that order.
		l.Position = len(inv.Lines) + 1
		inv.Lines = append(inv.Lines, l)
		inv.Totals.Gross += l.Gross
		inv.Totals.Discount += l.Discount
		inv.Totals.InvoiceDiscount += l.InvoiceDiscount
		inv.Totals.Net += l.Net
		inv.Totals.Tax += l.Tax
		inv.Totals.Total += l.Total
	}
	if inv.Status != app.InvoiceVoid {
		inv.Balance = inv.Totals.Total - inv.Paid
	}
	return inv, rows.Err()
}

// draft reads an invoice that must still be a draft.
func (tx *Tx) draft(id string) (*app.Invoice, error) {
	inv, err := loadInvoice(tx.ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if inv.Status != app.InvoiceDraft {
		return nil, app.Errorf(app.ECONFLICT, "Invoice %s is issued and can no longer be changed; void it with a reason instead.", inv.Number)
	}
	return inv, nil
}

// billingPatient returns a patient's name and record number; archived
// patients are not billed.
func (tx *Tx) billingPatient(id string) (name, mrn string, err error) {
	var deleted sql.NullString
	err = tx.QueryRowContext(tx.ctx, `SELECT trim(given_name || ' ' || family_name), mrn, deleted_at FROM patients WHERE id = ?`,
		id).Scan(&name, &mrn, &deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", app.FieldErrorf("patient_id", "Choose the patient the invoice is for.")
	} else if err != nil {
		return "", "", err
	}
	if deleted.Valid {
		return "", "", app.FieldErrorf("patient_id", "%s is archived: restore the record before billing it.", mrn)
	}
	return name, mrn, nil
}

// resolveLine copies what a line takes from the price list and works out
// its amounts.
func (tx *Tx) resolveLine(l app.LineInput) (app.LineInput, string, app.LineAmounts, error) {
	code := ""
	if l.PriceItemID != "" {
		p, err := scanPriceItem(tx.QueryRowContext(tx.ctx, `SELECT `+priceColumns+` FROM price_items WHERE id = ?`, l.PriceItemID))
		if errors.Is(err, sql.ErrNoRows) {
			return l, "", app.LineAmounts{}, app.FieldErrorf("price_item_id", "There is no such price list item.")
		} else if err != nil {
			return l, "", app.LineAmounts{}, err
		}
		// Always the version in force now, whichever version was chosen.
		cur, err := currentPrice(tx.ctx, tx, p.Code, tx.now)
		if err != nil {
			return l, "", app.LineAmounts{}, err
		}
		if cur == nil || !cur.Active {
			return l, "", app.LineAmounts{}, app.FieldErrorf("price_item_id", "%s is not on the price list any more.", p.Code)
		}
		l.PriceItemID, code, l.Kind, l.TaxRate = cur.ID, cur.Code, cur.Kind, cur.TaxRate
		if strings.TrimSpace(l.Description) == "" {
			l.Description = cur.Name
		}
		if l.UnitPrice == 0 {
			l.UnitPrice = cur.Price
		}
	}
	amounts, err := l.Validate()
	return l, code, amounts, err
}

// lineSlots is the step between the positions of lines added one after
// another to a draft (linePosition).
const lineSlots = 1000

// linePosition is the position a line added to a draft takes: past the
// invoice's last line by one step of lineSlots, plus the number of the
// desk that adds it (its code, D2 → 2). Positions order an invoice's
// lines on every desk; they need not be dense, and a removal moves no
// other line. So two desks that each add a line to one draft while apart
// give them different positions (UNIQUE (invoice_id, position) holds when
// they meet), the same on every desk, and every desk lists them in the
// same order; a line never moves, so a server restored from an older dump
// gives a removed line back at a position no other line has taken since.
// Lines made before (positions 1 to n) keep theirs: the next goes after
// them. Two desks whose numbers are equal modulo lineSlots (a clinic of
// more than 999 desks) can still meet at one position: the desk keeps
// the other's line for review (data/sync, lineFits), never drops it.
func linePosition(maxPosition int64, deskCode string) int64 {
	desk, err := strconv.ParseInt(strings.TrimPrefix(deskCode, "D"), 10, 64)
	if err != nil || desk < 0 {
		desk = 0
	}
	return (maxPosition/lineSlots+1)*lineSlots + desk%lineSlots
}

// insertLine appends a line to a draft, without a share of the invoice
// discount: recomputeDraft gives it one.
func (tx *Tx) insertLine(invoiceID string, l app.LineInput) error {
	l, code, a, err := tx.resolveLine(l)
	if err != nil {
		return err
	}
	var n, last int64
	if err := tx.QueryRowContext(tx.ctx, `SELECT count(*), coalesce(max(position), 0) FROM invoice_lines WHERE invoice_id = ?`,
		invoiceID).Scan(&n, &last); err != nil {
		return err
	}
	if n >= 200 {
		return app.FieldErrorf("lines", "An invoice has at most 200 lines.")
	}
	pos := linePosition(last, tx.DeskCode())
	var item any
	if l.PriceItemID != "" {
		item = l.PriceItemID
	}
	now := formatTime(tx.now)
	_, err = tx.ExecContext(tx.ctx, `INSERT INTO invoice_lines (id, invoice_id, position, price_item_id, code, description,
		kind, quantity, unit_price, discount_rate, discount_amount, tax_rate, gross, discount, net, tax, total, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, newID(), invoiceID, pos, item, code, l.Description,
		l.Kind, l.Quantity, l.UnitPrice, l.DiscountRate, l.DiscountAmount, l.TaxRate, a.Gross, a.Discount, a.Net, a.Tax,
		a.Total, now, now)
	return err
}

// createDraft inserts a draft with its lines.
func (tx *Tx) createDraft(d app.DraftInvoice, bc *billingContext) (string, error) {
	name, mrn, err := tx.billingPatient(d.PatientID)
	if err != nil {
		return "", err
	}
	if d.Notes, err = app.ValidateInvoiceNotes(d.Notes); err != nil {
		return "", err
	}
	var appt any
	if d.AppointmentID != "" {
		var pid string
		err := tx.QueryRowContext(tx.ctx, `SELECT patient_id FROM appointments WHERE id = ?`, d.AppointmentID).Scan(&pid)
		if errors.Is(err, sql.ErrNoRows) || pid != d.PatientID {
			return "", app.FieldErrorf("appointment_id", "The appointment is not one of this patient's.")
		} else if err != nil {
			return "", err
		}
		appt = d.AppointmentID
	}
	id, now := newID(), formatTime(tx.now)
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO invoices (id, patient_id, patient_name, patient_mrn, appointment_id,
		status, currency, notes, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?)`,
		id, d.PatientID, name, mrn, appt, bc.currency, d.Notes, tx.caller.Username, now, now); err != nil {
		return "", err
	}
	for i, l := range d.Lines {
		if err := tx.insertLine(id, l); err != nil {
			var ae *app.Error
			if errors.As(err, &ae) && ae.Field != "" {
				return "", app.Errorf(ae.Code, "Line %d: %s", i+1, ae).On(ae.Field)
			}
			return "", err
		}
	}
	tx.Audit("invoice.draft", "invoices", id, d.PatientID, fmt.Sprintf("draft with %d lines", len(d.Lines)))
	return id, nil
}

// CreateDraftInvoice implements app.BillingService.
func (s *BillingService) CreateDraftInvoice(ctx context.Context, d app.DraftInvoice) (*app.Invoice, error) {
	var inv *app.Invoice
	err := s.db.writeFor(ctx, "invoice.draft", "invoices", "", d.PatientID, func(tx *Tx) error {
		if err := tx.Require(app.PermManageBilling); err != nil {
			return err
		}
		bc, err := tx.billingContext()
		if err != nil {
			return err
		}
		id, err := tx.createDraft(d, bc)
		if err != nil {
			return err
		}
		inv, err = loadInvoice(tx.ctx, tx, id)
		return err
	})
	return inv, err
}

// DraftForAppointment implements app.BillingService: the consultation
// charge is the price list's consultation of the visit's doctor, else of
// their specialization, else the fee of the doctor's profile as free text.
func (s *BillingService) DraftForAppointment(ctx context.Context, appointmentID string) (*app.Invoice, error) {
	var inv *app.Invoice
	err := s.db.writeFor(ctx, "invoice.draft", "appointments", appointmentID, "", func(tx *Tx) error {
		if err := tx.Require(app.PermManageBilling); err != nil {
			return err
		}
		var err error
		inv, _, err = tx.draftForAppointment(appointmentID)
		return err
	})
	return inv, err
}

// draftForAppointment is DraftForAppointment in tx; existed says the
// visit's invoice was there already.
func (tx *Tx) draftForAppointment(appointmentID string) (inv *app.Invoice, existed bool, err error) {
	err = func() error {
		var patientID, doctorID, doctorName, status, start string
		err := tx.QueryRowContext(tx.ctx, `SELECT a.patient_id, a.doctor_id, u.full_name, a.status, a.start_at
			FROM appointments a JOIN users u ON u.id = a.doctor_id WHERE a.id = ?`, appointmentID).Scan(
			&patientID, &doctorID, &doctorName, &status, &start)
		if errors.Is(err, sql.ErrNoRows) {
			return app.Errorf(app.ENOTFOUND, "There is no such appointment.")
		} else if err != nil {
			return err
		}
		if status != string(app.AppointmentCompleted) {
			return app.Errorf(app.ECONFLICT, "Only a completed visit is billed; this one is %s.", strings.ReplaceAll(status, "_", " "))
		}
		var existing string
		err = tx.QueryRowContext(tx.ctx, `SELECT id FROM invoices WHERE appointment_id = ? AND status <> 'void'
			ORDER BY created_at LIMIT 1`, appointmentID).Scan(&existing)
		if err == nil {
			existed = true
			inv, err = loadInvoice(tx.ctx, tx, existing)
			if err == nil {
				tx.Audit("invoice.draft", "invoices", existing, patientID, "the visit's invoice exists already")
			}
			return err
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		bc, err := tx.billingContext()
		if err != nil {
			return err
		}
		line, err := tx.consultationLine(doctorID, doctorName)
		if err != nil {
			return err
		}
		id, err := tx.createDraft(app.DraftInvoice{PatientID: patientID, AppointmentID: appointmentID,
			Notes: "Visit of " + parseTime(start).In(bc.loc).Format("2006-01-02 15:04"), Lines: []app.LineInput{line}}, bc)
		if err != nil {
			return err
		}
		inv, err = loadInvoice(tx.ctx, tx, id)
		return err
	}()
	return inv, existed, err
}

// consultationLine proposes the charge of a visit with a doctor.
func (tx *Tx) consultationLine(doctorID, doctorName string) (app.LineInput, error) {
	item, _, err := consultationItem(tx.ctx, tx, doctorID, tx.now)
	if err != nil {
		return app.LineInput{}, err
	}
	if item == nil {
		return app.LineInput{}, app.Errorf(app.ECONFLICT, "There is no consultation fee for %s: an administrator adds a "+
			"consultation to the price list, or links one on the doctor's profile.", doctorName)
	}
	return app.LineInput{PriceItemID: item.ID, Quantity: 1}, nil
}

// editDraft runs one change to a draft, shares the invoice discount out
// again over the lines as they are now, and returns the draft. fn returns
// the audit row's detail.
func (s *BillingService) editDraft(ctx context.Context, action, invoiceID, lineID string,
	fn func(tx *Tx, inv *app.Invoice) (string, error)) (*app.Invoice, error) {
	var inv *app.Invoice
	err := s.db.writeFor(ctx, action, "invoices", invoiceID, "", func(tx *Tx) error {
		if err := tx.Require(app.PermManageBilling); err != nil {
			return err
		}
		id := invoiceID
		if lineID != "" {
			err := tx.QueryRowContext(tx.ctx, `SELECT invoice_id FROM invoice_lines WHERE id = ?`, lineID).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				return app.Errorf(app.ENOTFOUND, "There is no such invoice line.")
			} else if err != nil {
				return err
			}
		}
		d, err := tx.draft(id)
		if err != nil {
			return err
		}
		detail, err := fn(tx, d)
		if err != nil {
			return err
		}
		if inv, err = tx.recomputeDraft(id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE invoices SET updated_at = ? WHERE id = ?`, formatTime(tx.now), id); err != nil {
			return err
		}
		tx.Audit(action, "invoices", id, d.PatientID, detail)
		return nil
	})
	return inv, err
}

// AddLine implements app.BillingService.
func (s *BillingService) AddLine(ctx context.Context, invoiceID string, l app.LineInput) (*app.Invoice, error) {
	return s.editDraft(ctx, "invoice.line.add", invoiceID, "", func(tx *Tx, inv *app.Invoice) (string, error) {
		return "", tx.insertLine(inv.ID, l)
	})
}

// UpdateLine implements app.BillingService.
func (s *BillingService) UpdateLine(ctx context.Context, lineID string, l app.LineInput) (*app.Invoice, error) {
	return s.editDraft(ctx, "invoice.line.update", "", lineID, func(tx *Tx, inv *app.Invoice) (string, error) {
		var before *app.InvoiceLine
		for _, x := range inv.Lines {
			if x.ID == lineID {
				before = x
			}
		}
		if err := tx.updateLine(lineID, l); err != nil {
			return "", err
		}
		if before == nil || l.Was == nil || l.Was.ID != lineID {
			return lineID, nil
		}
		after, err := loadInvoice(tx.ctx, tx, inv.ID)
		if err != nil {
			return "", err
		}
		for _, x := range after.Lines {
			if x.ID == lineID {
				return lineID, tx.notSeen("invoice_lines", lineID, diffFields(lineEditable(before), lineEditable(x)),
					fieldMap(lineEditable(l.Was)))
			}
		}
		return lineID, nil
	})
}

// lineEditable is a draft line's fields that UpdateLine sets: column
// name, value (as notSeen compares them).
func lineEditable(l *app.InvoiceLine) [][2]string {
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	return [][2]string{{"price_item_id", l.PriceItemID}, {"code", l.Code}, {"description", l.Description},
		{"kind", string(l.Kind)}, {"quantity", n(l.Quantity)}, {"unit_price", n(int64(l.UnitPrice))},
		{"discount_rate", n(int64(l.DiscountRate))}, {"discount_amount", n(int64(l.DiscountAmount))},
		{"tax_rate", n(int64(l.TaxRate))}}
}

// updateLine sets a draft's line as l says, without its share of the
// invoice discount: recomputeDraft gives it one.
func (tx *Tx) updateLine(lineID string, l app.LineInput) error {
	l, code, a, err := tx.resolveLine(l)
	if err != nil {
		return err
	}
	var item any
	if l.PriceItemID != "" {
		item = l.PriceItemID
	}
	// Without its share for now, so that the share never exceeds the
	// line's new discount.
	_, err = tx.ExecContext(tx.ctx, `UPDATE invoice_lines SET price_item_id = ?, code = ?, description = ?, kind = ?,
		quantity = ?, unit_price = ?, discount_rate = ?, discount_amount = ?, tax_rate = ?, gross = ?, discount = ?,
		invoice_discount = 0, net = ?, tax = ?, total = ?, updated_at = ? WHERE id = ?`, item, code, l.Description, l.Kind,
		l.Quantity, l.UnitPrice, l.DiscountRate, l.DiscountAmount, l.TaxRate, a.Gross, a.Discount, a.Net, a.Tax, a.Total,
		formatTime(tx.now), lineID)
	return err
}

// takeLineField takes back the value of a draft's line that lost to a
// change made on another desk (ResolveConflict): the line as it is with
// that one field set, its amounts worked out again and the invoice
// discount shared out again, as UpdateLine does. An issued invoice's
// lines never change.
func (tx *Tx) takeLineField(lineID, field string, value any) error {
	var invoiceID string
	err := tx.QueryRowContext(tx.ctx, `SELECT invoice_id FROM invoice_lines WHERE id = ?`, lineID).Scan(&invoiceID)
	if errors.Is(err, sql.ErrNoRows) {
		return app.Errorf(app.ENOTFOUND, "The invoice line is not on this desk (any more): sync, then try again.")
	} else if err != nil {
		return err
	}
	inv, err := tx.draft(invoiceID)
	if err != nil {
		return err
	}
	var cur *app.InvoiceLine
	for _, l := range inv.Lines {
		if l.ID == lineID {
			cur = l
		}
	}
	if cur == nil {
		return app.Errorf(app.ENOTFOUND, "There is no such invoice line.")
	}
	l := app.LineInput{PriceItemID: cur.PriceItemID, Description: cur.Description, Kind: cur.Kind, Quantity: cur.Quantity,
		UnitPrice: cur.UnitPrice, DiscountRate: cur.DiscountRate, DiscountAmount: cur.DiscountAmount, TaxRate: cur.TaxRate}
	num := func() (int64, error) {
		switch v := value.(type) {
		case int64:
			return v, nil
		case float64:
			return int64(v), nil
		}
		return 0, app.Errorf(app.EINVALID, "The value that lost (%v) is not a number and cannot be the line's %s.", value,
			strings.ReplaceAll(field, "_", " "))
	}
	var n int64
	switch field {
	case "description":
		s, ok := value.(string)
		if !ok {
			return app.Errorf(app.EINVALID, "The value that lost (%v) is not text and cannot be the line's description.", value)
		}
		l.Description = s
	case "quantity", "unit_price", "discount_rate", "discount_amount", "tax_rate":
		if n, err = num(); err != nil {
			return err
		}
		switch field {
		case "quantity":
			l.Quantity = n
		case "unit_price":
			l.UnitPrice = app.Money(n)
		case "discount_rate":
			l.DiscountRate = app.BasisPoints(n)
		case "discount_amount":
			l.DiscountAmount = app.Money(n)
		case "tax_rate":
			l.TaxRate = app.BasisPoints(n)
		}
	default:
		return app.Errorf(app.EINVALID, "The line's %s cannot be taken back alone: change the line on the draft instead.",
			strings.ReplaceAll(field, "_", " "))
	}
	if err := tx.updateLine(lineID, l); err != nil {
		return err
	}
	_, err = tx.recomputeDraft(invoiceID)
	return err
}

// takeInvoiceField takes back a draft's discount or notes that lost to a
// change made on another desk (ResolveConflict), as SetInvoiceDiscount
// sets them: the discount checked against the draft's lines and shared out
// over them again. An issued invoice's fields never change, and the fields
// that follow its life (status, number, issue) are not taken back.
func (tx *Tx) takeInvoiceField(invoiceID, field string, value any) error {
	if !slices.Contains([]string{"notes", "discount_rate", "discount_amount"}, field) {
		return app.Errorf(app.EINVALID, "The invoice's %s cannot be taken back: it follows the invoice's issue and payments.",
			strings.ReplaceAll(field, "_", " "))
	}
	inv, err := tx.draft(invoiceID)
	if err != nil {
		return err
	}
	switch field {
	case "notes":
		s, ok := value.(string)
		if !ok {
			return app.Errorf(app.EINVALID, "The value that lost (%v) is not text and cannot be the invoice's notes.", value)
		}
		// What another desk sent is held to the rules the notes are
		// typed under here: it is written as this person's change.
		if s, err = app.ValidateInvoiceNotes(s); err != nil {
			return err
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE invoices SET notes = ?, updated_at = ? WHERE id = ?`,
			s, formatTime(tx.now), invoiceID); err != nil {
			return err
		}
		return nil
	case "discount_rate", "discount_amount":
		var n int64
		switch v := value.(type) {
		case int64:
			n = v
		case float64:
			n = int64(v)
		default:
			return app.Errorf(app.EINVALID, "The value that lost (%v) is not a number and cannot be the invoice's %s.", value,
				strings.ReplaceAll(field, "_", " "))
		}
		// The discount is a rate or an amount: the one taken back replaces
		// the other, as SetInvoiceDiscount sets them.
		rate, amount := app.BasisPoints(0), app.Money(0)
		if field == "discount_rate" {
			rate = app.BasisPoints(n)
		} else {
			amount = app.Money(n)
		}
		if _, err := app.InvoiceDiscountAmount(rate, amount, inv.Totals.Gross-inv.Totals.Discount); err != nil {
			return err
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE invoices SET discount_rate = ?, discount_amount = ?, updated_at = ? WHERE id = ?`,
			rate, amount, formatTime(tx.now), invoiceID); err != nil {
			return err
		}
		_, err = tx.recomputeDraft(invoiceID)
		return err
	}
	return nil
}

// RemoveLine implements app.BillingService.
func (s *BillingService) RemoveLine(ctx context.Context, lineID string) (*app.Invoice, error) {
	return s.editDraft(ctx, "invoice.line.remove", "", lineID, func(tx *Tx, inv *app.Invoice) (string, error) {
		// The other lines keep their positions (linePosition): the gap
		// stays, and the lines' numbers close it.
		_, err := tx.ExecContext(tx.ctx, `DELETE FROM invoice_lines WHERE id = ?`, lineID)
		return lineID, err
	})
}

// SetInvoiceDiscount implements app.BillingService.
func (s *BillingService) SetInvoiceDiscount(ctx context.Context, invoiceID string, rate app.BasisPoints, amount app.Money, was *app.Invoice) (*app.Invoice, error) {
	return s.editDraft(ctx, "invoice.discount", invoiceID, "", func(tx *Tx, inv *app.Invoice) (string, error) {
		// Checked here, before the columns' CHECKs could refuse it
		// without a message for a person.
		if _, err := app.InvoiceDiscountAmount(rate, amount, inv.Totals.Gross-inv.Totals.Discount); err != nil {
			return "", err
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE invoices SET discount_rate = ?, discount_amount = ? WHERE id = ?`,
			rate, amount, inv.ID); err != nil {
			return "", err
		}
		if was != nil && was.ID == inv.ID {
			changes := diffFields(invoiceDiscount(inv.DiscountRate, inv.DiscountAmount), invoiceDiscount(rate, amount))
			if err := tx.notSeen("invoices", inv.ID, changes,
				fieldMap(invoiceDiscount(was.DiscountRate, was.DiscountAmount))); err != nil {
				return "", err
			}
		}
		switch {
		case rate > 0:
			return "invoice discount " + app.FormatRate(rate), nil
		case amount > 0:
			return "invoice discount " + app.Format(amount, inv.Currency), nil
		}
		return "no invoice discount", nil
	})
}

// invoiceDiscount is a draft's fields that SetInvoiceDiscount sets:
// column name, value (as notSeen compares them).
func invoiceDiscount(rate app.BasisPoints, amount app.Money) [][2]string {
	return [][2]string{{"discount_rate", strconv.FormatInt(int64(rate), 10)},
		{"discount_amount", strconv.FormatInt(int64(amount), 10)}}
}

// recomputeDraft shares a draft's invoice discount out over its lines as
// they are now (app.ComputeInvoice), stores each line's share, net, tax and
// total where they changed, and returns the draft as it then stands. Every
// change to a draft ends with it, so the stored figures are always the
// rule's, and issuing freezes them as they are.
func (tx *Tx) recomputeDraft(id string) (*app.Invoice, error) {
	inv, err := loadInvoice(tx.ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return inv, tx.shareDiscount(inv)
}

// shareDiscount is recomputeDraft of the draft inv as loaded, which it
// updates.
func (tx *Tx) shareDiscount(inv *app.Invoice) error {
	amounts := make([]app.LineAmounts, len(inv.Lines))
	taxRates := make([]app.BasisPoints, len(inv.Lines))
	for i, l := range inv.Lines {
		amounts[i], taxRates[i] = l.LineAmounts, l.TaxRate
	}
	amounts, totals, err := app.ComputeInvoice(amounts, taxRates, inv.DiscountRate, inv.DiscountAmount)
	if err != nil {
		// SetInvoiceDiscount checks the discount first: here a change to
		// the lines left less than an amount discount takes off.
		if app.ErrorField(err) == "invoice_discount" && inv.DiscountAmount > 0 {
			return app.FieldErrorf("invoice_discount", "The invoice discount of %s would be more than the lines' "+
				"amount after their own discounts: lower or remove it first.", app.Format(inv.DiscountAmount, inv.Currency))
		}
		return err
	}
	now := formatTime(tx.now)
	for i, l := range inv.Lines {
		a := amounts[i]
		if a == l.LineAmounts {
			continue
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE invoice_lines SET gross = ?, discount = ?, invoice_discount = ?, net = ?,
			tax = ?, total = ?, updated_at = ? WHERE id = ?`, a.Gross, a.Discount+a.InvoiceDiscount, a.InvoiceDiscount, a.Net,
			a.Tax, a.Total, now, l.ID); err != nil {
			return err
		}
		l.LineAmounts = a
	}
	inv.Totals = totals
	inv.Balance = totals.Total - inv.Paid
	return nil
}

// issuedWithSQL is an invoice's lines whole, as it is issued with them
// (invoices.issued_with, desk migration 0183): line id to the line's
// synced columns. Its parameter is the invoice.
const issuedWithSQL = `SELECT json_group_object(id, json_object('id', id, 'invoice_id', invoice_id, 'position', position,
	'price_item_id', price_item_id, 'code', code, 'description', description, 'kind', kind, 'quantity', quantity,
	'unit_price', unit_price, 'discount_rate', discount_rate, 'discount_amount', discount_amount, 'tax_rate', tax_rate,
	'gross', gross, 'discount', discount, 'invoice_discount', invoice_discount, 'net', net, 'tax', tax, 'total', total,
	'created_at', created_at, 'updated_at', updated_at)) FROM invoice_lines WHERE invoice_id = ?`

// IssueInvoice implements app.BillingService.
func (s *BillingService) IssueInvoice(ctx context.Context, invoiceID string) (*app.Invoice, error) {
	var inv *app.Invoice
	err := s.db.writeFor(ctx, "invoice.issue", "invoices", invoiceID, "", func(tx *Tx) error {
		if err := tx.Require(app.PermManageBilling); err != nil {
			return err
		}
		var err error
		inv, err = tx.issueInvoice(invoiceID)
		return err
	})
	return inv, err
}

// issueInvoice is IssueInvoice in tx.
func (tx *Tx) issueInvoice(invoiceID string) (inv *app.Invoice, err error) {
	err = func() error {
		d, err := tx.draft(invoiceID)
		if err != nil {
			return err
		}
		if len(d.Lines) == 0 {
			return app.FieldErrorf("lines", "Add at least one line before issuing the invoice.")
		}
		// Each change to a draft shares its discount out over the lines it
		// has (recomputeDraft), but lines added on two desks while apart
		// each got a share of their own desk's, and two desks that changed
		// different fields of one line while apart left it with the
		// amounts of one of them (the sync merges field by field): issuing
		// works each line out again from its quantity, price, discount and
		// tax rate, and shares the discount over the lines as they are,
		// once more, before freezing them.
		for i, l := range d.Lines {
			a, err := app.ComputeLine(l.Quantity, l.UnitPrice, l.DiscountRate, l.DiscountAmount, l.TaxRate)
			if err != nil {
				var ae *app.Error
				if errors.As(err, &ae) && ae.Field != "" {
					return app.Errorf(ae.Code, "Line %d: %s", i+1, ae).On(ae.Field)
				}
				return err
			}
			if l.Gross != a.Gross || l.Discount != a.Discount {
				// Stored below with the rest of its amounts (a line's total
				// is never negative, so shareDiscount finds it changed).
				l.Gross, l.Discount, l.Total = a.Gross, a.Discount, -1
			}
		}
		if err := tx.shareDiscount(d); err != nil {
			return err
		}
		bc, err := tx.billingContext()
		if err != nil {
			return err
		}
		number, err := tx.billingNumber(seriesInvoice, bc.loc)
		if err != nil {
			return err
		}
		status := app.InvoiceIssued
		if d.Totals.Total == 0 {
			status = app.InvoicePaid
		}
		now := formatTime(tx.now)
		// The lines it is issued with: a line another desk added meanwhile,
		// without seeing the issue, is not one of them (MoveLateLines).
		ids := make([]string, len(d.Lines))
		for i, l := range d.Lines {
			ids[i] = l.ID
		}
		issuedLines, err := json.Marshal(ids)
		if err != nil {
			return err
		}
		// And each of them whole (issued_with): a line changed or removed
		// meanwhile on a desk that had not seen the issue does not change
		// the issued invoice on any desk (data/sync).
		if _, err := tx.ExecContext(tx.ctx, `UPDATE invoices SET number = ?, status = ?, issued_at = ?, issued_by = ?,
			updated_at = ?, issued_lines = ?, issued_with = (`+issuedWithSQL+`) WHERE id = ? AND status = 'draft'`,
			number, status, now, tx.caller.Username, now, string(issuedLines), invoiceID, invoiceID); err != nil {
			return err
		}
		summary := fmt.Sprintf("Invoice %s issued: %s", number, app.Format(d.Totals.Total, d.Currency))
		if err := tx.timelineEvent(d.PatientID, app.HistoryInvoice, summary, invoiceID); err != nil {
			return err
		}
		tx.Audit("invoice.issue", "invoices", invoiceID, d.PatientID, summary)
		issuer, err := tx.callerName()
		if err != nil {
			return err
		}
		// The draft as read above is the invoice now, but for what issuing set.
		d.Number, d.Status, d.IssuedAt, d.IssuedBy = number, status, parseTime(now), issuer
		inv = d
		return nil
	}()
	return inv, err
}

// invoiceStatusSQL is the status an issued invoice i's credit note, lines
// and allocations give it: void once credited, issued while nothing is
// paid, partially paid, and paid once its payments make the total (or
// more: an overpaid invoice is paid, and a billing conflict).
const invoiceStatusSQL = `CASE
			WHEN EXISTS (SELECT 1 FROM credit_notes c WHERE c.invoice_id = i.id) THEN 'void'
			WHEN ` + paidSQL + ` = 0 AND ` + invoiceTotalSQL + ` > 0 THEN 'issued'
			WHEN ` + paidSQL + ` < ` + invoiceTotalSQL + ` THEN 'partially_paid'
			ELSE 'paid' END`

// refreshStatus derives an issued invoice's status from its credit note,
// lines and allocations; every write that changes one of them calls it in
// the same transaction, so the column never disagrees with the data.
func (tx *Tx) refreshStatus(invoiceID string) error {
	_, err := tx.ExecContext(tx.ctx, `UPDATE invoices AS i SET status = `+invoiceStatusSQL+`
		WHERE i.id = ? AND i.status <> 'draft' AND i.status <> 'void'`, invoiceID)
	return err
}

// DeriveInvoiceStatuses sets the status of each issued invoice of ids to
// what the credit notes, lines and allocations this desk holds give it, as
// refreshStatus does for the desk's own writes. The sync engine calls it
// after applying pulled rows: a status is synced as a field, and the last
// desk to write it may not have held every payment (two desks took parts
// of one invoice while apart), so the pulled status can contradict the
// payments. Drafts and void invoices keep theirs. Only rows whose status
// changes are written.
func (tx *Tx) DeriveInvoiceStatuses(ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(tx.ctx, `UPDATE invoices AS i SET status = `+invoiceStatusSQL+`
		WHERE i.id IN (SELECT value FROM json_each(?)) AND i.status <> 'draft' AND i.status <> 'void'
			AND i.status <> `+invoiceStatusSQL, string(list))
	return err
}

// VoidInvoice implements app.BillingService: a credit note for the whole
// invoice, with its own number and the reason. An invoice with payments on
// it is refunded first.
func (s *BillingService) VoidInvoice(ctx context.Context, invoiceID, reason string) (*app.Invoice, error) {
	var inv *app.Invoice
	err := s.db.writeFor(ctx, "invoice.void", "invoices", invoiceID, "", func(tx *Tx) error {
		if err := tx.Require(app.PermManageBilling); err != nil {
			return err
		}
		reason, err := app.ValidateBillingReason(reason)
		if err != nil {
			return err
		}
		cur, err := loadInvoice(tx.ctx, tx, invoiceID)
		if err != nil {
			return err
		}
		switch {
		case cur.Status == app.InvoiceDraft:
			return app.Errorf(app.ECONFLICT, "A draft is not voided: it has no number yet and can simply be changed.")
		case cur.Status == app.InvoiceVoid:
			return app.Errorf(app.ECONFLICT, "Invoice %s is void already.", cur.Number)
		case cur.Paid > 0:
			return app.Errorf(app.ECONFLICT, "Invoice %s has payments of %s on it: refund them before voiding it.",
				cur.Number, app.Format(cur.Paid, cur.Currency))
		}
		bc, err := tx.billingContext()
		if err != nil {
			return err
		}
		number, err := tx.billingNumber(seriesCreditNote, bc.loc)
		if err != nil {
			return err
		}
		now := formatTime(tx.now)
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO credit_notes (id, number, invoice_id, amount, reason, created_by,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, newID(), number, invoiceID, cur.Totals.Total, reason,
			tx.caller.Username, now, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE invoices SET status = 'void' WHERE id = ?`, invoiceID); err != nil {
			return err
		}
		summary := fmt.Sprintf("Invoice %s voided by credit note %s: %s", cur.Number, number, reason)
		if err := tx.timelineEvent(cur.PatientID, app.HistoryInvoice, summary, invoiceID); err != nil {
			return err
		}
		tx.Audit("invoice.void", "invoices", invoiceID, cur.PatientID, summary)
		inv, err = loadInvoice(tx.ctx, tx, invoiceID)
		return err
	})
	return inv, err
}

package data

import (
	"context"
	"strings"
	"time"

	"hms/app"
)

// The lists behind the dashboard's figures. Each walks one index range in
// the index's order, a page at a time, from a cursor "time|id" of the last
// row of the previous page.

// pageCursor splits a drill-down cursor; "" starts before everything.
func pageCursor(cursor string) (at, id string, err error) {
	if cursor == "" {
		return "", "", nil
	}
	at, id, ok := strings.Cut(cursor, "|")
	if !ok {
		return "", "", app.FieldErrorf("cursor", "This page marker is not valid; start from the first page.")
	}
	return at, id, nil
}

// cursorAfter is the cursor of the page after the row (at, id).
func cursorAfter(at time.Time, id string) string { return formatTime(at) + "|" + id }

// drillDown checks a drill-down's permission (auditing a denial), period and
// cursor, and returns the period's instants and the cursor's parts.
func (s *DashboardService) drillDown(ctx context.Context, action string, perm app.Permission, d *app.DrillDown, needPeriod bool) (from, to, curAt, curID string, err error) {
	c, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, action, "", "", "", app.RequireAny(c, perm)); err != nil {
		return "", "", "", "", err
	}
	d.Normalize()
	if curAt, curID, err = pageCursor(d.Cursor); err != nil {
		return "", "", "", "", err
	}
	if !needPeriod {
		return "", "", curAt, curID, nil
	}
	if err := d.Period.Validate(); err != nil {
		return "", "", "", "", err
	}
	loc, err := clinicZone(ctx, s.db.r)
	if err != nil {
		return "", "", "", "", internal(action, err)
	}
	start, end := d.Period.Bounds(loc)
	return formatTime(start), formatTime(end), curAt, curID, nil
}

// ListAppointments implements app.DashboardService.
func (s *DashboardService) ListAppointments(ctx context.Context, d app.DrillDown) (*app.AppointmentPage, error) {
	const action = "dashboard.list_appointments"
	from, to, curAt, curID, err := s.drillDown(ctx, action, app.PermViewStatistics, &d, true)
	if err != nil {
		return nil, err
	}
	if d.Status != "" && !d.Status.Valid() {
		return nil, app.FieldErrorf("status", "Unknown appointment status %q.", d.Status)
	}
	query, args := appointmentListQuery(d, from, to, curAt, curID)
	list, err := scanAppointments(s.db.r.QueryContext(ctx, query, args...))
	if err != nil {
		return nil, internal(action, err)
	}
	page := &app.AppointmentPage{Appointments: list}
	if len(list) > d.Limit {
		page.Appointments = list[:d.Limit]
		last := page.Appointments[d.Limit-1]
		page.Next = cursorAfter(last.Start, last.ID)
	}
	return page, nil
}

// appointmentListQuery is the query of a page of ListAppointments.
func appointmentListQuery(d app.DrillDown, from, to, curAt, curID string) (string, []any) {
	where, args := []string{`a.start_at >= ? AND a.start_at < ?`, `a.deleted_at IS NULL`}, []any{from, to}
	if d.DoctorID != "" {
		where, args = append(where, `a.doctor_id = ?`), append(args, d.DoctorID)
	}
	switch {
	case d.Status != "":
		where, args = append(where, `a.status = ?`), append(args, d.Status)
	case d.Standing:
		where, args = append(where, `a.status NOT IN (?, ?)`), append(args, app.AppointmentCancelled, app.AppointmentConflict)
	}
	where, args = append(where, `(a.start_at, a.id) > (?, ?)`), append(args, curAt, curID, d.Limit+1)
	return `SELECT ` + appointmentColumns + appointmentFrom + ` WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY a.start_at, a.id LIMIT ?`, args
}

// newPatientsSQL lists the patients registered in [from, to) after a
// cursor (created_at, id), oldest first.
const newPatientsSQL = `SELECT ` + patientColumns + ` FROM patients p INDEXED BY patients_created
	WHERE p.created_at >= ? AND p.created_at < ? AND p.deleted_at IS NULL AND (p.created_at, p.id) > (?, ?)
	ORDER BY p.created_at, p.id`

// ListNewPatients implements app.DashboardService.
func (s *DashboardService) ListNewPatients(ctx context.Context, d app.DrillDown) (*app.PatientList, error) {
	const action = "dashboard.list_patients"
	from, to, curAt, curID, err := s.drillDown(ctx, action, app.PermViewStatistics, &d, true)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, newPatientsSQL+` LIMIT ?`, from, to, curAt, curID, d.Limit+1)
	if err != nil {
		return nil, internal(action, err)
	}
	defer rows.Close()
	out := &app.PatientList{}
	for rows.Next() {
		p, err := scanPatient(rows)
		if err != nil {
			return nil, internal(action, err)
		}
		out.Patients = append(out.Patients, p)
	}
	if err := rows.Err(); err != nil {
		return nil, internal(action, err)
	}
	if len(out.Patients) > d.Limit {
		out.Patients = out.Patients[:d.Limit]
		last := out.Patients[d.Limit-1]
		out.Next = cursorAfter(last.CreatedAt, last.ID)
	}
	return out, nil
}

// invoiceDoctorSQL holds when an invoice has a line that the revenue
// figures attribute to a doctor: its appointment's, else its price item's.
const invoiceDoctorSQL = `EXISTS (SELECT 1 FROM invoice_lines l LEFT JOIN price_items pi ON pi.id = l.price_item_id
	WHERE l.invoice_id = i.id AND coalesce((SELECT ap.doctor_id FROM appointments ap WHERE ap.id = i.appointment_id), pi.doctor_id, '') = ?)`

// ListInvoices implements app.DashboardService.
func (s *DashboardService) ListInvoices(ctx context.Context, d app.DrillDown) (*app.InvoiceList, error) {
	const action = "dashboard.list_invoices"
	from, to, curAt, curID, err := s.drillDown(ctx, action, app.PermViewFinancial, &d, true)
	if err != nil {
		return nil, err
	}
	query, args := invoiceListQuery(d, from, to, curAt, curID)
	invs, err := scanInvoices(s.db.r.QueryContext(ctx, query, args...))
	if err != nil {
		return nil, internal(action, err)
	}
	out := &app.InvoiceList{Invoices: invs}
	if len(invs) > d.Limit {
		out.Invoices = invs[:d.Limit]
		last := out.Invoices[d.Limit-1]
		out.Next = cursorAfter(last.IssuedAt, last.ID)
	}
	return out, nil
}

// invoiceListQuery is the query of a page of ListInvoices.
func invoiceListQuery(d app.DrillDown, from, to, curAt, curID string) (string, []any) {
	where := []string{`i.issued_at >= ? AND i.issued_at < ?`, `i.status NOT IN ('draft', 'void')`}
	args := []any{from, to}
	if d.DoctorID != "" {
		where, args = append(where, invoiceDoctorSQL), append(args, d.DoctorID)
	}
	if d.Code != "" {
		where = append(where, `EXISTS (SELECT 1 FROM invoice_lines l WHERE l.invoice_id = i.id AND l.code = ?)`)
		args = append(args, d.Code)
	}
	where, args = append(where, `(i.issued_at, i.id) > (?, ?)`), append(args, curAt, curID, d.Limit+1)
	return `SELECT ` + invoiceColumns + ` FROM invoices i INDEXED BY invoices_issued
		LEFT JOIN credit_notes c ON c.invoice_id = i.id
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY i.issued_at, i.id LIMIT ?`, args
}

// ListPayments implements app.DashboardService.
func (s *DashboardService) ListPayments(ctx context.Context, d app.DrillDown) (*app.PaymentList, error) {
	const action = "dashboard.list_payments"
	from, to, curAt, curID, err := s.drillDown(ctx, action, app.PermViewFinancial, &d, true)
	if err != nil {
		return nil, err
	}
	if d.Method != "" && !d.Method.Valid() {
		return nil, app.FieldErrorf("method", "Unknown payment method %q.", d.Method)
	}
	query, args := paymentListQuery(d, from, to, curAt, curID)
	rows, err := s.db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, internal(action, err)
	}
	defer rows.Close()
	out := &app.PaymentList{}
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, internal(action, err)
		}
		out.Payments = append(out.Payments, p)
	}
	if err := rows.Err(); err != nil {
		return nil, internal(action, err)
	}
	if len(out.Payments) > d.Limit {
		out.Payments = out.Payments[:d.Limit]
		last := out.Payments[d.Limit-1]
		out.Next = cursorAfter(last.TakenAt, last.ID)
	}
	return out, nil
}

// paymentListQuery is the query of a page of ListPayments.
func paymentListQuery(d app.DrillDown, from, to, curAt, curID string) (string, []any) {
	where, args := []string{`p.taken_at >= ? AND p.taken_at < ?`, `p.deleted_at IS NULL`}, []any{from, to}
	if d.Method != "" {
		where, args = append(where, `p.method = ?`), append(args, d.Method)
	}
	where, args = append(where, `(p.taken_at, p.id) > (?, ?)`), append(args, curAt, curID, d.Limit+1)
	return `SELECT ` + paymentColumns + ` FROM payments p INDEXED BY payments_taken
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY p.taken_at, p.id LIMIT ?`, args
}

// ListOutstanding implements app.DashboardService.
func (s *DashboardService) ListOutstanding(ctx context.Context, d app.DrillDown) (*app.OutstandingList, error) {
	const action = "dashboard.list_outstanding"
	_, _, curAt, curID, err := s.drillDown(ctx, action, app.PermViewFinancial, &d, false)
	if err != nil {
		return nil, err
	}
	invs, err := outstandingPage(ctx, s.db.r, s.db.now(), curAt, curID, d.Limit+1)
	if err != nil {
		return nil, internal(action, err)
	}
	out := &app.OutstandingList{Invoices: invs}
	if len(invs) > d.Limit {
		out.Invoices = invs[:d.Limit]
		last := out.Invoices[d.Limit-1]
		out.Next = cursorAfter(last.IssuedAt, last.ID)
	}
	return out, nil
}

// outstandingPage reads up to limit issued, unpaid invoices after the
// cursor (issued_at, id), oldest first, with their age in days.
func outstandingPage(ctx context.Context, q rowQuerier, now time.Time, curAt, curID string, limit int) ([]*app.OutstandingInvoice, error) {
	loc, err := clinicZone(ctx, q)
	if err != nil {
		return nil, err
	}
	invs, err := scanInvoices(q.QueryContext(ctx, `SELECT `+invoiceColumns+outstandingFrom+`
		WHERE i.status IN ('issued', 'partially_paid') AND (i.issued_at, i.id) > (?, ?)
		ORDER BY i.issued_at, i.id LIMIT ?`, curAt, curID, limit))
	if err != nil {
		return nil, err
	}
	today := civilDay(now.In(loc))
	out := make([]*app.OutstandingInvoice, len(invs))
	for i, inv := range invs {
		out[i] = &app.OutstandingInvoice{Invoice: inv, AgeDays: int(today.Sub(civilDay(inv.IssuedAt.In(loc))).Hours() / 24)}
	}
	return out, nil
}

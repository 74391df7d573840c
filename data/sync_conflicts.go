package data

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"hms/app"
	"hms/app/i18n"
	"hms/data/sync/hlc"
)

// ConflictService is the review of what lost in syncing: the conflicts
// the sync engine (package data/sync) keeps when it pushes and pulls, and
// the possible duplicate patients the server flags (sync_duplicates.go).
// Its methods are app.SyncService's ListConflicts and ResolveConflict; the
// engine implements the rest of that interface with them.
type ConflictService struct {
	db *DB
}

// Conflicts returns the review of the desk's conflicts.
func (db *DB) Conflicts() *ConflictService { return &ConflictService{db: db} }

// The rules a conflict names, for the review screen: what decided.
const (
	// RuleFieldLWW: a newer change of the field, from anywhere, won.
	RuleFieldLWW = "field: last writer by (HLC, site) wins"
	// RuleDeleted: the row was deleted on the server.
	RuleDeleted = "row deleted on the server"
	// RuleSlotTaken: a confirmed booking whose doctor's time another
	// booking already held on the server became 'conflict', for
	// reception: the first booking to reach the server keeps the time.
	RuleSlotTaken = "booking: the doctor's time is held by the booking that reached the server first"
	// RuleRejected begins the rule of a change the server refused; the
	// reason follows.
	RuleRejected = "refused by the server: "
	// RuleNotApplied begins the rule of a pulled change this desk could
	// not apply; why follows. The pull applies those again each round.
	RuleNotApplied = "could not be applied on this desk: "
	// RuleUnsignedPower begins the rule of a pulled change this desk
	// refused because it grants power without a trusted administrator's
	// signature (data/sync, verify.go); why follows.
	RuleUnsignedPower = "refused: grants power without a trusted administrator's signature: "
	// ruleDuplicate begins the rule of a possible duplicate patient; the
	// server's reason follows.
	ruleDuplicate = "possible duplicate: "
)

// duplicateReason is the server's reason for flagging a possible
// duplicate patient, as a text to translate.
func duplicateReason(why string) i18n.Text {
	if why == "same name and date of birth" {
		return i18n.Nf("same name and date of birth")
	}
	return i18n.Text{Format: "%s", Args: []any{why}}
}

// ruleText is a conflict's rule as a text to translate where it is shown:
// the rule's own words, and the reason after it as it was given (a
// server's or a desk's, in English).
func ruleText(rule string) i18n.Text {
	switch rule {
	case RuleFieldLWW:
		return i18n.Nf("field: last writer by (HLC, site) wins")
	case RuleDeleted:
		return i18n.Nf("row deleted on the server")
	case RuleSlotTaken:
		return i18n.Nf("booking: the doctor's time is held by the booking that reached the server first")
	case RuleOverpaid:
		return i18n.Nf("billing: paid more than its total on desks that were apart; refund or allocate the excess")
	case RuleIssuedLines:
		return i18n.Nf("billing: an issued invoice keeps the lines it was issued with")
	case RuleIssueRewritten:
		return i18n.Nf("billing: refused a change of the lines an issued invoice was issued with that did not come with its issue")
	case RuleIssuedFirst:
		return i18n.Nf("billing: the invoice was issued first on another desk; that issue holds for the clinic")
	case RuleRefundedTwice:
		return i18n.Nf("billing: a payment was refunded on two desks that were apart; the patient was paid back twice")
	case RuleRefundedBeyond:
		return i18n.Nf("billing: an overpaid invoice was refunded on two desks that were apart; it owes again what was refunded beyond the excess")
	}
	if why, ok := strings.CutPrefix(rule, RuleRejected); ok {
		return i18n.Nf("refused by the server: %s", why)
	}
	if why, ok := strings.CutPrefix(rule, RuleNotApplied); ok {
		return i18n.Nf("could not be applied on this desk: %s", why)
	}
	if why, ok := strings.CutPrefix(rule, RuleUnsignedPower); ok {
		return i18n.Nf("refused: grants power without a trusted administrator's signature: %s", why)
	}
	if why, ok := strings.CutPrefix(rule, ruleDuplicate); ok {
		return i18n.Nf("possible duplicate: %s", duplicateReason(why))
	}
	return i18n.Text{Format: "%s", Args: []any{rule}}
}

// OpenConflicts counts what waits for a person's review: the open
// conflicts, and the possible duplicate patients not decided yet.
func (db *DB) OpenConflicts(ctx context.Context) (int, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM conflicts WHERE resolved_at IS NULL)
			+ (SELECT count(*) FROM billing_conflicts WHERE resolved_at IS NULL)
			+ (SELECT count(*) FROM patient_duplicates d JOIN patients p ON p.id = d.patient_id
				JOIN patients o ON o.id = d.other_id WHERE `+openDuplicate+`)`).Scan(&n); err != nil {
		return 0, internal("sync.status", err)
	}
	return n, nil
}

// maxConflictsListed bounds ListConflicts: the newest this many. Open
// conflicts are few on a desk that syncs; the resolved ones only grow.
const maxConflictsListed = 1000

// conflictColumns are the columns scanConflict reads, in its order.
const conflictColumns = `id, entity, row_id, field, rule, lost_value, lost_hlc, lost_site, won_value, won_hlc,
	won_site, detected_at, resolved_at, resolved_by, resolution`

// ListConflicts implements app.SyncService: the conflicts kept for review,
// newest first, each with a name for its record. Staff who manage settings
// or appointments (a booking that lost is reception's to rearrange).
func (s *ConflictService) ListConflicts(ctx context.Context, all bool) ([]*app.Conflict, error) {
	db := s.db
	caller, _ := app.CallerFromContext(ctx)
	// Billing staff see the billing conflicts only; the others, the rest.
	seeBilling := app.CanSeeBillingConflicts(caller) == nil
	perm := app.CanSeeConflicts(caller)
	seeSync := perm == nil
	if seeBilling {
		perm = nil
	}
	if err := db.authorizeRead(ctx, "sync.conflicts", "conflicts", "", "", perm); err != nil {
		return nil, err
	}
	var billing []*app.Conflict
	if seeBilling {
		var err error
		if billing, err = listBillingConflicts(ctx, db.r, all, maxConflictsListed); err != nil {
			return nil, internal("sync.conflicts", err)
		}
	}
	// The changes of invoices and their lines that lost are billing's
	// (and administrators'); reception sees the others.
	admin := app.RequireAny(caller, app.PermManageSettings) == nil
	which := ""
	switch {
	case admin:
	case seeBilling && seeSync:
	case seeBilling:
		which = ` AND entity IN ` + billingEntitiesSQL
	default:
		which = ` AND entity NOT IN ` + billingEntitiesSQL
	}
	q := `SELECT ` + conflictColumns + ` FROM conflicts WHERE resolved_at IS NULL` + which + ` ORDER BY detected_at DESC, id DESC LIMIT ?`
	if all {
		q = `SELECT ` + conflictColumns + ` FROM conflicts WHERE 1` + which + ` ORDER BY detected_at DESC, id DESC LIMIT ?`
	}
	rows, err := db.r.QueryContext(ctx, q, maxConflictsListed)
	if err != nil {
		return nil, internal("sync.conflicts", err)
	}
	defer rows.Close()
	var out []*app.Conflict
	for rows.Next() {
		c, err := scanConflict(rows)
		if err != nil {
			return nil, internal("sync.conflicts", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("sync.conflicts", err)
	}
	rows.Close()
	loc, err := clinicZone(ctx, db.r)
	if err != nil {
		return nil, internal("sync.conflicts", err)
	}
	for _, c := range out {
		if c.What, err = conflictWhat(ctx, db.r, loc, c.Entity, c.RowID); err != nil {
			return nil, internal("sync.conflicts", err)
		}
		if err := finalWon(ctx, db.r, c); err != nil {
			return nil, internal("sync.conflicts", err)
		}
		if err := refundsMade(ctx, db.r, c); err != nil {
			return nil, internal("sync.conflicts", err)
		}
	}
	var dups []*app.Conflict
	if seeSync {
		if dups, err = listDuplicates(ctx, db.r, all, maxConflictsListed); err != nil {
			return nil, internal("sync.conflicts", err)
		}
	}
	if len(dups) > 0 || len(billing) > 0 {
		out = append(out, dups...)
		out = append(out, billing...)
		slices.SortStableFunc(out, func(a, b *app.Conflict) int {
			if c := b.DetectedAt.Compare(a.DetectedAt); c != 0 {
				return c
			}
			return strings.Compare(b.ID, a.ID)
		})
		out = out[:min(len(out), maxConflictsListed)]
	}
	return out, nil
}

// billingEntitiesSQL are the records whose conflicts are billing's
// (billingEntity), as an SQL list.
const billingEntitiesSQL = `('invoices', 'invoice_lines', 'payments')`

// billingEntity reports whether a conflict of entity is billing's to
// decide: a change of an invoice or of one of its lines that lost, or a
// payment refunded twice on desks apart (RuleRefundedTwice).
func billingEntity(entity string) bool {
	return entity == "invoices" || entity == "invoice_lines" || entity == "payments"
}

// ResolveConflict implements app.SyncService. Keeping what won only marks
// the conflict resolved. Taking what lost writes the lost value as a new
// change of this desk, through the outbox like any edit, so that its newer
// clock reading wins on the server and on every desk; it is possible only
// for a field of an editable record (patients, staff accounts, doctors'
// profiles, settings, a draft invoice's lines). A whole change that lost or was refused (a booking,
// an invoice) cannot be taken back as it was: it is for a person to make
// again. A possible duplicate (two records of one patient, flagged by the
// server) is decided in resolveDuplicate: keep both, or merge. Admins
// decide every conflict; billing staff those of invoices and their lines.
func (s *ConflictService) ResolveConflict(ctx context.Context, id string, r app.Resolution) (*app.Conflict, error) {
	db := s.db
	err := db.writeFor(ctx, "sync.resolve", "conflicts", id, "", func(tx *Tx) error {
		// Administrators decide every conflict; billing staff those of
		// invoices and their lines (checked again once the conflict is
		// read). Anyone else is refused before it is looked up.
		if err := authorize(app.CanSeeBillingConflicts(tx.caller)); err != nil {
			return err
		}
		admin := tx.Require(app.PermManageSettings) == nil
		c, err := scanConflict(tx.QueryRowContext(tx.ctx, `SELECT `+conflictColumns+` FROM conflicts WHERE id = ?`, id))
		if err == nil && !admin && !billingEntity(c.Entity) {
			// Billing staff: a conflict of another record is an
			// administrator's.
			return tx.Require(app.PermManageSettings)
		}
		if errors.Is(err, sql.ErrNoRows) {
			var n int
			if err := tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM billing_conflicts WHERE id = ?`, id).Scan(&n); err != nil {
				return err
			} else if n > 0 {
				return app.Errorf(app.EINVALID, "An overpaid invoice is settled by refunding the excess or allocating it to another invoice, on the Billing screen.")
			}
			dup, err := scanDuplicate(tx.QueryRowContext(tx.ctx, duplicateSelect+` WHERE d.id = ?`, id))
			if errors.Is(err, sql.ErrNoRows) {
				return app.Errorf(app.ENOTFOUND, "There is no such conflict.")
			} else if err != nil {
				return err
			}
			if !admin {
				return tx.Require(app.PermManageSettings) // two records of a patient: an administrator's
			}
			detail, err := tx.resolveDuplicate(dup, r)
			if err != nil {
				return err
			}
			tx.Audit("sync.resolve", "patient_duplicates", id, dup.RowID, detail)
			return nil
		} else if err != nil {
			return err
		}
		if !c.ResolvedAt.IsZero() {
			by := c.ResolvedBy
			if by == "" {
				by = "someone"
			}
			return app.Errorf(app.ECONFLICT, "This conflict was resolved already (%s by %s).", resolutionWords(c.Resolution), by)
		}
		detail := fmt.Sprintf("%s %s", c.Entity, c.RowID)
		if c.Field != "" {
			detail += " " + c.Field
		}
		switch r {
		case app.ResolutionKeep:
			detail = "kept what won: " + detail
		case app.ResolutionTake:
			if err := tx.takeLost(c); err != nil {
				return err
			}
			detail = "took what lost: " + detail + " = " + clip(c.LostValue, 200)
		case app.ResolutionMerged:
			return app.Errorf(app.EINVALID, "Merging two records of one patient is not built yet: keep what won, and correct the records by hand if they are the same person.")
		default:
			return app.Errorf(app.EINVALID, "Choose to keep what won or to take what lost.")
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE conflicts SET resolved_at = ?, resolved_by = ?, resolution = ? WHERE id = ?`,
			formatTime(tx.now), tx.caller.Username, string(r), id); err != nil {
			return err
		}
		patientID := ""
		if c.Entity == "patients" {
			patientID = c.RowID
		}
		tx.Audit("sync.resolve", "conflicts", id, patientID, detail)
		return nil
	})
	if err != nil {
		return nil, err
	}
	c, err := scanConflict(db.r.QueryRowContext(ctx, `SELECT `+conflictColumns+` FROM conflicts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		if c, err = scanDuplicate(db.r.QueryRowContext(ctx, duplicateSelect+` WHERE d.id = ?`, id)); err != nil {
			return nil, internal("sync.resolve", err)
		}
		return c, nil
	} else if err != nil {
		return nil, internal("sync.resolve", err)
	}
	loc, err := clinicZone(ctx, db.r)
	if err != nil {
		return nil, internal("sync.resolve", err)
	}
	if c.What, err = conflictWhat(ctx, db.r, loc, c.Entity, c.RowID); err != nil {
		return nil, internal("sync.resolve", err)
	}
	return c, nil
}

// resolutionWords says what a resolution did, for a message.
func resolutionWords(r app.Resolution) string {
	switch r {
	case app.ResolutionKeep:
		return "what won was kept"
	case app.ResolutionTake:
		return "what lost was taken"
	case app.ResolutionMerged:
		return "the records were merged"
	}
	return string(r)
}

// takeLost writes a conflict's lost value to its field as a change of this
// desk. The outbox triggers queue it, with a clock reading newer than
// either side's.
func (tx *Tx) takeLost(c *app.Conflict) error {
	if c.Field == "" {
		if strings.HasPrefix(c.Rule, RuleRejected) {
			return app.Errorf(app.EINVALID, "The server refused this change, so there is no value to take back: make the change again if it is still needed.")
		}
		return app.Errorf(app.EINVALID, "A whole change lost here (%s), not one field: it cannot be taken back as it was; make it again if it is still needed.", c.Rule)
	}
	e, ok := FindSyncedTable(c.Entity)
	if !ok || !e.Editable {
		return app.Errorf(app.EINVALID, "Only fields of patients, staff accounts, doctors' profiles, settings, draft invoices and their lines can be taken back; make this change again instead.")
	}
	cols := e.KeyColumns()
	vals, ok := e.SplitRowID(c.RowID)
	if !ok {
		return fmt.Errorf("conflict %s: row id %q does not fit %s", c.ID, c.RowID, c.Entity)
	}
	if slices.Contains(cols, c.Field) {
		return app.Errorf(app.EINVALID, "The field %s names the record and cannot change.", c.Field)
	}
	_, power := app.PowerFields[c.Entity]
	if power && c.Field == "power_sig" {
		return app.Errorf(app.EINVALID, "The signature follows the fields it signs: take back the field that lost instead.")
	}
	value, err := decodeLost(c.LostValue)
	if err != nil {
		return err
	}
	switch c.Entity {
	case "patients":
		return tx.takePatientField(c.RowID, c.Field, value)
	case "invoice_lines":
		return tx.takeLineField(c.RowID, c.Field, value)
	case "invoices":
		return tx.takeInvoiceField(c.RowID, c.Field, value)
	}
	var known int
	if err := tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM pragma_table_info(?) WHERE name = ?`,
		c.Entity, c.Field).Scan(&known); err != nil {
		return err
	}
	if known == 0 {
		return app.Errorf(app.EINVALID, "This desk's %s have no field %s: update hms on this desk first.", c.Entity, c.Field)
	}
	var hasUpdatedAt int
	if err := tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM pragma_table_info(?) WHERE name = 'updated_at'`,
		c.Entity).Scan(&hasUpdatedAt); err != nil {
		return err
	}
	set := QuoteIdent(c.Field) + " = ?"
	args := []any{value}
	if hasUpdatedAt == 1 && c.Field != "updated_at" {
		set += ", updated_at = ?"
		args = append(args, formatTime(tx.now))
	}
	res, err := tx.ExecContext(tx.ctx, `UPDATE `+QuoteIdent(c.Entity)+` SET `+set+` WHERE `+e.KeyWhere(), append(args, vals...)...)
	if err != nil {
		var se sqlite3.Error
		if errors.As(err, &se) && se.Code == sqlite3.ErrConstraint {
			return app.Errorf(app.EINVALID, "The value that lost (%s) can no longer be written to %s: the record does not allow it now.",
				clip(c.LostValue, 80), c.Field)
		}
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return app.Errorf(app.ENOTFOUND, "The record is not on this desk (yet): sync, then try again.")
	}
	if power && slices.Contains(app.PowerFields[c.Entity], c.Field) {
		// A field that grants power: the resolving administrator signs the
		// row as it now is, or the other desks would refuse it
		// (docs/SYNC-DESIGN.md); on a desk that syncs, without their key,
		// nothing is taken.
		return tx.signPower(c.Entity, c.RowID, tx.caller.Signer)
	}
	return nil
}

// patientFields are the fields of a patient's record that taking a lost
// value may set, as the patient service edits them.
var patientFields = map[string]func(c *app.PatientCreate, v string){
	"given_name":        func(c *app.PatientCreate, v string) { c.GivenName = v },
	"family_name":       func(c *app.PatientCreate, v string) { c.FamilyName = v },
	"sex":               func(c *app.PatientCreate, v string) { c.Sex = app.Sex(v) },
	"birth_date":        func(c *app.PatientCreate, v string) { c.BirthDate = v },
	"phone":             func(c *app.PatientCreate, v string) { c.Phone = v },
	"email":             func(c *app.PatientCreate, v string) { c.Email = v },
	"address":           func(c *app.PatientCreate, v string) { c.Address = v },
	"national_id":       func(c *app.PatientCreate, v string) { c.NationalID = v },
	"emergency_contact": func(c *app.PatientCreate, v string) { c.EmergencyContact = v },
	"emergency_phone":   func(c *app.PatientCreate, v string) { c.EmergencyPhone = v },
	"blood_group":       func(c *app.PatientCreate, v string) { c.BloodGroup = app.BloodGroup(v) },
	"notes":             func(c *app.PatientCreate, v string) { c.Notes = v },
	"language":          func(c *app.PatientCreate, v string) { c.Language = v },
}

// takePatientField sets one field of a patient's record the way the
// patient service does: validated, with its search terms, its change
// history and a timeline entry.
func (tx *Tx) takePatientField(id, field string, value any) error {
	set, ok := patientFields[field]
	if !ok {
		return app.Errorf(app.EINVALID, "The patient's %s cannot be taken back here: archiving and restoring a record are done from the record itself.",
			strings.ReplaceAll(field, "_", " "))
	}
	var s string
	switch v := value.(type) {
	case string:
		s = v
	case nil:
		s = ""
	default:
		return app.Errorf(app.EINVALID, "The value that lost (%v) is not text and cannot be the patient's %s.", v, strings.ReplaceAll(field, "_", " "))
	}
	p, err := tx.findPatient(id)
	if err != nil {
		return err
	}
	if p.Archived() {
		return app.Errorf(app.ECONFLICT, "This record is archived: an administrator must restore it before it can change.")
	}
	c := app.PatientUpdate{}.Apply(p)
	set(&c, s)
	_, err = tx.updatePatient(p, c)
	return err
}

// decodeLost turns a conflict's JSON value into what SQLite stores: text,
// an integer, a real or NULL.
func decodeLost(s string) (any, error) {
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, app.Errorf(app.EINVALID, "The value that lost cannot be read, so it cannot be taken back.")
	}
	switch x := v.(type) {
	case nil, string:
		return x, nil
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i, nil
		}
		f, err := x.Float64()
		if err != nil {
			return nil, app.Errorf(app.EINVALID, "The value that lost (%s) is not a number this desk can store.", x)
		}
		return f, nil
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	}
	return nil, app.Errorf(app.EINVALID, "The value that lost is not a single value and cannot be taken back.")
}

// scanConflict reads one conflicts row (conflictColumns).
func scanConflict(row interface{ Scan(...any) error }) (*app.Conflict, error) {
	var c app.Conflict
	var lostHLC, wonHLC, detected, resolution string
	var resolved sql.NullString
	if err := row.Scan(&c.ID, &c.Entity, &c.RowID, &c.Field, &c.Rule, &c.LostValue, &lostHLC, &c.LostDesk,
		&c.WonValue, &wonHLC, &c.WonDesk, &detected, &resolved, &c.ResolvedBy, &resolution); err != nil {
		return nil, err
	}
	c.LostAt = hlcTime(lostHLC)
	c.WonAt = hlcTime(wonHLC)
	c.DetectedAt = parseTime(detected)
	c.ResolvedAt = parseNullTime(resolved)
	c.Resolution = app.Resolution(resolution)
	c.RuleText = ruleText(c.Rule)
	return &c, nil
}

// hlcTime is the wall time of a clock reading's text; zero when there is
// none or it cannot be read.
func hlcTime(s string) time.Time {
	t, err := hlc.Parse(s)
	if err != nil || t.IsZero() {
		return time.Time{}
	}
	return time.UnixMilli(t.Wall).UTC()
}

// conflictWhat names a conflict's record for a person. The record may not
// be on this desk (a change that lost before its record arrived): then the
// table and key name it.
func conflictWhat(ctx context.Context, q rowQuerier, loc *time.Location, entity, rowID string) (i18n.Text, error) {
	fallback := i18n.Text{Format: "%s %s", Args: []any{entity, rowID}} // a table's name and key: no words to translate
	var err error
	var what i18n.Text
	switch entity {
	case "patients":
		var mrn, given, family string
		err = q.QueryRowContext(ctx, `SELECT mrn, given_name, family_name FROM patients WHERE id = ?`, rowID).Scan(&mrn, &given, &family)
		what = i18n.Nf("Patient %s", strings.Join([]string{mrn, given, family}, " "))
	case "users":
		var username string
		err = q.QueryRowContext(ctx, `SELECT username FROM users WHERE id = ?`, rowID).Scan(&username)
		what = i18n.Nf("Staff account %s", username)
	case "appointments":
		var name, start string
		err = q.QueryRowContext(ctx, `SELECT patient_name, start_at FROM appointments WHERE id = ?`, rowID).Scan(&name, &start)
		what = i18n.Nf("Appointment of %s on %s", name, parseTime(start).In(loc).Format("2006-01-02 15:04"))
	case "invoices":
		var number sql.NullString
		var name string
		err = q.QueryRowContext(ctx, `SELECT number, patient_name FROM invoices WHERE id = ?`, rowID).Scan(&number, &name)
		if number.Valid {
			what = i18n.Nf("Invoice %s", number.String)
		} else {
			what = i18n.Nf("Draft invoice of %s", name)
		}
	case "invoice_lines":
		var number sql.NullString
		var name, desc string
		err = q.QueryRowContext(ctx, `SELECT i.number, i.patient_name, l.description FROM invoice_lines l
			JOIN invoices i ON i.id = l.invoice_id WHERE l.id = ?`, rowID).Scan(&number, &name, &desc)
		if number.Valid {
			what = i18n.Nf("Line %q of invoice %s", desc, number.String)
		} else {
			what = i18n.Nf("Line %q of the draft invoice of %s", desc, name)
		}
	case "payments":
		var number, name, mrn, currency string
		var amount app.Money
		err = q.QueryRowContext(ctx, `SELECT receipt_number, patient_name, patient_mrn, currency, amount FROM payments WHERE id = ?`,
			rowID).Scan(&number, &name, &mrn, &currency, &amount)
		what = i18n.Nf("Payment %s of %s (%s)", number, mrn+" "+name, app.Format(amount, currency))
	case "settings":
		return i18n.Nf("Setting %s", rowID), nil
	default:
		return fallback, nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fallback, nil
	}
	if err != nil {
		return i18n.Text{}, fmt.Errorf("naming %s %s: %w", entity, rowID, err)
	}
	return what, nil
}

// clip shortens s to at most n runes, marking the cut.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// finalWon names, for an open conflict of a field, the value that holds
// the field now when a change newer than the one it lost to has set it
// since (A's value lost to B's, and C's then won over B's): the value
// that finally won, and where and when it was made.
func finalWon(ctx context.Context, q rowQuerier, c *app.Conflict) error {
	if !c.ResolvedAt.IsZero() || c.Field == "" || c.Rule != RuleFieldLWW {
		return nil
	}
	e, ok := FindSyncedTable(c.Entity)
	if !ok || !e.Editable || slices.Contains(e.KeyColumns(), c.Field) {
		return nil
	}
	var stamp, site string
	err := q.QueryRowContext(ctx, `SELECT f.hlc, f.site_id FROM field_clock f JOIN conflicts c ON c.id = ?
		WHERE f.entity = c.entity AND f.row_id = c.row_id AND f.field = c.field AND f.hlc > c.won_hlc`, c.ID).
		Scan(&stamp, &site)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	vals, ok := e.SplitRowID(c.RowID)
	if !ok {
		return nil
	}
	var value string
	err = q.QueryRowContext(ctx, `SELECT json_quote(`+QuoteIdent(c.Field)+`) FROM `+QuoteIdent(c.Entity)+
		` WHERE `+e.KeyWhere(), vals...).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	c.WonValue, c.WonDesk, c.WonAt = value, site, hlcTime(stamp)
	return nil
}

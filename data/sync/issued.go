package sync

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"hms/app"
	"hms/data"
	"hms/data/sync/hlc"
	"hms/data/sync/server"
)

// An issued invoice keeps the lines it was issued with on every desk
// (docs/SYNC-DESIGN.md, "A line changed or removed while another desk
// issues"). The issue carries each line whole (invoices.issued_with, desk
// migration 0183). A line changed or removed on a desk that had not seen
// the issue is merged by the server into its line as any change is; the
// desks do not let it change the issued invoice:
//
//   - a change of a line that comes after the issue keeps the issued
//     values of the fields it would change (keepIssuedLine), and a removal
//     leaves the line where it is;
//   - the issue, coming to a desk that changed or removed a line of the
//     draft before (itself, or pulled from another desk), puts the line
//     back as issued (restoreIssuedLines);
//
// and each value that lost so is kept for review (data.RuleIssuedLines),
// naming the issued one. Every desk decides the same from the same issue,
// in either order of arrival, so every desk shows the same invoice and
// lines. Since server migration 0114 the server lets a change of such a
// line that reaches it after the issue lose too, and tells every desk (a
// joiner too) in the log's "_lost" (keepLost, keepLosers); a change that
// reached it while the invoice was a draft stays in its copy of the line.

// deletedValue is a review item's lost value for a line removed.
const deletedValue = `{"deleted": true}`

// issuedLine is the line lineID as the issued invoice invoiceID holds it,
// with the reading and site of its issue; nil when the invoice is a draft
// here, was issued by an older version, or was not issued with the line
// (a late line: notLate).
func (a *applier) issuedLine(invoiceID any, lineID string) (map[string]any, string, error) {
	if invoiceID == nil {
		return nil, "", nil
	}
	var raw, issued string
	err := a.tx.queryRow(`SELECT json_extract(i.issued_with, '$."' || ?2 || '"'),
			coalesce((SELECT hlc FROM field_clock WHERE entity = 'invoices' AND row_id = i.id AND field = 'issued_with'), '')
		FROM invoices i WHERE i.id = ?1 AND i.status <> 'draft' AND i.issued_with IS NOT NULL
			AND json_type(i.issued_with, '$."' || ?2 || '"') = 'object'`, invoiceID, lineID).Scan(&raw, &issued)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", nil
	} else if err != nil {
		return nil, "", err
	}
	cols, err := a.columns("invoice_lines")
	if err != nil {
		return nil, "", err
	}
	line, err := decodeRow(json.RawMessage(raw), cols)
	return line, issued, err
}

// reviewed reports whether a line's field that lost to the issued value is
// listed for review: not its key, its times or the amounts worked out from
// the fields that are.
func reviewed(field string) bool {
	return field != "id" && !slices.Contains(noFieldClock, field) && !data.UnreviewedField("invoice_lines", field)
}

// keepIssuedLine takes out of set (and clocked) the fields of a pulled
// change of a line that would change a line of an issued invoice away
// from what it was issued with, and keeps each for review. vals are the
// pulled row's values.
func (a *applier) keepIssuedLine(ch server.Change, invoiceID any, setBy map[string]string, set map[string]any,
	clocked *[]string) error {
	issued, issuedAt, err := a.issuedLine(invoiceID, ch.RowID)
	if issued == nil || err != nil {
		return err
	}
	for _, f := range slices.Sorted(maps.Keys(set)) {
		want, ok := issued[f]
		if !ok || sameValue(want, set[f]) {
			continue
		}
		if reviewed(f) {
			lost := setBy[f]
			if lost == "" {
				lost = ch.HLC
			}
			if err := a.keepIssued(ch.RowID, f, set[f], lost, want, issuedAt); err != nil {
				return err
			}
		}
		delete(set, f)
		*clocked = slices.DeleteFunc(*clocked, func(n string) bool { return n == f })
	}
	return nil
}

// keepIssuedInsert sets a pulled line's values (a desk downloading the
// clinic, whose server's line holds a late change) to those its issued
// invoice holds, keeping each that differs for review.
func (a *applier) keepIssuedInsert(ch server.Change, ins map[string]any) error {
	issued, issuedAt, err := a.issuedLine(ins["invoice_id"], ch.RowID)
	if issued == nil || err != nil {
		return err
	}
	setBy, err := ch.FieldClocks()
	if err != nil {
		return err
	}
	for _, f := range slices.Sorted(maps.Keys(issued)) {
		if v, ok := ins[f]; !ok || sameValue(issued[f], v) {
			continue
		}
		if reviewed(f) {
			lost := setBy[f]
			if lost == "" {
				lost = ch.HLC
			}
			if err := a.keepIssued(ch.RowID, f, ins[f], lost, issued[f], issuedAt); err != nil {
				return err
			}
		}
		ins[f] = issued[f]
	}
	return nil
}

// keepIssuedLineDeleted reports whether a pulled removal of a line is of
// one an issued invoice holds here: the line stays, and the removal is
// kept for review.
func (a *applier) keepIssuedLineDeleted(ch server.Change) (bool, error) {
	var invoiceID string
	err := a.tx.queryRow(`SELECT invoice_id FROM invoice_lines WHERE id = ?`, ch.RowID).Scan(&invoiceID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	issued, issuedAt, err := a.issuedLine(invoiceID, ch.RowID)
	if issued == nil || err != nil {
		return false, err
	}
	return true, a.keepIssued(ch.RowID, "", json.RawMessage(deletedValue), ch.DeletedHLC, wholeLine(issued), issuedAt)
}

// wholeLine is a line's values as one JSON object, for a review item of
// the whole line.
func wholeLine(line map[string]any) json.RawMessage {
	b, err := json.Marshal(line)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

// restoreIssuedLines puts the lines of an invoice whose issue this desk
// just applied back as it was issued with them, where this desk had
// changed or removed them before the issue came (its own change or one
// pulled from another desk), keeping each value that differed for review.
// issuedAt is the issue's reading. A line missing on a desk downloading
// the clinic, or one whose insert waits here for what it lacks, is put
// there without review: it was not removed, it has not come yet.
func (a *applier) restoreIssuedLines(invoiceID, issuedAt string) error {
	var raw sql.NullString
	if err := a.tx.queryRow(`SELECT issued_with FROM invoices WHERE id = ? AND status <> 'draft'`, invoiceID).
		Scan(&raw); errors.Is(err, sql.ErrNoRows) || err == nil && !raw.Valid {
		return nil
	} else if err != nil {
		return err
	}
	var lines map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw.String), &lines); err != nil {
		return err
	}
	cols, err := a.columns("invoice_lines")
	if err != nil {
		return err
	}
	names := slices.Sorted(maps.Keys(cols))
	for _, id := range slices.Sorted(maps.Keys(lines)) {
		issued, err := decodeRow(lines[id], cols)
		if err != nil {
			return err
		}
		a.takeKnown("invoice_lines", id) // read again below, and by a later change of the batch
		local, found, err := a.localRow("invoice_lines", "id = ?", []any{id}, names)
		if err != nil {
			return err
		}
		if !found {
			var waiting int
			if err := a.tx.queryRow(`SELECT count(*) FROM conflicts WHERE entity = 'invoice_lines' AND row_id = ?
				AND resolved_at IS NULL AND rule LIKE ?`, id, data.RuleNotApplied+"%").Scan(&waiting); err != nil {
				return err
			}
			if !a.fresh && waiting == 0 {
				if err := a.keepIssued(id, "", json.RawMessage(deletedValue), "", wholeLine(issued), issuedAt); err != nil {
					return err
				}
			}
			q, args := a.insert("invoice_lines", []string{"id"}, cols, issued)
			if _, err := a.tx.exec(q, args...); err != nil {
				return err
			}
			continue
		}
		var differ []string
		for _, f := range names {
			if v, ok := issued[f]; ok && !sameValue(local[f], v) {
				differ = append(differ, f)
			}
		}
		if len(differ) == 0 {
			continue
		}
		args := make([]any, 0, len(differ)+1)
		parts := ""
		for i, f := range differ {
			if reviewed(f) {
				var lost string
				if err := a.tx.queryRow(`SELECT coalesce((SELECT hlc FROM field_clock WHERE entity = 'invoice_lines'
					AND row_id = ? AND field = ?), '')`, id, f).Scan(&lost); err != nil {
					return err
				}
				if err := a.keepIssued(id, f, local[f], lost, issued[f], issuedAt); err != nil {
					return err
				}
			}
			if i > 0 {
				parts += ", "
			}
			parts += data.QuoteIdent(f) + " = ?"
			args = append(args, issued[f])
		}
		if _, err := a.tx.exec(`UPDATE invoice_lines SET `+parts+` WHERE id = ?`, append(args, id)...); err != nil {
			return err
		}
	}
	return nil
}

// keepIssued writes one review item of a line's value (or, for field "",
// its removal) that lost to the line as its invoice was issued, once.
func (a *applier) keepIssued(lineID, field string, lost any, lostHLC string, won any, wonHLC string) error {
	return a.tx.keepIssued(lineID, field, lost, lostHLC, won, wonHLC, formatTime(a.e.db.Now()))
}

// keepIssued is applier.keepIssued, detected at detected: also for what
// the server decided so (server migration 0114), in a push's result or a
// pulled change's "_lost".
func (tx *txn) keepIssued(lineID, field string, lost any, lostHLC string, won any, wonHLC, detected string) error {
	lostSite, wonSite := "", ""
	if t, err := hlc.Parse(lostHLC); err == nil {
		lostSite = t.Site
	}
	if t, err := hlc.Parse(wonHLC); err == nil {
		wonSite = t.Site
	}
	lv, err := reviewJSON(lost)
	if err != nil {
		return err
	}
	wv, err := reviewJSON(won)
	if err != nil {
		return err
	}
	_, err = tx.exec(`INSERT INTO conflicts
		(id, entity, row_id, field, rule, lost_value, lost_hlc, lost_site, won_value, won_hlc, won_site, detected_at)
		SELECT ?, 'invoice_lines', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
		WHERE NOT EXISTS (SELECT 1 FROM conflicts WHERE entity = 'invoice_lines' AND row_id = ? AND field = ? AND rule = ?
			AND lost_value = ?)`,
		newID(), lineID, field, data.RuleIssuedLines, lv, lostHLC, lostSite, wv, wonHLC, wonSite, detected,
		lineID, field, data.RuleIssuedLines, lv)
	return err
}

// reviewJSON is a value as a review item keeps it: JSON text, written as
// this desk writes it (a value the server sent, as the server wrote it,
// is written again: one review item, whichever way it came).
func reviewJSON(v any) (string, error) {
	switch v := v.(type) {
	case json.RawMessage:
		d := json.NewDecoder(bytes.NewReader(v))
		d.UseNumber()
		var decoded any
		if err := d.Decode(&decoded); err != nil {
			return string(v), nil
		}
		b, err := json.Marshal(decoded)
		return string(b), err
	case []byte:
		v2, err := json.Marshal(string(v))
		return string(v2), err
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// issueReading is the reading that issued the invoice of a pulled change
// that carries its issue.
func issueReading(ch server.Change) string {
	setBy, err := ch.FieldClocks()
	if err != nil {
		setBy = nil
	}
	return reading(ch, setBy, "issued_with")
}

// Only the issue sets an invoice's issued lines (docs/SYNC-DESIGN.md,
// "Only the issue sets an invoice's issued lines"). issued_lines and
// issued_with are written once, by IssueInvoice, in the change that sets
// the invoice's number and issue date: one clock reading for all of them.
// A desk login may push any change of an invoice, so a pulled change that
// sets them is taken only as part of an issue that wins here: set by the
// same reading as the number and the issue date, and either the invoice
// is a draft here or the pulled number is a different one: the server's
// issue, the first to reach it, which holds for the clinic whatever the
// clocks say (server migration 0114: the server lets any later change of
// an issued invoice's issue lose, and the merge takes the server's issue
// fields, issuedRow and takeFirstIssue). Two desks that issued one draft
// apart end with the first issue to reach the server on every desk, in
// either order; the other desk's issue is kept for review there
// (data.RuleIssuedFirst, from its push's result or the log's "_lost") and
// refused on the others (refuseLostIssue). Anything else
// leaves the invoice issued as it is here, its lines and total, moves no
// line to a new draft, and is refused: kept in conflicts for billing and
// administrators (RuleIssueRewritten) and audited (sync.refused).

// issueFields are the fields only an invoice's issue writes, and
// issuedFields those of them that hold the lines it was issued with.
var (
	issueFields  = []string{"number", "issued_at"}
	issuedFields = []string{"issued_lines", "issued_with"}
)

// issueAllFields are the fields an invoice's issue decides once for the
// clinic (server migration 0114): the first issue to reach the server
// holds, whatever the clocks say.
var issueAllFields = []string{"number", "issued_at", "issued_lines", "issued_with"}

// issuedRow reports whether an invoice's row is issued: not a draft, with
// a number.
func issuedRow(row map[string]any) bool {
	s, _ := row["status"].(string)
	return s != "" && s != "draft" && row["number"] != nil
}

// takeFirstIssue sets the field clocks of an invoice's issue fields taken
// from the server's row whatever their clocks here (this desk issued the
// draft too, apart, and its issue reached the server second) to the
// server's readings, so that every desk holds the same issue and clocks.
func (a *applier) takeFirstIssue(ch server.Change, setBy map[string]string, fields []string) error {
	for _, f := range fields {
		h := reading(ch, setBy, f)
		if _, err := a.tx.exec(`INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen) VALUES ('invoices', ?, ?, ?, ?, '[]')
			ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen`,
			ch.RowID, f, h, hlcSite(h)); err != nil {
			return err
		}
	}
	return nil
}

// reading is the clock reading that set a pulled row's field.
func reading(ch server.Change, setBy map[string]string, f string) string {
	if r := setBy[f]; r != "" {
		return r
	}
	return ch.HLC
}

// sameIssue reports whether the pulled row's field f was set by the
// change that issued it (the reading of its number and issue date) and
// the row is issued.
func sameIssue(ch server.Change, setBy map[string]string, row map[string]any, f string) bool {
	if s, _ := row["status"].(string); s == "" || s == "draft" || row["number"] == nil || row["issued_at"] == nil {
		return false
	}
	for _, g := range issueFields {
		if reading(ch, setBy, g) != reading(ch, setBy, f) {
			return false
		}
	}
	return true
}

// keepIssue takes out of set (and clocked) the issued lines of a pulled
// change of an invoice that are not part of an issue that wins here, and
// refuses them. local is the invoice here, values the pulled row, taken
// the fields whose pulled value won the merge.
func (a *applier) keepIssue(ch server.Change, local, values map[string]any, setBy map[string]string,
	taken map[string]bool, set map[string]any, clocked *[]string) error {
	var refused []string
	for _, f := range issuedFields {
		if _, ok := set[f]; !ok {
			continue
		}
		if sameIssue(ch, setBy, values, f) {
			if s, _ := local["status"].(string); s == "draft" {
				continue // the issue of the draft here
			}
			if taken["number"] && values["number"] != nil && !sameValue(local["number"], values["number"]) {
				continue // another desk's issue of the draft, which wins
			}
		}
		refused = append(refused, f)
		delete(set, f)
		*clocked = slices.DeleteFunc(*clocked, func(n string) bool { return n == f })
	}
	if len(refused) == 0 {
		return nil
	}
	return a.refuseIssued(ch, setBy, refused, values, local)
}

// keepIssueInsert leaves out of a pulled issued invoice new here (a desk
// downloading the clinic) issued lines that its issue did not set: the
// invoice takes the lines that reach it, as one issued by an older
// version, and the change is refused as keepIssue refuses it.
func (a *applier) keepIssueInsert(ch server.Change, ins map[string]any) error {
	setBy, err := ch.FieldClocks()
	if err != nil {
		return err
	}
	var refused []string
	for _, f := range issuedFields {
		if ins[f] == nil || sameIssue(ch, setBy, ins, f) {
			continue
		}
		refused = append(refused, f)
	}
	if len(refused) == 0 {
		return nil
	}
	for _, f := range issuedFields {
		ins[f] = nil // both go: issued_with without its ids would be half an issue
	}
	return a.refuseIssued(ch, setBy, refused, ins, nil)
}

// refuseLostIssue keeps a change of an issued invoice's issue (its number,
// issue date or issued lines) that the server refused because the first
// issue to reach it holds (server migration 0114), made on desk site, in
// conflicts once, and audits it, as refuseIssued does: a desk cannot tell
// a second desk's issue of the draft made apart from a forgery.
func (a *applier) refuseLostIssue(ch server.Change, l lostValue, site, detected string) error {
	lv, err := reviewJSON(l.Value)
	if err != nil {
		return err
	}
	wv, err := reviewJSON(l.WonValue)
	if err != nil {
		return err
	}
	res, err := a.tx.exec(`INSERT INTO conflicts
		(id, entity, row_id, field, rule, lost_value, lost_hlc, lost_site, won_value, won_hlc, won_site, detected_at)
		SELECT ?, 'invoices', ?, '', ?, ?, ?, ?, ?, ?, ?, ?
		WHERE NOT EXISTS (SELECT 1 FROM conflicts WHERE entity = 'invoices' AND row_id = ? AND rule = ? AND lost_hlc = ?
			AND lost_value = ?)`,
		newID(), ch.RowID, data.RuleIssueRewritten, lv, l.HLC, site, wv, l.WonHLC, hlcSite(l.WonHLC), detected,
		ch.RowID, data.RuleIssueRewritten, l.HLC, lv)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	var number string
	if err := a.tx.queryRow(`SELECT coalesce(number, '') FROM invoices WHERE id = ?`, ch.RowID).Scan(&number); err != nil &&
		!errors.Is(err, sql.ErrNoRows) {
		return err
	}
	a.tx.AuditAs(app.SystemCaller("sync"), ActionRefused, "invoices", ch.RowID, app.OutcomeDenied,
		fmt.Sprintf("refused a change from desk %s of invoices %s (invoice %s, %s set at %s): the invoice was issued "+
			"first, and its number, issue date and issued lines hold; refused by the server, kept for billing's review, "+
			"not applied", site, ch.RowID, number, l.Field, l.HLC))
	return nil
}

// queuedHere reports whether this desk queued the change of entity's row
// made at reading (site: the reading's): its own, not another login's
// pushed under its name.
func (a *applier) queuedHere(entity, rowID, reading, site string) (bool, error) {
	if site != a.e.siteID {
		return false, nil
	}
	var n int
	err := a.tx.queryRow(`SELECT (SELECT count(*) FROM outbox WHERE entity = ?1 AND row_id = ?2 AND hlc = ?3)
		+ (SELECT count(*) FROM outbox_sent WHERE entity = ?1 AND row_id = ?2 AND hlc = ?3)`, entity, rowID, reading).Scan(&n)
	return n > 0, err
}

// hlcSite is the site of a clock reading ("" when it is not one).
func hlcSite(reading string) string {
	if t, err := hlc.Parse(reading); err == nil {
		return t.Site
	}
	return ""
}

// refuseIssued keeps the refused issued lines of a pulled invoice in
// conflicts (once per field and reading: the row comes again with each
// later change of the invoice) and audits the refusal.
func (a *applier) refuseIssued(ch server.Change, setBy map[string]string, fields []string, pulled, local map[string]any) error {
	detected := formatTime(a.e.db.Now())
	for _, f := range fields {
		at := reading(ch, setBy, f)
		site := ""
		if t, err := hlc.Parse(at); err == nil {
			site = t.Site
		}
		lv, err := reviewJSON(pulled[f])
		if err != nil {
			return err
		}
		wv, err := reviewJSON(local[f])
		if err != nil {
			return err
		}
		res, err := a.tx.exec(`INSERT INTO conflicts
			(id, entity, row_id, field, rule, lost_value, lost_hlc, lost_site, won_value, won_hlc, won_site, detected_at)
			SELECT ?, 'invoices', ?, '', ?, ?, ?, ?, ?, '', '', ?
			WHERE NOT EXISTS (SELECT 1 FROM conflicts WHERE entity = 'invoices' AND row_id = ? AND rule = ? AND lost_hlc = ?
				AND lost_value = ?)`,
			newID(), ch.RowID, data.RuleIssueRewritten, lv, at, site, wv, detected,
			ch.RowID, data.RuleIssueRewritten, at, lv)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			continue
		}
		number, _ := pulled["number"].(string)
		if local != nil {
			number, _ = local["number"].(string)
		}
		a.tx.AuditAs(app.SystemCaller("sync"), ActionRefused, "invoices", ch.RowID, app.OutcomeDenied,
			fmt.Sprintf("refused a change from desk %s of invoices %s (invoice %s, %s set at %s): it changes the lines "+
				"the invoice was issued with without issuing it; the invoice keeps its lines and total; "+
				"kept for billing's review, not applied", site, ch.RowID, number, f, at))
	}
	return nil
}

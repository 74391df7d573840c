package data

import (
	"maps"
	"slices"
	"strings"
)

// Which tables sync between the desks of a clinic (SYNC.md), stated once:
// syncedTables says how each synced table syncs, localTables why each
// other table does not. The migrations' outbox triggers, the sync engine
// (package data/sync: push, pull, snapshot), the review of conflicts and
// the server's registry of entities (sync.entities) follow this list, and
// TestEveryTableSyncsOrSaysWhy and the engine's tests hold them to it.

// SyncedTable says how one table syncs. Its rows travel as outbox
// operations on the entity of its name, which the server keeps under the
// same name; the SQL table keeps its name for good, so that desks of
// different versions keep syncing.
type SyncedTable struct {
	Name string
	// Key names the key columns, in the order of the outbox's row_id,
	// which joins them with "/"; nil is the column id.
	Key []string
	// Editable records keep field clocks (field_clock): a pulled field
	// wins only over an older local one, and a field that lost can be
	// taken back.
	Editable bool
	// Append rows are written once and never change: applying one that
	// is here already changes nothing.
	Append bool
	// Blob is the column whose bytes travel beside the row rather than in
	// the outbox (payload key BlobKey, base64): report files and receipts.
	Blob string
	// Local are the desk's own columns, in no payload: derived here, or
	// bookkeeping of this desk alone.
	Local []string
	// Copies are columns each desk keeps current itself, from another
	// table: an insert carries them, an update never does (an
	// appointment's copy of its patient's name and record number).
	Copies []string
	// FromServer rows are made by the server and pulled; a desk only
	// updates them (the flags of possible duplicate patients).
	FromServer bool
	// Number is the column that holds a number of the desk's series
	// (Series), if the table has one.
	Number string
}

// KeyColumns are the table's key columns.
func (t SyncedTable) KeyColumns() []string {
	if t.Key == nil {
		return []string{"id"}
	}
	return slices.Clone(t.Key)
}

// SplitRowID splits an outbox row_id into the values of the table's key
// columns; ok is false when it does not fit them.
func (t SyncedTable) SplitRowID(rowID string) (vals []any, ok bool) {
	cols := t.KeyColumns()
	if rowID == "" {
		return nil, false
	}
	parts := strings.SplitN(rowID, "/", len(cols))
	if len(parts) != len(cols) || slices.Contains(parts, "") {
		return nil, false
	}
	vals = make([]any, len(parts))
	for i, p := range parts {
		vals[i] = p
	}
	return vals, true
}

// KeyWhere is the condition that selects a row by its key columns, with
// a placeholder for each (SplitRowID's values).
func (t SyncedTable) KeyWhere() string {
	cols := t.KeyColumns()
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = QuoteIdent(c) + " = ?"
	}
	return strings.Join(parts, " AND ")
}

// BlobKey is the payload key that carries a table's blob, base64.
const BlobKey = "_blob_base64"

// syncedTables are the synced tables, each after those its rows refer to:
// the order a snapshot of the desk is queued in.
var syncedTables = []SyncedTable{
	// Per-field power signatures (desk migration 0123): first, so that a
	// download below the prune horizon has them before the accounts whose
	// fields they sign.
	{Name: "power_sigs", Editable: true},
	{Name: "patients", Editable: true, Number: "mrn", Local: []string{"server_seq", "search_name", "phone_digits",
		"activity_seq", "last_activity_at", "merged_into"}},
	{Name: "users", Editable: true, Local: []string{"server_seq", "failed_logins", "locked_until", "last_login_at",
		"session_gen"}},
	{Name: "settings", Editable: true, Key: []string{"key"}},
	{Name: "patient_changes", Append: true},
	{Name: "patient_events", Append: true, Local: []string{"seq"}},
	{Name: "patient_duplicates", Editable: true, FromServer: true},
	{Name: "local_drugs", Append: true},
	{Name: "patient_purges", Append: true},
	{Name: "prescriber_registrations", Append: true},
	{Name: "doctor_consultation_items", Append: true},
	{Name: "trust_extensions", Append: true},

	{Name: "allergies"},
	{Name: "allergy_statements", Append: true},
	{Name: "problems"},
	{Name: "vitals"},
	{Name: "notes", Append: true},
	{Name: "diagnoses"},
	{Name: "prescriptions", Append: true, Number: "number"},
	{Name: "prescription_items", Append: true},
	{Name: "prescription_status_events", Append: true},
	{Name: "assignments"},
	{Name: "reports", Append: true, Local: []string{"server_seq"}},
	{Name: "report_files", Append: true, Key: []string{"report_id"}, Blob: "content"},

	{Name: "doctor_profiles", Editable: true, Local: []string{"server_seq", "search_specialization"}},
	{Name: "availability", Local: []string{"server_seq"}},
	{Name: "availability_exceptions", Local: []string{"server_seq"}},
	{Name: "appointments", Local: []string{"server_seq"}, Copies: []string{"patient_name", "patient_mrn"}},
	{Name: "appointment_events", Append: true, Local: []string{"seq"}},

	{Name: "price_items", Append: true, Local: []string{"server_seq", "search_name"}},
	{Name: "invoices", Editable: true, Number: "number", Local: []string{"server_seq"}},
	{Name: "invoice_lines", Editable: true},
	{Name: "credit_notes", Append: true, Number: "number", Local: []string{"server_seq"}},
	{Name: "payments", Append: true, Number: "receipt_number", Local: []string{"server_seq"}},
	{Name: "payment_allocations", Append: true, Key: []string{"payment_id", "invoice_id"}},
	{Name: "receipts", Append: true, Key: []string{"payment_id"}, Blob: "pdf"},
	{Name: "cashups", Number: "number"},

	{Name: "visits"},
	{Name: "visit_records", Append: true},
	{Name: "letters", Append: true},

	{Name: "message_consents", Append: true},
	{Name: "message_plans", Append: true},
	{Name: "messages", Append: true},
	{Name: "message_attempts", Append: true},
	{Name: "queue_tokens", Append: true},
	{Name: "queue_calls", Append: true},
}

// localTables are the tables that do not sync, and why. A new table must
// be in one list or the other: TestEveryTableSyncsOrSaysWhy fails until
// it is.
var localTables = map[string]string{
	"schema_migrations":   "each desk migrates itself",
	"series":              "each desk numbers its records in series of its own desk code",
	"sync_meta":           "the desk's own sync state",
	"outbox":              "the queue itself",
	"outbox_sent":         "the desk's operations the server acknowledged, kept to push again to a restored server",
	"pushed_rows":         "where the server logged this desk's newest change of a row, until the pull reaches it",
	"field_clock":         "the desk's record of its fields' clocks; a pull sets it from the changes it applies",
	"conflicts":           "what lost when this desk applied pulled changes; resolving one is a write that syncs (sealed all the same: data/seal.go, auditedLocalTables)",
	"audit_log":           "pushed from the table itself after sync_meta.audit_pushed_seq, each row naming its site",
	"audit_head":          "the head of this desk's own chain",
	"audit_seal":          "the seals of this desk's own audit rows, checked with its own audit key",
	"patient_name_fts":    "search index, derived from patients",
	"patient_number_fts":  "search index, derived from patients",
	"patient_list":        "the search's result rows in activity order, derived from patients",
	"dashboard_zone":      "dashboard summaries, derived from synced rows by each desk's triggers",
	"dashboard_state":     "dashboard summaries, derived",
	"dashboard_seen":      "what one user last looked at on this desk's dashboard",
	"drafts":              "unsaved text of a session that ended, kept for its writer on the desk where it was written; it is no record yet",
	"dash_patients":       "dashboard summaries, derived",
	"dash_appointments":   "dashboard summaries, derived",
	"dash_revenue":        "dashboard summaries, derived",
	"dash_payments":       "dashboard summaries, derived",
	"cashup_counted":      "the payments each closed cash-up counted, derived from cashups.payment_ids by triggers",
	"desk_printers":       "the printers attached to this computer, which another desk does not have",
	"billing_conflicts":   "invoices overpaid on desks apart, found by each desk from the synced invoices and payments; settling one makes payments that sync (sealed all the same: data/seal.go, auditedLocalTables)",
	"desk_backup":         "this computer's backup folder, schedule and the state of its backups (sealed all the same: data/seal.go, auditedLocalTables)",
	"message_due":         "the clinic's messages still to send, with when each is next due, derived from messages and message_attempts by triggers: the desk holding the send lease sends them",
	"message_plan_due":    "the clinic's message plans whose messages no desk has written yet, derived from message_plans and messages by triggers: the desk holding the send lease writes them",
	"message_unconfirmed": "the plan's messages this enrolled desk wrote out whose copy the server has not confirmed yet (its push logged, or the server's copy pulled): not sent until then, so a message goes with the text every desk records",
	"message_settings":    "the message settings as this desk kept them before they became the clinic setting message_settings, read while that is not set; the password sealed with this desk's audit key",
	"update_settings":     "where this desk looks for new releases; each desk updates itself",
	"diagnosis_codes":     "the desk's code lists: shipped, or imported by an administrator on each desk; a diagnosis carries its code and title",
	"diagnosis_code_fts":  "search index, derived from diagnosis_codes",
	"trust_keys":          "the administrators' keys this desk trusts, fixed when it joined: each desk decides alone what it applies",
	"trust_baseline":      "the rows the clinic's trust root vouches for, fixed when this desk joined, and those its signed extensions add",
	"clock_pinned":        "when this desk's write transactions were made whose clock readings were held above its clock's time, for a clock found behind the server's",
	"trust_legacy":        "the unsigned price list, fee and drug rows this desk had when it began signing them, until an administrator vouches for them in a signed trust extension",
}

// syncedByName finds the synced tables by name.
var syncedByName = func() map[string]SyncedTable {
	m := make(map[string]SyncedTable, len(syncedTables))
	for _, t := range syncedTables {
		m[t.Name] = t
	}
	return m
}()

// SyncedTables are the synced tables, each after those its rows refer to.
func SyncedTables() []SyncedTable {
	out := slices.Clone(syncedTables)
	for i := range out {
		out[i].Key, out[i].Local, out[i].Copies = slices.Clone(out[i].Key), slices.Clone(out[i].Local), slices.Clone(out[i].Copies)
	}
	return out
}

// FindSyncedTable returns how the table name syncs; ok is false for a
// table that does not sync (or that this version of hms does not know).
func FindSyncedTable(name string) (t SyncedTable, ok bool) {
	t, ok = syncedByName[name]
	return t, ok
}

// LocalTables are the tables that do not sync, each with the reason.
func LocalTables() map[string]string { return maps.Clone(localTables) }

// QuoteIdent quotes an SQL identifier.
func QuoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// lineAmounts are an invoice line's amounts, worked out from its quantity,
// price, discount and tax rate and the invoice's discount (app.ComputeLine,
// app.ComputeInvoice) by every change of the draft.
var lineAmounts = []string{"gross", "discount", "invoice_discount", "net", "tax", "total"}

// UnreviewedField reports whether a value of field of entity that lost is
// left out of the review: a power signature (SignatureField), or an
// invoice line's amount, which follows the fields it is worked out from
// (a price that lost is kept for review, not the total it made).
func UnreviewedField(entity, field string) bool {
	return SignatureField(entity, field) || entity == "invoice_lines" && slices.Contains(lineAmounts, field)
}

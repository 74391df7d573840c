package data

import (
	"slices"
	"strings"
)

// syncEntity is how the desk keeps one synced table (migration 0008): the
// columns its outbox names rows by, and which of its columns are the
// desk's own, derived here rather than sent.
type syncEntity struct {
	// key names the key columns, in the order of the outbox's row_id,
	// which joins them with "/".
	key []string
	// editable records keep field clocks (field_clock): a pulled field
	// wins only over an older local one.
	editable bool
	// append rows are written once and never change: applying one that
	// is here already changes nothing.
	append bool
	// blob is the column whose bytes travel beside the row (payload key
	// blobKey, base64), for report files and receipts.
	blob string
	// local are the desk's own columns, in no payload (migration 0008):
	// derived here, or bookkeeping of this desk alone.
	local []string
}

// blobKey is the payload key that carries an entity's blob, base64.
const blobKey = "_blob_base64"

// syncEntities are the synced tables. TestEveryTableSyncsOrSaysWhy checks
// that the list matches the migrations' triggers.
var syncEntities = map[string]syncEntity{
	"patients": {editable: true, local: []string{"server_seq", "search_name", "phone_digits", "activity_seq",
		"last_activity_at", "merged_into"}},
	"patient_changes":    {append: true},
	"patient_events":     {append: true, local: []string{"seq"}},
	"patient_duplicates": {editable: true},
	"users":              {editable: true, local: []string{"server_seq", "failed_logins", "locked_until", "last_login_at"}},
	"settings":           {editable: true, key: []string{"key"}},

	"allergies":                  {},
	"problems":                   {},
	"vitals":                     {},
	"notes":                      {append: true},
	"prescriptions":              {append: true},
	"prescription_items":         {append: true},
	"prescription_status_events": {append: true},
	"assignments":                {},
	"reports":                    {append: true, local: []string{"server_seq"}},
	"report_files":               {append: true, key: []string{"report_id"}, blob: "content"},

	"doctor_profiles":         {editable: true, local: []string{"server_seq", "search_specialization"}},
	"availability":            {local: []string{"server_seq"}},
	"availability_exceptions": {local: []string{"server_seq"}},
	"appointments":            {local: []string{"server_seq"}},
	"appointment_events":      {append: true, local: []string{"seq"}},

	"price_items":         {append: true, local: []string{"server_seq", "search_name"}},
	"invoices":            {local: []string{"server_seq"}},
	"invoice_lines":       {},
	"credit_notes":        {append: true, local: []string{"server_seq"}},
	"payments":            {append: true, local: []string{"server_seq"}},
	"payment_allocations": {append: true, key: []string{"payment_id", "invoice_id"}},
	"receipts":            {append: true, key: []string{"payment_id"}, blob: "pdf"},
}

// syncOrder lists the synced tables so that a table comes after those its
// rows refer to: the order a snapshot of the desk is queued in.
var syncOrder = []string{
	"patients", "users", "settings", "patient_changes", "patient_events", "patient_duplicates",
	"allergies", "problems", "vitals", "notes", "prescriptions", "prescription_items",
	"prescription_status_events", "assignments", "reports", "report_files",
	"doctor_profiles", "availability", "availability_exceptions", "appointments", "appointment_events",
	"price_items", "invoices", "invoice_lines", "credit_notes", "payments", "payment_allocations", "receipts",
}

// keyColumns are the entity's key columns; nil for a table that does not
// sync.
func keyColumns(entity string) []string {
	e, ok := syncEntities[entity]
	if !ok {
		return nil
	}
	if e.key == nil {
		return []string{"id"}
	}
	return e.key
}

// splitRowID splits an outbox row_id into the values of the entity's key
// columns; ok is false when it does not fit them.
func splitRowID(entity, rowID string) (cols []string, vals []any, ok bool) {
	cols = keyColumns(entity)
	if cols == nil || rowID == "" {
		return nil, nil, false
	}
	parts := strings.SplitN(rowID, "/", len(cols))
	if len(parts) != len(cols) || slices.Contains(parts, "") {
		return nil, nil, false
	}
	vals = make([]any, len(parts))
	for i, p := range parts {
		vals[i] = p
	}
	return cols, vals, true
}

// keyWhere is the WHERE clause that selects a row by its key columns.
func keyWhere(cols []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = quoteIdent(c) + " = ?"
	}
	return strings.Join(parts, " AND ")
}

// quoteIdent quotes an SQL identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

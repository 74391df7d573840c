package sync

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"hms/app"
	"hms/data/sync/server"
)

// ActionReceived is the audit action of the row a desk writes for each
// batch of other desks' changes it applies (docs/SYNC-DESIGN.md, "Nothing
// arrives unseen"): what came in is in the desk's own log, for hms verify
// and the Audit screen, and marked as received, not as this desk's act.
const ActionReceived = "sync.received"

// auditReceived records, in the transaction that applies them, the changes
// of other desks in changes: by desk, each change's entity, row and the
// fields its clock reading set ("new or whole row" when it set them all),
// or its delete.
// A change that needed a signature names who signed it (signers, by
// signerKey): the user who made it on its desk, where this desk knows it.
func (e *Engine) auditReceived(tx *txn, changes []server.Change, signers map[string]string) error {
	byOrigin := map[string][]string{}
	n := 0
	for _, ch := range changes {
		if ch.Origin == e.siteID {
			continue
		}
		n++
		what := ch.Entity + " " + ch.RowID
		switch {
		case ch.DeletedHLC != "":
			what += " (deleted)"
		default:
			fields, err := fieldsSetBy(ch)
			if err != nil {
				return err
			}
			// An attachment's hash as received: hms verify checks its
			// file against it (docs/AUDIT.md, attachments made on other
			// desks).
			if ch.Entity == "reports" {
				var r struct {
					SHA256 string `json:"sha256"`
				}
				if json.Unmarshal(ch.Data, &r) == nil && r.SHA256 != "" {
					fields += ", sha256 " + r.SHA256
				}
			}
			what += " (" + fields + ")"
		}
		if who := signers[signerKey(ch)]; who != "" {
			what += " signed by " + who
		}
		byOrigin[ch.Origin] = append(byOrigin[ch.Origin], what)
	}
	if n == 0 {
		return nil
	}
	origins := make([]string, 0, len(byOrigin))
	for o := range byOrigin {
		origins = append(origins, o)
	}
	sort.Strings(origins)
	var b strings.Builder
	fmt.Fprintf(&b, "received %d changes made on other desks (applied here, not this desk's own):", n)
	for _, o := range origins {
		fmt.Fprintf(&b, " from desk %s: %s.", o, strings.Join(byOrigin[o], "; "))
	}
	tx.AuditAs(app.SystemCaller("sync"), ActionReceived, "sync", "", app.OutcomeOK, b.String())
	return nil
}

// fieldsSetBy names the fields ch's own clock reading set, or says it set
// the whole row (a new row, or every field at once).
func fieldsSetBy(ch server.Change) (string, error) {
	if len(ch.FieldHLC) == 0 || string(ch.FieldHLC) == "{}" {
		return "new or whole row", nil
	}
	clocks, err := ch.FieldClocks()
	if err != nil {
		return "", internal("sync.pull", err)
	}
	var set []string
	for f, h := range clocks {
		if h == ch.HLC && f != "updated_at" && f != "created_at" {
			set = append(set, f)
		}
	}
	if len(set) == 0 {
		return "no field of its own", nil
	}
	sort.Strings(set)
	return strings.Join(set, ", "), nil
}

package data

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
)

// maxDocumentProblems caps the problems one verify lists; the count of
// documents checked is always complete.
const maxDocumentProblems = 100

// verifyDocuments checks every attached report three ways: its content
// against the SHA-256 stored with it, and that hash against the one the
// audit log recorded when it was attached. The stored hash alone would not
// catch someone who changed a file and its hash together; the audit row is
// keyed and chained, so it cannot be rewritten to match.
func verifyDocuments(ctx context.Context, tx *sql.Tx) (int64, []string, error) {
	attached, err := attachedHashes(ctx, tx)
	if err != nil {
		return 0, nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.title, p.mrn, r.sha256, f.content
		FROM reports r JOIN patients p ON p.id = r.patient_id
		LEFT JOIN report_files f ON f.report_id = r.id ORDER BY r.rowid`)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	var n int64
	var problems []string
	for rows.Next() {
		var id, title, mrn, stored string
		var content []byte
		if err := rows.Scan(&id, &title, &mrn, &stored, &content); err != nil {
			return n, problems, err
		}
		n++
		what := fmt.Sprintf("report %q of %s", title, mrn)
		sum := sha256.Sum256(content)
		var problem string
		switch audited, ok := attached[id]; {
		case content == nil:
			problem = what + ": its file is missing"
		case hex.EncodeToString(sum[:]) != stored:
			problem = what + ": its file does not match its recorded hash (the file was altered)"
		case !ok:
			problem = what + ": the audit log has no record of it being attached"
		case audited != stored:
			problem = what + ": its hash differs from the one the audit log recorded (the file and its hash were altered)"
		}
		if problem != "" && len(problems) < maxDocumentProblems {
			problems = append(problems, problem)
		}
	}
	return n, problems, rows.Err()
}

// attachedHashesSQL and receivedReportsSQL read the audit rows that record
// the reports' hashes. Their actions are written out: the index
// audit_log_rare_action holds only a few actions' rows, and SQLite uses it
// only when it sees which (TestIndexesTheQueriesUse).
const (
	attachedHashesSQL = `SELECT entity_id, detail FROM audit_log
		WHERE action = 'report.attach' AND outcome = 'ok' ORDER BY seq`
	receivedReportsSQL = `SELECT detail FROM audit_log WHERE action = 'sync.received' AND detail LIKE '%reports %sha256 %' ORDER BY seq`
)

// attachedHashes reads, from the audit log, the SHA-256 each report had
// when it was attached: the last word of the report.attach row's detail.
func attachedHashes(ctx context.Context, tx *sql.Tx) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, attachedHashesSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, detail string
		if err := rows.Scan(&id, &detail); err != nil {
			return nil, err
		}
		if i := strings.LastIndex(detail, "sha256 "); i >= 0 {
			out[id] = strings.TrimSpace(detail[i+len("sha256 "):])
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Attachments made on other desks: the hash this desk recorded when it
	// received them (sync.received rows, docs/AUDIT.md).
	rec, err := tx.QueryContext(ctx, receivedReportsSQL)
	if err != nil {
		return nil, err
	}
	defer rec.Close()
	for rec.Next() {
		var detail string
		if err := rec.Scan(&detail); err != nil {
			return nil, err
		}
		for _, m := range receivedReport.FindAllStringSubmatch(detail, -1) {
			out[m[1]] = m[2]
		}
	}
	return out, rec.Err()
}

// receivedReport finds, in a sync.received row's detail, an attachment and
// its hash as received: "reports <id> (…, sha256 <hex>)".
var receivedReport = regexp.MustCompile(`reports ([0-9A-Za-z-]+) \([^)]*sha256 ([0-9a-f]{64})\)`)

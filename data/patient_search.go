package data

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"hms/app"
)

// searchPlan is how a search box query runs: the words of a name, digits of
// a phone or record number, or a record number's prefix.
type searchPlan struct {
	nameMatch   string   // FTS5 query over folded names: "word"* "word"*
	nameFilters []string // word prefixes each row's name must also have, checked on the rows the index gives
	numberMatch string   // FTS5 trigram query over phone and record-number digits
	mrnPrefix   string   // an MRN typed from its start: P-D1-00012
}

// planSearch reads what was typed. Words with letters search names (each a
// prefix, in any order); a run of three or more digits searches phone
// numbers and record numbers anywhere in them; "P-…" is a record number.
func planSearch(q string) searchPlan {
	q = strings.TrimSpace(q)
	var plan searchPlan
	if len(q) >= 2 && (q[0] == 'P' || q[0] == 'p') && q[1] == '-' {
		plan.mrnPrefix = strings.ToUpper(q)
		return plan
	}
	var words, digits []string
	for _, word := range strings.FieldsFunc(q, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ';' }) {
		if isPhoneish(word) {
			digits = append(digits, app.PhoneDigits(word))
			continue
		}
		words = append(words, nameWords(word)...)
	}
	switch {
	case len(words) >= 2 && len([]rune(words[0])) >= pairPrefix:
		// Two words whose first has its three letters: the search walks the
		// short list of their pair token ("mar_gar"*: a word starting with
		// mar, then one starting with gar) and checks the other words on
		// each row it finds, instead of intersecting the long lists of
		// common names.
		plan.nameMatch = `"` + pairToken(words[0], words[1]) + `"*`
		if len([]rune(words[0])) > pairPrefix {
			plan.nameFilters = append(plan.nameFilters, words[0])
		}
		plan.nameFilters = append(plan.nameFilters, words[2:]...)
	case len(words) > 0:
		var names []string
		for _, w := range words {
			names = append(names, `"`+w+`"*`)
		}
		plan.nameMatch = strings.Join(names, " ")
	}
	// Adjacent digit groups ("210 555 01") are one number typed with spaces.
	if d := strings.Join(digits, ""); len(d) >= 3 {
		plan.numberMatch = `"` + d + `"`
	} else if len(d) > 0 && plan.nameMatch == "" {
		plan.numberMatch = "short"
	}
	return plan
}

func isPhoneish(w string) bool {
	hasDigit := false
	for _, r := range w {
		switch {
		case r >= '0' && r <= '9':
			hasDigit = true
		case strings.ContainsRune("+-()./", r):
		default:
			return false
		}
	}
	return hasDigit
}

// FindPatients implements app.PatientService. Results come newest activity
// first from the search indexes' rowid order, a page at a time: nothing
// reads more rows than a page needs.
func (s *PatientService) FindPatients(ctx context.Context, f app.PatientFilter) (*app.PatientPage, error) {
	if err := s.db.denyRead(ctx, "patient.search", "patients", "", "", app.PermViewPatient); err != nil {
		return nil, err
	}
	if f.IncludeArchived {
		if err := s.db.denyRead(ctx, "patient.search_archived", "patients", "", "", app.PermArchivePatient); err != nil {
			return nil, err
		}
	}
	query, args, limit, err := buildSearch(f)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.r.QueryContext(ctx, query, append(args, limit+1)...)
	if err != nil {
		return nil, internal("patient.search", err)
	}
	defer rows.Close()
	page := &app.PatientPage{Patients: make([]*app.Patient, 0, min(limit+1, 64))}
	var scan patientScanner
	var key, next string
	for rows.Next() {
		p, err := scan.scan(rows, &key)
		if err != nil {
			return nil, internal("patient.search", err)
		}
		page.Patients = append(page.Patients, p)
		if len(page.Patients) == limit {
			next = key // the last row of a full page: where the next page starts
		}
	}
	if err := rows.Err(); err != nil {
		return nil, internal("patient.search", err)
	}
	if len(page.Patients) > limit {
		page.Patients = page.Patients[:limit]
		page.Next = next
	}
	return page, nil
}

// buildSearch turns a filter into one SQL query and its arguments; the
// query takes the page size plus one (to know whether there is a next page)
// as its last argument.
func buildSearch(f app.PatientFilter) (query string, args []any, limit int, err error) {
	limit = f.Limit
	if limit <= 0 {
		limit = 50
	} else if limit > 500 {
		limit = 500
	}
	plan := planSearch(f.Query)
	if plan.numberMatch == "short" {
		return "", nil, 0, app.FieldErrorf("query", "Type at least 3 digits of a phone or record number.")
	}
	var where []string
	archived := ""
	if !f.IncludeArchived {
		archived = " AND p.deleted_at IS NULL"
	}

	switch {
	case plan.mrnPrefix != "":
		// The record number's own unique index, in number order.
		where = append(where, "p.mrn >= ? AND p.mrn < ?")
		args = append(args, plan.mrnPrefix, plan.mrnPrefix+"\U0010FFFF")
		if f.Cursor != "" {
			where = append(where, "p.mrn > ?")
			args = append(args, f.Cursor)
		}
		query = `SELECT ` + patientColumns + `, p.mrn FROM patients p WHERE ` + strings.Join(where, " AND ") + archived +
			` ORDER BY p.mrn LIMIT ?`
	case plan.nameMatch != "" || plan.numberMatch != "":
		from, idx := "patient_name_fts", "patient_name_fts"
		match := plan.nameMatch
		if plan.nameMatch == "" {
			from, idx, match = "patient_number_fts", "patient_number_fts", plan.numberMatch
		}
		where = append(where, idx+" MATCH ?")
		args = append(args, match)
		for _, w := range plan.nameFilters {
			// A word of the name starts with w: the folded words are
			// separated by spaces, and a pair token only starts with letters
			// some word starts with.
			where = append(where, "instr(' ' || p.search_name, ?) > 0")
			args = append(args, " "+w)
		}
		if plan.nameMatch != "" && plan.numberMatch != "" {
			// Name words and digits: walk the name index in order and keep
			// the rows whose phone or record number holds the digits.
			where = append(where, "(instr(p.phone_digits, ?) > 0 OR instr(substr(p.mrn, -6), ?) > 0)")
			d := strings.Trim(plan.numberMatch, `"`)
			args = append(args, d, d)
		}
		if seq, err := strconv.ParseInt(f.Cursor, 10, 64); err == nil && f.Cursor != "" {
			where = append(where, "f.rowid < ?")
			args = append(args, seq)
		}
		// The rows listed come from patient_list, keyed by activity_seq as
		// the indexes are: one b-tree lookup a row (migration 0218).
		query = `SELECT ` + patientColumns + `, f.rowid FROM ` + from + ` f JOIN patient_list p ON p.activity_seq = f.rowid
			WHERE ` + strings.Join(where, " AND ") + archived + ` ORDER BY f.rowid DESC LIMIT ?`
	default:
		where = append(where, "1")
		if seq, err := strconv.ParseInt(f.Cursor, 10, 64); err == nil && f.Cursor != "" {
			where = append(where, "p.activity_seq < ?")
			args = append(args, seq)
		}
		query = `SELECT ` + patientColumns + `, p.activity_seq FROM patient_list p WHERE ` +
			strings.Join(where, " AND ") + archived + ` ORDER BY p.activity_seq DESC LIMIT ?`
	}
	return query, args, limit, nil
}

// patientListColumns are patient_list's columns (migration 0218) but its
// key, each also a column of patients.
var patientListColumns = []string{"id", "mrn", "given_name", "family_name", "sex", "birth_date", "phone", "email",
	"address", "national_id", "emergency_contact", "emergency_phone", "blood_group", "notes", "created_at",
	"updated_at", "last_activity_at", "deleted_at", "archive_reason", "merged_into", "language", "search_name",
	"phone_digits"}

// patientListProblems lists, for verify, the search's result rows
// (patient_list, kept from patients by triggers) that are not the patient's
// as patients holds them: missing, different, or left over without a
// patient. A search would list them as they stand there, while the chart
// shows the patient's record. At most limit are named.
func patientListProblems(ctx context.Context, q querier, limit int) ([]string, error) {
	var differ []string
	for _, c := range patientListColumns {
		differ = append(differ, "l."+c+" IS NOT p."+c)
	}
	rows, err := q.QueryContext(ctx, `SELECT p.id, l.activity_seq IS NULL, p.mrn || ' ' || p.given_name || ' ' || p.family_name
		FROM patients p
		LEFT JOIN patient_list l ON l.activity_seq = p.activity_seq
		WHERE p.activity_seq IS NOT NULL AND (l.activity_seq IS NULL OR `+strings.Join(differ, " OR ")+`)
		UNION ALL
		SELECT l.id, 2, '' FROM patient_list l WHERE NOT EXISTS (SELECT 1 FROM patients p WHERE p.activity_seq = l.activity_seq)
		LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("patient list: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, who string
		var kind int
		if err := rows.Scan(&id, &kind, &who); err != nil {
			return nil, fmt.Errorf("patient list: %w", err)
		}
		// The patient by record number and name, as an administrator
		// looks them up, and by id.
		switch kind {
		case 0:
			out = append(out, fmt.Sprintf("patient_list: the search's row of patient %s (%s) differs from the patient's record", who, id))
		case 1:
			out = append(out, fmt.Sprintf("patient_list: patient %s (%s) has no row in the search's list", who, id))
		default:
			out = append(out, fmt.Sprintf("patient_list: a row for %s that no patient has", id))
		}
	}
	return out, rows.Err()
}

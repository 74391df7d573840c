package app

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"hms/app/i18n"
)

// Limits of a patient import file. A clinic moving off spreadsheets has a
// few thousand patients; anything far larger is more likely a wrong file,
// and the whole file is held in memory for the preview.
const (
	MaxImportBytes = 10 << 20 // 10 MiB
	MaxImportRows  = 50_000   // records, not counting the header
)

// CSVTable is a CSV file as read: its header and records with line numbers.
type CSVTable struct {
	Header  []string
	Records []CSVRecord
}

// CSVRecord is one record of a CSV file. Line is the file line where the
// record starts (1-based; the header is line 1), so that a record holding
// a quoted newline does not shift the numbers of those after it.
type CSVRecord struct {
	Line   int
	Fields []string
}

// ReadCSV reads a whole CSV file: UTF-8 with or without BOM, comma or
// semicolon delimiter (detected from the header line), quoted fields with
// embedded quotes and newlines, CRLF or LF. A file over MaxImportBytes or
// MaxImportRows is refused with EINVALID, and so is a malformed one
// (unterminated quote…), naming the line. Records with the wrong number of
// fields are kept: PatientRows reports them, with the other bad rows.
func ReadCSV(r io.Reader) (*CSVTable, error) {
	buf, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read CSV: %w", err)
	}
	if len(buf) > MaxImportBytes {
		return nil, FieldErrorf("file", "The file is too large (at most %d MB); split it into smaller files.", MaxImportBytes>>20)
	}
	buf = bytes.TrimPrefix(buf, []byte("\uFEFF"))
	if !utf8.Valid(buf) {
		line := 1 + bytes.Count(buf[:firstInvalidUTF8(buf)], []byte("\n"))
		return nil, FieldErrorf("file", "Line %d is not UTF-8 text: save the file as “CSV UTF-8” and import it again.", line)
	}
	if len(bytes.TrimSpace(buf)) == 0 {
		return nil, FieldErrorf("file", "The file is empty.")
	}
	cr := csv.NewReader(bytes.NewReader(buf))
	cr.Comma = detectDelimiter(buf)
	cr.FieldsPerRecord = -1 // kept, and reported per row by PatientRows
	t := &CSVTable{}
	for {
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if t.Header == nil {
			if err := duplicateHeader(fields); err != nil {
				return nil, err
			}
			t.Header = fields
			continue
		}
		if len(t.Records) == MaxImportRows {
			return nil, FieldErrorf("file", "The file has more than %s rows; split it into smaller files.", groupThousands(MaxImportRows))
		}
		t.Records = append(t.Records, CSVRecord{Line: line, Fields: fields})
	}
	if t.Header == nil {
		return nil, FieldErrorf("file", "The file is empty.")
	}
	return t, nil
}

// duplicateHeader refuses a header that names a column twice (case,
// accents and punctuation aside, as GuessMapping matches them): which of
// the two a field was meant to come from cannot be told.
func duplicateHeader(header []string) error {
	seen := map[string]int{}
	for i, h := range header {
		k := headerKey(h)
		if k == "" {
			continue
		}
		if j, ok := seen[k]; ok {
			return FieldErrorf("file", "Columns %d and %d have the same heading %q: rename or remove one and import again.",
				j+1, i+1, strings.TrimSpace(h))
		}
		seen[k] = i
	}
	return nil
}

// detectDelimiter chooses ';' when the header line has more semicolons than
// commas outside quotes (spreadsheets in many European locales write those),
// else ','.
func detectDelimiter(buf []byte) rune {
	commas, semicolons, quoted := 0, 0, false
	for _, c := range buf {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			if semicolons > commas {
				return ';'
			}
			return ','
		case c == ',':
			commas++
		case c == ';':
			semicolons++
		}
	}
	if semicolons > commas {
		return ';'
	}
	return ','
}

// csvError turns an encoding/csv error into a message for the person
// importing, naming the line.
func csvError(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("read CSV: %w", err)
	}
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return FieldErrorf("file", "Line %d: a quote (\") is inside a field that is not in quotes; put the whole field in quotes and double the quote (\"\").", pe.Line)
	case errors.Is(pe.Err, csv.ErrQuote) && pe.StartLine != pe.Line:
		return FieldErrorf("file", "Line %d: a quoted field that starts on this line is not closed properly (a \" is missing or extra; reading went wrong on line %d).", pe.StartLine, pe.Line)
	case errors.Is(pe.Err, csv.ErrQuote):
		return FieldErrorf("file", "Line %d: a quoted field is not closed properly (a \" is missing or extra).", pe.Line)
	}
	return FieldErrorf("file", "Line %d: the file is not valid CSV (%v).", pe.Line, pe.Err)
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

func groupThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// PatientImportFields are the fields a column can be mapped to, in form order.
var PatientImportFields = []string{"given_name", "family_name", "sex", "birth_date", "phone", "email", "address",
	"national_id", "emergency_contact", "emergency_phone", "blood_group", "notes"}

// requiredImportFields must be mapped for an import to make sense.
var requiredImportFields = []string{"given_name", "family_name", "sex", "birth_date"}

// ColumnMapping maps an import field to a column index of the file. A field
// that is absent, or mapped to a negative index, is not imported.
type ColumnMapping map[string]int

// headerSynonyms are the header names GuessMapping recognizes, written as
// headerKey leaves them (folded, letters and digits only). Columns an
// export writes that an import does not take (mrn, registered_at) are
// simply not listed.
var headerSynonyms = map[string]string{
	"givenname": "given_name", "givennames": "given_name", "given": "given_name", "firstname": "given_name",
	"firstnames": "given_name", "first": "given_name", "forename": "given_name", "forenames": "given_name",
	"prenom": "given_name", "vorname": "given_name", "ονομα": "given_name",

	"familyname": "family_name", "family": "family_name", "surname": "family_name", "lastname": "family_name",
	"last": "family_name", "nom": "family_name", "nachname": "family_name", "επωνυμο": "family_name",

	"sex": "sex", "gender": "sex", "φυλο": "sex",

	"birthdate": "birth_date", "dateofbirth": "birth_date", "dob": "birth_date", "birthday": "birth_date",
	"born": "birth_date", "ημερομηνιαγεννησης": "birth_date",

	"phone": "phone", "phonenumber": "phone", "mobile": "phone", "mobilephone": "phone", "mobilenumber": "phone",
	"tel": "phone", "telephone": "phone", "telephonenumber": "phone", "cell": "phone", "cellphone": "phone",
	"τηλεφωνο": "phone", "κινητο": "phone",

	"email": "email", "emailaddress": "email", "mail": "email",

	"address": "address", "homeaddress": "address", "streetaddress": "address", "διευθυνση": "address",

	"nationalid": "national_id", "nationalidnumber": "national_id", "insuranceid": "national_id",
	"insurancenumber": "national_id", "idnumber": "national_id", "ssn": "national_id", "amka": "national_id",
	"αμκα": "national_id",

	"emergencycontact": "emergency_contact", "emergencycontactname": "emergency_contact",
	"emergencyname": "emergency_contact", "nextofkin": "emergency_contact",

	"emergencyphone": "emergency_phone", "emergencycontactphone": "emergency_phone",
	"emergencytel": "emergency_phone", "emergencytelephone": "emergency_phone", "emergencynumber": "emergency_phone",
	"nextofkinphone": "emergency_phone",

	"bloodgroup": "blood_group", "bloodtype": "blood_group", "blood": "blood_group",

	"notes": "notes", "note": "notes", "comments": "notes", "comment": "notes", "remarks": "notes",
}

// headerKey folds a header name for matching: case and accents ignored, and
// everything but letters and digits dropped ("E-mail" and "email", "Date of
// birth" and "date_of_birth" are the same).
func headerKey(s string) string {
	var b strings.Builder
	for _, r := range FoldForSearch(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// GuessMapping matches header names to fields, case- and accent-
// insensitively, with common synonyms ("first name", "surname", "dob",
// "gender", "mobile", "e-mail"…). The header of an export maps back exactly;
// its mrn and registered_at columns are not imported. When two columns
// name the same field, the first wins.
func GuessMapping(header []string) ColumnMapping {
	m := ColumnMapping{}
	for i, h := range header {
		if f, ok := headerSynonyms[headerKey(h)]; ok {
			if _, taken := m[f]; !taken {
				m[f] = i
			}
		}
	}
	return m
}

// PatientRows turns records into import rows with the mapping. Values are
// trimmed. Sex accepts female/f/woman/w/male/m/man/other/o/unknown/u (any
// case); dates accept YYYY-MM-DD, DD/MM/YYYY, DD.MM.YYYY and D/M/YYYY (day
// first) and become YYYY-MM-DD. A record with a different number of fields
// than the header is a RowError; a record whose fields are all blank (a
// spreadsheet's empty row) is skipped. given_name, family_name, sex and
// birth_date must be mapped, else the result is one RowError on line 0 for
// each missing field and no rows. Every row is validated as registration
// would (PatientCreate.Validate with today), so a preview lists every bad
// row with its line and reason; the service validates again.
func (t *CSVTable) PatientRows(m ColumnMapping, today time.Time) ([]ImportRow, []RowError) {
	var bad []RowError
	for f, col := range m {
		if !isImportField(f) {
			bad = append(bad, RowError{Field: f, Message: i18n.Nf("%q is not a field patients can be imported into.", f)})
		} else if col >= len(t.Header) {
			bad = append(bad, RowError{Field: f, Message: i18n.Nf("The file has no column %d (it has %d).", col+1, len(t.Header))})
		}
	}
	for _, f := range requiredImportFields {
		if col, ok := m[f]; !ok || col < 0 {
			bad = append(bad, RowError{Field: f, Message: i18n.Nf("Choose the column that holds %s.", i18n.Nf(importFieldLabels[f]))})
		}
	}
	if len(bad) > 0 {
		sortRowErrors(bad)
		return nil, bad
	}
	var rows []ImportRow
	for _, rec := range t.Records {
		if blankRecord(rec.Fields) {
			continue
		}
		if len(rec.Fields) != len(t.Header) {
			bad = append(bad, RowError{Line: rec.Line, Message: i18n.Nf("expected %d columns, found %d", len(t.Header), len(rec.Fields))})
			continue
		}
		p, err := patientFromRecord(rec.Fields, m, today)
		if err != nil {
			bad = append(bad, RowError{Line: rec.Line, Field: ErrorField(err), Message: ErrorText(err)})
			continue
		}
		rows = append(rows, ImportRow{Line: rec.Line, Patient: p})
	}
	return rows, bad
}

// importFieldLabels name the fields in messages.
var importFieldLabels = map[string]string{
	"given_name": i18n.N("the given name"), "family_name": i18n.N("the family name"), "sex": i18n.N("the sex"),
	"birth_date": i18n.N("the date of birth"),
}

func isImportField(f string) bool { return slices.Contains(PatientImportFields, f) }

// sortRowErrors orders mapping errors by field name, so they read the same
// each time whatever the map order.
func sortRowErrors(es []RowError) {
	slices.SortStableFunc(es, func(a, b RowError) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Field, b.Field))
	})
}

func blankRecord(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// patientFromRecord reads one record (of the header's width) with the
// mapping, normalizes sex, date and blood group, and validates it.
func patientFromRecord(fields []string, m ColumnMapping, today time.Time) (PatientCreate, error) {
	get := func(f string) string {
		if col, ok := m[f]; ok && col >= 0 && col < len(fields) {
			return strings.TrimSpace(ImportCell(fields[col]))
		}
		return ""
	}
	for _, f := range PatientImportFields {
		if v := get(f); hasControl(v, f == "address" || f == "notes") {
			return PatientCreate{}, FieldErrorf(f, "The %s contains a control character.", strings.ReplaceAll(f, "_", " "))
		}
	}
	p := PatientCreate{GivenName: get("given_name"), FamilyName: get("family_name"), Phone: get("phone"),
		Email: get("email"), Address: get("address"), NationalID: get("national_id"),
		EmergencyContact: get("emergency_contact"), EmergencyPhone: get("emergency_phone"), Notes: get("notes")}
	if s := get("sex"); s != "" {
		sex, ok := parseSex(s)
		if !ok {
			return p, FieldErrorf("sex", "Unknown sex %q: use female, male, other or unknown (or f, m, o, u).", s)
		}
		p.Sex = sex
	}
	if s := get("birth_date"); s != "" {
		d, ok := parseImportDate(s)
		if !ok {
			return p, FieldErrorf("birth_date", "%q is not a date: write it as YYYY-MM-DD (1984-03-07) or day first, DD/MM/YYYY (07/03/1984).", s)
		}
		p.BirthDate = d
	}
	p.BloodGroup = BloodGroup(strings.ToUpper(strings.Join(strings.Fields(get("blood_group")), "")))
	if err := p.Validate(today); err != nil {
		return p, err
	}
	return p, nil
}

// hasControl reports a control character other than a tab; line breaks
// are allowed only in multi-line fields.
func hasControl(s string, multiline bool) bool {
	for _, r := range s {
		if r == '\t' || multiline && (r == '\n' || r == '\r') {
			continue
		}
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// parseSex reads sex as people write it in spreadsheets: female, f, woman,
// w, male, m, man, other, o, unknown, u, in any case.
func parseSex(s string) (Sex, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "female", "f", "woman", "w":
		return SexFemale, true
	case "male", "m", "man":
		return SexMale, true
	case "other", "o":
		return SexOther, true
	case "unknown", "u":
		return SexUnknown, true
	}
	return "", false
}

// parseImportDate reads a date as spreadsheets write it: YYYY-MM-DD, or day
// first as DD/MM/YYYY, DD.MM.YYYY or D/M/YYYY, and returns it as
// YYYY-MM-DD. It does not guess month-first dates.
func parseImportDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if d, err := time.Parse(DateLayout, s); err == nil {
		return d.Format(DateLayout), true
	}
	sep := ""
	switch {
	case strings.Contains(s, "/"):
		sep = "/"
	case strings.Contains(s, "."):
		sep = "."
	default:
		return "", false
	}
	parts := strings.Split(s, sep)
	if len(parts) != 3 || len(parts[0]) < 1 || len(parts[0]) > 2 || len(parts[1]) < 1 || len(parts[1]) > 2 || len(parts[2]) != 4 {
		return "", false
	}
	var n [3]int
	for i, p := range parts {
		for _, c := range p {
			if c < '0' || c > '9' {
				return "", false
			}
		}
		n[i], _ = strconv.Atoi(p)
	}
	day, month, year := n[0], n[1], n[2]
	d := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if year < 1 || d.Day() != day || int(d.Month()) != month || d.Year() != year {
		return "", false
	}
	return d.Format(DateLayout), true
}

// NotRegularFile is the refusal of an import file named name whose mode is
// not a regular file's (nil for a regular one): a folder would fail with a
// puzzling message, and reading a FIFO (a named pipe) waits for whatever
// writes to it. The command line and the file dialog say the same.
func NotRegularFile(name string, mode fs.FileMode) error {
	if mode.IsRegular() {
		return nil
	}
	what := i18n.N("not a regular file")
	switch {
	case mode.IsDir():
		what = i18n.N("a folder")
	case mode&fs.ModeNamedPipe != 0:
		what = i18n.N("a named pipe (FIFO)")
	case mode&fs.ModeDevice != 0:
		what = i18n.N("a device")
	case mode&fs.ModeSocket != 0:
		what = i18n.N("a socket")
	}
	return Errorf(EINVALID, "Cannot import %s: it is %s, not a CSV file.", name, what)
}

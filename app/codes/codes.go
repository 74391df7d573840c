// Package codes reads diagnosis code lists: the ICD-10-CM starter list
// HMS ships (icd10cm_starter.txt, sources in SOURCES.md), the order files
// CMS publishes each year for ICD-10-CM, and plain code,description CSV
// files, which national editions (ICD-10-GM, ICD-10-AM, WHO's ICD-10)
// come as. It neither reads a database nor draws a screen.
package codes

import (
	"bufio"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"hms/app"
	"hms/app/i18n"
)

//go:embed icd10cm_starter.txt
var starterText string

// Starter is the ICD-10-CM starter list, in code order.
func Starter() []app.DiagnosisCode {
	var out []app.DiagnosisCode
	for _, line := range strings.Split(starterText, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		code, title, _ := strings.Cut(line, "\t")
		out = append(out, app.DiagnosisCode{System: app.CodeSystemICD10CM, Code: code, Title: strings.TrimSpace(title)})
	}
	return out
}

// Key is a code as the search matches it: its letters and digits, lower
// case (J45.909 → j45909).
func Key(code string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(code) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Dotted writes an ICD-10 code without its dot, as the CMS files give
// them (J45909), with it (J45.909); other codes are left as they are.
func Dotted(code string) string {
	if len(code) > 3 && !strings.Contains(code, ".") && isICDShape(code) {
		return code[:3] + "." + code[3:]
	}
	return code
}

func isICDShape(code string) bool {
	if len(code) < 3 || code[0] < 'A' || code[0] > 'Z' || code[1] < '0' || code[1] > '9' {
		return false
	}
	for _, r := range code {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// CheckCode says what is wrong with a code, or nothing (a zero Text).
func CheckCode(code string) i18n.Text {
	switch {
	case code == "":
		return i18n.Nf("The code is missing.")
	case utf8.RuneCountInString(code) > 16:
		return i18n.Nf("The code is too long (at most 16 characters).")
	}
	for i, r := range code {
		ok := unicode.IsLetter(r) || unicode.IsDigit(r) || (i > 0 && strings.ContainsRune(".-!*+†", r))
		if !ok {
			return i18n.Nf("The code %q has a character a code cannot have (%q).", code, r)
		}
	}
	return i18n.Text{}
}

// CheckTitle says what is wrong with a code's title, or nothing (a zero Text).
func CheckTitle(title string) i18n.Text {
	switch {
	case strings.TrimSpace(title) == "":
		return i18n.Nf("The description is missing.")
	case utf8.RuneCountInString(title) > 500:
		return i18n.Nf("The description is too long (at most 500 characters).")
	}
	return i18n.Text{}
}

// ErrEmpty is Parse's answer to a file with no codes.
var ErrEmpty = errors.New("the file has no codes")

// Parse reads a code list: a CMS ICD-10-CM order file (its lines start
// with a five-digit order number; only the codes valid for a diagnosis
// are taken, not the headers of their categories) or a code,description
// CSV (a first line "code,description" is a header). Every bad line is
// reported with its number; the codes come back in the file's order.
func Parse(r io.Reader) ([]app.DiagnosisCodeRow, []app.RowError, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(8)
	head = []byte(strings.TrimPrefix(string(head), "\ufeff"))
	if isOrderLine(string(head)) {
		return parseOrder(br)
	}
	return parseCSV(br)
}

func isOrderLine(s string) bool {
	if len(s) < 6 {
		return false
	}
	for _, c := range s[:5] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s[5] == ' '
}

// parseOrder reads the CMS order file: order number in columns 1–5, the
// code in 7–13, the valid-code flag (1) or header flag (0) in 15, the
// short description in 17–76 and the long description from 78.
func parseOrder(r io.Reader) ([]app.DiagnosisCodeRow, []app.RowError, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var rows []app.DiagnosisCodeRow
	var bad []app.RowError
	seen := map[string]int{}
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			s = strings.TrimPrefix(s, "\ufeff")
		}
		if strings.TrimSpace(s) == "" {
			continue
		}
		if !utf8.ValidString(s) {
			bad = append(bad, app.RowError{Line: line, Message: i18n.Nf("The line is not UTF-8 text.")})
			continue
		}
		if len(s) < 78 || !isOrderLine(s) || s[13] != ' ' || s[15] != ' ' || s[76] != ' ' || (s[14] != '0' && s[14] != '1') {
			bad = append(bad, app.RowError{Line: line, Message: i18n.Nf("The line is not in the order file's layout (order number, code, flag, short and long description in their columns).")})
			continue
		}
		if s[14] == '0' {
			continue // the header of a category, not a code to diagnose with
		}
		code := Dotted(strings.TrimSpace(s[6:13]))
		title := strings.TrimSpace(s[77:])
		if msg := CheckCode(code); !msg.IsZero() {
			bad = append(bad, app.RowError{Line: line, Field: "code", Message: msg})
			continue
		}
		if msg := CheckTitle(title); !msg.IsZero() {
			bad = append(bad, app.RowError{Line: line, Field: "description", Message: msg})
			continue
		}
		if first, dup := seen[Key(code)]; dup {
			bad = append(bad, app.RowError{Line: line, Field: "code", Message: i18n.Nf("The code %s is on line %d already.", code, first)})
			continue
		}
		seen[Key(code)] = line
		rows = append(rows, app.DiagnosisCodeRow{Line: line, DiagnosisCode: app.DiagnosisCode{Code: code, Title: title}})
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("read the order file: %w", err)
	}
	if len(rows) == 0 && len(bad) == 0 {
		return nil, nil, ErrEmpty
	}
	return rows, bad, nil
}

func parseCSV(r io.Reader) ([]app.DiagnosisCodeRow, []app.RowError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var rows []app.DiagnosisCodeRow
	var bad []app.RowError
	seen := map[string]int{}
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad = append(bad, app.RowError{Line: pe.Line, Message: i18n.Nf("The line is not valid CSV: %s.", pe.Err.Error())})
				continue
			}
			return nil, nil, fmt.Errorf("read the CSV file: %w", err)
		}
		if first && len(rec) > 0 {
			rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
			if strings.EqualFold(strings.TrimSpace(rec[0]), "code") {
				continue
			}
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != 2 {
			bad = append(bad, app.RowError{Line: line, Message: i18n.Nf("The line has %d fields; a line is code,description.", len(rec))})
			continue
		}
		code, title := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])
		if !utf8.ValidString(code + title) {
			bad = append(bad, app.RowError{Line: line, Message: i18n.Nf("The line is not UTF-8 text.")})
			continue
		}
		if msg := CheckCode(code); !msg.IsZero() {
			bad = append(bad, app.RowError{Line: line, Field: "code", Message: msg})
			continue
		}
		if msg := CheckTitle(title); !msg.IsZero() {
			bad = append(bad, app.RowError{Line: line, Field: "description", Message: msg})
			continue
		}
		if prev, dup := seen[Key(code)]; dup {
			bad = append(bad, app.RowError{Line: line, Field: "code", Message: i18n.Nf("The code %s is on line %d already.", code, prev)})
			continue
		}
		seen[Key(code)] = line
		rows = append(rows, app.DiagnosisCodeRow{Line: line, DiagnosisCode: app.DiagnosisCode{Code: code, Title: title}})
	}
	if len(rows) == 0 && len(bad) == 0 {
		return nil, nil, ErrEmpty
	}
	return rows, bad, nil
}

// SearchText is what the search index holds for a code: its key and the
// words of its title, folded (accents and case).
func SearchText(c app.DiagnosisCode) string {
	return Key(c.Code) + " " + app.FoldForSearch(c.Title)
}

// Query turns what was typed into an FTS5 query over SearchText: each
// word a prefix, all of them required; a word shaped like a code (a
// letter then a digit: J45, j45.9) matches codes without their dots. It
// returns "" when nothing searchable was typed.
func Query(typed string) string {
	var terms []string
	for _, w := range strings.FieldsFunc(typed, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || unicode.Is(unicode.Mn, r))
	}) {
		var parts []string
		if looksLikeCode(w) {
			parts = []string{Key(w)}
		} else {
			parts = strings.FieldsFunc(app.FoldForSearch(w), func(r rune) bool { return !(unicode.IsLetter(r) || unicode.IsDigit(r)) })
		}
		for _, p := range parts {
			if p != "" {
				terms = append(terms, `"`+p+`"*`)
			}
		}
	}
	return strings.Join(terms, " ")
}

func looksLikeCode(w string) bool {
	r := []rune(w)
	return len(r) >= 2 && unicode.IsLetter(r[0]) && unicode.IsDigit(r[1])
}

// StarterHeader is the comment at the head of the starter list: what it
// is and its source.
func StarterHeader() string {
	var b strings.Builder
	for _, line := range strings.Split(starterText, "\n") {
		if !strings.HasPrefix(line, "#") {
			break
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

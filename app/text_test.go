package app_test

import (
	"encoding/csv"
	"maps"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"hms/app"
)

func TestSingleLineFieldsRefuseUnfitCharacters(t *testing.T) {
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	for name, bad := range map[string]string{
		"NUL":                     "Ann\x00a",
		"ESC (a terminal colour)": "\x1b[31mAnna",
		"bell":                    "Anna\a",
		"tab":                     "An\tna",
		"line break":              "An\nna",
		"carriage return":         "Anna\r",
		"DEL":                     "Anna\x7f",
		"C1 control":              "Anna\u009b",
		"right-to-left override":  "Anna\u202Egpj.exe",
		"left-to-right embedding": "\u202AAnna",
		"first-strong isolate":    "Anna\u2068",
		"pop isolate":             "Anna\u2069",
		"Arabic letter mark":      "Anna\u061C",
		"line separator":          "Anna\u2028",
		"invalid UTF-8":           "Ann\xffa",
		"a lone continuation":     "\x80Anna",
	} {
		r := app.PatientRegistration{Username: "anna", GivenName: bad, FamilyName: "Smith", Sex: app.SexFemale,
			BirthDate: "1990-01-01", Password: "a long enough password"}
		err := r.Validate(today)
		if app.ErrorField(err) != "given_name" || !strings.Contains(app.ErrorMessage(err), "given name") {
			t.Errorf("%s: %v, want a message for the given name", name, err)
		}
		s := app.StaffRegistration{Username: "anna", FullName: bad, Role: app.RoleNurse, Password: "a long enough password"}
		if err := s.Validate(); app.ErrorField(err) != "full_name" {
			t.Errorf("%s in a staff name: %v", name, err)
		}
		p := app.PatientCreate{GivenName: "Anna", FamilyName: "Smith", Sex: app.SexFemale, BirthDate: "1990-01-01",
			EmergencyContact: bad}
		if err := p.Validate(today); app.ErrorField(err) != "emergency_contact" {
			t.Errorf("%s in the emergency contact: %v", name, err)
		}
	}
	// Names from the world's scripts, with accents and emoji, are fine.
	for _, good := range []string{"Zoë", "Παπαδοπούλου-Müller", "Ólafsdóttir", "Nguyễn", "محمد", "יעל", "王小明",
		"さくら", "Іван", "Ngozi 🌻", "O'Brien", "Anne-Marie"} {
		p := app.PatientCreate{GivenName: good, FamilyName: "Smith", Sex: app.SexFemale, BirthDate: "1990-01-01"}
		if err := p.Validate(today); err != nil {
			t.Errorf("%q refused: %v", good, err)
		}
	}
	// Multi-line fields keep their line breaks but refuse the rest.
	p := app.PatientCreate{GivenName: "Anna", FamilyName: "Smith", Sex: app.SexFemale, BirthDate: "1990-01-01",
		Address: "1 River Road\nAthens", Notes: "Line one\n\tindented"}
	if err := p.Validate(today); err != nil {
		t.Errorf("multi-line text refused: %v", err)
	}
	p.Address = "1 River Road\x1b[2J"
	if err := p.Validate(today); app.ErrorField(err) != "address" {
		t.Errorf("ESC in the address: %v", err)
	}
}

// FuzzRegistrationNames: whatever names a patient types, a registration
// that validates holds names of valid UTF-8 without control or
// bidirectional formatting characters.
func FuzzRegistrationNames(f *testing.F) {
	for _, s := range []string{"Zoë", "Ann\x00a", "\x1b[31m", "\u202Eabc", "Ngozi 🌻", "\xff", "a\tb", "王小明"} {
		f.Add(s, "Papadopoulou")
	}
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, given, family string) {
		r := app.PatientRegistration{Username: "anna", GivenName: given, FamilyName: family, Sex: app.SexFemale,
			BirthDate: "1990-01-01", Password: "a long enough password"}
		if err := r.Validate(today); err != nil {
			if code := app.ErrorCode(err); code != app.EINVALID {
				t.Fatalf("%v", err)
			}
			return
		}
		for _, s := range []string{r.GivenName, r.FamilyName} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 accepted: %q", s)
			}
			for _, c := range s {
				if unicode.IsControl(c) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) {
					t.Fatalf("%q accepted in %q", c, s)
				}
			}
		}
	})
}

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+1": "'+1", "-2+3": "'-2+3", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx",
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")", "-": "'-", "-1.": "'-1.",
		"-12.50": "-12.50", "-3": "-3", "12,5": "12,5", "Zoë": "Zoë", "": "", "'=x": "''=x", "a=b": "a=b",
	} {
		if got := app.CSVCell(in); got != want {
			t.Errorf("CSVCell(%q) = %q, want %q", in, got, want)
		}
		if back := app.ImportCell(app.CSVCell(in)); back != in {
			t.Errorf("ImportCell(CSVCell(%q)) = %q", in, back)
		}
	}
}

// FuzzCSVRoundTrip: a row written as the exports write it (app.CSVRow,
// encoding/csv) and read back as the import reads it (app.ReadCSV,
// app.ImportCell) is the row written, and no cell of the file starts a
// formula.
func FuzzCSVRoundTrip(f *testing.F) {
	for _, s := range []string{"=1+1", "@x", "+30 210", "-12.50", "Zoë", "a,b\"c\nd", "\t=x", "'=x", "-"} {
		f.Add(s, "Papadopoulou")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) || strings.ContainsRune(a+b, '\r') || strings.ContainsRune(a+b, 0) {
			return // the import refuses such files as a whole; the export never holds them (names refuse them)
		}
		var buf strings.Builder
		w := csv.NewWriter(&buf)
		if err := w.Write([]string{"given_name", "family_name"}); err != nil {
			t.Fatal(err)
		}
		if err := w.Write(app.CSVRow([]string{a, b})); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		tab, err := app.ReadCSV(strings.NewReader(buf.String()))
		if err != nil {
			if strings.TrimSpace(a+b) == "" || app.ErrorCode(err) == app.EINVALID {
				return // an empty file, or one the import refuses with a message
			}
			t.Fatalf("%q: %v", buf.String(), err)
		}
		if len(tab.Records) != 1 || len(tab.Records[0].Fields) != 2 {
			return // a record of blank lines only: csv skips it
		}
		for i, want := range []string{a, b} {
			cell := tab.Records[0].Fields[i]
			if cell != "" && strings.ContainsRune("=+-@\t", rune(cell[0])) && app.CSVCell(cell) != cell {
				t.Errorf("cell %q starts a formula", cell)
			}
			if got := app.ImportCell(cell); got != want {
				t.Errorf("read back %q, want %q", got, want)
			}
		}
	})
}

func TestImportRefusesDuplicateHeadings(t *testing.T) {
	_, err := app.ReadCSV(strings.NewReader("given_name,Phone,family_name,phone\nAnna,1,Smith,2\n"))
	if app.ErrorCode(err) != app.EINVALID || !strings.Contains(app.ErrorMessage(err), "Columns 2 and 4") {
		t.Errorf("got %v", err)
	}
}

func TestShownLine(t *testing.T) {
	for in, want := range map[string]string{
		"Ada  Lovelace":            "Ada Lovelace",
		" \tAda\nLovelace \r\n":    "Ada Lovelace",
		"evil\x1b]0;owned\x07name": "evil\uFFFD]0;owned\uFFFDname",
		"txt\u202Eexe.doc":         "txt\uFFFDexe.doc",
		"bad \xff byte":            "bad \uFFFD byte",
		"Ελένη Παπαδοπούλου":       "Ελένη Παπαδοπούλου",
		"line\u2028sep":            "line sep",
	} {
		if got := app.ShownLine(in); got != want {
			t.Errorf("ShownLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestBillingLetterAndMessageFieldsRefuseUnfitCharacters: the free text
// of billing (price item names, invoice line descriptions, payment
// references, the reason of a void, refund or overpayment settlement),
// of letters and of message templates is shown on screens, printed on
// invoices, receipts and letters, written into exports and sent to
// patients: each refuses control characters, bidirectional overrides and
// invalid UTF-8 with a message for its field, as names do (issue #14).
// Before, every one of them was accepted.
func TestBillingLetterAndMessageFieldsRefuseUnfitCharacters(t *testing.T) {
	anyLine := map[string]string{
		"ESC (a terminal colour)": "\x1b[31mConsultation",
		"NUL":                     "Consul\x00tation",
		"right-to-left override":  "Consultation\u202Efdp.exe",
		"first-strong isolate":    "Consultation\u2068",
		"invalid UTF-8":           "Consul\xfftation",
	}
	singleOnly := map[string]string{"line break": "Consul\ntation", "line separator": "Consul\u2028tation"}
	type check struct {
		field     string
		multiline bool
		run       func(s string) error
	}
	checks := []check{
		{"name", false, func(s string) error {
			p := app.PriceItemInput{Code: "CONS", Name: s, Kind: app.PriceConsultation, Price: 100}
			return p.Validate()
		}},
		{"description", false, func(s string) error {
			l := app.LineInput{Description: s, Kind: app.PriceOther, Quantity: 1, UnitPrice: 100}
			_, err := l.Validate()
			return err
		}},
		{"reference", false, func(s string) error {
			p := app.PaymentInput{Method: app.PayBankTransfer, Amount: 100, Reference: s,
				Allocations: []app.Allocation{{InvoiceID: "i", Amount: 100}}}
			return p.Validate()
		}},
		{"reason", true, func(s string) error {
			_, err := app.ValidateBillingReason(s)
			return err
		}},
		{"recipient", false, func(s string) error {
			r := app.LetterRequest{PatientID: "p", Kind: app.LetterReferral, Recipient: s, Text: "Please see."}
			return r.Validate()
		}},
		{"text", true, func(s string) error {
			r := app.LetterRequest{PatientID: "p", Kind: app.LetterReferral, Recipient: "Dr Who", Text: s}
			return r.Validate()
		}},
		{"template_reminder_subject", false, func(s string) error {
			return app.ValidateMessageTemplate("template_reminder_subject", s, false)
		}},
		{"template_reminder_body", true, func(s string) error {
			return app.ValidateMessageTemplate("template_reminder_body", s, true)
		}},
	}
	for _, c := range checks {
		if err := c.run("Consultation, Dr Παπαδοπούλου 🌻"); err != nil {
			t.Errorf("%s: plain text refused: %v", c.field, err)
		}
		bad := maps.Clone(anyLine)
		if c.multiline {
			if err := c.run("Line one\n\tLine two"); err != nil {
				t.Errorf("%s: line breaks refused: %v", c.field, err)
			}
		} else {
			maps.Copy(bad, singleOnly)
		}
		for name, s := range bad {
			if err := c.run(s); app.ErrorField(err) != c.field {
				t.Errorf("%s: %s accepted or refused for another field: %v", c.field, name, err)
			}
		}
	}
}

// TestClinicalAndCashUpTextRefuseUnfitCharacters: the clinical forms'
// free text (a note and its SOAP parts, an allergy's reaction, a reason
// for removing or cancelling) and the cash-up's note and reopening reason
// refuse control characters, bidirectional controls and bytes that are
// not UTF-8 next to their field, and keep line breaks and tabs. They took
// any of them before (a note could carry a terminal escape).
func TestClinicalAndCashUpTextRefuseUnfitCharacters(t *testing.T) {
	bad := map[string]string{
		"ESC (a terminal colour)": "\x1b[31mChest pain",
		"NUL":                     "Chest\x00 pain",
		"right-to-left override":  "Chest pain\u202Efdp.exe",
		"pop directional isolate": "Chest pain\u2069",
		"invalid UTF-8":           "Chest\xff pain",
	}
	checks := []struct {
		field string
		run   func(s string) error
	}{
		{"text", func(s string) error {
			n := app.NoteCreate{PatientID: "p", Kind: app.NoteClinical, Text: s}
			return n.Validate()
		}},
		{"assessment", func(s string) error {
			n := app.NoteCreate{PatientID: "p", Kind: app.NoteClinical, Subjective: "Cough", Assessment: s}
			return n.Validate()
		}},
		{"reaction", func(s string) error {
			a := app.AllergyCreate{PatientID: "p", Substance: "Penicillin", Reaction: s}
			return a.Validate()
		}},
		{"reason", func(s string) error {
			_, err := app.ValidateReason(s, "removing it")
			return err
		}},
		{"note", func(s string) error {
			in := app.CashUpInput{Day: "2026-12-07", Note: s}
			return in.Validate(nil)
		}},
		{"reason", func(s string) error {
			_, err := app.ValidateCashUpReason(s)
			return err
		}},
	}
	for _, c := range checks {
		for _, ok := range []string{"Chest pain, Dr Παπαδοπούλου 🌻", "Line one\n\tLine two"} {
			if err := c.run(ok); err != nil {
				t.Errorf("%s: %q refused: %v", c.field, ok, err)
			}
		}
		for name, s := range bad {
			if err := c.run(s); app.ErrorField(err) != c.field {
				t.Errorf("%s: %s accepted or refused for another field: %v", c.field, name, err)
			}
		}
	}
	// A clinical field's label is a noun: the message puts "The" before it.
	for s, want := range map[string]string{
		bad["ESC (a terminal colour)"]: "The reaction contains a control character (U+001B, character 1) that cannot be used: retype it.",
		bad["invalid UTF-8"]:           "The reaction contains bytes that are not text (not UTF-8): retype it.",
	} {
		a := app.AllergyCreate{PatientID: "p", Substance: "Penicillin", Reaction: s}
		if got := app.ErrorMessage(a.Validate()); got != want {
			t.Errorf("reaction %q: %q, want %q", s, got, want)
		}
	}
}

// TestNameFitForMessage: the names that go into a message to a patient
// ({patient}, {doctor}) are rows a desk's login can push unsigned; the
// names people have pass, and every way of putting a link, an address or
// a number into one, or text that reads otherwise than it is stored, is
// refused.
func TestNameFitForMessage(t *testing.T) {
	for _, s := range []string{"Grace Hopper", "Dr. Gregory House", "J.R.R. Tolkien", "Mary-Jane O'Neil", "Marie-Thérèse d’Arc",
		"Γιώργος Παπαδόπουλος", "Mª José Núñez", "Gal·la Puig", "Henry VIII (Tudor)", "Louis 14", "José \"Pepe\" García",
		"Ана Петрова", "e\u0301milie", "St. John", "Ellen\u00a0Ripley", ""} {
		if !app.NameFitForMessage(s) {
			t.Errorf("%q refused", s)
		}
	}
	for _, s := range []string{
		"Dr House, pay at http://evil.example/pay", "pay at evil.example", "EVIL.COM", "x.co", "visit www.evil", "bit.ly",
		"evil.e\u0301xample", "mail me: a@b", "Dr House call 6912345678", "call 69 12 34 56", "IBAN GR16 0110",
		"Dr House\u202Eyap", "Dr\u200BHouse", "Dr\nHouse", "Dr\x1b[31mHouse", "Grace\xffHopper", "evil\uFF0Eexample", "evil。com",
		"pay here > evil", "Dr.House",
	} {
		if app.NameFitForMessage(s) {
			t.Errorf("%q taken", s)
		}
	}
}

package app_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"hms/app"
)

var importToday = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

func mustReadCSV(t *testing.T, s string) *app.CSVTable {
	t.Helper()
	tab, err := app.ReadCSV(strings.NewReader(s))
	if err != nil {
		t.Fatalf("ReadCSV: %v", err)
	}
	return tab
}

func TestReadCSV(t *testing.T) {
	t.Run("QuotedFieldsAndEmbeddedNewlines", func(t *testing.T) {
		tab := mustReadCSV(t, "given_name,family_name,address\n"+
			"Ada,\"O'Neil, \"\"Jr\"\"\",\"1 Main St\nFlat 2\nAthens\"\n"+
			"Bob,Smith,plain\n")
		if !slices.Equal(tab.Header, []string{"given_name", "family_name", "address"}) {
			t.Fatalf("header %q", tab.Header)
		}
		if len(tab.Records) != 2 {
			t.Fatalf("%d records", len(tab.Records))
		}
		if r := tab.Records[0]; r.Line != 2 || r.Fields[1] != `O'Neil, "Jr"` || r.Fields[2] != "1 Main St\nFlat 2\nAthens" {
			t.Fatalf("record 1: %+v", r)
		}
		if r := tab.Records[1]; r.Line != 5 || r.Fields[0] != "Bob" {
			t.Fatalf("the record after a 3-line field starts on line 5: %+v", r)
		}
	})
	t.Run("BOMSemicolonsCRLF", func(t *testing.T) {
		tab := mustReadCSV(t, "\uFEFFVorname;Nachname;Adresse\r\nJürgen;Müller;\"Hauptstr. 1, Berlin\"\r\n\r\nAnna;Schmidt;\"a;b\"\r\n")
		if tab.Header[0] != "Vorname" {
			t.Fatalf("BOM kept: %q", tab.Header[0])
		}
		if len(tab.Records) != 2 || tab.Records[0].Fields[2] != "Hauptstr. 1, Berlin" || tab.Records[1].Fields[2] != "a;b" {
			t.Fatalf("records %+v", tab.Records)
		}
		if tab.Records[0].Line != 2 || tab.Records[1].Line != 4 {
			t.Fatalf("lines %d, %d; want 2, 4", tab.Records[0].Line, tab.Records[1].Line)
		}
		if strings.ContainsAny(tab.Records[1].Fields[2], "\r") {
			t.Fatal("CR left in a field")
		}
	})
	t.Run("CommaWinsWhenHeaderHasMoreCommas", func(t *testing.T) {
		tab := mustReadCSV(t, "\"a;b\",c,d\n1,2,3\n")
		if len(tab.Header) != 3 || tab.Header[0] != "a;b" {
			t.Fatalf("header %q", tab.Header)
		}
	})
	t.Run("WrongFieldCountsKept", func(t *testing.T) {
		tab := mustReadCSV(t, "a,b,c\n1,2\n1,2,3,4\n")
		if len(tab.Records) != 2 || len(tab.Records[0].Fields) != 2 || len(tab.Records[1].Fields) != 4 {
			t.Fatalf("records %+v", tab.Records)
		}
	})
	bad := map[string]struct{ in, want string }{
		"ErrUnterminatedQuote": {"a,b\n1,2\n3,\"never closed\n4,5\n", "Line 3"},
		"ErrBareQuote":         {"a,b\n1,2\n3,O\"Brien\n", "Line 3"},
		"ErrEmpty":             {"", "empty"},
		"ErrBlank":             {"\uFEFF\r\n  \n", "empty"},
		"ErrNotUTF8":           {"a,b\n1,2\nJos\xe9,x\n", "Line 3 is not UTF-8"},
	}
	for name, c := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := app.ReadCSV(strings.NewReader(c.in))
			if app.ErrorCode(err) != app.EINVALID || !strings.Contains(app.ErrorMessage(err), c.want) {
				t.Fatalf("got %v, want EINVALID containing %q", err, c.want)
			}
		})
	}
	t.Run("ErrTooLarge", func(t *testing.T) {
		big := "a,b\n" + strings.Repeat(strings.Repeat("x", 99)+",y\n", app.MaxImportBytes/100)
		_, err := app.ReadCSV(strings.NewReader(big))
		if app.ErrorCode(err) != app.EINVALID || !strings.Contains(app.ErrorMessage(err), "too large") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrTooManyRows", func(t *testing.T) {
		var b bytes.Buffer
		b.WriteString("a\n")
		for i := 0; i <= app.MaxImportRows; i++ {
			b.WriteString("x\n")
		}
		_, err := app.ReadCSV(&b)
		if app.ErrorCode(err) != app.EINVALID || !strings.Contains(app.ErrorMessage(err), "50,000 rows") {
			t.Fatalf("got %v", err)
		}
		b.Reset()
		b.WriteString("a\n")
		for i := 0; i < app.MaxImportRows; i++ {
			b.WriteString("x\n")
		}
		if tab, err := app.ReadCSV(&b); err != nil || len(tab.Records) != app.MaxImportRows {
			t.Fatalf("exactly the limit refused: %v", err)
		}
	})
}

func TestGuessMapping(t *testing.T) {
	// The header data.ExportColumns writes (written out here: app does not
	// import data).
	export := []string{"mrn", "given_name", "family_name", "sex", "birth_date", "phone", "email", "address",
		"national_id", "emergency_contact", "emergency_phone", "blood_group", "notes", "registered_at"}
	m := app.GuessMapping(export)
	if len(m) != len(app.PatientImportFields) {
		t.Fatalf("export header maps %d fields, want %d: %v", len(m), len(app.PatientImportFields), m)
	}
	for _, f := range app.PatientImportFields {
		if export[m[f]] != f {
			t.Errorf("%s maps to column %q", f, export[m[f]])
		}
	}
	synonyms := map[string]string{
		"First Name": "given_name", "forename": "given_name", "GIVEN": "given_name", "Prénom": "given_name",
		"Surname": "family_name", "last name": "family_name", "Last_Name": "family_name",
		"DOB": "birth_date", "Date of Birth": "birth_date", "birthdate": "birth_date",
		"Gender": "sex", "Mobile": "phone", "tel": "phone", "Téléphone": "phone", "Telephone": "phone",
		"E-mail": "email", "e-mail address": "email", "Blood type": "blood_group", "Next of kin": "emergency_contact",
		"Όνομα": "given_name", "ΕΠΏΝΥΜΟ": "family_name",
	}
	for h, want := range synonyms {
		m := app.GuessMapping([]string{"mrn", h})
		if m[want] != 1 || len(m) != 1 {
			t.Errorf("%q: %v, want %s", h, m, want)
		}
	}
	for _, h := range []string{"mrn", "registered_at", "MRN", "id", "name", ""} {
		if m := app.GuessMapping([]string{h}); len(m) != 0 {
			t.Errorf("%q mapped: %v", h, m)
		}
	}
	if m := app.GuessMapping([]string{"phone", "mobile"}); m["phone"] != 0 {
		t.Errorf("the first of two phone columns should win: %v", m)
	}
}

func TestPatientRows(t *testing.T) {
	file := "First name,Surname,Gender,DOB,Mobile,Blood group\n" +
		"Ada,Lovelace,F,10/12/1990,+30 210 555 0101,a+\n" + // line 2
		"Bob,Smith,male,1985-03-07,,\n" + // line 3
		"Chloé,Dupont,W,1.2.2000,,O -\n" + // line 4
		"Dan,Brown,m,31/02/1990,,\n" + // line 5: no 31 February
		"Eve,Adams,x,1990-01-01,,\n" + // line 6: unknown sex
		"Fay,Wong,f,2027-01-01,,\n" + // line 7: born in the future
		"Gus,Lee,m\n" + // line 8: too few columns
		",,,,,\n" + // line 9: an empty spreadsheet row, skipped
		"\"Hal\nHarris\",Jones,u,07.03.1984,,,extra\n" + // lines 10-11: too many columns
		"Ian,,m,1984-03-07,,\n" + // line 12: no family name
		"Joe,Kim,o,1984-3-7,,\n" + // line 13: not YYYY-MM-DD
		"Kay,Lim,unknown,07/03/84,,\n" + // line 14: two-digit year
		"Lou,Ma,m,1984-03-07,not a phone,\n" + // line 15
		"Max,Ng,m,1984-03-07,,Z+\n" // line 16
	tab := mustReadCSV(t, file)
	rows, bad := tab.PatientRows(app.GuessMapping(tab.Header), importToday)
	want := []app.ImportRow{
		{Line: 2, Patient: app.PatientCreate{GivenName: "Ada", FamilyName: "Lovelace", Sex: app.SexFemale, BirthDate: "1990-12-10", Phone: "+30 210 555 0101", BloodGroup: "A+"}},
		{Line: 3, Patient: app.PatientCreate{GivenName: "Bob", FamilyName: "Smith", Sex: app.SexMale, BirthDate: "1985-03-07"}},
		{Line: 4, Patient: app.PatientCreate{GivenName: "Chloé", FamilyName: "Dupont", Sex: app.SexFemale, BirthDate: "2000-02-01", BloodGroup: "O-"}},
	}
	if !slices.Equal(rows, want) {
		t.Errorf("rows\n%+v\nwant\n%+v", rows, want)
	}
	wantBad := map[int]string{5: "birth_date", 6: "sex", 7: "birth_date", 8: "", 10: "", 12: "family_name", 13: "birth_date",
		14: "birth_date", 15: "phone", 16: "blood_group"}
	if len(bad) != len(wantBad) {
		t.Errorf("%d bad rows, want %d: %+v", len(bad), len(wantBad), bad)
	}
	for _, e := range bad {
		field, ok := wantBad[e.Line]
		if !ok || e.Field != field || e.Message.String() == "" {
			t.Errorf("unexpected %+v", e)
		}
		switch e.Line {
		case 8:
			if e.Message.String() != "expected 6 columns, found 3" {
				t.Errorf("line 8: %q", e.Message)
			}
		case 10:
			if e.Message.String() != "expected 6 columns, found 7" {
				t.Errorf("line 10: %q", e.Message)
			}
		case 7:
			if !strings.Contains(e.Message.String(), "future") {
				t.Errorf("line 7: %q", e.Message)
			}
		}
	}

	t.Run("SexValues", func(t *testing.T) {
		for in, want := range map[string]app.Sex{"female": app.SexFemale, "F": app.SexFemale, "Woman": app.SexFemale,
			"w": app.SexFemale, "MALE": app.SexMale, "m": app.SexMale, "man": app.SexMale, "Other": app.SexOther,
			"o": app.SexOther, "unknown": app.SexUnknown, "U": app.SexUnknown, " f ": app.SexFemale} {
			tab := mustReadCSV(t, "given_name,family_name,sex,birth_date\nA,B,"+in+",2000-01-01\n")
			rows, bad := tab.PatientRows(app.GuessMapping(tab.Header), importToday)
			if len(bad) != 0 || len(rows) != 1 || rows[0].Patient.Sex != want {
				t.Errorf("%q: %+v %+v", in, rows, bad)
			}
		}
	})
	t.Run("ValuesTrimmed", func(t *testing.T) {
		tab := mustReadCSV(t, "given_name,family_name,sex,birth_date,email,national_id\n  Ann ,  Lee  , f , 2000-01-01 , ann@example.com ,  AB123  \n")
		rows, bad := tab.PatientRows(app.GuessMapping(tab.Header), importToday)
		if len(bad) != 0 || rows[0].Patient != (app.PatientCreate{GivenName: "Ann", FamilyName: "Lee", Sex: app.SexFemale,
			BirthDate: "2000-01-01", Email: "ann@example.com", NationalID: "AB123"}) {
			t.Fatalf("%+v %+v", rows, bad)
		}
	})
	t.Run("ErrMissingMapping", func(t *testing.T) {
		tab := mustReadCSV(t, "First name,Phone\nAda,123456\n")
		rows, bad := tab.PatientRows(app.GuessMapping(tab.Header), importToday)
		if rows != nil || len(bad) != 3 {
			t.Fatalf("rows %+v, bad %+v", rows, bad)
		}
		var fields []string
		for _, e := range bad {
			if e.Line != 0 || e.Message.String() == "" {
				t.Errorf("%+v", e)
			}
			fields = append(fields, e.Field)
		}
		if !slices.Equal(fields, []string{"birth_date", "family_name", "sex"}) {
			t.Fatalf("missing fields %v", fields)
		}
		m := app.GuessMapping(tab.Header)
		m["family_name"], m["sex"], m["birth_date"] = -1, 7, 1
		_, bad = tab.PatientRows(m, importToday)
		if len(bad) != 2 || bad[0].Field != "family_name" || bad[1].Field != "sex" {
			t.Fatalf("unmapped and out-of-range columns: %+v", bad)
		}
		m = app.ColumnMapping{"given_name": 0, "family_name": 0, "sex": 0, "birth_date": 0, "shoe_size": 1}
		if _, bad = tab.PatientRows(m, importToday); len(bad) != 1 || bad[0].Field != "shoe_size" {
			t.Fatalf("unknown field: %+v", bad)
		}
	})
	t.Run("ErrControlCharacter", func(t *testing.T) {
		tab := mustReadCSV(t, "given_name,family_name,sex,birth_date,notes,national_id\n"+
			"A\x00,B,f,2000-01-01,,\n"+
			"A,B,f,2000-01-01,\"two\nlines\",\n"+
			"A,B,f,2000-01-01,,\"AB\n12\"\n")
		rows, bad := tab.PatientRows(app.GuessMapping(tab.Header), importToday)
		if len(rows) != 1 || rows[0].Line != 3 || len(bad) != 2 || bad[0].Field != "given_name" || bad[1].Field != "national_id" {
			t.Fatalf("rows %+v bad %+v", rows, bad)
		}
	})
}

// TestExportImportRoundTrip reads a file as ExportPatients writes it (BOM,
// CRLF, quoted fields, the export's header) back into the same records.
func TestExportImportRoundTrip(t *testing.T) {
	file := "\uFEFFmrn,given_name,family_name,sex,birth_date,phone,email,address,national_id,emergency_contact,emergency_phone,blood_group,notes,registered_at\r\n" +
		"P-D1-000001,Ζωή,Παπαδοπούλου,female,1990-01-01,+30 210 555 0001,zoe@example.com,\"Odos 1\r\nAthens\",AMKA 123,Nikos P,+30 210 555 0002,AB-,\"Prefers \"\"Zoe\"\"; speaks English, Greek\",2026-11-25T09:00:00.000Z\r\n" +
		"P-D1-000002,Jean-Luc,O'Brien,male,1955-12-31,,,,,,,,,2026-11-25T09:00:01.000Z\r\n"
	tab := mustReadCSV(t, file)
	rows, bad := tab.PatientRows(app.GuessMapping(tab.Header), importToday)
	if len(bad) != 0 {
		t.Fatalf("bad rows %+v", bad)
	}
	want := []app.ImportRow{
		{Line: 2, Patient: app.PatientCreate{GivenName: "Ζωή", FamilyName: "Παπαδοπούλου", Sex: app.SexFemale,
			BirthDate: "1990-01-01", Phone: "+30 210 555 0001", Email: "zoe@example.com", Address: "Odos 1\nAthens",
			NationalID: "AMKA 123", EmergencyContact: "Nikos P", EmergencyPhone: "+30 210 555 0002", BloodGroup: "AB-",
			Notes: `Prefers "Zoe"; speaks English, Greek`}},
		{Line: 4, Patient: app.PatientCreate{GivenName: "Jean-Luc", FamilyName: "O'Brien", Sex: app.SexMale, BirthDate: "1955-12-31"}},
	}
	if !slices.Equal(rows, want) {
		t.Fatalf("rows\n%+v\nwant\n%+v", rows, want)
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n", "\uFEFFa;b\r\n1;2\r\n", "a,b\n\"x\ny\",2\n3\n", "a,\"b\n", "\"\"\"", "a\n\xff\n", ";\n,", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tab, err := app.ReadCSV(bytes.NewReader(b))
		if err != nil {
			if app.ErrorCode(err) != app.EINVALID || app.ErrorMessage(err) == "" {
				t.Fatalf("not an EINVALID error: %v", err)
			}
			return
		}
		if tab.Header == nil {
			t.Fatal("no header and no error")
		}
		last := 1
		for _, r := range tab.Records {
			if r.Line <= last {
				t.Fatalf("record lines not increasing: %d after %d", r.Line, last)
			}
			last = r.Line
		}
	})
}

func FuzzPatientRows(f *testing.F) {
	f.Add("given_name,family_name,sex,birth_date,phone,blood_group\nAda,Lovelace,f,10/12/1990,+30 210 555 0101,a+\n")
	f.Add("First name;Surname;Gender;DOB\nA;B;m;1.2.2000\n;;\nC;D\n")
	f.Add("given_name,family_name,sex,birth_date,notes\n\" A \",\"B\nC\",u,2026-11-25,\"x\"\"y\"\n")
	f.Add("given_name,family_name,sex,birth_date\nA,B,f,29/02/2000\nA,B,f,29/02/2001\n")
	f.Fuzz(func(t *testing.T, s string) {
		tab, err := app.ReadCSV(strings.NewReader(s))
		if err != nil {
			return
		}
		m := app.GuessMapping(tab.Header)
		complete := true
		for _, f := range []string{"given_name", "family_name", "sex", "birth_date"} {
			if _, ok := m[f]; !ok {
				complete = false
			}
		}
		rows, bad := tab.PatientRows(m, importToday)
		for _, e := range bad {
			if e.Message.String() == "" || (complete && e.Line < 2) || (!complete && e.Line != 0) {
				t.Fatalf("row error without a line or message: %+v (mapping complete %v)", e, complete)
			}
		}
		lines := map[int]bool{}
		for _, r := range rows {
			if r.Line < 2 || lines[r.Line] {
				t.Fatalf("row line %d", r.Line)
			}
			lines[r.Line] = true
			p := r.Patient
			if err := p.Validate(importToday); err != nil {
				t.Fatalf("line %d does not validate: %v (%+v)", r.Line, err, r.Patient)
			}
			if p != r.Patient {
				t.Fatalf("line %d not normalized: %+v became %+v", r.Line, r.Patient, p)
			}
		}
		if complete && len(rows)+len(bad) > len(tab.Records) {
			t.Fatalf("%d rows and %d errors from %d records", len(rows), len(bad), len(tab.Records))
		}
	})
}

package i18n

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// The module's root, where ScanKeys starts.
const root = "../.."

func TestCatalogsHaveEveryKey(t *testing.T) {
	keys, err := ScanKeys(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range Languages() {
		if l == English {
			continue
		}
		cat, err := loadCatalog(l)
		if err != nil {
			t.Fatal(err)
		}
		var missing []string
		for k, at := range keys {
			if _, ok := cat[k]; !ok {
				missing = append(missing, fmt.Sprintf("%q (%s)", k, at[0]))
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			if len(missing) > 40 {
				missing = append(missing[:40], fmt.Sprintf("… and %d more", len(missing)-40))
			}
			t.Errorf("%s (%s) lacks %d string(s) the code translates; add them to app/i18n/catalog/%s/:\n  %s",
				l.Name(), l, len(missing), l, strings.Join(missing, "\n  "))
		}
	}
}

func TestCatalogsHaveNoStaleKeys(t *testing.T) {
	keys, err := ScanKeys(root)
	if err != nil {
		t.Fatal(err)
	}
	all, err := Catalogs()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		if c.Part == "common" {
			continue // the shared glossary: its words need not all be in use
		}
		for k := range c.Strings {
			if _, ok := keys[k]; !ok {
				t.Errorf("catalog/%s/%s.json has %q, which no code translates any more", c.Lang, c.Part, k)
			}
		}
	}
}

// Every language has the same parts with the same strings, and a string
// in two parts is translated once.
func TestCatalogPartsAgree(t *testing.T) {
	all, err := Catalogs()
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]map[Lang]map[string]string{}
	for _, c := range all {
		if parts[c.Part] == nil {
			parts[c.Part] = map[Lang]map[string]string{}
		}
		parts[c.Part][c.Lang] = c.Strings
	}
	for part, byLang := range parts {
		for _, l := range Languages() {
			if l == English {
				continue
			}
			if _, ok := byLang[l]; !ok {
				t.Errorf("%s has no catalog/%s/%s.json, which the other languages have", l.Name(), l, part)
			}
			for _, other := range Languages() {
				if other == English || other == l || byLang[other] == nil {
					continue
				}
				for k := range byLang[l] {
					if _, ok := byLang[other][k]; !ok {
						t.Errorf("catalog/%s/%s.json has %q; catalog/%s/%s.json does not", l, part, k, other, part)
					}
				}
			}
		}
	}
	for _, l := range Languages() {
		if _, err := loadCatalog(l); err != nil {
			t.Error(err)
		}
	}
}

func TestTranslationsKeepVerbsAndAreNotEmpty(t *testing.T) {
	all, err := Catalogs()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		for k, v := range c.Strings {
			if strings.TrimSpace(v) == "" && strings.TrimSpace(k) != "" {
				t.Errorf("catalog/%s/%s.json: %q has an empty translation", c.Lang, c.Part, k)
			}
			if !slices.Equal(Verbs(k), Verbs(v)) {
				t.Errorf("catalog/%s/%s.json: %q → %q: the verbs %v differ from %v", c.Lang, c.Part, k, v, Verbs(v), Verbs(k))
			}
		}
	}
}

func TestVerbs(t *testing.T) {
	for _, c := range []struct {
		s    string
		want []string
	}{
		{"%d patients", []string{"d"}},
		{"%s owes %s (100%%)", []string{"s", "s"}},
		{"%[2]s: %[1]d", []string{"d", "s"}},
		{"%-10s %6.2f %v", []string{"f", "s", "v"}},
		{"no verbs", nil},
	} {
		if got := Verbs(c.s); !slices.Equal(got, c.want) {
			t.Errorf("Verbs(%q) = %v, want %v", c.s, got, c.want)
		}
	}
}

func TestScanKeysFindsCalls(t *testing.T) {
	keys, err := ScanKeys("testdata/scan")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for k := range keys {
		got = append(got, k)
	}
	sort.Strings(got)
	want := []string{"App error %s", "Bare in app %d", "Book", "Built %d", "Denied in app", "Field error", "Field in app",
		"Joined literal", "Marked", "Method %d", "Wrapped %s"}
	if !slices.Equal(got, want) {
		t.Errorf("ScanKeys found %q, want %q", got, want)
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]Lang{"el": Greek, "EL": Greek, "el-GR": Greek, "es_ES.UTF-8": Spanish, " en ": English} {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "fr", "xx-YY", "english"} {
		if _, err := Parse(bad); err == nil || !strings.Contains(err.Error(), "en, el, es") {
			t.Errorf("Parse(%q) err = %v, want one naming en, el, es", bad, err)
		}
	}
	if Lang("ar").RightToLeft() != true || Greek.RightToLeft() {
		t.Error("RightToLeft is wrong")
	}
}

func TestUnknownTextStaysEnglish(t *testing.T) {
	var nilTr *Tr
	if nilTr.T("Save") != "Save" || For("fr").Lang() != English || For(Greek).T("no such string, ever") != "no such string, ever" {
		t.Error("a missing translation did not fall back to English")
	}
	if For(Greek).F("%d of %d", 2, 3) != "2 of 3" {
		t.Errorf("F without a translation = %q", For(Greek).F("%d of %d", 2, 3))
	}
}

func TestFormat(t *testing.T) {
	d := time.Date(2026, time.November, 30, 15, 4, 0, 0, time.UTC)
	may := time.Date(2026, time.May, 2, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		l                                    Lang
		long, longMay, day, monthYear, money string
		integer                              string
	}{
		{English, "Monday 30 November 2026", "Saturday 2 May 2026", "Mon 2026-11-30", "November 2026", "1,234,567.05 EUR", "-12,345"},
		{Greek, "Δευτέρα 30 Νοεμβρίου 2026", "Σάββατο 2 Μαΐου 2026", "Δευ 2026-11-30", "Νοέμβριος 2026", "1.234.567,05 EUR", "-12.345"},
		{Spanish, "lunes, 30 de noviembre de 2026", "sábado, 2 de mayo de 2026", "lun 2026-11-30", "noviembre de 2026", "1.234.567,05 EUR", "-12.345"},
	} {
		tr := For(c.l)
		for _, g := range []struct{ what, got, want string }{
			{"LongDate", tr.LongDate(d), c.long},
			{"LongDate May", tr.LongDate(may), c.longMay},
			{"Day", tr.Day(d), c.day},
			{"DayTime", tr.DayTime(d), c.day + " 15:04"},
			{"MonthYear", tr.MonthYear(d), c.monthYear},
			{"Money", tr.Money(123456705, 2, "eur"), c.money},
			{"Integer", tr.Integer(-12345), c.integer},
		} {
			if g.got != g.want {
				t.Errorf("%s %s = %q, want %q", c.l, g.what, g.got, g.want)
			}
		}
	}
	en := For(English)
	for _, c := range []struct {
		minor  int64
		digits int
		want   string
	}{{0, 2, "0.00"}, {5, 2, "0.05"}, {-250, 3, "-0.250"}, {1500, 0, "1,500"}, {100000, 2, "1,000.00"}} {
		if got := en.Amount(c.minor, c.digits); got != c.want {
			t.Errorf("Amount(%d, %d) = %q, want %q", c.minor, c.digits, got, c.want)
		}
	}
}

func TestUntranslatedFindsText(t *testing.T) {
	found, todo, err := Untranslated("testdata/untranslated")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range found {
		got = append(got, f.Text)
	}
	want := []string{"Save patient", "%d booked today", "Waiting room"}
	if !slices.Equal(got, want) || len(todo) != 0 {
		t.Errorf("Untranslated found %q (todo %q), want %q", got, todo, want)
	}
}

// lowered is a Local argument, as app.Lower is.
type lowered string

func (l lowered) Local(t *Tr) string { return strings.ToLower(t.T(string(l))) }

func TestTextIsEnglishUntilShown(t *testing.T) {
	x := Nf("%s: %s", Nf("Sex"), Nf("Line %d: %s", 4, lowered("Unknown")))
	if got, want := x.String(), "Sex: Line 4: unknown"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	el := For(Greek)
	want := el.F("%s: %s", el.T("Sex"), el.F("Line %d: %s", 4, strings.ToLower(el.T("Unknown"))))
	if got := el.Text(x); got != want || got == x.String() {
		t.Errorf("Greek Text = %q, want %q (and not the English)", got, want)
	}
	if got, want := el.Text(Nf("100%% of %d", 3)), el.F("100%% of %d", 3); got != want {
		t.Errorf("percent: %q, want %q", got, want)
	}
	if got := Nf("Done 100%%").String(); got != "Done 100%" {
		t.Errorf("no arguments: %q", got)
	}
	if !(Text{}).IsZero() || Nf("x").IsZero() {
		t.Error("IsZero")
	}
}

// A key with a context is English without it, and a language may say the
// same English word two ways: a sex's "Unknown" is not a severity's.
func TestContextKeys(t *testing.T) {
	if got := For(English).T("sex" + Context + "Unknown"); got != "Unknown" {
		t.Errorf("English %q", got)
	}
	for _, l := range []Lang{Greek, Spanish} {
		tr := For(l)
		sex, severity := tr.T("sex"+Context+"Unknown"), tr.T("Unknown")
		if sex == severity || sex == "Unknown" || strings.Contains(sex, Context) {
			t.Errorf("%s: a sex's Unknown %q, a severity's %q", l, sex, severity)
		}
	}
	if got, want := For(Greek).T("sex"+Context+"Unknown"), "Άγνωστο"; got != want {
		t.Errorf("Greek sex Unknown %q, want the neuter %q (το φύλο)", got, want)
	}
}

// TestDeskIsOneWord: a desk (one computer running HMS, which syncs with
// the clinic's others) has one name per language: "σταθμός" in Greek, the
// screens' word, and "puesto" in Spanish. A translation of an English text
// that says "desk" uses it, and never the other words the catalogues once
// used ("γραφείο" in the errors, "γκισέ", "mostrador"). The reception desk
// (a place) and e-mail addresses are not desks.
func TestDeskIsOneWord(t *testing.T) {
	desk := regexp.MustCompile(`(?i)\bdesks?\b([^@]|$)`)
	notDesk := regexp.MustCompile(`(?i)reception desk|desk@`)
	rules := map[Lang]struct {
		word  *regexp.Regexp
		other *regexp.Regexp
	}{
		Greek:   {regexp.MustCompile(`(?i)σταθμ(ός|ού|ό|οί|ών|ούς)`), regexp.MustCompile(`(?i)γραφεί(ο|ου|α|ων)|γκισέ`)},
		Spanish: {regexp.MustCompile(`(?i)\bpuestos?\b`), regexp.MustCompile(`(?i)\b(mostrador(es)?|escritorios?|estaci[oó]n(es)?|terminal(es)?)\b`)},
	}
	all, err := Catalogs()
	if err != nil {
		t.Fatal(err)
	}
	checked := map[Lang]int{}
	for _, c := range all {
		r, ok := rules[c.Lang]
		if !ok {
			continue
		}
		for k, v := range c.Strings {
			if !desk.MatchString(notDesk.ReplaceAllString(k, "")) {
				continue
			}
			checked[c.Lang]++
			if w := r.other.FindString(v); w != "" {
				t.Errorf("catalog/%s/%s.json: %q → %q says desk as %q", c.Lang, c.Part, k, v, w)
			} else if !r.word.MatchString(v) {
				t.Errorf("catalog/%s/%s.json: %q → %q does not say desk as %s", c.Lang, c.Part, k, v, r.word)
			}
		}
	}
	for l := range rules {
		if checked[l] < 50 {
			t.Errorf("%s: only %d texts about desks checked", l.Name(), checked[l])
		}
	}
}

// Package i18n is HMS's translation layer: the languages the app speaks,
// the catalogues that translate its text, and the formatting of dates,
// weekdays, numbers and money for each language.
//
// The English text is the key (as with gettext): code writes
// tr.T("Save") or tr.F("%d patients", n), and a catalogue maps that
// English text to the language's own. English needs no catalogue. A
// string missing from a catalogue falls back to English, and a test
// (TestCatalogsHaveEveryKey) fails when any string the code passes to the
// layer is missing from any catalogue, so a new untranslated string cannot
// land unnoticed.
//
// The package knows nothing of Fyne or of the database: the screens (ui),
// the printed documents (app/pdf) and the messages to patients (data) all
// use it, and the command line and the audit log's details stay English.
//
// Catalogues are JSON objects, English → translation, one file per part of
// the app and language: catalog/<lang>/<part>.json. A string used by two
// parts may be in both files, with the same translation (checked). Format
// verbs in a translation must match the English ones; a translation may
// reorder them with explicit indexes (%[2]s … %[1]d).
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
)

// Lang is a language HMS speaks, by its ISO 639-1 code.
type Lang string

// The languages HMS speaks. English is the source language and the
// fallback.
const (
	English Lang = "en"
	Greek   Lang = "el"
	Spanish Lang = "es"
)

// languages is every language in the order a language choice lists them.
var languages = []Lang{English, Greek, Spanish}

// Languages returns every language HMS speaks, English first.
func Languages() []Lang { return append([]Lang(nil), languages...) }

// names are the languages' names in their own language, as a choice of
// language shows them (a Greek speaker looks for "Ελληνικά").
var names = map[Lang]string{English: "English", Greek: "Ελληνικά", Spanish: "Español"}

// Name is the language's name in that language.
func (l Lang) Name() string {
	if n, ok := names[l]; ok {
		return n
	}
	return string(l)
}

// Valid reports whether HMS speaks l.
func (l Lang) Valid() bool {
	_, ok := names[l]
	return ok
}

// rightToLeft lists the scripts written right to left, by language code,
// so that a language added later in one of them is laid out as such. None
// of the languages HMS speaks today is among them.
var rightToLeft = map[Lang]bool{"ar": true, "he": true, "fa": true, "ur": true, "yi": true, "ps": true, "sd": true, "dv": true}

// RightToLeft reports whether l is written right to left.
func (l Lang) RightToLeft() bool { return rightToLeft[l] }

// Parse reads a language code: "el", "EL", "el-GR" and "el_GR" are Greek.
// An empty or unknown code is an error naming the languages HMS speaks.
func Parse(s string) (Lang, error) {
	code := strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(code, "-_."); i >= 0 {
		code = code[:i]
	}
	if l := Lang(code); l.Valid() {
		return l, nil
	}
	var codes []string
	for _, l := range languages {
		codes = append(codes, string(l))
	}
	return "", fmt.Errorf("unknown language %q: HMS speaks %s", s, strings.Join(codes, ", "))
}

// N marks s as text to translate where it is written, for text that is
// translated later, away from its literal (a status's label kept in a
// table, say): the catalogue test finds the key here. It returns s.
func N(s string) string { return s }

// Tr translates into one language. The zero value and a nil *Tr speak
// English.
type Tr struct {
	lang Lang
	cat  map[string]string
}

var (
	trs   = map[Lang]*Tr{}
	trsMu sync.Mutex
)

// For returns the translator for l; an unknown language gets English.
func For(l Lang) *Tr {
	if !l.Valid() {
		l = English
	}
	trsMu.Lock()
	defer trsMu.Unlock()
	if t, ok := trs[l]; ok {
		return t
	}
	t := &Tr{lang: l}
	if l != English {
		cat, err := loadCatalog(l)
		if err != nil {
			// The catalogues are embedded and checked by tests; a
			// broken one is a build defect, not a user's problem.
			panic(err)
		}
		t.cat = cat
	}
	trs[l] = t
	return t
}

// Lang is the translator's language.
func (t *Tr) Lang() Lang {
	if t == nil || t.lang == "" {
		return English
	}
	return t.lang
}

// Context separates a key's context from its English text, as gettext's
// msgctxt does: "sex\x04Unknown" is the English "Unknown" said of a sex,
// a key of its own, so that a language can give it another form than the
// "Unknown" of an allergy's severity. English shows the text after it.
const Context = "\x04"

// T translates s; text the catalogue lacks stays English (without its
// context, when it has one).
func (t *Tr) T(s string) string {
	if t != nil && t.cat != nil {
		if v, ok := t.cat[s]; ok && v != "" {
			return v
		}
	}
	if i := strings.LastIndex(s, Context); i >= 0 {
		return s[i+len(Context):]
	}
	return s
}

// F translates format and fills it like fmt.Sprintf.
func (t *Tr) F(format string, args ...any) string {
	return fmt.Sprintf(t.T(format), args...)
}

// Has reports whether the catalogue translates s (English has every
// string).
func (t *Tr) Has(s string) bool {
	if t.Lang() == English {
		return true
	}
	_, ok := t.cat[s]
	return ok
}

//go:embed catalog
var catalogs embed.FS

// Catalog is one catalogue file: a part of the app in one language.
type Catalog struct {
	Lang    Lang
	Part    string // the file's name without .json: "ui", "pdf", "messages"
	Strings map[string]string
}

// Catalogs returns every catalogue file, sorted by language and part.
func Catalogs() ([]Catalog, error) {
	var out []Catalog
	for _, l := range languages {
		if l == English {
			continue
		}
		dir := "catalog/" + string(l)
		entries, err := fs.ReadDir(catalogs, dir)
		if err != nil {
			continue // a language with no catalogue yet
		}
		for _, e := range entries {
			if e.IsDir() || path.Ext(e.Name()) != ".json" {
				continue
			}
			data, err := catalogs.ReadFile(dir + "/" + e.Name())
			if err != nil {
				return nil, err
			}
			m := map[string]string{}
			if err := json.Unmarshal(data, &m); err != nil {
				return nil, fmt.Errorf("i18n: %s/%s: %w", dir, e.Name(), err)
			}
			out = append(out, Catalog{Lang: l, Part: strings.TrimSuffix(e.Name(), ".json"), Strings: m})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Lang != out[j].Lang {
			return out[i].Lang < out[j].Lang
		}
		return out[i].Part < out[j].Part
	})
	return out, nil
}

// loadCatalog merges every part of l's catalogue. A string in two parts
// must have one translation.
func loadCatalog(l Lang) (map[string]string, error) {
	all, err := Catalogs()
	if err != nil {
		return nil, err
	}
	cat := map[string]string{}
	from := map[string]string{}
	for _, c := range all {
		if c.Lang != l {
			continue
		}
		for k, v := range c.Strings {
			if old, ok := cat[k]; ok && old != v {
				return nil, fmt.Errorf("i18n: %s: %q is %q in %s.json and %q in %s.json", l, k, old, from[k], v, c.Part)
			}
			cat[k], from[k] = v, c.Part
		}
	}
	return cat, nil
}

// Text is text built away from the screen that shows it (by the data
// layer, say): an English format, a key of the catalogues, and its
// arguments. Its String is the English text, for the command line, logs
// and the audit log; a screen shows tr.Text(x), in its own language.
// Build one with Nf, so that the catalogue test finds its format.
type Text struct {
	Format string
	Args   []any
}

// Nf is the Text of format filled with args, translated later where it
// is shown: the catalogue test (ScanKeys) finds format here. An argument
// that is itself a Text is translated with it (a label: Nf("Sex")).
func Nf(format string, args ...any) Text { return Text{Format: format, Args: args} }

// Local is an argument of a Text that says itself in a language (an
// app error, a label in lower case).
type Local interface{ Local(t *Tr) string }

// IsZero reports whether x holds no text.
func (x Text) IsZero() bool { return x.Format == "" && len(x.Args) == 0 }

// String is x in English.
func (x Text) String() string { return (*Tr)(nil).Text(x) }

// Text is x in t's language: its format translated, and its arguments
// that are Texts or Locals too; other arguments are written as they are.
func (t *Tr) Text(x Text) string {
	if len(x.Args) == 0 {
		return strings.ReplaceAll(t.T(x.Format), "%%", "%")
	}
	args := make([]any, len(x.Args))
	for i, a := range x.Args {
		switch v := a.(type) {
		case Text:
			a = t.Text(v)
		case []Text:
			parts := make([]string, len(v))
			for j, p := range v {
				parts[j] = t.Text(p)
			}
			a = strings.Join(parts, "; ")
		case Local:
			a = v.Local(t)
		}
		args[i] = a
	}
	return fmt.Sprintf(t.T(x.Format), args...)
}

// Join is parts one after the other with sep between them (" · "), as one
// Text: each part is translated on its own where it is shown.
func Join(sep string, parts ...Text) Text {
	format := strings.Repeat("%s"+strings.ReplaceAll(sep, "%", "%%"), len(parts))
	format = strings.TrimSuffix(format, strings.ReplaceAll(sep, "%", "%%"))
	args := make([]any, len(parts))
	for i, p := range parts {
		args[i] = p
	}
	return Text{Format: format, Args: args}
}

// Strings is each of xs in English (its String), for the command line and
// logs.
func Strings(xs []Text) []string {
	if xs == nil {
		return nil
	}
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = x.String()
	}
	return out
}

package app

import (
	"slices"
	"strings"
	"unicode/utf8"

	"hms/app/i18n"
)

// LetterTemplates are the clinic's wording of the documents a doctor
// writes: the opening paragraph of the medical certificate and of the
// referral letter, with placeholders in braces ({patient}, {from} …) that
// the record fills. An empty template is the default wording. They are
// clinic settings: an administrator changes them, signed, and every desk
// of the clinic prints them.
type LetterTemplates struct {
	SickNote string
	Referral string
}

// Default wording of the letters.
const (
	DefaultSickNoteTemplate = "I certify that I examined {patient} on {date} and that, in my opinion, the patient is unfit for " +
		"work or school from {from} to {to} inclusive ({days})."
	DefaultReferralTemplate = "Dear colleague, I am referring {patient} (born {born}) to you."
)

// DefaultLetterTemplate is the default wording of kind in tr's language
// (English: DefaultSickNoteTemplate, DefaultReferralTemplate).
func DefaultLetterTemplate(tr *i18n.Tr, kind LetterKind) string {
	switch kind {
	case LetterSickNote:
		return tr.T("I certify that I examined {patient} on {date} and that, in my opinion, the patient is unfit for " +
			"work or school from {from} to {to} inclusive ({days}).")
	case LetterReferral:
		return tr.T("Dear colleague, I am referring {patient} (born {born}) to you.")
	}
	return ""
}

// TemplateIn is the clinic's template of kind as written, or the default
// wording in tr's language when the clinic keeps the default.
func (t LetterTemplates) TemplateIn(tr *i18n.Tr, kind LetterKind) string {
	if own := t.Template(kind); !IsDefaultLetterTemplate(kind, own) {
		return own
	}
	return DefaultLetterTemplate(tr, kind)
}

// IsDefaultLetterTemplate reports whether text is kind's default wording
// in one of the languages HMS speaks: such a template is stored as empty,
// so that each letter is worded in its reader's language.
func IsDefaultLetterTemplate(kind LetterKind, text string) bool {
	text = strings.TrimSpace(text)
	for _, l := range i18n.Languages() {
		if d := DefaultLetterTemplate(i18n.For(l), kind); d != "" && text == d {
			return true
		}
	}
	return false
}

// MaxLetterTemplate bounds a template's length, in characters.
const MaxLetterTemplate = 2000

// letterPlaceholders are the placeholders of each kind, in the order the
// settings screen lists them.
var letterPlaceholders = map[LetterKind][]string{
	LetterSickNote: {"patient", "born", "record_no", "date", "from", "to", "days", "doctor", "registration_no", "clinic"},
	LetterReferral: {"patient", "born", "record_no", "date", "recipient", "doctor", "registration_no", "clinic"},
}

// letterRequired are the placeholders a kind's template must use: a
// certificate without its days, or a referral without the patient, says
// nothing.
var letterRequired = map[LetterKind][]string{
	LetterSickNote: {"patient", "from", "to"},
	LetterReferral: {"patient"},
}

// LetterPlaceholders names the placeholders a kind's template may use.
func LetterPlaceholders(kind LetterKind) []string { return slices.Clone(letterPlaceholders[kind]) }

// Template is the clinic's template of a kind, or its default.
func (t LetterTemplates) Template(kind LetterKind) string {
	switch kind {
	case LetterSickNote:
		if strings.TrimSpace(t.SickNote) != "" {
			return t.SickNote
		}
		return DefaultSickNoteTemplate
	case LetterReferral:
		if strings.TrimSpace(t.Referral) != "" {
			return t.Referral
		}
		return DefaultReferralTemplate
	}
	return ""
}

// Validate trims the templates and checks each: at most MaxLetterTemplate
// characters, braces that close, known placeholders only, and the ones
// the kind needs. A template equal to the default wording, in any
// language, is stored as empty, so that it follows the default in each
// reader's language.
func (t *LetterTemplates) Validate() error {
	for _, f := range []struct {
		kind  LetterKind
		field string
		text  *string
	}{{LetterSickNote, "sick_note_template", &t.SickNote}, {LetterReferral, "referral_template", &t.Referral}} {
		*f.text = strings.TrimSpace(*f.text)
		if *f.text == "" {
			continue
		}
		if msg := CheckLetterTemplate(f.kind, *f.text); !msg.IsZero() {
			return FieldErrorf(f.field, "%s", msg)
		}
		if IsDefaultLetterTemplate(f.kind, *f.text) {
			*f.text = ""
		}
	}
	return nil
}

// CheckLetterTemplate explains what is wrong with a template of kind, or
// returns a zero Text; the settings screen shows it beside the field as
// it is typed, in its language.
func CheckLetterTemplate(kind LetterKind, text string) i18n.Text {
	if n := utf8.RuneCountInString(text); n > MaxLetterTemplate {
		return i18n.Nf("The template is too long (%d characters, at most %d).", n, MaxLetterTemplate)
	}
	known := letterPlaceholders[kind]
	used := map[string]bool{}
	rest := text
	for {
		open := strings.IndexAny(rest, "{}")
		if open < 0 {
			break
		}
		if rest[open] == '}' {
			return i18n.Nf("A } without its {: write placeholders as {patient}.")
		}
		end := strings.IndexAny(rest[open+1:], "{}")
		if end < 0 || rest[open+1+end] == '{' {
			return i18n.Nf("A { is not closed: write placeholders as {patient}.")
		}
		name := rest[open+1 : open+1+end]
		if !slices.Contains(known, name) {
			return i18n.Nf("{%s} is not a placeholder of this letter: use %s.", name, braced(known))
		}
		used[name] = true
		rest = rest[open+1+end+1:]
	}
	for _, need := range letterRequired[kind] {
		if !used[need] {
			return i18n.Nf("The %s must say {%s}.", Lower(kind.Label()), need)
		}
	}
	return i18n.Text{}
}

func braced(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "{" + n + "}"
	}
	return strings.Join(out, ", ")
}

// FillLetterTemplate replaces each placeholder of text by its value in
// values; a placeholder without a value is left empty. text is a template
// CheckLetterTemplate accepts.
func FillLetterTemplate(text string, values map[string]string) string {
	var b strings.Builder
	rest := text
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			break
		}
		b.WriteString(rest[:open])
		b.WriteString(values[rest[open+1:open+end]])
		rest = rest[open+end+1:]
	}
	b.WriteString(rest)
	return b.String()
}

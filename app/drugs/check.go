package drugs

import (
	"sort"
	"strings"
	"unicode"

	"hms/app/i18n"
)

// Kind is what a finding of the check is.
type Kind string

// Kinds of findings. Allergy, CrossReaction and Duplicate are warnings;
// NotCheckable and UnknownDrug say what the check could not check.
const (
	// KindAllergy: the drug contains a substance the patient is allergic
	// to, or belongs to a class they are allergic to.
	KindAllergy Kind = "allergy"
	// KindCrossReaction: a known cross-reaction with an allergy, a caution.
	KindCrossReaction Kind = "cross-reaction"
	// KindDuplicate: two drugs of the same therapeutic class, or the same
	// substance twice, in the prescription or with a current medication.
	KindDuplicate Kind = "duplicate"
	// KindNotCheckable: an allergy's text names nothing of the catalogue.
	KindNotCheckable Kind = "not checkable"
	// KindUnknownDrug: a drug's text names nothing of the catalogue.
	KindUnknownDrug Kind = "unknown drug"
)

// Request is what a prescription is checked against: the patient's
// recorded allergies (as recorded: a substance, a class, a brand or free
// text), the drugs prescribed and the patient's current medications.
type Request struct {
	Allergies []string
	Drugs     []string
	Current   []string
}

// Finding is one result of the check. Indexes point into the request's
// slices; -1 where a finding has none.
type Finding struct {
	Kind    Kind
	Allergy int // into Allergies
	Drug    int // into Drugs
	Other   int // duplicate: the other drug (into Drugs), or -1
	Current int // duplicate: the current medication (into Current), or -1
	Class   string
	// Message is the finding in English as its String says it; a screen
	// shows it in its own language.
	Message i18n.Text
}

// Warns reports whether a finding is a warning (allergy, cross-reaction,
// duplicate) rather than a notice of what could not be checked.
func (f Finding) Warns() bool {
	return f.Kind == KindAllergy || f.Kind == KindCrossReaction || f.Kind == KindDuplicate
}

// AnyWarns reports whether one of the findings warns.
func AnyWarns(fs []Finding) bool {
	for _, f := range fs {
		if f.Warns() {
			return true
		}
	}
	return false
}

// allergen is an allergy as the catalogue understands it.
type allergen struct {
	text       string
	substances []*Substance // single substances named
	classes    []*Class     // classes named directly
	named      nameList     // what the allergy names, for messages
	// of: every class of a named substance (ancestors included) or a
	// named class, for groups and cross-reactions
	of map[string]bool
}

func (c *Catalogue) allergen(text string) *allergen {
	a := &allergen{text: strings.TrimSpace(text), of: map[string]bool{}}
	for _, f := range c.Find(text) {
		switch {
		case f.Class != nil:
			if !containsClass(a.classes, f.Class) {
				a.classes = append(a.classes, f.Class)
				a.named = append(a.named, className(f.Class.Name))
				for id := range f.Class.ancestors {
					a.of[id] = true
				}
			}
		case f.Substance != nil:
			for _, p := range f.Substance.parts {
				if !containsSubstance(a.substances, p) {
					a.substances = append(a.substances, p)
					a.named = append(a.named, substanceName(p.Name))
					for id := range p.classes {
						a.of[id] = true
					}
				}
			}
		}
	}
	if len(a.substances) == 0 && len(a.classes) == 0 {
		return nil
	}
	sort.Slice(a.classes, func(i, j int) bool { return a.classes[i].order < a.classes[j].order })
	return a
}

func containsClass(list []*Class, c *Class) bool {
	for _, x := range list {
		if x == c {
			return true
		}
	}
	return false
}

// drug is a prescribed drug as the catalogue understands it.
type drug struct {
	text       string
	substances []*Substance
	classes    map[string]bool
}

func (c *Catalogue) drug(text string) *drug {
	subs := c.drugSubstances(text)
	if len(subs) == 0 {
		return nil
	}
	d := &drug{text: strings.TrimSpace(text), substances: subs, classes: map[string]bool{}}
	for _, s := range subs {
		for id := range s.classes {
			d.classes[id] = true
		}
	}
	return d
}

// Check checks a prescription against the patient's allergies and current
// medications. For each allergy and drug it reports at most one finding,
// the strongest: the same substance or a class the patient is allergic to,
// then a class in which an allergy to one member is an allergy to all,
// then a known cross-reaction. Duplicates are reported for each pair of
// drugs, and each drug and current medication, that share a substance or
// a therapeutic class. Allergies the catalogue does not understand are
// reported as not checkable, drugs it does not know as unknown.
func (c *Catalogue) Check(r Request) []Finding {
	var out []Finding
	allergens := make([]*allergen, len(r.Allergies))
	for i, text := range r.Allergies {
		if strings.TrimSpace(text) == "" {
			continue
		}
		if allergens[i] = c.allergen(text); allergens[i] == nil {
			out = append(out, Finding{Kind: KindNotCheckable, Allergy: i, Drug: -1, Other: -1, Current: -1,
				Message: i18n.Nf("The allergy %q names no substance or class of the drug catalogue: it cannot be checked.", strings.TrimSpace(text))})
		}
	}
	drugs := make([]*drug, len(r.Drugs))
	for j, text := range r.Drugs {
		if strings.TrimSpace(text) == "" {
			continue
		}
		if drugs[j] = c.drug(text); drugs[j] == nil {
			out = append(out, Finding{Kind: KindUnknownDrug, Allergy: -1, Drug: j, Other: -1, Current: -1,
				Message: i18n.Nf("%q is not in the drug catalogue: it was not checked against allergies or duplicates.", strings.TrimSpace(text))})
		}
	}
	for i, a := range allergens {
		if a == nil {
			continue
		}
		for j, d := range drugs {
			if d == nil {
				continue
			}
			if f, ok := c.allergyFinding(a, d); ok {
				f.Allergy, f.Drug, f.Other, f.Current = i, j, -1, -1
				out = append(out, f)
			}
		}
	}
	current := make([]*drug, len(r.Current))
	for k, text := range r.Current {
		current[k] = c.drug(text)
	}
	for j, d := range drugs {
		if d == nil {
			continue
		}
		for o := j + 1; o < len(drugs); o++ {
			if f, ok := c.duplicate(d, drugs[o], i18n.Nf("is also prescribed")); ok {
				f.Allergy, f.Drug, f.Other, f.Current = -1, j, o, -1
				out = append(out, f)
			}
		}
		for k, m := range current {
			if f, ok := c.duplicate(d, m, i18n.Nf("is a current medication")); ok {
				f.Allergy, f.Drug, f.Other, f.Current = -1, j, -1, k
				out = append(out, f)
			}
		}
	}
	return out
}

func (c *Catalogue) allergyFinding(a *allergen, d *drug) (Finding, bool) {
	allergy := a.named
	for _, s := range d.substances {
		if containsSubstance(a.substances, s) {
			msg := i18n.Nf("%s contains %s: the patient is allergic to %s.", d.text, s.Name, allergy)
			if Normalize(d.text) == Normalize(s.Name) {
				msg = i18n.Nf("The patient is allergic to %s.", s.Name)
			}
			return Finding{Kind: KindAllergy, Message: msg}, true
		}
	}
	for _, cl := range a.classes {
		if d.classes[cl.ID] {
			return Finding{Kind: KindAllergy, Class: cl.ID,
				Message: i18n.Nf("%s is one of the %s: the patient is allergic to %s.", d.text, className(cl.Name), allergy)}, true
		}
	}
	for _, cl := range c.classOrder {
		if cl.Group && a.of[cl.ID] && d.classes[cl.ID] {
			return Finding{Kind: KindAllergy, Class: cl.ID,
				Message: i18n.Nf("%s is one of the %s, like %s, to which the patient is allergic: an allergy to one of the %s is an allergy to all of them.",
					d.text, className(cl.Name), allergy, className(cl.Name))}, true
		}
	}
	for _, x := range c.cross {
		if a.of[x.From] && d.classes[x.To] {
			return Finding{Kind: KindCrossReaction, Class: x.To,
				Message: i18n.Nf("%s: the patient is allergic to %s. %s", d.text, allergy, wording(x.Wording))}, true
		}
	}
	return Finding{}, false
}

func (c *Catalogue) duplicate(d, o *drug, what i18n.Text) (Finding, bool) {
	if o == nil {
		return Finding{}, false
	}
	for _, s := range d.substances {
		if containsSubstance(o.substances, s) {
			return Finding{Kind: KindDuplicate,
				Message: i18n.Nf("%s and %s both contain %s: the same substance twice (%s %s).", d.text, o.text, s.Name, o.text, what)}, true
		}
	}
	// The narrowest shared class that counts as a duplicate: the class
	// order lists broad classes before narrow ones, so the last one wins.
	var shared *Class
	for _, cl := range c.classOrder {
		if cl.Dup && d.classes[cl.ID] && o.classes[cl.ID] {
			shared = cl
		}
	}
	if shared == nil {
		return Finding{}, false
	}
	return Finding{Kind: KindDuplicate, Class: shared.ID,
		Message: i18n.Nf("%s and %s are both %s: a duplicate therapy (%s %s).", d.text, o.text, className(shared.Name), o.text, what)}, true
}

// lowerFirst writes a class's name inside a sentence: "Statins (HMG-CoA
// reductase inhibitors)" as "statins (HMG-CoA …)", "ACE inhibitors" as is.
func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) > 1 && unicode.IsUpper(r[0]) && !unicode.IsUpper(r[1]) {
		r[0] = unicode.ToLower(r[0])
	}
	return string(r)
}

// The catalogue's words inside a finding's message are said in the
// reader's language where the message is shown (i18n.Local): a class's
// name and a cross-reaction's wording are keys of the catalogues (keys.go
// lists them, made from the data files); a substance's name is the same
// in every language.

// className is a class's name inside a sentence: translated, then its
// first letter lowered (lowerFirst).
type className string

// Local implements i18n.Local.
func (c className) Local(t *i18n.Tr) string { return lowerFirst(t.T(string(c))) }

// wording is a cross-reaction's caution, translated.
type wording string

// Local implements i18n.Local.
func (w wording) Local(t *i18n.Tr) string { return t.T(string(w)) }

// substanceName is a substance's name, the same in every language.
type substanceName string

// Local implements i18n.Local.
func (s substanceName) Local(*i18n.Tr) string { return string(s) }

// nameList is what an allergy names, joined with commas.
type nameList []i18n.Local

// Local implements i18n.Local.
func (l nameList) Local(t *i18n.Tr) string {
	parts := make([]string, len(l))
	for i, n := range l {
		parts[i] = n.Local(t)
	}
	return strings.Join(parts, ", ")
}

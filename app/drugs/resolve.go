package drugs

import "strings"

// Found is a name of the catalogue found in a text.
type Found struct {
	Name      string // the catalogue's name, as written there
	Kind      NameKind
	Substance *Substance // for a substance, combination, brand or synonym
	Class     *Class     // for a class
}

// Find returns the catalogue's names found in text, in order, the longest
// name first where names overlap: "Augmentin 625 mg" finds Augmentin,
// "paracetamol + codeine 500/30" finds the combination, "penicillin
// (rash)" finds the class of penicillins. Words that are no name (doses,
// forms, reactions) are skipped.
func (c *Catalogue) Find(text string) []Found {
	norm := Normalize(text)
	// The words' bounds: names are looked up as slices of norm, whose
	// words are separated by one space.
	var starts, ends []int
	for i := 0; i < len(norm); {
		j := strings.IndexByte(norm[i:], ' ')
		if j < 0 {
			j = len(norm) - i
		}
		starts, ends = append(starts, i), append(ends, i+j)
		i += j + 1
	}
	var out []Found
	for i := 0; i < len(starts); {
		matched := 1
		for n := min(c.maxWords, len(starts)-i); n > 0; n-- {
			if e := c.names[norm[starts[i]:ends[i+n-1]]]; e != nil {
				out = append(out, Found{Name: e.name, Kind: e.kind, Substance: e.substance, Class: e.class})
				matched = n
				break
			}
		}
		i += matched
	}
	return out
}

// Lookup returns what the whole of name names in the catalogue, or false.
func (c *Catalogue) Lookup(name string) (Found, bool) {
	e := c.names[Normalize(name)]
	if e == nil {
		return Found{}, false
	}
	return Found{Name: e.name, Kind: e.kind, Substance: e.substance, Class: e.class}, true
}

// drugSubstances returns the single substances a prescribed drug's text
// names (a brand's substance, a combination's components), each once.
func (c *Catalogue) drugSubstances(text string) []*Substance {
	var out []*Substance
	for _, f := range c.Find(text) {
		if f.Substance == nil {
			continue
		}
		for _, p := range f.Substance.parts {
			if !containsSubstance(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

func containsSubstance(list []*Substance, s *Substance) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

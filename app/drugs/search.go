package drugs

import (
	"sort"
	"strings"
)

// indexKey is one searchable key: a name, or a name from one of its words
// on ("clavulanic acid" for "amoxicillin + clavulanic acid").
type indexKey struct {
	key   string
	entry *entry
	start bool // the key is the name from its first word
}

func (c *Catalogue) buildIndex() {
	c.index = c.index[:0]
	for _, e := range c.names {
		words := strings.Fields(e.key)
		for i := range words {
			c.index = append(c.index, indexKey{key: strings.Join(words[i:], " "), entry: e, start: i == 0})
		}
	}
	sort.Slice(c.index, func(i, j int) bool {
		if c.index[i].key != c.index[j].key {
			return c.index[i].key < c.index[j].key
		}
		return c.index[i].entry.name < c.index[j].entry.name
	})
}

// kindRank orders matches of the same closeness: substances and classes,
// then combinations, brands, other names.
var kindRank = map[NameKind]int{NameSubstance: 0, NameClass: 0, NameCombination: 1, NameBrand: 2, NameSynonym: 3}

// Match is one result of a search.
type Match struct {
	Name      string // the name that matched, as written in the catalogue
	Kind      NameKind
	Substance *Substance // nil for a class
	Class     *Class     // for a class
}

// Search returns up to limit names that start with text, or have a word
// that does, case and accents ignored: exact names first, then names that
// start with the text, then names with a word that does; within each,
// substances and classes, combinations, brands, then other names, each
// alphabetical.
func (c *Catalogue) Search(text string, limit int) []Match {
	q := Normalize(text)
	if q == "" || limit <= 0 {
		return nil
	}
	lo := sort.Search(len(c.index), func(i int) bool { return c.index[i].key >= q })
	type hit struct {
		e    *entry
		rank int
	}
	seen := map[*entry]int{}
	var hits []hit
	for i := lo; i < len(c.index) && strings.HasPrefix(c.index[i].key, q); i++ {
		k := c.index[i]
		rank := 2
		switch {
		case k.start && k.key == q:
			rank = 0
		case k.start:
			rank = 1
		}
		if at, ok := seen[k.entry]; ok {
			if rank < hits[at].rank {
				hits[at].rank = rank
			}
			continue
		}
		seen[k.entry] = len(hits)
		hits = append(hits, hit{k.entry, rank})
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].rank != hits[j].rank {
			return hits[i].rank < hits[j].rank
		}
		if ki, kj := kindRank[hits[i].e.kind], kindRank[hits[j].e.kind]; ki != kj {
			return ki < kj
		}
		return hits[i].e.key < hits[j].e.key
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	out := make([]Match, len(hits))
	for i, h := range hits {
		out[i] = Match{Name: h.e.name, Kind: h.e.kind, Substance: h.e.substance, Class: h.e.class}
	}
	return out
}

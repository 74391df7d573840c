// Package drugs is HMS desktop's drug catalogue and its prescribing check:
// substances by their international non-proprietary name (INN), their
// brand names and other names, their forms and strengths, and the
// pharmacological classes they belong to. The catalogue is data kept in the
// repository (classes.txt, substances.txt, cross.txt; sources in
// SOURCES.md), embedded in the program. The check is pure: it neither
// reads a database nor draws a screen.
package drugs

import (
	"bufio"
	"embed"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	"hms/app"
)

//go:embed classes.txt substances.txt cross.txt
var files embed.FS

// Class is a pharmacological class (penicillins, statins …). Classes form
// a hierarchy: a third-generation cephalosporin is a cephalosporin, which
// is a beta-lactam.
type Class struct {
	ID       string
	Name     string
	Parents  []string // class IDs
	Synonyms []string
	// Group: an allergy to one member is an allergy to every member
	// (penicillins, cephalosporins, macrolides …).
	Group bool
	// Dup: two members in one treatment are a therapeutic duplicate
	// (two statins, two NSAIDs …).
	Dup bool

	order     int             // its place in the catalogue
	ancestors map[string]bool // itself and every broader class
}

// Substance is an active substance by INN, or a fixed combination of
// substances (co-amoxiclav), or a local product an administrator added.
type Substance struct {
	Name       string   // the INN, or the combination's name
	Classes    []string // class IDs, for a single substance
	Components []*Substance
	Forms      []string // forms and strengths, as written
	Brands     []string
	Synonyms   []string
	Local      bool // added by the clinic, not shipped

	classes map[string]bool // every class, ancestors included
	parts   []*Substance    // the single substances: itself or its components
}

// IsCombination reports whether s is a fixed combination.
func (s *Substance) IsCombination() bool { return len(s.Components) > 0 }

// Ingredients returns the single substances s is made of: itself, or the
// combination's components.
func (s *Substance) Ingredients() []*Substance { return s.parts }

// InClass reports whether s (or one of its components) belongs to class
// id, directly or through a narrower class.
func (s *Substance) InClass(id string) bool { return s.classes[id] }

// ClassIDs returns every class of s, ancestors included, sorted.
func (s *Substance) ClassIDs() []string {
	out := make([]string, 0, len(s.classes))
	for id := range s.classes {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Cross is a known cross-reaction: an allergy to a member of From calls for
// caution with a member of To, in the rule's own words.
type Cross struct {
	From, To string // class IDs
	Wording  string
}

// NameKind is what a name in the catalogue names.
type NameKind string

// Kinds of names.
const (
	NameSubstance   NameKind = "substance"   // an INN
	NameCombination NameKind = "combination" // a fixed combination's name
	NameBrand       NameKind = "brand"
	NameSynonym     NameKind = "synonym" // another spelling, a former name, another language
	NameClass       NameKind = "class"
)

// entry is one name and what it points to.
type entry struct {
	name      string // as written
	key       string // normalised
	kind      NameKind
	substance *Substance
	class     *Class
}

// Catalogue is a loaded drug catalogue. It is read-only once built and
// safe for concurrent use.
type Catalogue struct {
	classes    map[string]*Class
	classOrder []*Class
	substances []*Substance
	cross      []Cross
	names      map[string]*entry
	maxWords   int
	index      []indexKey // sorted by key, for search
}

// Class returns the class with the given ID, or nil.
func (c *Catalogue) Class(id string) *Class { return c.classes[id] }

// Classes returns every class, in the catalogue's order.
func (c *Catalogue) Classes() []*Class { return c.classOrder }

// Substances returns every substance and combination, in the catalogue's order.
func (c *Catalogue) Substances() []*Substance { return c.substances }

// CrossReactions returns the known cross-reactions.
func (c *Catalogue) CrossReactions() []Cross { return c.cross }

var (
	defaultOnce sync.Once
	defaultCat  *Catalogue
	defaultErr  error
)

// Default returns the catalogue shipped with HMS. It panics when the
// embedded data is invalid, which the catalogue's tests rule out.
func Default() *Catalogue {
	defaultOnce.Do(func() {
		defaultCat, defaultErr = parseFiles()
	})
	if defaultErr != nil {
		panic(defaultErr)
	}
	return defaultCat
}

func parseFiles() (*Catalogue, error) {
	b := newBuilder()
	for _, name := range []string{"classes.txt", "substances.txt", "cross.txt"} {
		f, err := files.Open(name)
		if err != nil {
			return nil, err
		}
		err = b.read(name, f)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	return b.finish()
}

// Normalize is how names are compared: lower case, accents removed (the
// same folding as patient search), every other character than a letter
// or a digit a space, spaces collapsed. "Co-Amoxiclav" and "co amoxiclav"
// are the same name.
func Normalize(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return normalizeASCII(s)
	}
	s = app.FoldForSearch(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			continue
		}
		space = true
	}
	return b.String()
}

// normalizeASCII is Normalize for text without accents, the usual case,
// without the cost of Unicode normalisation.
func normalizeASCII(s string) string {
	b := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= 'A' && ch <= 'Z':
			ch += 'a' - 'A'
		case ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9':
		default:
			space = true
			continue
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		b = append(b, ch)
	}
	return string(b)
}

type builder struct {
	c        *Catalogue
	byName   map[string]*Substance // normalised INN → substance
	errs     []string
	pendingC []pendingCombo
}

type pendingCombo struct {
	where string
	s     *Substance
	names []string
}

func newBuilder() *builder {
	return &builder{
		c:      &Catalogue{classes: map[string]*Class{}, names: map[string]*entry{}},
		byName: map[string]*Substance{},
	}
}

func (b *builder) errorf(where, format string, args ...any) {
	b.errs = append(b.errs, where+": "+fmt.Sprintf(format, args...))
}

func splitList(s, sep string) []string {
	var out []string
	for _, p := range strings.Split(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// read reads one data file: a line is a kind (class, drug, combo, cross)
// and fields separated by "|"; "#" starts a comment line.
func (b *builder) read(file string, r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		where := fmt.Sprintf("%s:%d", file, line)
		kind, rest, _ := strings.Cut(text, " ")
		fields := strings.Split(rest, "|")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		for len(fields) < 5 {
			fields = append(fields, "")
		}
		switch kind {
		case "class":
			b.addClass(where, fields)
		case "drug":
			b.addSubstance(where, fields, false)
		case "combo":
			b.addSubstance(where, fields, true)
		case "cross":
			b.c.cross = append(b.c.cross, Cross{From: fields[0], To: fields[1], Wording: fields[2]})
		default:
			b.errorf(where, "unknown line kind %q", kind)
		}
	}
	return sc.Err()
}

func (b *builder) addClass(where string, f []string) {
	cl := &Class{ID: f[0], Name: f[1], Parents: strings.Fields(f[2]), Synonyms: splitList(f[4], ",")}
	for _, flag := range strings.Fields(f[3]) {
		switch flag {
		case "group":
			cl.Group = true
		case "dup":
			cl.Dup = true
		default:
			b.errorf(where, "class %s: unknown flag %q", cl.ID, flag)
		}
	}
	if cl.ID == "" || cl.Name == "" {
		b.errorf(where, "a class needs an ID and a name")
		return
	}
	if b.c.classes[cl.ID] != nil {
		b.errorf(where, "class %s is defined twice", cl.ID)
		return
	}
	b.c.classes[cl.ID] = cl
	b.c.classOrder = append(b.c.classOrder, cl)
	b.addName(where, &entry{name: cl.Name, kind: NameClass, class: cl})
	for _, s := range cl.Synonyms {
		b.addName(where, &entry{name: s, kind: NameClass, class: cl})
	}
	// The class's ID is a name too ("statins"), unless the class already
	// has it.
	if id := Normalize(cl.ID); b.c.names[id] == nil || b.c.names[id].class != cl {
		b.addName(where, &entry{name: cl.ID, kind: NameClass, class: cl})
	}
}

func (b *builder) addSubstance(where string, f []string, combo bool) {
	s := &Substance{Name: f[0], Forms: splitList(f[2], ";"), Brands: splitList(f[3], ","), Synonyms: splitList(f[4], ",")}
	if s.Name == "" {
		b.errorf(where, "a substance needs a name")
		return
	}
	kind := NameSubstance
	if combo {
		kind = NameCombination
		b.pendingC = append(b.pendingC, pendingCombo{where: where, s: s, names: splitList(f[1], "+")})
	} else {
		s.Classes = strings.Fields(f[1])
		if len(s.Classes) == 0 {
			b.errorf(where, "%s has no class", s.Name)
		}
		b.byName[Normalize(s.Name)] = s
	}
	b.c.substances = append(b.c.substances, s)
	b.addName(where, &entry{name: s.Name, kind: kind, substance: s})
	for _, n := range s.Brands {
		b.addName(where, &entry{name: n, kind: NameBrand, substance: s})
	}
	for _, n := range s.Synonyms {
		b.addName(where, &entry{name: n, kind: NameSynonym, substance: s})
	}
}

func (b *builder) addName(where string, e *entry) {
	e.key = Normalize(e.name)
	if e.key == "" {
		b.errorf(where, "%q is not a name", e.name)
		return
	}
	if old := b.c.names[e.key]; old != nil {
		b.errorf(where, "the name %q is already the %s %q", e.name, old.kind, old.name)
		return
	}
	b.c.names[e.key] = e
	if n := len(strings.Fields(e.key)); n > b.c.maxWords {
		b.c.maxWords = n
	}
}

// closure returns a class and its ancestors; it reports a cycle or an
// unknown class as an error.
func (b *builder) closure(id string, into map[string]bool, path []string) error {
	cl := b.c.classes[id]
	if cl == nil {
		return fmt.Errorf("unknown class %q", id)
	}
	if slices.Contains(path, id) {
		return fmt.Errorf("classes in a cycle: %s", strings.Join(append(path, id), " → "))
	}
	into[id] = true
	for _, p := range cl.Parents {
		if err := b.closure(p, into, append(path, id)); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) finish() (*Catalogue, error) {
	c := b.c
	for i, cl := range c.classOrder {
		cl.order = i
		cl.ancestors = map[string]bool{}
		if err := b.closure(cl.ID, cl.ancestors, nil); err != nil {
			b.errorf("classes.txt", "class %s: %v", cl.ID, err)
		}
	}
	for _, s := range c.substances {
		if len(s.Classes) == 0 {
			continue
		}
		s.classes = map[string]bool{}
		s.parts = []*Substance{s}
		for _, id := range s.Classes {
			if err := b.closure(id, s.classes, nil); err != nil {
				b.errorf("substances.txt", "%s: %v", s.Name, err)
			}
		}
	}
	for _, p := range b.pendingC {
		if len(p.names) < 2 {
			b.errorf(p.where, "combination %s needs at least two components", p.s.Name)
			continue
		}
		p.s.classes = map[string]bool{}
		for _, n := range p.names {
			comp := b.byName[Normalize(n)]
			if comp == nil {
				b.errorf(p.where, "combination %s: %q is not a substance of the catalogue", p.s.Name, n)
				continue
			}
			p.s.Components = append(p.s.Components, comp)
			p.s.parts = append(p.s.parts, comp)
			for id := range comp.classes {
				p.s.classes[id] = true
			}
		}
	}
	for i, x := range c.cross {
		if c.classes[x.From] == nil || c.classes[x.To] == nil || x.Wording == "" {
			b.errorf("cross.txt", "cross-reaction %d (%s → %s) needs two known classes and its wording", i+1, x.From, x.To)
		}
	}
	if len(b.errs) > 0 {
		return nil, fmt.Errorf("drug catalogue: %s", strings.Join(b.errs, "; "))
	}
	c.buildIndex()
	return c, nil
}

package drugs

import (
	"strings"

	"hms/app"
	"hms/app/i18n"
)

// LocalCSVHeader is the header of a file of local products and brands.
const LocalCSVHeader = "kind,name,substances,classes,forms"

// ParseLocalCSV reads a file of local products and brands: a header line
// (LocalCSVHeader) and one row each, kind "substance" (name, classes by ID
// or name separated by ";", forms separated by ";") or "brand" (name,
// substances separated by "+"). It checks each row against the catalogue
// and against the file's other rows, and returns the rows or every
// problem with its line.
func (c *Catalogue) ParseLocalCSV(t *app.CSVTable) ([]app.LocalDrugRow, []app.RowError) {
	var bad []app.RowError
	want := strings.Split(LocalCSVHeader, ",")
	if len(t.Header) < len(want) {
		return nil, []app.RowError{{Line: 1, Message: i18n.Nf("The header must be %s.", LocalCSVHeader)}}
	}
	for i, h := range want {
		if Normalize(t.Header[i]) != h {
			return nil, []app.RowError{{Line: 1, Message: i18n.Nf("The header must be %s; column %d is %q.", LocalCSVHeader, i+1, t.Header[i])}}
		}
	}
	var rows []app.LocalDrugRow
	for _, rec := range t.Records {
		f := rec.Fields
		if len(f) != len(t.Header) {
			bad = append(bad, app.RowError{Line: rec.Line, Message: i18n.Nf("%d fields, the header has %d.", len(f), len(t.Header))})
			continue
		}
		r := app.LocalDrugRow{Line: rec.Line, LocalDrug: app.LocalDrug{
			Kind: app.LocalDrugKind(strings.ToLower(strings.TrimSpace(f[0]))), Name: strings.TrimSpace(f[1]),
			Substances: splitList(f[2], "+"), Forms: splitList(f[4], ";")}}
		for _, cl := range splitList(f[3], ";") {
			if found, ok := c.Lookup(cl); ok && found.Class != nil {
				r.Classes = append(r.Classes, found.Class.ID)
			} else {
				r.Classes = append(r.Classes, cl) // reported by Extend
			}
		}
		rows = append(rows, r)
	}
	_, more := c.Extend(rows)
	return rows, append(bad, more...)
}

// Extend returns the catalogue with the clinic's products and brands
// added, or the problems of each row: an unknown kind, a name the
// catalogue has already, a substance without a known class, a brand
// without a known substance. A brand may name a substance added before it.
func (c *Catalogue) Extend(rows []app.LocalDrugRow) (*Catalogue, []app.RowError) {
	b := newBuilder()
	b.c.classes = c.classes
	b.c.classOrder = c.classOrder
	b.c.cross = c.cross
	b.c.substances = append([]*Substance(nil), c.substances...)
	for k, e := range c.names {
		b.c.names[k] = e
	}
	b.c.maxWords = c.maxWords
	for _, s := range c.substances {
		if !s.IsCombination() {
			b.byName[Normalize(s.Name)] = s
		}
	}
	var bad []app.RowError
	fail := func(r app.LocalDrugRow, field string, msg i18n.Text) {
		bad = append(bad, app.RowError{Line: r.Line, Field: field, Message: msg})
	}
	for _, r := range rows {
		name := strings.TrimSpace(r.Name)
		if Normalize(name) == "" || len(name) > 200 {
			fail(r, "name", i18n.Nf("Enter the name (up to 200 characters)."))
			continue
		}
		if e := b.c.names[Normalize(name)]; e != nil {
			fail(r, "name", i18n.Nf("%q is already in the catalogue, as the %s %q.", name, e.kind, e.name))
			continue
		}
		switch r.Kind {
		case app.LocalSubstance:
			if len(r.Substances) > 0 {
				fail(r, "substances", i18n.Nf("A substance names no substances: give its classes."))
				continue
			}
			if len(r.Classes) == 0 {
				fail(r, "classes", i18n.Nf("%s needs at least one class of the catalogue (e.g. nsaids, penicillins).", name))
				continue
			}
			s := &Substance{Name: name, Classes: r.Classes, Forms: r.Forms, Local: true, classes: map[string]bool{}}
			s.parts = []*Substance{s}
			ok := true
			for _, id := range r.Classes {
				cl := b.c.classes[id]
				if cl == nil {
					fail(r, "classes", i18n.Nf("%q is not a class of the catalogue.", id))
					ok = false
					break
				}
				for a := range cl.ancestors {
					s.classes[a] = true
				}
			}
			if !ok {
				continue
			}
			b.byName[Normalize(name)] = s
			b.c.substances = append(b.c.substances, s)
			b.addName("", &entry{name: name, kind: NameSubstance, substance: s})
		case app.LocalBrand:
			if len(r.Classes) > 0 {
				fail(r, "classes", i18n.Nf("A brand takes its classes from its substances: leave classes empty."))
				continue
			}
			var parts []*Substance
			for _, n := range r.Substances {
				s := b.byName[Normalize(n)]
				if s == nil {
					if f, ok := c.Lookup(n); ok && f.Substance != nil && !f.Substance.IsCombination() {
						s = f.Substance
					}
				}
				if s == nil {
					fail(r, "substances", i18n.Nf("%q is not a substance of the catalogue.", n))
					parts = nil
					break
				}
				parts = append(parts, s)
			}
			if len(parts) == 0 {
				if len(r.Substances) == 0 {
					fail(r, "substances", i18n.Nf("%s needs the substance it is a brand of.", name))
				}
				continue
			}
			target := parts[0]
			if len(parts) > 1 {
				target = &Substance{Name: name, Components: parts, parts: parts, Local: true, classes: map[string]bool{}}
				for _, p := range parts {
					for a := range p.classes {
						target.classes[a] = true
					}
				}
			}
			b.addName("", &entry{name: name, kind: NameBrand, substance: target})
		default:
			fail(r, "kind", i18n.Nf("The kind is %q: write substance or brand.", r.Kind))
		}
	}
	if len(bad) > 0 {
		return nil, bad
	}
	b.c.buildIndex()
	return b.c, nil
}

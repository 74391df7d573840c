package drugs_test

import (
	"slices"
	"strings"
	"testing"

	"hms/app"
	"hms/app/drugs"
)

func TestLocalCSV(t *testing.T) {
	cat := drugs.Default()
	read := func(s string) *app.CSVTable {
		tb, err := app.ReadCSV(strings.NewReader(s))
		if err != nil {
			t.Fatal(err)
		}
		return tb
	}
	good := read("kind,name,substances,classes,forms\n" +
		"substance,Herbaflam,,NSAIDs,tablet 200 mg\n" +
		"brand,Amoxi-Local,amoxicillin,,\n" +
		"brand,Herbaflam Forte,Herbaflam,,\n" +
		"brand,Duo-Local,amoxicillin + clavulanic acid,,\n")
	rows, bad := cat.ParseLocalCSV(good)
	if len(bad) != 0 || len(rows) != 4 || rows[0].Classes[0] != "nsaids" || rows[1].Line != 3 {
		t.Fatalf("%+v %+v", rows, bad)
	}
	ext, errs := cat.Extend(rows)
	if errs != nil {
		t.Fatal(errs)
	}
	check := func(c *drugs.Catalogue, allergy, drug string) []drugs.Kind {
		return kinds(c.Check(drugs.Request{Allergies: []string{allergy}, Drugs: []string{drug}}))
	}
	if got := check(ext, "penicillin", "Amoxi-Local 500"); !slices.Equal(got, []drugs.Kind{drugs.KindAllergy}) {
		t.Errorf("a local brand of a penicillin: %v", got)
	}
	if got := check(ext, "aspirin", "Herbaflam Forte"); !slices.Equal(got, []drugs.Kind{drugs.KindCrossReaction}) {
		t.Errorf("a local NSAID: %v", got)
	}
	if got := check(ext, "clavulanic acid", "Duo-Local"); !slices.Equal(got, []drugs.Kind{drugs.KindAllergy}) {
		t.Errorf("a local brand of two substances: %v", got)
	}
	if got := check(cat, "penicillin", "Amoxi-Local 500"); !slices.Equal(got, []drugs.Kind{drugs.KindUnknownDrug}) {
		t.Errorf("the shipped catalogue is unchanged: %v", got)
	}
	if m := ext.Search("herbaf", 5); len(m) != 2 {
		t.Errorf("search the local names: %+v", m)
	}
	badFile := read("kind,name,substances,classes,forms\n" +
		"substance,Herbaflam,,,\n" +
		"brand,Augmentin,amoxicillin,,\n" +
		"brand,Nowhere,unobtainium,,\n" +
		"pill,Odd,,,\n" +
		"substance,Weird,,no-such-class,\n" +
		"brand,Short\n")
	_, bad = cat.ParseLocalCSV(badFile)
	var lines []int
	for _, b := range bad {
		lines = append(lines, b.Line)
	}
	slices.Sort(lines)
	if !slices.Equal(lines, []int{2, 3, 4, 5, 6, 7}) {
		t.Fatalf("bad lines %v: %+v", lines, bad)
	}
	if _, bad = cat.ParseLocalCSV(read("name,kind\nx,y\n")); len(bad) != 1 || bad[0].Line != 1 {
		t.Fatalf("a wrong header: %+v", bad)
	}
}

// FuzzLocalCSV: any file is read without a panic, and rows it accepts
// extend the catalogue.
func FuzzLocalCSV(f *testing.F) {
	f.Add("kind,name,substances,classes,forms\nsubstance,Herbaflam,,NSAIDs,tablet\nbrand,X,Herbaflam + amoxicillin,,\n")
	f.Add("kind,name,substances,classes,forms\nbrand,,,,\n")
	cat := drugs.Default()
	f.Fuzz(func(t *testing.T, s string) {
		tb, err := app.ReadCSV(strings.NewReader(s))
		if err != nil {
			return
		}
		rows, bad := cat.ParseLocalCSV(tb)
		if len(bad) > 0 {
			return
		}
		if _, errs := cat.Extend(rows); errs != nil {
			t.Fatalf("accepted rows do not extend the catalogue: %+v", errs)
		}
	})
}

package drugs_test

import (
	"math/rand"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"hms/app/drugs"
)

// TestCatalogueValid: the shipped data loads (no name twice, every class
// known and without cycles, every combination made of known substances),
// every substance has a class, every brand and synonym points to a
// substance, every class a clinician names exists.
func TestCatalogueValid(t *testing.T) {
	cat := drugs.Default()
	if n := len(cat.Substances()); n < 500 {
		t.Fatalf("%d substances, want the WHO Model List's at least", n)
	}
	seen := map[string]string{}
	for _, s := range cat.Substances() {
		if len(s.ClassIDs()) == 0 {
			t.Errorf("%s has no class", s.Name)
		}
		if s.IsCombination() != (len(s.Classes) == 0) {
			t.Errorf("%s: a single substance has its classes, a combination its components", s.Name)
		}
		for _, c := range s.Classes {
			if cat.Class(c) == nil {
				t.Errorf("%s: unknown class %s", s.Name, c)
			}
		}
		if len(s.Forms) == 0 {
			t.Errorf("%s has no form", s.Name)
		}
		for _, n := range append(append([]string{s.Name}, s.Brands...), s.Synonyms...) {
			key := drugs.Normalize(n)
			if prev, ok := seen[key]; ok {
				t.Errorf("%q names %s and %s", n, prev, s.Name)
			}
			seen[key] = s.Name
			f, ok := cat.Lookup(n)
			if !ok || f.Substance != s {
				t.Errorf("%q does not point to %s", n, s.Name)
			}
		}
	}
	for _, c := range cat.Classes() {
		if f, ok := cat.Lookup(c.Name); !ok || f.Class != c {
			t.Errorf("class %s: its name does not find it", c.ID)
		}
	}
	for _, x := range cat.CrossReactions() {
		if cat.Class(x.From) == nil || cat.Class(x.To) == nil || !strings.HasPrefix(x.Wording, "Caution:") {
			t.Errorf("cross-reaction %+v", x)
		}
	}
	// The classes the issue names, and the WHO Model List's core substances.
	for _, c := range []string{"penicillins", "aminopenicillins", "cephalosporins-1", "cephalosporins-2", "cephalosporins-3",
		"cephalosporins-4", "carbapenems", "sulfonamide-antibiotics", "nsaids", "salicylates", "opioids", "ace-inhibitors",
		"statins", "macrolides", "fluoroquinolones", "tetracyclines"} {
		if cat.Class(c) == nil {
			t.Errorf("class %s missing", c)
		}
	}
	for _, inn := range []string{"amoxicillin", "benzathine benzylpenicillin", "ceftriaxone", "meropenem", "azithromycin",
		"doxycycline", "ciprofloxacin", "sulfamethoxazole", "isoniazid", "rifampicin", "fluconazole", "aciclovir",
		"dolutegravir", "artemether", "albendazole", "paracetamol", "acetylsalicylic acid", "ibuprofen", "morphine",
		"ketamine", "lidocaine", "diazepam", "phenobarbital", "enalapril", "amlodipine", "bisoprolol", "simvastatin",
		"furosemide", "warfarin", "heparin sodium", "omeprazole", "metformin", "gliclazide", "insulin human soluble",
		"levothyroxine", "salbutamol", "budesonide", "fluoxetine", "haloperidol", "oxytocin", "misoprostol",
		"methotrexate", "oral rehydration salts", "zinc sulfate", "ferrous sulfate", "folic acid", "magnesium sulfate",
		"epinephrine", "naloxone", "activated charcoal", "chlorhexidine", "permethrin", "colecalciferol"} {
		if f, ok := cat.Lookup(inn); !ok || f.Kind != drugs.NameSubstance {
			t.Errorf("WHO Model List substance %s missing", inn)
		}
	}
}

func TestSearch(t *testing.T) {
	cat := drugs.Default()
	names := func(ms []drugs.Match) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Name)
		}
		return out
	}
	if got := names(cat.Search("AMOXI", 3)); !slices.Equal(got, []string{"amoxicillin", "amoxicillin + clavulanic acid", "Amoxil"}) {
		t.Errorf("amoxi: %q", got)
	}
	if got := cat.Search("augmentin", 5); len(got) == 0 || got[0].Kind != drugs.NameBrand || got[0].Substance.Name != "amoxicillin + clavulanic acid" {
		t.Errorf("augmentin: %+v", got)
	}
	if got := names(cat.Search("clavul", 10)); !slices.Contains(got, "amoxicillin + clavulanic acid") || !slices.Contains(got, "clavulanic acid") {
		t.Errorf("a word inside a name: %q", got)
	}
	if got := cat.Search("kétoprofène", 2); len(got) == 0 || got[0].Substance.Name != "ketoprofen" {
		t.Errorf("accents: %+v", got)
	}
	if got := cat.Search("statins", 1); len(got) != 1 || got[0].Class == nil || got[0].Class.ID != "statins" {
		t.Errorf("a class: %+v", got)
	}
	if got := cat.Search("  ", 10); got != nil {
		t.Errorf("blank: %+v", got)
	}
	if got := cat.Search("zzzzz", 10); len(got) != 0 {
		t.Errorf("nothing: %+v", got)
	}
}

func percentiles(b *testing.B, d []time.Duration) {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	ms := func(x time.Duration) float64 { return float64(x) / float64(time.Millisecond) }
	b.ReportMetric(ms(d[len(d)/2]), "p50-ms")
	b.ReportMetric(ms(d[len(d)*99/100]), "p99-ms")
}

// BenchmarkPrescribeCheck: 10 allergies (substances, classes, brands, free
// text), 5 drugs, 10 current medications.
func BenchmarkPrescribeCheck(b *testing.B) {
	cat := drugs.Default()
	req := drugs.Request{
		Allergies: l("penicillin", "Sulfa drugs", "aspirin (asthma)", "codeine", "latex", "Lisinopril - angioedema",
			"erythromycin", "peanuts", "carbamazepine", "Ciproxin"),
		Drugs: l("Augmentin 625 mg", "Paracetamol 500 mg tablets", "Ibuprofen 400 mg", "omeprazole 20 mg", "cefalexin 500 mg"),
		Current: l("atorvastatin 20 mg", "ramipril 5 mg", "metformin 500 mg", "amlodipine 5 mg", "levothyroxine 50 micrograms",
			"sertraline 50 mg", "salbutamol inhaler", "warfarin 3 mg", "bisoprolol 2.5 mg", "Nexium 40 mg"),
	}
	d := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if len(cat.Check(req)) == 0 {
			b.Fatal("no findings")
		}
		d = append(d, time.Since(t0))
	}
	percentiles(b, d)
}

// BenchmarkDrugSearch: prefixes of random names of the catalogue, two to
// six letters, as typed.
func BenchmarkDrugSearch(b *testing.B) {
	cat := drugs.Default()
	var queries []string
	rng := rand.New(rand.NewSource(1))
	subs := cat.Substances()
	for range 1000 {
		s := subs[rng.Intn(len(subs))]
		name := s.Name
		if len(s.Brands) > 0 && rng.Intn(2) == 0 {
			name = s.Brands[rng.Intn(len(s.Brands))]
		}
		n := min(len(name), 2+rng.Intn(5))
		queries = append(queries, name[:n])
	}
	d := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		cat.Search(queries[i%len(queries)], 20)
		d = append(d, time.Since(t0))
	}
	percentiles(b, d)
}

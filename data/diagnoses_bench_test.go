package data_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"hms/app"
	"hms/app/codes"
)

// BenchmarkCodeSearch searches a full-size code list (72,000 codes,
// synthetic, written in the CMS order file's layout and read by its
// parser) as a doctor types: a code's start, one word's prefix, two or
// three words, the common words that match thousands of codes. Budget:
// p99 ≤ 2 ms.
func BenchmarkCodeSearch(b *testing.B) {
	c := mustSetup(b)
	words := strings.Fields(`fracture unspecified left right femur tibia humerus radius initial encounter subsequent
		sequela closed open displaced nondisplaced diabetes mellitus type with without complications hyperglycemia
		asthma chronic acute obstructive pulmonary disease infection bacterial viral pneumonia otitis media
		hypertension heart failure kidney stage neoplasm malignant benign breast colon lung skin dermatitis
		contact allergic sprain strain ligament shoulder knee ankle wrist hand finger toe burn degree poisoning
		accidental intentional adverse effect underdosing pregnancy trimester delivery newborn anemia deficiency`)
	rng := rand.New(rand.NewPCG(1, 2))
	var file strings.Builder
	seen := map[string]bool{}
	for len(seen) < 72000 {
		code := fmt.Sprintf("%c%02d%d%c%d", 'A'+rng.IntN(26), rng.IntN(100), rng.IntN(10), 'A'+rng.IntN(26), rng.IntN(10))[:3+rng.IntN(4)]
		if seen[code] {
			continue
		}
		seen[code] = true
		n := 3 + rng.IntN(8)
		t := make([]string, n)
		for i := range t {
			t[i] = words[rng.IntN(len(words))]
		}
		title := strings.Join(t, " ")
		fmt.Fprintf(&file, "%05d %-7s 1 %-60.60s %s\n", len(seen), code, title, title)
	}
	rows, bad, err := codes.Parse(strings.NewReader(file.String()))
	if err != nil || len(bad) > 0 {
		b.Fatal(err, bad[:min(len(bad), 3)])
	}
	admin, doc := c.ctx(app.RoleAdmin), c.ctx(app.RoleDoctor)
	if _, err := c.svc.Diagnoses.ImportCodes(admin, app.CodeSystemICD10CM, rows); err != nil {
		b.Fatal(err)
	}
	queries := []string{"j4", "J45.9", "e11", "fract", "fracture left femur", "unspec", "diabetes hyperglyc",
		"a", "otitis media right", "pneumonia viral", "initial encounter", "zz"}
	var l latencies
	i := 0
	for b.Loop() {
		q := queries[i%len(queries)]
		i++
		l.time(func() {
			if _, err := c.svc.Diagnoses.SearchCodes(doc, q, 50); err != nil {
				b.Fatal(err)
			}
		})
	}
	l.report(b)
}

package drugs_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/app/drugs"
)

// Public sources the expected results cite (SOURCES.md lists them in full).
const (
	bnfPen     = "BNF, Penicillins: hypersensitivity to one penicillin is hypersensitivity to all"
	bnfCeph    = "BNF, Cephalosporins: cautions, 0.5–6.5% of penicillin-sensitive patients also react"
	bnfCarba   = "BNF, Meropenem and imipenem: cautions, sensitivity to beta-lactam antibacterials"
	bnfNSAID   = "BNF, NSAIDs: contra-indicated after hypersensitivity to aspirin or any other NSAID"
	bnfACE     = "BNF, ACE inhibitors: contra-indicated after angioedema with an ACE inhibitor; caution with ARBs"
	bnfSulfa   = "BNF, Co-trimoxazole: contra-indications, sulfonamide hypersensitivity"
	atc        = "WHO ATC/DDD Index 2024: the substance's ATC class"
	strom2003  = "Strom et al., NEJM 2003;349:1628: no cross-reactivity of non-antibiotic sulfonamides"
	mhraPara   = "MHRA/BNF, Paracetamol: do not take with other paracetamol-containing products"
	bnfStatin  = "BNF, Statins: one statin at a time"
	nice2014   = "NICE CG183 Drug allergy: record the drug and the class; no false alarms on unrelated drugs"
	rxnormFree = "RxNorm: a free-text allergy with no coded ingredient cannot be checked"
)

type checkCase struct {
	allergies, drugs, current []string
	want                      []drugs.Kind // the kinds of findings, in any order
	source                    string
}

func kinds(fs []drugs.Finding) []drugs.Kind {
	var out []drugs.Kind
	for _, f := range fs {
		out = append(out, f.Kind)
	}
	slices.Sort(out)
	return out
}

var (
	allergy = drugs.KindAllergy
	cross   = drugs.KindCrossReaction
	dup     = drugs.KindDuplicate
	notChk  = drugs.KindNotCheckable
	unknown = drugs.KindUnknownDrug
)

func l(s ...string) []string { return s }

var checkCases = []checkCase{
	// Penicillins by generic name, brand, combination, language and case.
	{l("Penicillin"), l("Amoxicillin"), nil, []drugs.Kind{allergy}, bnfPen + "; Amoxil SmPC 4.3"},
	{l("penicillin"), l("Augmentin 625 mg"), nil, []drugs.Kind{allergy}, "Augmentin SmPC 4.3: hypersensitivity to any penicillin"},
	{l("PENICILLIN"), l("Flucloxacillin 500 mg"), nil, []drugs.Kind{allergy}, bnfPen + "; Floxapen SmPC 4.3"},
	{l("Pénicilline"), l("amoxicilline"), nil, []drugs.Kind{allergy}, bnfPen + " (French names, ANSM)"},
	{l("penicillin"), l("Tazocin 4.5 g"), nil, []drugs.Kind{allergy}, "Tazocin SmPC 4.3: hypersensitivity to any penicillin"},
	{l("penicillin"), l("Bicillin L-A"), nil, []drugs.Kind{allergy}, "Bicillin L-A label (DailyMed): contraindicated in penicillin hypersensitivity"},
	{l("Pénicilline"), l("AUGMENTIN 1G"), nil, []drugs.Kind{allergy}, "Augmentine RCP 4.3 (ANSM)"},
	{l("pcn"), l("ampicillin"), nil, []drugs.Kind{allergy}, bnfPen},
	{l("amoxicillin"), l("phenoxymethylpenicillin"), nil, []drugs.Kind{allergy}, bnfPen},
	{l("Amoxil"), l("ampicillin"), nil, []drugs.Kind{allergy}, bnfPen},
	{l("Amoxicillin (rash, 2019)"), l("Clamoxyl 1 g"), nil, []drugs.Kind{allergy}, "Clamoxyl RCP 4.3 (ANSM)"},
	{l("clavulanic acid"), l("co-amoxiclav"), nil, []drugs.Kind{allergy}, "Co-amoxiclav SmPC 4.3: hypersensitivity to the active substances"},
	{l("procaine"), l("procaine benzylpenicillin"), nil, []drugs.Kind{allergy}, "Bicillin C-R label (DailyMed): contraindicated in procaine hypersensitivity"},
	// Cross-reactions: a caution in their own words, not the same allergy.
	{l("penicillin"), l("Cefalexin"), nil, []drugs.Kind{cross}, bnfCeph},
	{l("penicillin"), l("Rocephin 1 g"), nil, []drugs.Kind{cross}, bnfCeph + "; Rocephin SmPC 4.3"},
	{l("penicillin"), l("meropenem"), nil, []drugs.Kind{cross}, bnfCarba + "; Meronem SmPC 4.4"},
	{l("penicillin"), l("Tienam"), nil, []drugs.Kind{cross}, bnfCarba},
	{l("cephalosporin"), l("amoxicillin"), nil, []drugs.Kind{cross}, bnfCeph},
	{l("Penicillin", "latex"), l("cefuroxime"), nil, []drugs.Kind{cross, notChk}, bnfCeph + "; " + rxnormFree},
	{l("aspirin"), l("ibuprofen"), nil, []drugs.Kind{cross}, bnfNSAID},
	{l("ASPIRIN"), l("Nurofen 200 mg"), nil, []drugs.Kind{cross}, bnfNSAID + "; Nurofen SmPC 4.3"},
	{l("ibuprofen"), l("diclofenac"), nil, []drugs.Kind{cross}, bnfNSAID + "; Voltarol SmPC 4.3"},
	{l("ibuprofen"), l("celecoxib"), nil, []drugs.Kind{cross}, "Celebrex SmPC 4.3: asthma, urticaria after aspirin or NSAIDs"},
	{l("lisinopril"), l("losartan"), nil, []drugs.Kind{cross}, bnfACE},
	{l("carbamazepine"), l("phenytoin"), nil, []drugs.Kind{cross}, "Tegretol SmPC 4.4: cross-hypersensitivity with phenytoin, oxcarbazepine"},
	{l("codeine"), l("morphine"), nil, []drugs.Kind{cross}, "BNF, Opioids: hypersensitivity; cross-sensitivity among opioids"},
	// Other classes named as the allergy, or groups.
	{l("cephalosporins"), l("cefuroxime"), nil, []drugs.Kind{allergy}, "Zinnat SmPC 4.3: hypersensitivity to cephalosporins"},
	{l("ceftriaxone"), l("cefalexin"), nil, []drugs.Kind{allergy}, "Keflex SmPC 4.3: hypersensitivity to cephalosporins"},
	{l("sulfa"), l("Bactrim DS"), nil, []drugs.Kind{allergy}, bnfSulfa + "; Bactrim label"},
	{l("sulpha drugs"), l("co-trimoxazole 960 mg"), nil, []drugs.Kind{allergy}, bnfSulfa},
	{l("sulfamethoxazole"), l("sulfadiazine"), nil, []drugs.Kind{allergy}, "Sulfadiazine label: contraindicated in sulfonamide hypersensitivity"},
	{l("Bactrim"), l("sulfasalazine"), nil, []drugs.Kind{allergy}, "Salazopyrin SmPC 4.3: hypersensitivity to sulfonamides"},
	{l("aspirin"), l("Aspirin 75 mg"), nil, []drugs.Kind{allergy}, "Aspirin SmPC 4.3"},
	{l("NSAIDs"), l("naproxen"), nil, []drugs.Kind{allergy}, bnfNSAID},
	{l("NSAID"), l("Voltarol gel"), nil, []drugs.Kind{allergy}, bnfNSAID + "; Voltarol gel SmPC 4.3"},
	{l("NSAIDs"), l("acetylsalicylic acid"), nil, []drugs.Kind{allergy}, bnfNSAID},
	{l("AINS"), l("kétoprofène"), nil, []drugs.Kind{allergy}, bnfNSAID + " (French: anti-inflammatoires non stéroïdiens)"},
	{l("codeine"), l("Co-codamol 30/500"), nil, []drugs.Kind{allergy}, "Co-codamol SmPC 4.3: hypersensitivity to codeine"},
	{l("opioids"), l("Tramadol 50 mg"), nil, []drugs.Kind{allergy}, atc + " (N02AX02, opioid)"},
	{l("ACE inhibitors"), l("ramipril"), nil, []drugs.Kind{allergy}, bnfACE},
	{l("enalapril (angioedema)"), l("lisinopril"), nil, []drugs.Kind{allergy}, bnfACE},
	{l("erythromycin"), l("clarithromycin"), nil, []drugs.Kind{allergy}, "Klaricid SmPC 4.3: hypersensitivity to macrolide antibiotics"},
	{l("macrolides"), l("Zithromax"), nil, []drugs.Kind{allergy}, "Zithromax SmPC 4.3: hypersensitivity to any macrolide"},
	{l("ciprofloxacin"), l("levofloxacin"), nil, []drugs.Kind{allergy}, "Tavanic SmPC 4.3: hypersensitivity to any quinolone"},
	{l("quinolones"), l("Cipro 500"), nil, []drugs.Kind{allergy}, "Ciproxin SmPC 4.3: hypersensitivity to other quinolones"},
	{l("tetracycline"), l("doxycycline"), nil, []drugs.Kind{allergy}, "Vibramycin SmPC 4.3: hypersensitivity to tetracyclines"},
	{l("gentamicin"), l("amikacin"), nil, []drugs.Kind{allergy}, "Amikin label: cross-allergenicity among aminoglycosides"},
	{l("lidocaine"), l("bupivacaine"), nil, []drugs.Kind{allergy}, "Marcain SmPC 4.3: hypersensitivity to amide-type local anaesthetics"},
	{l("heparin"), l("enoxaparin"), nil, []drugs.Kind{allergy}, "Clexane SmPC 4.3: hypersensitivity to heparin or its derivatives"},
	{l("iodine"), l("Betadine"), nil, []drugs.Kind{allergy}, "Betadine SmPC 4.3: hypersensitivity to iodine or povidone"},
	{l("Statins"), l("Lipitor 20 mg"), nil, []drugs.Kind{allergy}, atc + " (C10AA05, HMG-CoA reductase inhibitor)"},
	// No false alarms.
	{l("penicillin"), l("Paracetamol"), nil, nil, nice2014},
	{l("penicillin"), l("azithromycin"), nil, nil, atc + " (J01FA10, macrolide, not a beta-lactam)"},
	{l("penicillin"), l("Tylenol"), nil, nil, atc + " (N02BE01)"},
	{l("penicillin"), l("aztreonam"), nil, nil, "Azactam SmPC 4.4: cross-reactivity with penicillins rare; not warned"},
	{l("sulfonamides"), l("furosemide"), nil, nil, strom2003},
	{l("sulfa"), l("trimethoprim"), nil, nil, atc + " (J01EA01, not a sulfonamide)"},
	{l("acetylsalicylic acid"), l("paracetamol"), nil, nil, "BNF, Paracetamol: not an NSAID"},
	{l("aspirin"), l("clopidogrel"), nil, nil, atc + " (B01AC04, P2Y12 inhibitor)"},
	{l("morphine"), l("paracetamol"), nil, nil, nice2014},
	{l("carbamazepine"), l("levetiracetam"), nil, nil, "Keppra SmPC 4.3: only its own hypersensitivity"},
	{l("procaine"), l("lidocaine"), nil, nil, "Xylocaine SmPC: no cross-sensitivity between ester and amide local anaesthetics"},
	{l("metamizole"), l("paracetamol"), nil, nil, atc + " (N02BB02 and N02BE01, different substances)"},
	// Not checkable, not known.
	{l("latex"), l("amoxicillin"), nil, []drugs.Kind{notChk}, rxnormFree},
	{l("peanuts"), l("paracetamol"), nil, []drugs.Kind{notChk}, rxnormFree},
	{l("penicillin"), l("Zyxorbifen 10 mg"), nil, []drugs.Kind{unknown}, rxnormFree},
	// Duplicates in the prescription or with a current medication.
	{nil, l("simvastatin 40 mg", "atorvastatin 20 mg"), nil, []drugs.Kind{dup}, bnfStatin},
	{nil, l("ibuprofen", "naproxen"), nil, []drugs.Kind{dup}, bnfNSAID + "; avoid two NSAIDs"},
	{nil, l("paracetamol 1 g", "co-codamol 30/500"), nil, []drugs.Kind{dup}, mhraPara},
	{nil, l("ramipril 5 mg"), l("lisinopril 10 mg"), []drugs.Kind{dup}, bnfACE + "; one ACE inhibitor at a time"},
	{nil, l("omeprazole 20 mg"), l("Nexium 40 mg"), []drugs.Kind{dup}, atc + " (A02BC, proton pump inhibitors)"},
	{nil, l("sertraline"), l("fluoxetine"), []drugs.Kind{dup}, "BNF, SSRIs: serotonin syndrome with two serotonergic drugs"},
	{nil, l("warfarin"), l("apixaban 5 mg"), []drugs.Kind{dup}, "Eliquis SmPC 4.3: concomitant anticoagulants"},
	{nil, l("diazepam"), l("lorazepam"), []drugs.Kind{dup}, atc + " (N05BA, benzodiazepines)"},
	{nil, l("Augmentin", "amoxicillin"), nil, []drugs.Kind{dup}, "Augmentin SmPC: contains amoxicillin"},
	{nil, l("Symbicort 200/6", "Pulmicort"), nil, []drugs.Kind{dup}, "Symbicort SmPC 2: contains budesonide"},
	{nil, l("amlodipine"), l("ramipril"), nil, atc + " (C08CA01 and C09AA05, different classes)"},
	{nil, l("Aspirin 75 mg", "clopidogrel 75 mg"), nil, nil, "NICE NG185: dual antiplatelet therapy is intended"},
	{nil, l("metformin", "gliclazide"), nil, nil, "NICE NG28: metformin with a sulfonylurea is intended"},
}

func TestCheckTable(t *testing.T) {
	if len(checkCases) < 60 {
		t.Fatalf("%d cases, want at least 60", len(checkCases))
	}
	cat := drugs.Default()
	for _, tc := range checkCases {
		if tc.source == "" {
			t.Errorf("%v %v: no source", tc.allergies, tc.drugs)
		}
		got := kinds(cat.Check(drugs.Request{Allergies: tc.allergies, Drugs: tc.drugs, Current: tc.current}))
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("allergies %q, drugs %q, current %q: %v, want %v (%s)", tc.allergies, tc.drugs, tc.current, got, want, tc.source)
		}
	}
}

// TestCheckWording: a cross-reaction says it is a caution in its own
// words, an allergy names the substance, a duplicate names the class.
func TestCheckWording(t *testing.T) {
	cat := drugs.Default()
	f := cat.Check(drugs.Request{Allergies: l("penicillin"), Drugs: l("Cefalexin 500 mg")})
	if len(f) != 1 || !strings.Contains(f[0].Message.String(), "Caution") || !strings.Contains(f[0].Message.String(), "cephalosporins") ||
		f[0].Allergy != 0 || f[0].Drug != 0 {
		t.Fatalf("%+v", f)
	}
	f = cat.Check(drugs.Request{Allergies: l("penicillin"), Drugs: l("Augmentin 625 mg")})
	if len(f) != 1 || f[0].Message.String() != "Augmentin 625 mg is one of the penicillins: the patient is allergic to penicillins." {
		t.Fatalf("%+v", f)
	}
	f = cat.Check(drugs.Request{Allergies: l("amoxicillin"), Drugs: l("Ospen")})
	if len(f) != 1 || !strings.Contains(f[0].Message.String(), "an allergy to one of the penicillins is an allergy to all of them") {
		t.Fatalf("%+v", f)
	}
	f = cat.Check(drugs.Request{Drugs: l("Zocor 40 mg"), Current: l("x", "Crestor 10 mg")})
	if len(f) != 1 || f[0].Current != 1 || f[0].Other != -1 || f[0].Class != "statins" || !f[0].Warns() {
		t.Fatalf("%+v", f)
	}
	f = cat.Check(drugs.Request{Allergies: l("cats")})
	if len(f) != 1 || f[0].Warns() || drugs.AnyWarns(f) || !strings.Contains(f[0].Message.String(), "cannot be checked") {
		t.Fatalf("%+v", f)
	}
}

// TestPenicillinAllergyEverySubstance: a penicillin allergy warns on the
// beta-lactams it concerns (penicillins as an allergy, cephalosporins and
// carbapenems as a caution) and on nothing else of the catalogue.
func TestPenicillinAllergyEverySubstance(t *testing.T) {
	cat := drugs.Default()
	for _, s := range cat.Substances() {
		f := cat.Check(drugs.Request{Allergies: l("penicillin"), Drugs: l(s.Name)})
		var want []drugs.Kind
		switch {
		case s.InClass("penicillins"):
			want = []drugs.Kind{allergy}
		case s.InClass("cephalosporins") || s.InClass("carbapenems"):
			want = []drugs.Kind{cross}
		}
		if got := kinds(f); !slices.Equal(got, want) {
			t.Errorf("penicillin allergy, %s: %v, want %v", s.Name, got, want)
		}
	}
}

func TestCheckPrescription(t *testing.T) {
	cat := drugs.Default()
	allergies := []*app.Allergy{
		{Substance: "Pénicilline", Severity: app.SeveritySevere, Reaction: "anaphylaxis"},
		{Substance: "Zyxorbifen", Severity: app.SeverityMild},                     // not in the catalogue
		{Substance: "Aspirin", Severity: app.SeverityMild, RemovedAt: time.Now()}, // removed: never warns
	}
	current := []*app.Prescription{{Items: []app.PrescriptionItem{{Drug: "Lipitor"}}}}
	p := cat.CheckPrescription("Zoë Müller", []app.PrescriptionItem{{Drug: "Amoxil"}, {Drug: "Zyxorbifen forte"},
		{Drug: "Aspirin"}, {Drug: "simvastatin"}}, allergies, current)
	want := "Zoë Müller is recorded as allergic to Pénicilline (severe: anaphylaxis). Amoxil is one of the penicillins: the patient is allergic to penicillins." +
		" simvastatin and Lipitor are both statins (HMG-CoA reductase inhibitors): a duplicate therapy (Lipitor is a current medication)." +
		" Zoë Müller is recorded as allergic to Zyxorbifen (mild). Zyxorbifen forte matches the recorded allergy by name."
	if !p.Warns() || p.Warning.String() != want {
		t.Fatalf("warning\n%q\nwant\n%q", p.Warning.String(), want)
	}
	p = cat.CheckPrescription("Zoë Müller", []app.PrescriptionItem{{Drug: "Paracetamol"}}, allergies, nil)
	if p.Warns() {
		t.Fatalf("%+v", p)
	}
}

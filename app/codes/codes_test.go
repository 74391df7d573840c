package codes_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"hms/app"
	"hms/app/codes"
)

// TestStarter: the shipped list is sound — a few hundred codes, each in
// ICD-10-CM's shape with its dot, with a title, none twice, in no
// particular order but each findable by its own key.
func TestStarter(t *testing.T) {
	list := codes.Starter()
	if len(list) < 250 {
		t.Fatalf("the starter list has %d codes, want a few hundred", len(list))
	}
	seen := map[string]bool{}
	for _, c := range list {
		if c.System != app.CodeSystemICD10CM {
			t.Errorf("%s: system %q", c.Code, c.System)
		}
		if msg := codes.CheckCode(c.Code); !msg.IsZero() {
			t.Errorf("%s: %s", c.Code, msg)
		}
		if msg := codes.CheckTitle(c.Title); !msg.IsZero() {
			t.Errorf("%s: %s", c.Code, msg)
		}
		if len(c.Code) > 3 && c.Code[3] != '.' {
			t.Errorf("%s: an ICD-10-CM code longer than its category has a dot after the third character", c.Code)
		}
		if got := codes.Dotted(strings.ToUpper(codes.Key(c.Code))); got != c.Code {
			t.Errorf("%s: the order file's form %s writes as %s", c.Code, strings.ToUpper(codes.Key(c.Code)), got)
		}
		if seen[c.Code] {
			t.Errorf("%s is listed twice", c.Code)
		}
		seen[c.Code] = true
	}
	for _, want := range []string{"I10", "E11.9", "J45.909", "J06.9", "N39.0", "M54.50", "Z00.00"} {
		if !seen[want] {
			t.Errorf("the starter list lacks %s", want)
		}
	}
}

// orderLine writes one line of the CMS order file's layout.
func orderLine(order int, code string, valid bool, short, long string) string {
	flag := "0"
	if valid {
		flag = "1"
	}
	return fmt.Sprintf("%05d %-7s %s %-60s %s", order, code, flag, short, long)
}

func TestParseOrderFile(t *testing.T) {
	file := strings.Join([]string{
		orderLine(1, "A00", false, "Cholera", "Cholera"),
		orderLine(2, "A000", true, "Cholera due to Vibrio cholerae 01, biovar cholerae", "Cholera due to Vibrio cholerae 01, biovar cholerae"),
		orderLine(3, "I10", true, "Essential (primary) hypertension", "Essential (primary) hypertension"),
		orderLine(4, "J45909", true, "Unspecified asthma, uncomplicated", "Unspecified asthma, uncomplicated"),
		"",
	}, "\r\n")
	rows, bad, err := codes.Parse(strings.NewReader(file))
	if err != nil || len(bad) > 0 {
		t.Fatal(err, bad)
	}
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%d %s %s", r.Line, r.Code, r.Title))
	}
	want := []string{"2 A00.0 Cholera due to Vibrio cholerae 01, biovar cholerae", "3 I10 Essential (primary) hypertension",
		"4 J45.909 Unspecified asthma, uncomplicated"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q\nwant %q", got, want)
	}

	t.Run("BadLines", func(t *testing.T) {
		file := strings.Join([]string{
			orderLine(1, "I10", true, "Essential (primary) hypertension", "Essential (primary) hypertension"),
			"00002 I11 1 too short",
			orderLine(3, "I10", true, "Essential (primary) hypertension", "Essential (primary) hypertension"),
			orderLine(4, "E119", true, "Type 2 diabetes", ""),
			strings.Replace(orderLine(5, "E109", true, "Type 1 diabetes", "Type 1 diabetes mellitus without complications"), " 1 ", " 7 ", 1),
		}, "\n")
		_, bad, err := codes.Parse(strings.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		var lines []int
		for _, b := range bad {
			lines = append(lines, b.Line)
		}
		if fmt.Sprint(lines) != "[2 3 4 5]" {
			t.Errorf("bad lines %v (%v), want [2 3 4 5]", lines, bad)
		}
	})
}

func TestParseCSV(t *testing.T) {
	file := "\ufeffcode,description\nU07.1,COVID-19\nJ45.9,\"Asthma, unspecified\"\nG30.0†,Alzheimer-Krankheit mit frühem Beginn\n"
	rows, bad, err := codes.Parse(strings.NewReader(file))
	if err != nil || len(bad) > 0 {
		t.Fatal(err, bad)
	}
	if len(rows) != 3 || rows[0].Line != 2 || rows[1].Code != "J45.9" || rows[1].Title != "Asthma, unspecified" ||
		rows[2].Title != "Alzheimer-Krankheit mit frühem Beginn" || rows[2].Line != 4 {
		t.Errorf("rows %+v", rows)
	}

	t.Run("BadLines", func(t *testing.T) {
		file := "code,description\nI10,Hypertension\nI11\n,No code\nI10,Again\nI 12,Space\nI13,\"unclosed\n"
		_, bad, err := codes.Parse(strings.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		var lines []int
		for _, b := range bad {
			lines = append(lines, b.Line)
		}
		if fmt.Sprint(lines) != "[3 4 5 6 7]" {
			t.Errorf("bad lines %v (%+v), want [3 4 5 6 7]", lines, bad)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		if _, _, err := codes.Parse(strings.NewReader("code,description\n")); !errors.Is(err, codes.ErrEmpty) {
			t.Errorf("err %v, want ErrEmpty", err)
		}
	})
}

func TestQuery(t *testing.T) {
	for typed, want := range map[string]string{
		"J45.9":          `"j459"*`,
		"j45":            `"j45"*`,
		"Asthma":         `"asthma"*`,
		"  astH unspec ": `"asth"* "unspec"*`,
		"Ménière":        `"meniere"*`,
		"E11 hyperglyc":  `"e11"* "hyperglyc"*`,
		`"; drop`:        `"drop"*`,
		"":               ``,
	} {
		if got := codes.Query(typed); got != want {
			t.Errorf("Query(%q) = %s, want %s", typed, got, want)
		}
	}
}

func TestChapter(t *testing.T) {
	for code, want := range map[string]string{"A09": "1", "J45.909": "10", "I10": "9", "H66.92": "8", "H10.9": "7",
		"S93.401A": "19", "T78.40XA": "19", "Z00.00": "21", "U07.1": "22", "W19.XXXA": "20", "O21.0": "15", "x": ""} {
		if got, _ := codes.Chapter(code); got != want {
			t.Errorf("Chapter(%s) = %s, want %s", code, got, want)
		}
	}
	for _, c := range codes.Starter() {
		if id, _ := codes.Chapter(c.Code); id == "" {
			t.Errorf("%s has no chapter", c.Code)
		}
	}
}

// TestStarterSpotCheckFY2025: a sample of the starter list checked line by
// line against the FY2025 ICD-10-CM code descriptions (CMS/NCHS, the
// "code descriptions in tabular order" files): each code is billable there
// and carries that long title. K21.0 and M79.1 became headers (K21.00,
// M79.10 are billed) and I84 is not a category of ICD-10-CM (haemorrhoids
// are K64), so none of them may ship. The list's header names the source.
func TestStarterSpotCheckFY2025(t *testing.T) {
	fy2025 := map[string]string{
		"A09":      "Infectious gastroenteritis and colitis, unspecified",
		"B02.9":    "Zoster without complications",
		"B37.31":   "Acute candidiasis of vulva and vagina",
		"E05.90":   "Thyrotoxicosis, unspecified without thyrotoxic crisis or storm",
		"E11.319":  "Type 2 diabetes mellitus with unspecified diabetic retinopathy without macular edema",
		"E66.01":   "Morbid (severe) obesity due to excess calories",
		"E78.00":   "Pure hypercholesterolemia, unspecified",
		"F32.A":    "Depression, unspecified",
		"F41.0":    "Panic disorder [episodic paroxysmal anxiety]",
		"G20.A1":   "Parkinson's disease without dyskinesia, without mention of fluctuations",
		"G47.33":   "Obstructive sleep apnea (adult) (pediatric)",
		"H00.019":  "Hordeolum externum unspecified eye, unspecified eyelid",
		"I10":      "Essential (primary) hypertension",
		"I25.10":   "Atherosclerotic heart disease of native coronary artery without angina pectoris",
		"J00":      "Acute nasopharyngitis [common cold]",
		"J44.1":    "Chronic obstructive pulmonary disease with (acute) exacerbation",
		"J45.909":  "Unspecified asthma, uncomplicated",
		"K21.00":   "Gastro-esophageal reflux disease with esophagitis, without bleeding",
		"K21.9":    "Gastro-esophageal reflux disease without esophagitis",
		"K57.30":   "Diverticulosis of large intestine without perforation or abscess without bleeding",
		"K64.9":    "Unspecified hemorrhoids",
		"M54.50":   "Low back pain, unspecified",
		"M79.10":   "Myalgia, unspecified site",
		"N18.30":   "Chronic kidney disease, stage 3 unspecified",
		"R05.9":    "Cough, unspecified",
		"R51.9":    "Headache, unspecified",
		"S93.401A": "Sprain of unspecified ligament of right ankle, initial encounter",
		"U07.1":    "COVID-19",
		"Z00.00":   "Encounter for general adult medical examination without abnormal findings",
		"Z20.822":  "Contact with and (suspected) exposure to COVID-19",
	}
	got := map[string]string{}
	for _, c := range codes.Starter() {
		got[c.Code] = c.Title
	}
	for code, want := range fy2025 {
		if got[code] != want {
			t.Errorf("%s: title %q, FY2025 has %q", code, got[code], want)
		}
	}
	for _, gone := range []string{"K21.0", "M79.1", "I84.20"} {
		if _, ok := got[gone]; ok {
			t.Errorf("%s is not a billable ICD-10-CM FY2025 code but ships", gone)
		}
	}
	if !strings.Contains(codes.StarterHeader(), "FY2025") || !strings.Contains(codes.StarterHeader(), "CMS") {
		t.Errorf("the starter list's header does not name its source:\n%s", codes.StarterHeader())
	}
}

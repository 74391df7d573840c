package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hms/app"
	"hms/ui/cli"
)

func TestDrugsSearch(t *testing.T) {
	h := newHarness(t)
	res := h.run("", "drugs", "search", "augment")
	if res.code != cli.ExitOK || !strings.Contains(res.stdout, "Augmentin") || !strings.Contains(res.stdout, "amoxicillin + clavulanic acid") ||
		!strings.Contains(res.stdout, "Aminopenicillins") {
		t.Fatalf("%+v", res)
	}
	if len(h.opened) != 0 {
		t.Fatalf("the shipped catalogue needs no database: opened %v", h.opened)
	}
	res = h.run("", "drugs", "search", "xyzzy")
	if res.code != cli.ExitOK || !strings.Contains(res.stdout, "Nothing") {
		t.Fatalf("%+v", res)
	}
	if res = h.run("", "drugs", "search"); res.code != cli.ExitUsage {
		t.Fatalf("%+v", res)
	}
	if res = h.run("", "drugs"); res.code != cli.ExitUsage {
		t.Fatalf("%+v", res)
	}
}

func TestDrugsCheck(t *testing.T) {
	h := newHarness(t)
	res := h.run("", "drugs", "check", "--allergy", "Penicillin", "--allergy", "latex", "Augmentin 625 mg", "cefalexin")
	if res.code != cli.ExitWarn || !strings.Contains(res.stdout, "WARNING (allergy): Augmentin 625 mg is one of the penicillins") ||
		!strings.Contains(res.stdout, "WARNING (cross-reaction)") || !strings.Contains(res.stdout, "note (not checkable)") {
		t.Fatalf("%+v", res)
	}
	res = h.run("", "drugs", "check", "--allergy", "penicillin", "paracetamol")
	if res.code != cli.ExitOK || res.stdout != "No warnings.\n" {
		t.Fatalf("no false alarm: %+v", res)
	}
	res = h.run("", "drugs", "check", "--current", "Lipitor 20 mg", "simvastatin")
	if res.code != cli.ExitWarn || !strings.Contains(res.stdout, "WARNING (duplicate)") {
		t.Fatalf("%+v", res)
	}
	res = h.run("", "drugs", "check", "--allergy", "cats", "paracetamol")
	if res.code != cli.ExitOK || !strings.Contains(res.stdout, "not checkable") {
		t.Fatalf("a notice is no warning: %+v", res)
	}
	if res = h.run("", "drugs", "check", "--allergy", "penicillin"); res.code != cli.ExitUsage {
		t.Fatalf("%+v", res)
	}
}

// fakeDrugs keeps the clinic's drugs in the fake clinic.
type fakeDrugs struct{ c *fakeClinic }

func (f *fakeDrugs) ImportLocalDrugs(ctx context.Context, rows []app.LocalDrugRow) (int, error) {
	if err := f.c.record(ctx); err != nil {
		return 0, err
	}
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	for _, r := range rows {
		d := r.LocalDrug
		f.c.local = append(f.c.local, &d)
	}
	return len(rows), nil
}

func (f *fakeDrugs) FindLocalDrugs(ctx context.Context) ([]*app.LocalDrug, error) {
	if err := f.c.record(ctx); err != nil {
		return nil, err
	}
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	return append([]*app.LocalDrug(nil), f.c.local...), nil
}

func TestDrugsImport(t *testing.T) {
	h := newHarness(t)
	h.createDB(true)
	file := filepath.Join(h.dir, "local.csv")
	write := func(s string) {
		if err := os.WriteFile(file, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("kind,name,substances,classes,forms\nbrand,Augmentin,amoxicillin,,\nbrand,Nowhere,unobtainium,,\nsubstance,Herbaflam,,NSAIDs,tablet 200 mg\n")
	res := h.run("", h.db("drugs", "import", file)...)
	if res.code != cli.ExitFailure || !strings.Contains(res.stderr, "line 2, name:") || !strings.Contains(res.stderr, "line 3, substances:") ||
		strings.Contains(res.stderr, "line 4") || !strings.Contains(res.stderr, "nothing was imported: 2 problems") || len(h.clinic.local) != 0 {
		t.Fatalf("%+v", res)
	}
	write("kind,name,substances,classes,forms\nsubstance,Herbaflam,,NSAIDs,tablet 200 mg\nbrand,Herbaflam Forte,Herbaflam,,\n")
	if res = h.run("", h.db("drugs", "import", "--check", file)...); res.code != cli.ExitOK || len(h.clinic.local) != 0 {
		t.Fatalf("%+v", res)
	}
	res = h.run("", h.db("drugs", "import", file)...)
	if res.code != cli.ExitOK || !strings.Contains(res.stdout, "Added 2 products and brands") || len(h.clinic.local) != 2 {
		t.Fatalf("%+v", res)
	}
	// The database's additions take part in the check.
	res = h.run("", h.db("drugs", "check", "--allergy", "aspirin", "Herbaflam Forte")...)
	if res.code != cli.ExitWarn || !strings.Contains(res.stdout, "cross-reaction") {
		t.Fatalf("%+v", res)
	}
}

package cli_test

import (
	"strings"
	"testing"

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

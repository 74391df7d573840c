package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"hms/app/drugs"
)

// ExitWarn is the exit status of `hms drugs check` when the check warns.
const ExitWarn = 3

const drugsAbout = `Searches the drug catalogue and checks drugs against allergies and
each other. Each subcommand has its own flags: run 'hms drugs SUBCOMMAND -h'.

Subcommands:
  search   find substances, brands and classes by name
  check    check drugs against allergies, cross-reactions and duplicates`

func (r *runner) cmdDrugs(args []string) int {
	fs := r.newFlags("drugs", "hms drugs SUBCOMMAND [flags] [args]", drugsAbout)
	fs.SetInterspersed(false)
	rest, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(rest) == 0 {
		return r.usageError(fs, "drugs needs a subcommand: search or check")
	}
	switch rest[0] {
	case "search":
		return r.cmdDrugsSearch(rest[1:])
	case "check":
		return r.cmdDrugsCheck(rest[1:])
	}
	return r.usageError(fs, "unknown drugs subcommand %q", rest[0])
}

func (r *runner) cmdDrugsSearch(args []string) int {
	fs := r.newFlags("drugs search", "hms drugs search [--limit N] TEXT",
		`Lists the substances (by INN), combinations, brand names, other names and
classes whose name, or a word of it, starts with TEXT, case and accents
ignored.`)
	limit := fs.Int("limit", 20, "show at most `N` names")
	rest, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	text := strings.TrimSpace(strings.Join(rest, " "))
	if text == "" {
		return r.usageError(fs, "drugs search needs the TEXT to look for")
	}
	if *limit < 1 {
		return r.usageError(fs, "--limit must be at least 1")
	}
	ms := drugs.Default().Search(text, *limit)
	if len(ms) == 0 {
		fmt.Fprintf(r.env.Stdout, "Nothing in the drug catalogue matches %q.\n", text)
		return ExitOK
	}
	tw := tabwriter.NewWriter(r.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tSUBSTANCE\tCLASSES")
	for _, m := range ms {
		sub, classes := "", ""
		if m.Substance != nil {
			sub = m.Substance.Name
			var names []string
			for _, id := range m.Substance.ClassIDs() {
				names = append(names, drugs.Default().Class(id).Name)
			}
			classes = strings.Join(names, ", ")
		} else if m.Class != nil {
			classes = m.Class.Name
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.Name, m.Kind, sub, classes)
	}
	tw.Flush()
	return ExitOK
}

// listFlag is a flag that may be given more than once.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func (r *runner) cmdDrugsCheck(args []string) int {
	fs := r.newFlags("drugs check", "hms drugs check [--allergy TEXT]... [--current DRUG]... DRUG...",
		`Checks the DRUGs (generic or brand names, with or without strengths)
against the allergies (a substance, a brand, a class such as "penicillin"
or "sulfa", or free text) and the current medications: the same substance
or class as an allergy, a known cross-reaction, two drugs of one
therapeutic class. Prints each finding; the exit status is 3 when one
warns, 0 when none does. Allergies and drugs the catalogue does not know
are listed as not checkable.`)
	var allergies, current listFlag
	fs.Var(&allergies, "allergy", "a recorded allergy (`TEXT`); repeat for each")
	fs.Var(&current, "current", "a current medication (`DRUG`); repeat for each")
	rest, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(rest) == 0 {
		return r.usageError(fs, "drugs check needs at least one DRUG")
	}
	fs2 := drugs.Default().Check(drugs.Request{Allergies: allergies, Drugs: rest, Current: current})
	if len(fs2) == 0 {
		fmt.Fprintln(r.env.Stdout, "No warnings.")
		return ExitOK
	}
	for _, f := range fs2 {
		level := "note"
		if f.Warns() {
			level = "WARNING"
		}
		fmt.Fprintf(r.env.Stdout, "%s (%s): %s\n", level, f.Kind, f.Message)
	}
	if drugs.AnyWarns(fs2) {
		return ExitWarn
	}
	return ExitOK
}

package cli

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"hms/app"
	"hms/app/drugs"
)

// ExitWarn is the exit status of `hms drugs check` when the check warns.
const ExitWarn = 3

const drugsAbout = `Searches the drug catalogue and checks drugs against allergies and
each other. Each subcommand has its own flags: run 'hms drugs SUBCOMMAND -h'.

Subcommands:
  search   find substances, brands and classes by name
  check    check drugs against allergies, cross-reactions and duplicates
  import   add the clinic's own products and brands (administrators)`

func (r *runner) cmdDrugs(args []string) int {
	fs := r.newFlags("drugs", "hms drugs SUBCOMMAND [flags] [args]", drugsAbout)
	fs.SetInterspersed(false)
	rest, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(rest) == 0 {
		return r.usageError(fs, "drugs needs a subcommand: search, check or import")
	}
	switch rest[0] {
	case "search":
		return r.cmdDrugsSearch(rest[1:])
	case "check":
		return r.cmdDrugsCheck(rest[1:])
	case "import":
		return r.cmdDrugsImport(rest[1:])
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
	cat, err := r.catalogue()
	if err != nil {
		return r.fail(err, nil)
	}
	ms := cat.Search(text, *limit)
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
				names = append(names, cat.Class(id).Name)
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
	cat, err := r.catalogue()
	if err != nil {
		return r.fail(err, nil)
	}
	fs2 := cat.Check(drugs.Request{Allergies: allergies, Drugs: rest, Current: current})
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

// catalogue is the shipped drug catalogue with the clinic's products and
// brands when the database exists; the shipped one alone otherwise (the
// catalogue needs no database).
func (r *runner) catalogue() (*drugs.Catalogue, error) {
	path, err := r.dbPath()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err != nil {
		return drugs.Default(), nil
	}
	svc, closer, err := r.openSetUp()
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	return localCatalogue(r.ctx, svc)
}

// localCatalogue extends the shipped catalogue with the clinic's rows.
func localCatalogue(ctx context.Context, svc app.Services) (*drugs.Catalogue, error) {
	list, err := svc.Drugs.FindLocalDrugs(ctx)
	if err != nil || len(list) == 0 {
		return drugs.Default(), err
	}
	rows := make([]app.LocalDrugRow, len(list))
	for i, d := range list {
		rows[i] = app.LocalDrugRow{Line: i + 1, LocalDrug: *d}
	}
	cat, bad := drugs.Default().Extend(rows)
	if len(bad) > 0 {
		return nil, app.Errorf(app.EINTERNAL, "The clinic's drug %d does not fit the catalogue: %s", bad[0].Line, bad[0].Message)
	}
	return cat, nil
}

func (r *runner) cmdDrugsImport(args []string) (code int) {
	fs := r.newFlags("drugs import", "hms [--db PATH] drugs import [--check] FILE.csv",
		`Adds the clinic's own products and brands to the drug catalogue
(administrators; on a synced clinic every desk gets them). The file is CSV
with the header `+drugs.LocalCSVHeader+` and one row each:

  substance,Herbaflam,,NSAIDs,tablet 200 mg     a product the catalogue lacks,
                                                with its classes (";" between)
  brand,Amoxi-Local,amoxicillin,,               a brand of substances in the
                                                catalogue ("+" between)

Every row is checked first: if any is bad, each bad row is listed with its
line number and nothing is imported. Rows are never changed afterwards.`)
	check := fs.Bool("check", false, "only check the file; import nothing")
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return r.usageError(fs, "drugs import needs the file: drugs import FILE.csv")
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return r.fail(app.Errorf(app.EINVALID, "Cannot read %s: %v.", pos[0], unwrapPath(err)), nil)
	}
	table, err := app.ReadCSV(f)
	f.Close()
	if err != nil {
		return r.fail(err, nil)
	}
	svc, closer, err := r.openSetUp()
	if err != nil {
		return r.fail(err, nil)
	}
	defer r.closeDB(closer, &code)
	cat, err := localCatalogue(r.ctx, svc)
	if err != nil {
		return r.fail(err, nil)
	}
	rows, bad := cat.ParseLocalCSV(table)
	if len(bad) > 0 {
		sort.SliceStable(bad, func(i, j int) bool { return bad[i].Line < bad[j].Line })
		for _, b := range bad {
			r.printRowError(b)
		}
		fmt.Fprintf(r.env.Stderr, "hms: nothing was imported: %d problems in %s; fix them and import again.\n", len(bad), pos[0])
		return ExitFailure
	}
	if *check {
		fmt.Fprintf(r.env.Stdout, "%s is good: %d products and brands would be added.\n", pos[0], len(rows))
		return ExitOK
	}
	n, err := svc.Drugs.ImportLocalDrugs(r.ctx, rows)
	if ie, ok := err.(*app.ImportError); ok {
		for _, b := range ie.Rows {
			r.printRowError(b)
		}
	}
	if err != nil {
		return r.fail(err, nil)
	}
	fmt.Fprintf(r.env.Stdout, "Added %d products and brands to the drug catalogue from %s.\n", n, pos[0])
	return ExitOK
}

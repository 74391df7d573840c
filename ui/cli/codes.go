package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"hms/app"
	"hms/app/codes"
)

const codesAbout = `Searches and imports this desk's diagnosis code lists. The desk ships an
ICD-10-CM starter list; a clinic imports its country's full list. Each
subcommand has its own flags: run 'hms codes SUBCOMMAND -h'.

Subcommands:
  search     find codes by code or by words of their titles
  import     replace a code list with a file's (administrators)
  morbidity  the diagnoses of a period by code, age band and sex, as CSV`

func (r *runner) cmdCodes(args []string) int {
	fs := r.newFlags("codes", "hms codes SUBCOMMAND [flags] [args]", codesAbout)
	fs.SetInterspersed(false)
	rest, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(rest) == 0 {
		return r.usageError(fs, "codes needs a subcommand: search or import")
	}
	switch rest[0] {
	case "search":
		return r.cmdCodesSearch(rest[1:])
	case "import":
		return r.cmdCodesImport(rest[1:])
	case "morbidity":
		return r.cmdCodesMorbidity(rest[1:])
	}
	return r.usageError(fs, "unknown codes subcommand %q", rest[0])
}

func (r *runner) cmdCodesSearch(args []string) (code int) {
	fs := r.newFlags("codes search", "hms [--db PATH] codes search [--limit N] TEXT",
		`Lists the codes whose code starts with TEXT (J45, J45.9 or j459) or
whose title has words starting with each word of TEXT, case and accents
ignored, in code order.`)
	limit := fs.Int("limit", 20, "show at most `N` codes (at most 200)")
	rest, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	text := strings.TrimSpace(strings.Join(rest, " "))
	if text == "" {
		return r.usageError(fs, "codes search needs the TEXT to look for")
	}
	if *limit < 1 || *limit > 200 {
		return r.usageError(fs, "--limit must be between 1 and 200")
	}
	svc, closer, err := r.openSetUp()
	if err != nil {
		return r.fail(err, nil)
	}
	defer r.closeDB(closer, &code)
	list, err := svc.Diagnoses.SearchCodes(r.ctx, text, *limit)
	if err != nil {
		return r.fail(err, nil)
	}
	if len(list) == 0 {
		fmt.Fprintf(r.env.Stdout, "No code matches %q.\n", text)
		return ExitOK
	}
	tw := tabwriter.NewWriter(r.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CODE\tLIST\tTITLE")
	for _, c := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Code, c.System, c.Title)
	}
	tw.Flush()
	return ExitOK
}

func (r *runner) cmdCodesImport(args []string) (code int) {
	fs := r.newFlags("codes import", "hms [--db PATH] codes import [--system NAME] [--check] FILE",
		`Replaces this desk's code list NAME with the codes of FILE
(administrators; each desk imports its own list). FILE is either

  the CMS ICD-10-CM order file (icd10cm_order_YYYY.txt), whose lines
  start with a five-digit order number: the codes valid for a diagnosis
  are taken, the headers of their categories are not; or
  a CSV file of code,description lines (a first line code,description
  is a header), as national editions (ICD-10-GM, ICD-10-AM, WHO) come.

Every line is checked first: if any is bad, each bad line is listed with
its number and nothing is imported. Diagnoses already recorded keep the
title they were recorded with.`)
	system := fs.String("system", app.CodeSystemICD10CM, "the code list's `NAME`, e.g. ICD-10-GM")
	check := fs.Bool("check", false, "only check the file; import nothing")
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return r.usageError(fs, "codes import needs the file: codes import FILE")
	}
	if s := strings.TrimSpace(*system); s == "" || len([]rune(s)) > 40 {
		return r.usageError(fs, "--system names the code list in 1 to 40 characters")
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return r.fail(app.Errorf(app.EINVALID, "Cannot read %s: %v.", pos[0], unwrapPath(err)), nil)
	}
	rows, bad, err := codes.Parse(f)
	f.Close()
	if errors.Is(err, codes.ErrEmpty) {
		return r.fail(app.Errorf(app.EINVALID, "%s has no codes.", pos[0]), nil)
	}
	if err != nil {
		return r.fail(err, nil)
	}
	if len(bad) > 0 {
		for _, b := range bad {
			r.printRowError(b)
		}
		fmt.Fprintf(r.env.Stderr, "hms: nothing was imported: %d problems in %s; fix them and import again.\n", len(bad), pos[0])
		return ExitFailure
	}
	if *check {
		fmt.Fprintf(r.env.Stdout, "%s is good: %d codes would replace the %s list.\n", pos[0], len(rows), *system)
		return ExitOK
	}
	svc, closer, err := r.openSetUp()
	if err != nil {
		return r.fail(err, nil)
	}
	defer r.closeDB(closer, &code)
	n, err := svc.Diagnoses.ImportCodes(r.ctx, *system, rows)
	if ie, ok := err.(*app.ImportError); ok {
		for _, b := range ie.Rows {
			r.printRowError(b)
		}
	}
	if err != nil {
		return r.fail(err, nil)
	}
	fmt.Fprintf(r.env.Stdout, "Imported %d codes as this desk's %s list from %s.\n", n, strings.TrimSpace(*system), pos[0])
	return ExitOK
}

func (r *runner) cmdCodesMorbidity(args []string) (code int) {
	fs := r.newFlags("codes morbidity", "hms [--db PATH] codes morbidity --from YYYY-MM-DD --to YYYY-MM-DD",
		`Writes the coded diagnoses recorded from --from to --to (both days
included, in the clinic's time zone) as CSV on standard output: one line
per code, age band and sex, with its count. Removed diagnoses and those
without a code are not counted. The report is in the audit log.`)
	from := fs.String("from", "", "the first `DAY` (YYYY-MM-DD)")
	to := fs.String("to", "", "the last `DAY` (YYYY-MM-DD)")
	_, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	svc, closer, err := r.openSetUp()
	if err != nil {
		return r.fail(err, nil)
	}
	defer r.closeDB(closer, &code)
	settings, err := svc.Settings.GetSettings(r.ctx)
	if err != nil {
		return r.fail(err, nil)
	}
	loc := settings.Location()
	f, errFrom := time.ParseInLocation(app.DateLayout, *from, loc)
	t, errTo := time.ParseInLocation(app.DateLayout, *to, loc)
	if errFrom != nil || errTo != nil {
		return r.usageError(fs, "--from and --to are days: YYYY-MM-DD")
	}
	rep, err := svc.Diagnoses.MorbidityReport(r.ctx, app.MorbidityFilter{From: f, To: t.AddDate(0, 0, 1)})
	if err != nil {
		return r.fail(err, nil)
	}
	r.env.Stdout.Write(app.MorbidityCSV(rep))
	return ExitOK
}

package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"hms/app"
)

func (r *runner) cmdImport(args []string) (code int) {
	fs := r.newFlags("import", "hms [--db PATH] import patients [--check] [--map FIELD=COLUMN,...] FILE.csv",
		`Imports patients from a CSV file (UTF-8, comma or semicolon separated, with
a header line), for a clinic moving off spreadsheets. Columns are matched to
fields by their header names (given name, family name, sex, date of birth,
phone, email, address, national id, emergency contact, blood group, notes);
--map names the column of a field when its header is not recognized.

Every row is checked first: if any row is bad, each bad row is listed with
its line number and reason and nothing is imported. Otherwise all rows are
imported in one transaction, and rows that look like existing patients (same
name and date of birth, or same phone) are listed as possible duplicates.

Example:
  hms import patients --map given_name=Forename,birth_date=DOB patients.csv`)
	check := fs.Bool("check", false, "only check the file; import nothing")
	mapping := fs.String("map", "", "`FIELD=COLUMN` pairs, comma separated, naming the header of a field's column")
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 2 || pos[0] != "patients" {
		return r.usageError(fs, "import needs what to import and the file: import patients FILE.csv")
	}
	f, err := openRegular(pos[1])
	if err != nil {
		return r.fail(err, nil)
	}
	table, err := app.ReadCSV(f)
	f.Close()
	if err != nil {
		return r.fail(err, nil)
	}
	m := app.GuessMapping(table.Header)
	if strings.TrimSpace(*mapping) != "" {
		for _, pair := range strings.Split(*mapping, ",") {
			field, column, found := strings.Cut(pair, "=")
			field, column = strings.TrimSpace(field), strings.TrimSpace(column)
			if !found || field == "" || column == "" {
				return r.usageError(fs, "--map: %q is not FIELD=COLUMN", pair)
			}
			idx := -1
			for i, h := range table.Header {
				if strings.EqualFold(strings.TrimSpace(h), column) {
					idx = i
				}
			}
			if idx < 0 {
				return r.usageError(fs, "--map: the file has no column %q (its columns: %s)", column, strings.Join(table.Header, ", "))
			}
			m[field] = idx
		}
	}
	rows, bad := table.PatientRows(m, time.Now())
	if len(bad) > 0 {
		sort.SliceStable(bad, func(i, j int) bool { return bad[i].Line < bad[j].Line })
		for _, b := range bad {
			r.printRowError(b)
		}
		fmt.Fprintf(r.env.Stderr, "hms: nothing was imported: %d problems in %s; fix them and import again.\n", len(bad), pos[1])
		return ExitFailure
	}
	if *check {
		fmt.Fprintf(r.env.Stdout, "%s is good: %d patients would be imported.\n", pos[1], len(rows))
		return ExitOK
	}
	svc, closer, err := r.openSetUp()
	if err != nil {
		return r.fail(err, nil)
	}
	defer r.closeDB(closer, &code)
	res, err := svc.Patients.ImportPatients(r.ctx, rows)
	if ie, ok := err.(*app.ImportError); ok {
		for _, b := range ie.Rows {
			r.printRowError(b)
		}
	}
	if err != nil {
		return r.fail(err, nil)
	}
	fmt.Fprintf(r.env.Stdout, "Imported %d patients from %s.\n", res.Imported, pos[1])
	if len(res.Duplicates) > 0 {
		fmt.Fprintf(r.env.Stdout, "%d may be duplicates; check them in the app:\n", len(res.Duplicates))
		for _, d := range res.Duplicates {
			fmt.Fprintf(r.env.Stdout, "  line %d, now %s: %s\n", d.Line, d.MRN, d.Reason)
		}
	}
	return ExitOK
}

func (r *runner) printRowError(b app.RowError) {
	where := fmt.Sprintf("line %d", b.Line)
	if b.Line == 0 {
		where = "columns"
	}
	if b.Field != "" {
		where += ", " + strings.ReplaceAll(b.Field, "_", " ")
	}
	fmt.Fprintf(r.env.Stderr, "%s: %s\n", where, b.Message)
}

func (r *runner) cmdExport(args []string) (code int) {
	fs := r.newFlags("export", "hms [--db PATH] export patients [--force] FILE.csv",
		`Exports every patient who is not archived to a CSV file (UTF-8 with a byte
order mark, so spreadsheets show accents right), in record-number order.
The columns are those 'hms import patients' reads back. FILE - writes to
standard output. Administrators only; the export is in the audit log.`)
	force := fs.Bool("force", false, "replace FILE if it exists")
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 2 || pos[0] != "patients" {
		return r.usageError(fs, "export needs what to export and the file: export patients FILE.csv")
	}
	var w io.Writer = r.env.Stdout
	var tmp, dst string
	if pos[1] != "-" {
		var err error
		if dst, err = filepath.Abs(pos[1]); err != nil {
			return r.fail(err, nil)
		}
		if _, err := os.Stat(dst); err == nil && !*force {
			return r.fail(app.Errorf(app.ECONFLICT, "%s already exists: choose another name, or pass --force to replace it.", dst), nil)
		}
		tmp = fmt.Sprintf("%s.tmp-%d", dst, time.Now().UnixNano())
		f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return r.fail(app.Errorf(app.EINVALID, "Cannot write %s: %v.", dst, unwrapPath(err)), nil)
		}
		defer func() {
			f.Close()
			if code != ExitOK {
				os.Remove(tmp)
			}
		}()
		w = f
	}
	svc, closer, err := r.openSetUp()
	if err != nil {
		return r.fail(err, nil)
	}
	defer r.closeDB(closer, &code)
	n, err := svc.Patients.ExportPatients(r.ctx, w)
	if err != nil {
		return r.fail(err, nil)
	}
	if tmp != "" {
		if f, ok := w.(*os.File); ok {
			if err := f.Sync(); err != nil {
				return r.fail(err, nil)
			}
		}
		if err := os.Rename(tmp, dst); err != nil {
			return r.fail(fmt.Errorf("writing %s: %w", dst, err), nil)
		}
		fmt.Fprintf(r.env.Stdout, "Exported %d patients to %s.\n", n, dst)
	}
	return ExitOK
}

// openRegular opens an import file for reading, after checking that it is
// a regular file: a folder would fail with a puzzling message, and
// opening a FIFO (a named pipe) blocks until something writes to it, so
// the mode is checked first, from the path, without opening it. The open
// file is checked again, in case the path was swapped between the two.
func openRegular(path string) (*os.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, app.Errorf(app.EINVALID, "Cannot read %s: %v.", path, unwrapPath(err))
	}
	if err := app.NotRegularFile(path, st.Mode()); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, app.Errorf(app.EINVALID, "Cannot read %s: %v.", path, unwrapPath(err))
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, app.Errorf(app.EINVALID, "Cannot read %s: %v.", path, err)
		}
		return nil, app.NotRegularFile(path, st.Mode())
	}
	return f, nil
}

// unwrapPath drops the operation and path of a file error, which the
// message already names.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

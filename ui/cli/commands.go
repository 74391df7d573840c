package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"hms/app"
)

// setupFlags names the flag behind each field a setup error can concern.
var setupFlags = map[string]string{
	"clinic_name":       "--clinic",
	"address":           "--address",
	"phone":             "--phone",
	"tax_id":            "--tax-id",
	"currency":          "--currency",
	"time_zone":         "--time-zone",
	"auto_lock_minutes": "--auto-lock",
	"username":          "--admin",
	"full_name":         "--admin-name",
	"password":          "password",
}

func (r *runner) cmdSetup(args []string) (code int) {
	fs := r.newFlags("setup",
		"hms [--db PATH] setup --clinic NAME --time-zone ZONE --currency CODE --admin USERNAME --admin-name NAME [flags]",
		`Sets up a new database: the clinic's settings and its first administrator.
The administrator's password is read from the first line of standard input,
or asked for at a terminal. Setup is refused once a database is set up;
change the settings in the app afterwards (Settings).

Example:
  hms setup --clinic "Riverside Clinic" --time-zone Europe/Athens --currency EUR \
      --admin admin --admin-name "Maria Papadopoulou"`)
	var c app.ClinicSetup
	fs.StringVar(&c.Settings.ClinicName, "clinic", "", "the clinic's `NAME`, as receipts print it (required)")
	fs.StringVar(&c.Settings.Address, "address", "", "the clinic's postal `ADDRESS`")
	fs.StringVar(&c.Settings.Phone, "phone", "", "the clinic's `PHONE` number")
	fs.StringVar(&c.Settings.TaxID, "tax-id", "", "the clinic's tax `ID`")
	fs.StringVar(&c.Settings.TimeZone, "time-zone", "", "the clinic's IANA time `ZONE`, e.g. Europe/Athens or Africa/Nairobi (required)")
	fs.StringVar(&c.Settings.Currency, "currency", "", "the ISO 4217 currency `CODE`, e.g. EUR or USD (required)")
	fs.IntVar(&c.Settings.AutoLockMinutes, "auto-lock", app.DefaultAutoLockMinutes, "lock the screen after this many idle `MINUTES`")
	fs.StringVar(&c.AdminUsername, "admin", "", "the first administrator's `USERNAME` (required)")
	fs.StringVar(&c.AdminFullName, "admin-name", "", "the first administrator's full `NAME` (required)")
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return r.usageError(fs, "setup takes no arguments, only flags (got %q)", pos[0])
	}
	// Check everything but the password before asking for it.
	pre := c
	if err := pre.Validate(); err != nil && app.ErrorField(err) != "password" {
		return r.fail(err, setupFlags)
	}

	svc, closer, path, err := r.open(false)
	if err != nil {
		return r.fail(err, nil)
	}
	defer r.closeDB(closer, &code)
	need, err := svc.Settings.NeedsSetup(r.ctx)
	if err != nil {
		return r.fail(err, nil)
	}
	if !need {
		return r.fail(app.Errorf(app.ECONFLICT,
			"The database at %s is already set up; change the clinic's settings in the app instead.", path), nil)
	}
	if c.AdminPassword, err = r.readPassword("Password for "+app.NormalizeUsername(c.AdminUsername), true); err != nil {
		return r.fail(err, setupFlags)
	}
	u, err := svc.Settings.Setup(r.ctx, c)
	if err != nil {
		return r.fail(err, setupFlags)
	}
	fmt.Fprintf(r.env.Stdout, "Set up %q in %s.\nAdministrator %s can log in now.\n",
		strings.TrimSpace(c.Settings.ClinicName), path, u.Username)
	return ExitOK
}

func (r *runner) cmdDemo(args []string) (code int) {
	fs := r.newFlags("demo", "hms [--db PATH] demo [--patients N] [--force]",
		`Builds a database full of realistic demo data (the clinic, staff of every
role, patients) and prints the demo accounts and their passwords, so you can
explore HMS at once. It will not overwrite an existing database unless you
pass --force, which moves the old one aside (it is not deleted).

Example:
  hms --db ~/hms-demo.db demo --patients 5000`)
	patients := fs.Int("patients", 500, "how many `N` patients to make")
	force := fs.Bool("force", false, "move an existing database aside and build the demo in its place")
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return r.usageError(fs, "demo takes no arguments, only flags (got %q)", pos[0])
	}
	if *patients < 0 {
		return r.usageError(fs, "--patients must be 0 or more")
	}
	path, err := r.dbPath()
	if err != nil {
		return r.fail(err, nil)
	}
	if r.env.Demo == nil {
		return r.fail(app.Errorf(app.EINTERNAL, "This build of hms cannot build a demo database."), nil)
	}
	if _, err := os.Stat(path); err == nil {
		if !*force {
			return r.fail(app.Errorf(app.ECONFLICT,
				"There is already a database at %s: pass --force to move it aside and build the demo in its place, or choose another path with --db.", path), nil)
		}
		aside, err := moveAside(path, r.keyPath(path), "before-demo")
		if err != nil {
			return r.fail(err, nil)
		}
		fmt.Fprintf(r.env.Stdout, "The previous database is kept at %s.\n", aside)
	} else if !errors.Is(err, os.ErrNotExist) {
		return r.fail(err, nil)
	}
	if err := r.env.Demo(r.ctx, path, *patients, r.env.Stdout); err != nil {
		return r.fail(err, nil)
	}
	fmt.Fprintf(r.env.Stdout, "Demo database ready at %s.\nOpen it with: hms --db %s\n", path, quoteArg(path))
	return ExitOK
}

// moveAside renames the database at path (and its WAL files) to
// path.TAG-TIMESTAMP and returns the new name. A key file named after the
// database (path + suffix) moves with it, keeping its suffix, so the old
// database still verifies when opened where it now is.
func moveAside(path, key, tag string) (string, error) {
	aside := fmt.Sprintf("%s.%s-%s", path, tag, time.Now().Format("20060102-150405"))
	for i := 2; ; i++ {
		if _, err := os.Stat(aside); errors.Is(err, os.ErrNotExist) {
			break
		}
		aside = fmt.Sprintf("%s.%s-%s-%d", path, tag, time.Now().Format("20060102-150405"), i)
	}
	if err := os.Rename(path, aside); err != nil {
		return "", fmt.Errorf("moving the old database aside: %w", err)
	}
	suffixes := []string{"-wal", "-shm"}
	if strings.HasPrefix(key, path) && len(key) > len(path) {
		suffixes = append(suffixes, key[len(path):])
	}
	for _, suffix := range suffixes {
		if _, err := os.Stat(path + suffix); err == nil {
			if err := os.Rename(path+suffix, aside+suffix); err != nil {
				return "", fmt.Errorf("moving the old database aside: %w", err)
			}
		}
	}
	return aside, nil
}

// quoteArg quotes a path for a shell when it needs it.
func quoteArg(s string) string {
	if strings.ContainsAny(s, " \t'\"$\\&;|()<>*?") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}

func (r *runner) cmdVerify(args []string) (code int) {
	fs := r.newFlags("verify", "hms [--db PATH] verify",
		`Checks the database: SQLite's integrity check, its foreign keys, and the
audit log's hash chain (an edited, deleted or reordered row breaks it; the
audit key file beside the database is needed). Prints a report. The exit
status is 0 only when every check passed, 1 when there are problems.`)
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return r.usageError(fs, "verify takes no arguments (got %q)", pos[0])
	}
	svc, closer, path, err := r.open(true)
	if err != nil {
		return r.fail(err, nil)
	}
	defer r.closeDB(closer, &code)
	rep, err := svc.Audit.Verify(r.ctx)
	if err != nil {
		return r.fail(err, nil)
	}
	printReport(r.env.Stdout, path, rep)
	if !rep.OK() {
		fmt.Fprintln(r.env.Stderr, "hms: the database has problems; see the report above.")
		return ExitFailure
	}
	return ExitOK
}

// printReport writes a verify report for a person to read.
func printReport(w io.Writer, path string, rep *app.VerifyReport) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Database:\t%s\n", path)
	fmt.Fprintf(tw, "Integrity:\t%s\n", okOr(rep.IntegrityOK, fmt.Sprintf("%d problem(s)", max(len(rep.Integrity), 1))))
	fmt.Fprintf(tw, "Foreign keys:\t%s\n", okOr(rep.ForeignKeyOK, fmt.Sprintf("%d violation(s)", max(len(rep.ForeignKeys), 1))))
	fmt.Fprintf(tw, "Audit chain:\t%s\n", okOr(rep.AuditOK, "BROKEN")+fmt.Sprintf(", %d row(s)", rep.AuditRows))
	fmt.Fprintf(tw, "Documents:\t%s\n", okOr(len(rep.DocumentProblems) == 0,
		fmt.Sprintf("%d problem(s)", len(rep.DocumentProblems)))+fmt.Sprintf(", %d checked", rep.Documents))
	fmt.Fprintf(tw, "Schema and guards:\t%s\n", okOr(len(rep.SchemaProblems) == 0, fmt.Sprintf("%d problem(s)", len(rep.SchemaProblems))))
	fmt.Fprintf(tw, "Records:\t%s\n", okOr(len(rep.RecordProblems) == 0,
		fmt.Sprintf("%d problem(s)", len(rep.RecordProblems)))+fmt.Sprintf(", %d checked against their last audited write", rep.Records))
	tw.Flush()
	for _, p := range rep.Integrity {
		fmt.Fprintf(w, "  integrity: %s\n", p)
	}
	for _, p := range rep.ForeignKeys {
		fmt.Fprintf(w, "  foreign key: %s\n", p)
	}
	if rep.AuditProblem != "" {
		fmt.Fprintf(w, "  audit: %s\n", rep.AuditProblem)
	}
	for _, p := range rep.DocumentProblems {
		fmt.Fprintf(w, "  document: %s\n", p)
	}
	for _, p := range rep.SchemaProblems {
		fmt.Fprintf(w, "  schema: %s\n", p)
	}
	for _, p := range rep.RecordProblems {
		fmt.Fprintf(w, "  record: %s\n", p)
	}
	if rep.OK() {
		fmt.Fprintln(w, "Result: OK")
	} else {
		fmt.Fprintln(w, "Result: PROBLEMS FOUND")
	}
}

func okOr(ok bool, bad string) string {
	if ok {
		return "ok"
	}
	return bad
}

func (r *runner) cmdBackup(args []string) (code int) {
	fs := r.newFlags("backup", "hms [--db PATH] backup [--force] [--encrypt [--recipient KEY]] FILE",
		`Writes a consistent copy of the database to FILE, while the app may be
running. Keep a copy of the audit key file beside the database as well: it
is needed to verify the audit log of a restored backup.

With --encrypt, FILE is one encrypted file holding the database and its
audit key, encrypted to the clinic's backup public key (the one set up in
Settings → Backups, or --recipient age1…), and checked after writing by
decrypting it. Restoring it needs the recovery key.`)
	force := fs.Bool("force", false, "replace FILE if it exists")
	encrypt := fs.Bool("encrypt", false, "write one encrypted file with the database and its audit key")
	recipient := fs.String("recipient", "", "the backup public `KEY` (age1…) to encrypt to; default: this desk's, from Settings → Backups")
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 || strings.TrimSpace(pos[0]) == "" {
		return r.usageError(fs, "backup needs one FILE to write")
	}
	if *recipient != "" && !*encrypt {
		return r.usageError(fs, "--recipient goes with --encrypt")
	}
	dst, err := filepath.Abs(pos[0])
	if err != nil {
		return r.fail(err, nil)
	}
	if db, err := r.dbPath(); err == nil {
		// Never, even with --force: writing there would destroy the
		// database or the key its audit log needs.
		own := [][2]string{{db, "the database itself"}, {db + "-wal", "the database's -wal file"},
			{db + "-shm", "the database's -shm file"}, {r.keyPath(db), "the database's audit key file"}}
		for _, o := range own {
			if o[0] != "" && app.SameFile(dst, o[0]) {
				return r.fail(app.Errorf(app.EINVALID, "%s is %s: back the database up to another file.", dst, o[1]), nil)
			}
		}
	}
	if fi, err := os.Stat(dst); err == nil {
		if fi.IsDir() {
			return r.fail(app.Errorf(app.EINVALID, "%s is a folder: name the backup file, e.g. %s.", dst, filepath.Join(dst, "hms-backup.db")), nil)
		}
		if !*force {
			return r.fail(app.Errorf(app.ECONFLICT, "%s already exists: choose another name, or pass --force to replace it.", dst), nil)
		}
	}
	svc, closer, _, err := r.open(true)
	if err != nil {
		return r.fail(err, nil)
	}
	defer r.closeDB(closer, &code)
	// The backup is written beside dst and renamed onto it, so a failed
	// backup leaves an old file there as it was.
	if *encrypt {
		if svc.Backups == nil {
			return r.fail(app.Errorf(app.EINTERNAL, "This build of hms cannot write encrypted backups."), nil)
		}
		run, err := svc.Backups.EncryptedBackup(r.ctx, dst, *recipient)
		if err != nil {
			return r.fail(err, nil)
		}
		fmt.Fprintf(r.env.Stdout, "Backed up to %s, encrypted, with the audit key inside.\n", dst)
		fmt.Fprintf(r.env.Stdout, "Checked after writing: it decrypts, and its %d tables hold the %d rows of the copy.\n", run.Tables, run.Rows)
		fmt.Fprintln(r.env.Stdout, "Restoring it needs the clinic's recovery key.")
		return ExitOK
	}
	if err := svc.Audit.Backup(r.ctx, dst); err != nil {
		return r.fail(err, nil)
	}
	fmt.Fprintf(r.env.Stdout, "Backed up to %s.\n", dst)
	if db, err := r.dbPath(); err == nil && r.keyPath(db) != "" {
		fmt.Fprintf(r.env.Stdout, "Keep a copy of the audit key file %s with it: verifying a restored backup needs it.\n", r.keyPath(db))
	} else {
		fmt.Fprintln(r.env.Stdout, "Keep a copy of the audit key file beside the database with it: verifying a restored backup needs it.")
	}
	return ExitOK
}

func (r *runner) cmdRestore(args []string) (code int) {
	fs := r.newFlags("restore", "hms [--db PATH] restore [--force] [--recovery-key-file PATH] FILE",
		`Replaces the database with a copy of FILE, a backup made by 'hms backup'
(plain), or by 'hms backup --encrypt' or the app's automatic backups
(encrypted: the recovery key is asked for, or read from --recovery-key-file;
a wrong key changes nothing).
FILE is opened read-only and checked first: it must be an HMS database with
every table, index and trigger of its schema version and an audit log that
verifies with the audit key file beside it (FILE.audit-key: a backup from
another computer brings that computer's key; without one, this database's
key is used). Anything else is refused and the database stays as it is;
--force restores a file that fails the schema or audit checks all the same,
with a warning. The swap is atomic: killed at any moment, the old or the new
database is in place. The previous database is not deleted but kept aside;
the command prints where. Close the app on this database first.`)
	force := fs.Bool("force", false, "restore even when FILE's schema or audit log does not check out")
	keyFile := fs.String("recovery-key-file", "", "the file `PATH` holding the recovery key of an encrypted backup")
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 || strings.TrimSpace(pos[0]) == "" {
		return r.usageError(fs, "restore needs one FILE to restore from")
	}
	src, err := filepath.Abs(pos[0])
	if err != nil {
		return r.fail(err, nil)
	}
	if fi, err := os.Stat(src); err != nil {
		return r.fail(app.Errorf(app.ENOTFOUND, "There is no file %s to restore from.", src), nil)
	} else if fi.IsDir() {
		return r.fail(app.Errorf(app.EINVALID, "%s is a folder, not a backup file.", src), nil)
	}
	path, err := r.dbPath()
	if err != nil {
		return r.fail(err, nil)
	}
	if path == src {
		return r.fail(app.Errorf(app.EINVALID, "%s is the database itself: name a backup file.", src), nil)
	}
	if r.env.Restore == nil {
		return r.fail(app.Errorf(app.EINTERNAL, "This build of hms cannot restore databases."), nil)
	}
	recoveryKey := func() (string, error) {
		if *keyFile != "" {
			b, err := os.ReadFile(*keyFile)
			if err != nil {
				return "", app.FieldErrorf("recovery_key", "Cannot read the recovery key file %s: %v.", *keyFile, err)
			}
			return string(b), nil
		}
		return r.readSecret("Recovery key (AGE-SECRET-KEY-1…)", app.FieldErrorf("recovery_key",
			"%s is encrypted: type its recovery key when asked, pass it as the first line of standard input, or use --recovery-key-file.", src))
	}
	res, err := r.env.Restore(path, src, *force, recoveryKey)
	if err != nil {
		return r.fail(err, nil)
	}
	fmt.Fprintf(r.env.Stdout, "Restored %s from %s.\n", path, src)
	if len(res.Checked) > 0 {
		fmt.Fprintln(r.env.Stdout, "Checked before restoring:")
		for _, c := range res.Checked {
			fmt.Fprintf(r.env.Stdout, "  - %s\n", c)
		}
	}
	for _, p := range res.Problems {
		fmt.Fprintf(r.env.Stderr, "hms: warning: restored with --force although %s\n", p)
	}
	if res.Key != "" {
		fmt.Fprintf(r.env.Stdout, "The audit key that came with the backup is now %s.\n", res.Key)
	}
	if res.Aside != "" {
		fmt.Fprintf(r.env.Stdout, "The previous database is kept at %s.\n", res.Aside)
	}
	return ExitOK
}

func (r *runner) cmdVersion(args []string) int {
	fs := r.newFlags("version", "hms version", "Prints the version of hms.")
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return r.usageError(fs, "version takes no arguments")
	}
	v := r.env.Version
	if v == "" {
		v = "dev"
	}
	fmt.Fprintf(r.env.Stdout, "hms %s (%s %s/%s)\n", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return ExitOK
}

// commandList is the summary `hms help` prints, in order.
var commandList = [][2]string{
	{"setup", "set up a new database: the clinic and its first administrator"},
	{"demo", "build a database full of demo data and print its accounts"},
	{"user add", "create an active account"},
	{"user list", "list accounts"},
	{"user approve", "approve a pending staff account"},
	{"user reset-password", "set a new password the user must change at next login"},
	{"user unlock", "unlock an account locked after failed logins"},
	{"user deactivate", "stop an account from logging in"},
	{"verify", "check the database and the audit log"},
	{"backup", "copy the database to a file, even while the app runs"},
	{"restore", "replace the database with a backup"},
	{"audit-key", "keep the audit key in the system's credential store, or in the file beside the database"},
	{"import patients", "import patients from a CSV file, all rows or none"},
	{"export patients", "export patients to a CSV file"},
	{"server init", "create or migrate the clinic's shared sync server (PostgreSQL)"},
	{"server add-desk", "make a desk's own login on the sync server"},
	{"server remove-desk", "revoke a lost or retired desk's login on the sync server"},
	{"sync enroll", "register this desk with the sync server"},
	{"sync once", "push this desk's queued changes to the sync server and pull the other desks'"},
	{"sync status", "say where this desk stands with the sync server"},
	{"sync conflicts", "list the changes that lost or were refused, for review"},
	{"drugs search", "find substances, brands and classes in the drug catalogue"},
	{"drugs check", "check drugs against allergies and each other (exit status 3 when it warns)"},
	{"drugs import", "add the clinic's own products and brands to the drug catalogue, all rows or none"},
	{"codes search", "find diagnosis codes by code or words of their titles"},
	{"codes morbidity", "the coded diagnoses of a period by code, age band and sex, as CSV"},
	{"codes import", "replace a diagnosis code list with a CMS order file or a code,description CSV, all lines or none"},
	{"print", "print a receipt or an invoice on this desk's printer, or save it as PDF"},
	{"display", "open the app with the waiting-room display of the queue, full screen"},
	{"version", "print the version"},
	{"help", "explain a command"},
}

func (r *runner) cmdHelp(args []string) int {
	if len(args) == 0 || (len(args) == 1 && (args[0] == "-h" || args[0] == "--help")) {
		r.printMainUsage(r.env.Stdout)
		return ExitOK
	}
	switch args[0] {
	case "help":
		r.printMainUsage(r.env.Stdout)
		return ExitOK
	case "setup", "demo", "user", "users", "verify", "backup", "restore", "audit-key", "import", "export", "server", "sync", "drugs", "codes", "diagnoses", "print", "display", "version":
		return r.dispatch(args[0], append(append([]string{}, args[1:]...), "-h"))
	}
	fmt.Fprintf(r.env.Stderr, "hms: unknown command %q\nRun 'hms help' for the list of commands.\n", args[0])
	return ExitUsage
}

// printMainUsage writes `hms help`.
func (r *runner) printMainUsage(w io.Writer) {
	def := "the hms folder in your configuration folder"
	if r.env.DefaultDBPath != nil {
		if p, err := r.env.DefaultDBPath(); err == nil {
			def = p
		}
	}
	fmt.Fprintf(w, `HMS desktop: clinic management.

Usage:
  hms [--db PATH]                          open the desktop app
  hms [--db PATH] COMMAND [flags] [args]   run a command

Commands:
`)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range commandList {
		fmt.Fprintf(tw, "  %s\t%s\n", c[0], c[1])
	}
	tw.Flush()
	fmt.Fprintf(w, `
The database is --db PATH, else $%s, else
  %s
The audit key file lives beside the database: back it up too.

Run 'hms help COMMAND' or 'hms COMMAND -h' to learn a command's flags.
`, EnvDB, def)
}

func (r *runner) cmdAuditKey(args []string) int {
	fs := r.newFlags("audit-key", "hms [--db PATH] audit-key store|file|where",
		`Says or changes where the audit key of the database is kept.

  store   move it into the operating system's credential store (Secret
          Service on Linux, Keychain on macOS, Credential Manager on
          Windows); the file beside the database then only names the entry
  file    move it back into the file beside the database
  where   say where it is kept

Someone who copies the database and its key file together can rewrite the
audit log; with the key in the credential store, the file beside the
database is of no use without your login on this computer. A backup
restored on another computer then needs the key moved back into a file
first (hms audit-key file), and that file copied with the backup. Close the
app on this database first. Tested on Linux; on macOS and Windows built and
documented but not tested by the project's tests.`)
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 || (pos[0] != "store" && pos[0] != "file" && pos[0] != "where") {
		return r.usageError(fs, "audit-key needs one of store, file or where")
	}
	path, err := r.dbPath()
	if err != nil {
		return r.fail(err, nil)
	}
	key := r.keyPath(path)
	if r.env.AuditKey == nil || key == "" {
		return r.fail(app.Errorf(app.EINTERNAL, "This build of hms cannot move the audit key."), nil)
	}
	if _, err := os.Stat(key); err != nil {
		return r.fail(app.Errorf(app.ENOTFOUND, "There is no audit key file %s: is %s the database you mean?", key, path), nil)
	}
	inStore, err := r.env.AuditKey(key, pos[0])
	if err != nil {
		return r.fail(err, nil)
	}
	if inStore {
		fmt.Fprintf(r.env.Stdout, "The audit key is kept in the system's credential store; %s names its entry.\n", key)
	} else {
		fmt.Fprintf(r.env.Stdout, "The audit key is kept in the file %s.\n", key)
	}
	return ExitOK
}

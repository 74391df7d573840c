// Package cli is HMS desktop's command line: setup, demo, user management,
// verify, backup and restore, on the app service interfaces. It imports
// neither Fyne nor the data package; main hands it an Env whose functions
// open databases and start the GUI.
package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"hms/app"
)

// Exit statuses of Run.
const (
	ExitOK      = 0 // done
	ExitFailure = 1 // the command ran and failed, or found problems
	ExitUsage   = 2 // the command line was wrong
)

// Env is what the command line needs from its surroundings. main builds it;
// tests pass fakes.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer

	// Version is the program's version, as `hms version` prints it.
	Version string
	// OSUser names the operating-system user; the audit log records
	// command-line actions as app.SystemCaller(OSUser).
	OSUser string
	// Getenv reads an environment variable (HMS_DB). Nil means os.Getenv.
	Getenv func(key string) string

	// DefaultDBPath returns the database used when neither --db nor HMS_DB
	// names one: os.UserConfigDir()/hms/hms.db.
	DefaultDBPath func() (string, error)
	// Open opens the database at dbPath, creating and migrating it when
	// needed, and returns its services and what closes it.
	Open func(dbPath string) (app.Services, io.Closer, error)
	// Restore replaces the database at dbPath with a copy of src, after
	// checking src (force restores one that fails the schema or audit
	// checks), and says what it checked and where the previous database was
	// kept aside. The database must not be open in this process. An
	// encrypted backup asks recoveryKey for its key.
	Restore func(dbPath, src string, force bool, recoveryKey func() (string, error)) (RestoreResult, error)
	// AuditKey moves the audit key whose file is keyPath ("store": into
	// the system's credential store, "file": back into the file; "where":
	// neither) and says whether it is now in the store.
	AuditKey func(keyPath, to string) (inStore bool, err error)
	// Demo builds a demo database at dbPath (which does not exist) with
	// the given number of patients and prints the demo credentials to out.
	Demo func(ctx context.Context, dbPath string, patients int, out io.Writer) error
	// RunGUI opens the desktop app on dbPath and returns when it quits.
	RunGUI func(dbPath string) error
	// RunDisplay opens the desktop app on dbPath with the waiting-room
	// display, which opens full screen after the login (hms display).
	RunDisplay func(dbPath string) error
	// AuditKeyPath returns the audit key file that belongs to the database
	// at dbPath, so messages can name it and `demo --force` can move it aside
	// with its database. Nil: the key file is not mentioned by name.
	AuditKeyPath func(dbPath string) string
	// InitServer creates or migrates the sync schema of the PostgreSQL
	// database at url (hms server init). Nil: this build cannot.
	InitServer func(ctx context.Context, url string) (*app.ServerInit, error)
	// PruneServer removes what no desk needs any more from the sync server
	// at url (hms server prune). Nil: this build cannot.
	PruneServer func(ctx context.Context, url string) (*app.ServerPrune, error)
	// AddDesk makes a desk's own login on the sync server at url (hms
	// server add-desk); RemoveDesk revokes one (hms server remove-desk).
	// Nil: this build cannot.
	AddDesk    func(ctx context.Context, url, name string) (*app.DeskLogin, error)
	RemoveDesk func(ctx context.Context, url, name string) (*app.DeskLogin, error)
	// GOOS is the operating system (runtime.GOOS): it picks the print
	// command (lp, or the Windows shell).
	GOOS string
	// Command runs a program and returns its combined output (hms print
	// runs lp with it). Nil: this build cannot print, only save.
	Command func(name string, args ...string) ([]byte, error)
	// SendRaw sends raw printer commands to a target (hms print on a desk
	// whose receipts are ESC/POS): escpos.Sender.Send. Nil: this build
	// cannot.
	SendRaw func(ctx context.Context, target string, data []byte) error
}

// EnvDB is the environment variable that names the database when --db does not.
const EnvDB = "HMS_DB"

// Run runs the command line args (without the program name) and returns the
// exit status: 0 when done, 1 when the command failed, 2 for a usage error.
// With no command it runs the GUI.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	osUser := env.OSUser
	if osUser == "" {
		osUser = "unknown"
	}
	r := &runner{
		ctx:   app.NewContextWithCaller(ctx, app.SystemCaller(osUser)),
		env:   env,
		stdin: bufio.NewReader(env.Stdin),
	}
	return r.main(args)
}

// runner holds the state of one Run.
type runner struct {
	ctx    context.Context
	env    Env
	stdin  *bufio.Reader
	dbFlag string // --db as given
}

func (r *runner) main(args []string) int {
	fs := r.newFlags("", "hms [--db PATH] [COMMAND [flags] [args]]", "")
	fs.StringVar(&r.dbFlag, "db", "", "the database `PATH` (default: $"+EnvDB+", else the hms folder in your configuration folder)")
	fs.SetInterspersed(false)
	rest, code, ok := r.parse(fs, args)
	if !ok {
		if code == ExitOK {
			r.printMainUsage(r.env.Stdout)
		}
		return code
	}
	if isSet(fs.FlagSet, "db") && strings.TrimSpace(r.dbFlag) == "" {
		return r.usageError(fs, "--db needs a file path")
	}
	if len(rest) == 0 {
		return r.cmdGUI()
	}
	return r.dispatch(rest[0], rest[1:])
}

// dispatch runs one command.
func (r *runner) dispatch(name string, args []string) int {
	switch name {
	case "setup":
		return r.cmdSetup(args)
	case "demo":
		return r.cmdDemo(args)
	case "user", "users":
		return r.cmdUser(args)
	case "verify":
		return r.cmdVerify(args)
	case "backup":
		return r.cmdBackup(args)
	case "restore":
		return r.cmdRestore(args)
	case "audit-key":
		return r.cmdAuditKey(args)
	case "import":
		return r.cmdImport(args)
	case "export":
		return r.cmdExport(args)
	case "server":
		return r.cmdServer(args)
	case "sync":
		return r.cmdSync(args)
	case "drugs":
		return r.cmdDrugs(args)
	case "codes", "diagnoses":
		return r.cmdCodes(args)
	case "print":
		return r.cmdPrint(args)
	case "version":
		return r.cmdVersion(args)
	case "display":
		return r.cmdDisplay(args)
	case "help":
		return r.cmdHelp(args)
	}
	fmt.Fprintf(r.env.Stderr, "hms: unknown command %q\nRun 'hms help' for the list of commands.\n", name)
	return ExitUsage
}

// keyPath is the audit key file of the database at dbPath, or "".
func (r *runner) keyPath(dbPath string) string {
	if r.env.AuditKeyPath == nil {
		return ""
	}
	return r.env.AuditKeyPath(dbPath)
}

// RestoreResult is what a restore says it did.
type RestoreResult struct {
	Aside    string   // where the previous database is kept ("" when none)
	Checked  []string // each check the file passed, for people
	Problems []string // each check it failed (restored only with --force)
	Key      string   // the key file the backup's key was installed as, "" when the database's own was kept
}

// dbPath resolves the database: --db, else $HMS_DB, else the default.
func (r *runner) dbPath() (string, error) {
	p := strings.TrimSpace(r.dbFlag)
	if p == "" {
		p = strings.TrimSpace(r.env.Getenv(EnvDB))
	}
	if p == "" {
		if r.env.DefaultDBPath == nil {
			return "", app.Errorf(app.EINTERNAL, "No database given: use --db PATH.")
		}
		d, err := r.env.DefaultDBPath()
		if err != nil {
			return "", app.Errorf(app.EINTERNAL, "Cannot find your configuration folder to keep the database in (%v): use --db PATH.", err)
		}
		p = d
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	return p, nil
}

// open opens the database. With mustExist it refuses to create a database
// that is not there (a typo in --db should not make a new, empty one).
func (r *runner) open(mustExist bool) (app.Services, io.Closer, string, error) {
	path, err := r.dbPath()
	if err != nil {
		return app.Services{}, nil, "", err
	}
	if mustExist {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return app.Services{}, nil, path, app.Errorf(app.ENOTFOUND,
				"There is no database at %s: run 'hms setup' (or 'hms demo') first, or name another one with --db.", path)
		}
	}
	if r.env.Open == nil {
		return app.Services{}, nil, path, app.Errorf(app.EINTERNAL, "This build of hms cannot open databases.")
	}
	svc, c, err := r.env.Open(path)
	if err != nil {
		return app.Services{}, nil, path, err
	}
	return svc, c, path, nil
}

// closeDB closes the database and turns a failure into a failed exit.
func (r *runner) closeDB(c io.Closer, code *int) {
	if c == nil {
		return
	}
	if err := c.Close(); err != nil && *code == ExitOK {
		*code = r.fail(err, nil)
	}
}

// fail prints an error as `hms: message` and returns ExitFailure. flags maps
// an error's field to the flag that sets it, so the message names the flag.
func (r *runner) fail(err error, flags map[string]string) int {
	msg := app.ErrorMessage(err)
	if f := app.ErrorField(err); f != "" {
		if name, ok := flags[f]; ok {
			msg = name + ": " + msg
		}
	}
	fmt.Fprintf(r.env.Stderr, "hms: %s\n", msg)
	var ae *app.Error
	if !errors.As(err, &ae) {
		// Not a domain error: the person at the terminal is the one who can
		// act on the cause (a full disk, a missing folder), so show it.
		fmt.Fprintf(r.env.Stderr, "hms: detail: %v\n", err)
	}
	return ExitFailure
}

// usageError prints a usage problem and returns ExitUsage.
func (r *runner) usageError(fs *flagSet, format string, args ...any) int {
	fmt.Fprintf(r.env.Stderr, "hms: %s\n", fmt.Sprintf(format, args...))
	fmt.Fprintf(r.env.Stderr, "Usage: %s\n", fs.usage)
	if fs.cmd == "" {
		fmt.Fprintf(r.env.Stderr, "Run 'hms help' for more.\n")
	} else {
		fmt.Fprintf(r.env.Stderr, "Run 'hms %s -h' for more.\n", fs.cmd)
	}
	return ExitUsage
}

// cmdDisplay opens the app with the waiting-room display.
func (r *runner) cmdDisplay(args []string) int {
	fs := r.newFlags("display", "hms [--db PATH] display",
		"Opens the desktop app and, after the login, the waiting-room display full screen: the latest tokens\n"+
			"called and their rooms, large, updated as doctors call. Names show only when the clinic's settings\n"+
			"turn them on. Escape closes the display.")
	pos, code, ok := r.parse(fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return r.usageError(fs, "display takes no arguments")
	}
	path, err := r.dbPath()
	if err != nil {
		return r.fail(err, nil)
	}
	if r.env.RunDisplay == nil {
		return r.fail(app.Errorf(app.EINTERNAL, "This build of hms has no desktop interface."), nil)
	}
	if err := r.env.RunDisplay(path); err != nil {
		return r.fail(err, nil)
	}
	return ExitOK
}

func (r *runner) cmdGUI() (code int) {
	path, err := r.dbPath()
	if err != nil {
		return r.fail(err, nil)
	}
	if r.env.RunGUI == nil {
		return r.fail(app.Errorf(app.EINTERNAL, "This build of hms has no desktop interface."), nil)
	}
	if err := r.env.RunGUI(path); err != nil {
		return r.fail(err, nil)
	}
	return ExitOK
}

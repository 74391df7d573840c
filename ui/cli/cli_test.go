package cli_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/ui/cli"
)

const goodPassword = "tulip orbit canvas ferry"

// harness runs the command line against a fakeClinic whose database file is
// a real (empty) file in a temporary folder.
type harness struct {
	t       *testing.T
	clinic  *fakeClinic
	dir     string
	dbPath  string
	env     map[string]string
	opened  []string
	gui     []string
	display []string
	guiErr  error
	demos   []int
	demoErr error

	restored   [][2]string
	restoreErr error

	goos     string     // Env.GOOS
	commands [][]string // what Env.Command ran
	raw      []string   // hms print's raw sends: target, a space, the bytes
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	dir := t.TempDir()
	h := &harness{t: t, clinic: newFakeClinic(), dir: dir, dbPath: filepath.Join(dir, "hms.db"), env: map[string]string{}}
	return h
}

// createDB makes the database file exist, set up or not.
func (h *harness) createDB(setUp bool) {
	h.t.Helper()
	if err := os.WriteFile(h.dbPath, []byte("SQLite format 3\x00"), 0o600); err != nil {
		h.t.Fatal(err)
	}
	h.clinic.setUp = setUp
	if setUp {
		h.clinic.addUser(app.User{Username: "admin", FullName: "Ada Admin", Role: app.RoleAdmin, Status: app.StatusActive})
	}
}

type result struct {
	code           int
	stdout, stderr string
}

// run runs hms with args and stdin, with --db pointing at the harness's file
// unless args set the database themselves.
func (h *harness) run(stdin string, args ...string) result {
	h.t.Helper()
	var out, errb bytes.Buffer
	env := cli.Env{
		Stdin:   strings.NewReader(stdin),
		Stdout:  &out,
		Stderr:  &errb,
		Version: "1.2.3",
		OSUser:  "tester",
		Getenv:  func(k string) string { return h.env[k] },
		DefaultDBPath: func() (string, error) {
			return filepath.Join(h.dir, "default", "hms.db"), nil
		},
		Open: func(p string) (app.Services, io.Closer, error) {
			h.opened = append(h.opened, p)
			if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
				return app.Services{}, nil, err
			}
			if _, err := os.Stat(p); err != nil {
				if err := os.WriteFile(p, []byte("SQLite format 3\x00"), 0o600); err != nil {
					return app.Services{}, nil, err
				}
			}
			return h.clinic.services(), h.clinic, nil
		},
		Restore: func(p, src string, force bool, _ func() (string, error)) (cli.RestoreResult, error) {
			h.restored = append(h.restored, [2]string{p, src})
			if h.restoreErr != nil {
				return cli.RestoreResult{}, h.restoreErr
			}
			return cli.RestoreResult{Aside: p + ".before-restore", Checked: []string{"its audit log verifies"}}, nil
		},
		Demo: func(ctx context.Context, p string, n int, w io.Writer) error {
			if _, ok := app.CallerFromContext(ctx); !ok {
				return errors.New("demo without a caller")
			}
			h.demos = append(h.demos, n)
			if h.demoErr != nil {
				return h.demoErr
			}
			fmt.Fprintln(w, "admin / demo-password-admin")
			return os.WriteFile(p, []byte("SQLite format 3\x00demo"), 0o600)
		},
		RunGUI: func(p string) error {
			h.gui = append(h.gui, p)
			return h.guiErr
		},
		RunDisplay: func(p string) error {
			h.display = append(h.display, p)
			return h.guiErr
		},
		AuditKeyPath: func(p string) string { return p + ".audit-key" },
		GOOS:         h.goos,
		Command: func(name string, args ...string) ([]byte, error) {
			h.commands = append(h.commands, append([]string{name}, args...))
			return nil, nil
		},
		SendRaw: func(ctx context.Context, target string, data []byte) error {
			h.raw = append(h.raw, target+" "+string(data))
			return nil
		},
	}
	code := cli.Run(context.Background(), args, env)
	return result{code, out.String(), errb.String()}
}

// db prefixes args with --db for the harness's database.
func (h *harness) db(args ...string) []string {
	return append([]string{"--db", h.dbPath}, args...)
}

func (r result) want(t *testing.T, code int, stdoutHas, stderrHas string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, stdoutHas) {
		t.Errorf("stdout lacks %q:\n%s", stdoutHas, r.stdout)
	}
	if !strings.Contains(r.stderr, stderrHas) {
		t.Errorf("stderr lacks %q:\n%s", stderrHas, r.stderr)
	}
}

func TestVersion(t *testing.T) {
	h := newHarness(t)
	h.run("", "version").want(t, 0, "hms 1.2.3", "")
	h.run("", "version", "extra").want(t, 2, "", "no arguments")
	if len(h.opened) != 0 {
		t.Errorf("version opened a database: %v", h.opened)
	}
}

func TestHelp(t *testing.T) {
	h := newHarness(t)
	t.Run("Main", func(t *testing.T) {
		for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"help", "help"}} {
			r := h.run("", args...)
			r.want(t, 0, "Commands:", "")
			for _, c := range []string{"setup", "demo", "user add", "user reset-password", "verify", "backup", "restore", "version", "HMS_DB"} {
				if !strings.Contains(r.stdout, c) {
					t.Errorf("%v: help does not mention %q", args, c)
				}
			}
			if !strings.Contains(r.stdout, filepath.Join(h.dir, "default", "hms.db")) {
				t.Errorf("%v: help does not show the default database", args)
			}
		}
	})
	cmds := [][]string{
		{"setup"}, {"demo"}, {"user"}, {"user", "add"}, {"user", "list"}, {"user", "reset-password"},
		{"user", "unlock"}, {"user", "deactivate"}, {"user", "approve"}, {"verify"}, {"backup"},
		{"restore"}, {"version"},
	}
	for _, c := range cmds {
		name := strings.Join(c, " ")
		t.Run(name, func(t *testing.T) {
			want := "Usage: hms"
			h.run("", append([]string{"help"}, c...)...).want(t, 0, want, "")
			h.run("", append(c, "-h")...).want(t, 0, want, "")
			h.run("", append(c, "--help")...).want(t, 0, want, "")
		})
	}
	t.Run("Flags", func(t *testing.T) {
		r := h.run("", "setup", "-h")
		for _, f := range []string{"--clinic", "--address", "--phone", "--time-zone", "--currency", "--admin ", "--admin-name"} {
			if !strings.Contains(r.stdout, f) {
				t.Errorf("setup -h does not mention %s:\n%s", f, r.stdout)
			}
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		h.run("", "help", "frobnicate").want(t, 2, "", `unknown command "frobnicate"`)
	})
	if len(h.opened)+len(h.gui) != 0 {
		t.Errorf("help opened something: %v %v", h.opened, h.gui)
	}
}

func TestUsageErrors(t *testing.T) {
	h := newHarness(t)
	h.createDB(true)
	h.run("", "frobnicate").want(t, 2, "", `unknown command "frobnicate"`)
	h.run("", "--nope").want(t, 2, "", "unknown flag --nope")
	h.run("", "--db").want(t, 2, "", "needs a value: --db")
	h.run("", "--db", "").want(t, 2, "", "--db needs a file path")
	h.run("", h.db("user")...).want(t, 2, "", "user needs a subcommand")
	h.run("", h.db("user", "frob")...).want(t, 2, "", `unknown user subcommand "frob"`)
	h.run("", h.db("user", "add", "--bogus")...).want(t, 2, "", "unknown flag --bogus")
	h.run("", h.db("user", "unlock")...).want(t, 2, "", "needs one USERNAME")
	h.run("", h.db("user", "unlock", "a", "b")...).want(t, 2, "", "needs one USERNAME")
	h.run("", h.db("backup")...).want(t, 2, "", "needs one FILE")
	h.run("", h.db("restore")...).want(t, 2, "", "needs one FILE")
	h.run("", h.db("verify", "now")...).want(t, 2, "", "no arguments")
	h.run("", h.db("demo", "--patients", "many")...).want(t, 2, "", "invalid value")
	h.run("", h.db("demo", "--patients", "-1")...).want(t, 2, "", "--patients")
	h.run("", h.db("setup", "stray")...).want(t, 2, "", "no arguments")
	r := h.run("", h.db("user", "add", "--bogus")...)
	if !strings.Contains(r.stderr, "hms user add -h") {
		t.Errorf("usage error does not point at -h: %s", r.stderr)
	}
}

// TestDisplayCommand: hms display opens the app with the waiting-room
// display on the database chosen, and takes no arguments.
func TestDisplayCommand(t *testing.T) {
	h := newHarness(t)
	h.run("", h.db("display")...).want(t, 0, "", "")
	if len(h.display) != 1 || h.display[0] != h.dbPath || len(h.gui) != 0 {
		t.Errorf("display ran on %v (GUI %v), want %s", h.display, h.gui, h.dbPath)
	}
	h.run("", h.db("display", "tv")...).want(t, 2, "", "no arguments")
	h.run("", "help", "display").want(t, 0, "waiting-room display", "")
}

func TestDatabasePath(t *testing.T) {
	t.Run("Default", func(t *testing.T) {
		h := newHarness(t)
		h.run("").want(t, 0, "", "")
		if want := filepath.Join(h.dir, "default", "hms.db"); len(h.gui) != 1 || h.gui[0] != want {
			t.Errorf("GUI ran on %v, want %s", h.gui, want)
		}
	})
	t.Run("Env", func(t *testing.T) {
		h := newHarness(t)
		h.env["HMS_DB"] = filepath.Join(h.dir, "env.db")
		h.run("").want(t, 0, "", "")
		if len(h.gui) != 1 || h.gui[0] != h.env["HMS_DB"] {
			t.Errorf("GUI ran on %v, want %s", h.gui, h.env["HMS_DB"])
		}
	})
	t.Run("FlagWins", func(t *testing.T) {
		h := newHarness(t)
		h.env["HMS_DB"] = filepath.Join(h.dir, "env.db")
		h.run("", "--db", h.dbPath).want(t, 0, "", "")
		h.run("", "--db="+h.dbPath).want(t, 0, "", "")
		if len(h.gui) != 2 || h.gui[0] != h.dbPath || h.gui[1] != h.dbPath {
			t.Errorf("GUI ran on %v, want %s", h.gui, h.dbPath)
		}
	})
	t.Run("Relative", func(t *testing.T) {
		h := newHarness(t)
		h.run("", "--db", "rel.db").want(t, 0, "", "")
		if len(h.gui) != 1 || !filepath.IsAbs(h.gui[0]) {
			t.Errorf("GUI ran on %v, want an absolute path", h.gui)
		}
	})
	t.Run("NoDefault", func(t *testing.T) {
		var errb bytes.Buffer
		code := cli.Run(context.Background(), []string{"verify"}, cli.Env{
			Stderr:        &errb,
			Getenv:        func(string) string { return "" },
			DefaultDBPath: func() (string, error) { return "", errors.New("$HOME is not defined") },
		})
		if code != 1 || !strings.Contains(errb.String(), "--db PATH") {
			t.Errorf("exit %d, stderr %q", code, errb.String())
		}
	})
	t.Run("GUIError", func(t *testing.T) {
		h := newHarness(t)
		h.guiErr = app.Errorf(app.EINTERNAL, "No display.")
		h.run("", h.db()...).want(t, 1, "", "hms: No display.")
	})
	t.Run("MissingDatabase", func(t *testing.T) {
		h := newHarness(t)
		for _, args := range [][]string{{"verify"}, {"user", "list"}, {"user", "unlock", "x"}, {"backup", filepath.Join(h.dir, "b.db")}} {
			h.run("", h.db(args...)...).want(t, 1, "", "There is no database at")
		}
		if len(h.opened) != 0 {
			t.Errorf("opened a missing database: %v", h.opened)
		}
		if _, err := os.Stat(h.dbPath); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a database was created: %v", err)
		}
	})
}

func setupArgs(h *harness, extra ...string) []string {
	return h.db(append([]string{"setup", "--clinic", "Riverside Clinic", "--address", "1 River Rd",
		"--phone", "+30 210 1234567", "--time-zone", "Europe/Athens", "--currency", "eur",
		"--admin", "Boss", "--admin-name", "Maria Papadopoulou"}, extra...)...)
}

func TestSetup(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		h := newHarness(t)
		h.run(goodPassword+"\n", setupArgs(h)...).want(t, 0, "Administrator boss can log in now", "")
		s := h.clinic.settings
		if s.ClinicName != "Riverside Clinic" || s.TimeZone != "Europe/Athens" || s.Currency != "EUR" ||
			s.Address != "1 River Rd" || s.AutoLockMinutes != app.DefaultAutoLockMinutes {
			t.Errorf("settings %+v", s)
		}
		if u := h.clinic.user("boss"); u == nil || u.Role != app.RoleAdmin {
			t.Errorf("admin %+v", u)
		}
		if len(h.clinic.callers) == 0 || h.clinic.callers[0] != app.SystemCaller("tester") {
			t.Errorf("callers %+v, want the system caller", h.clinic.callers)
		}
		if h.clinic.closed != 1 {
			t.Errorf("closed %d times", h.clinic.closed)
		}
	})
	t.Run("PasswordWithoutNewline", func(t *testing.T) {
		h := newHarness(t)
		h.run(goodPassword, setupArgs(h)...).want(t, 0, "can log in now", "")
	})
	t.Run("ErrTwice", func(t *testing.T) {
		h := newHarness(t)
		h.run(goodPassword+"\n", setupArgs(h)...).want(t, 0, "", "")
		h.run(goodPassword+"\n", setupArgs(h)...).want(t, 1, "", "already set up")
	})
	t.Run("ErrTimeZone", func(t *testing.T) {
		h := newHarness(t)
		r := h.run(goodPassword+"\n", setupArgs(h, "--time-zone", "Mars/Olympus")...)
		r.want(t, 1, "", "hms: --time-zone: ")
		if h.clinic.setUp || len(h.opened) != 0 {
			t.Errorf("bad time zone opened the database or set it up")
		}
	})
	t.Run("ErrCurrency", func(t *testing.T) {
		h := newHarness(t)
		h.run(goodPassword+"\n", setupArgs(h, "--currency", "XYZ")...).want(t, 1, "", "hms: --currency: ")
	})
	t.Run("ErrMissingClinic", func(t *testing.T) {
		h := newHarness(t)
		h.run(goodPassword+"\n", h.db("setup", "--time-zone", "UTC", "--currency", "EUR", "--admin", "boss", "--admin-name", "B")...).
			want(t, 1, "", "hms: --clinic: ")
	})
	t.Run("ErrAdminName", func(t *testing.T) {
		h := newHarness(t)
		h.run(goodPassword+"\n", setupArgs(h, "--admin-name", " ")...).want(t, 1, "", "hms: --admin-name: ")
		h.run(goodPassword+"\n", setupArgs(h, "--admin", "x")...).want(t, 1, "", "hms: --admin: ")
	})
	t.Run("ErrWeakPassword", func(t *testing.T) {
		h := newHarness(t)
		h.run("password\n", setupArgs(h)...).want(t, 1, "", "hms: password: ")
		h.run("password123456\n", setupArgs(h)...).want(t, 1, "", "common")
		if h.clinic.setUp {
			t.Error("set up with a weak password")
		}
	})
	t.Run("ErrNoPassword", func(t *testing.T) {
		h := newHarness(t)
		h.run("", setupArgs(h)...).want(t, 1, "", "No password given")
		h.run("\n", setupArgs(h)...).want(t, 1, "", "No password given")
	})
}

func TestDemo(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		h := newHarness(t)
		h.run("", h.db("demo", "--patients", "25")...).want(t, 0, "demo-password-admin", "")
		if len(h.demos) != 1 || h.demos[0] != 25 {
			t.Errorf("demo calls %v", h.demos)
		}
	})
	t.Run("DefaultSize", func(t *testing.T) {
		h := newHarness(t)
		h.run("", h.db("demo")...).want(t, 0, "Demo database ready", "")
		if len(h.demos) != 1 || h.demos[0] <= 0 {
			t.Errorf("demo calls %v", h.demos)
		}
	})
	t.Run("ErrExists", func(t *testing.T) {
		h := newHarness(t)
		h.createDB(true)
		before, _ := os.ReadFile(h.dbPath)
		h.run("", h.db("demo")...).want(t, 1, "", "--force")
		after, _ := os.ReadFile(h.dbPath)
		if len(h.demos) != 0 || !bytes.Equal(before, after) {
			t.Error("demo touched an existing database without --force")
		}
	})
	t.Run("Force", func(t *testing.T) {
		h := newHarness(t)
		h.createDB(true)
		os.WriteFile(h.dbPath+"-wal", []byte("wal"), 0o600)
		os.WriteFile(h.dbPath+".audit-key", []byte("key"), 0o600)
		r := h.run("", h.db("demo", "--force", "--patients", "3")...)
		r.want(t, 0, "previous database is kept at", "")
		matches, _ := filepath.Glob(h.dbPath + ".before-demo-*")
		if len(matches) != 3 { // the database, its WAL and its key
			t.Errorf("aside files %v", matches)
		}
		if m, _ := filepath.Glob(h.dbPath + ".before-demo-*.audit-key"); len(m) != 1 {
			t.Errorf("the key did not move with its database: %v", matches)
		}
		if _, err := os.Stat(h.dbPath + "-wal"); !errors.Is(err, os.ErrNotExist) {
			t.Error("the old WAL was left beside the new database")
		}
	})
	t.Run("ErrDemo", func(t *testing.T) {
		h := newHarness(t)
		h.demoErr = errors.New("disk full")
		h.run("", h.db("demo")...).want(t, 1, "", "disk full")
	})
}

func TestUserAdd(t *testing.T) {
	add := func(h *harness, extra ...string) []string {
		return h.db(append([]string{"user", "add", "--username", "JDoe", "--name", "Jane Doe", "--role", "doctor",
			"--email", "jane@example.org"}, extra...)...)
	}
	t.Run("OK", func(t *testing.T) {
		h := newHarness(t)
		h.createDB(true)
		h.run(goodPassword+"\n", add(h)...).want(t, 0, "Created jdoe (Jane Doe, Doctor)", "")
		u := h.clinic.user("jdoe")
		if u == nil || u.Role != app.RoleDoctor || u.Email != "jane@example.org" || u.Status != app.StatusActive {
			t.Errorf("user %+v", u)
		}
	})
	t.Run("RoleLabel", func(t *testing.T) {
		h := newHarness(t)
		h.createDB(true)
		h.run(goodPassword+"\n", h.db("user", "add", "--username", "bill", "--name", "B", "--role", "Billing")...).want(t, 0, "Billing clerk", "")
	})
	t.Run("ErrRole", func(t *testing.T) {
		h := newHarness(t)
		h.createDB(true)
		h.run(goodPassword+"\n", add(h, "--role", "janitor")...).want(t, 2, "", `--role: Unknown role "janitor"`)
		h.run(goodPassword+"\n", h.db("user", "add", "--username", "x1x", "--name", "X")...).want(t, 2, "", "--role is required")
	})
	t.Run("ErrFields", func(t *testing.T) {
		h := newHarness(t)
		h.createDB(true)
		h.run(goodPassword+"\n", add(h, "--email", "not-an-email")...).want(t, 1, "", "hms: --email: ")
		h.run(goodPassword+"\n", add(h, "--phone", "abc")...).want(t, 1, "", "hms: --phone: ")
		h.run(goodPassword+"\n", add(h, "--username", "!")...).want(t, 1, "", "hms: --username: ")
		h.run(goodPassword+"\n", add(h, "--name", "")...).want(t, 1, "", "hms: --name: ")
		if h.clinic.user("jdoe") != nil {
			t.Error("created a user from bad input")
		}
	})
	t.Run("ErrWeakPassword", func(t *testing.T) {
		h := newHarness(t)
		h.createDB(true)
		h.run("short\n", add(h)...).want(t, 1, "", "hms: password: The password is too short")
	})
	t.Run("ErrTaken", func(t *testing.T) {
		h := newHarness(t)
		h.createDB(true)
		h.run(goodPassword+"\n", add(h)...).want(t, 0, "", "")
		h.run(goodPassword+"\n", add(h)...).want(t, 1, "", "hms: --username: This username is taken.")
	})
	t.Run("ErrNotSetUp", func(t *testing.T) {
		h := newHarness(t)
		h.createDB(false)
		h.run(goodPassword+"\n", add(h)...).want(t, 1, "", "run 'hms setup' first")
	})
}

func TestUserList(t *testing.T) {
	h := newHarness(t)
	h.createDB(true)
	h.clinic.addUser(app.User{Username: "nina", FullName: "Nina\nNurse", Role: app.RoleNurse, Status: app.StatusPending})
	h.clinic.addUser(app.User{Username: "doc", FullName: "Doc Tor", Role: app.RoleDoctor, Status: app.StatusActive,
		LockedUntil: time.Now().Add(time.Hour), MustChangePassword: true, LastLoginAt: time.Now()})

	r := h.run("", h.db("user", "list")...)
	r.want(t, 0, "USERNAME", "")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 4 {
		t.Fatalf("want a header and 3 rows:\n%s", r.stdout)
	}
	for _, want := range []string{"admin", "Nina Nurse", "pending", "locked until", "must change password", "never"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("list lacks %q:\n%s", want, r.stdout)
		}
	}
	// tabwriter aligns the columns.
	if strings.Index(lines[1], "Ada Admin") != strings.Index(lines[0], " NAME")+1 {
		t.Errorf("columns not aligned:\n%s", r.stdout)
	}

	r = h.run("", h.db("user", "list", "--role", "nurse")...)
	r.want(t, 0, "nina", "")
	if strings.Contains(r.stdout, "admin") {
		t.Errorf("--role nurse lists the admin:\n%s", r.stdout)
	}
	r = h.run("", h.db("user", "list", "--status", "active")...)
	if strings.Contains(r.stdout, "nina") || !strings.Contains(r.stdout, "doc") {
		t.Errorf("--status active:\n%s", r.stdout)
	}
	h.run("", h.db("user", "list", "--role", "billing")...).want(t, 0, "No accounts match", "")
	h.run("", h.db("user", "list", "--status", "gone")...).want(t, 2, "", "--status")
	h.run("", h.db("user", "list", "--role", "king")...).want(t, 2, "", "--role")
	h.run("", h.db("user", "list", "--limit", "0")...).want(t, 2, "", "--limit")
	h.run("", h.db("user", "list", "--limit", "2")...).want(t, 0, "", "first 2 accounts")

	// A name stored before names refused control characters (or from an
	// older desk) cannot drive the terminal or reverse what is shown.
	h.clinic.addUser(app.User{Username: "old", FullName: "Old\x1b]0;owned\x07 Name\u202Egpj.exe", Role: app.RoleNurse,
		Status: app.StatusActive})
	r = h.run("", h.db("user", "list", "--role", "nurse")...)
	if strings.ContainsAny(r.stdout, "\x1b\x07\u202E") || !strings.Contains(r.stdout, "Old\uFFFD]0;owned\uFFFD Name\uFFFDgpj.exe") {
		t.Errorf("raw name printed:\n%q", r.stdout)
	}
}

func TestUserActions(t *testing.T) {
	h := newHarness(t)
	h.createDB(true)
	h.clinic.addUser(app.User{Username: "nina", FullName: "Nina Nurse", Role: app.RoleNurse, Status: app.StatusPending})
	h.clinic.addUser(app.User{Username: "doc", FullName: "Doc Tor", Role: app.RoleDoctor, Status: app.StatusActive,
		LockedUntil: time.Now().Add(time.Hour), FailedLogins: 5})

	t.Run("Approve", func(t *testing.T) {
		h.run("", h.db("user", "approve", "nina")...).want(t, 0, "nina (Nurse) is approved", "")
		if u := h.clinic.user("nina"); u.Status != app.StatusActive {
			t.Errorf("status %s", u.Status)
		}
		h.run("", h.db("user", "approve", "nina")...).want(t, 1, "", "not waiting for approval")
	})
	t.Run("Unlock", func(t *testing.T) {
		h.run("", h.db("user", "unlock", "DOC")...).want(t, 0, "doc is unlocked", "")
		if u := h.clinic.user("doc"); u.Locked(time.Now()) || u.FailedLogins != 0 {
			t.Errorf("still locked: %+v", u)
		}
	})
	t.Run("ResetPassword", func(t *testing.T) {
		h.run(goodPassword+"\n", h.db("user", "reset-password", "doc")...).want(t, 0, "must choose a new one", "")
		if u := h.clinic.user("doc"); !u.MustChangePassword {
			t.Error("MustChangePassword not set")
		}
		h.run("short\n", h.db("user", "reset-password", "nina")...).want(t, 1, "", "hms: password: The password is too short")
		h.run("", h.db("user", "reset-password", "nina")...).want(t, 1, "", "No password given")
		if u := h.clinic.user("nina"); u.MustChangePassword {
			t.Error("a failed reset changed the account")
		}
	})
	t.Run("Deactivate", func(t *testing.T) {
		h.run("", h.db("user", "deactivate", "doc")...).want(t, 0, "doc is deactivated", "")
		if u := h.clinic.user("doc"); u.Status != app.StatusDeactivated {
			t.Errorf("status %s", u.Status)
		}
	})
	t.Run("ErrUnknownUser", func(t *testing.T) {
		for _, verb := range []string{"approve", "unlock", "deactivate", "reset-password"} {
			h.run(goodPassword+"\n", h.db("user", verb, "ghost")...).want(t, 1, "", "hms: There is no such account.")
		}
	})
	for _, c := range h.clinic.callers {
		if c != app.SystemCaller("tester") {
			t.Errorf("service called as %+v", c)
		}
	}
}

func TestVerify(t *testing.T) {
	h := newHarness(t)
	h.createDB(true)
	h.run("", h.db("verify")...).want(t, 0, "Result: OK", "")

	h.clinic.report = app.VerifyReport{IntegrityOK: true, ForeignKeyOK: false, ForeignKeys: []string{"users row 3 -> patients"},
		AuditOK: false, AuditRows: 12, AuditProblem: "row 5 was edited",
		Documents: 4, DocumentProblems: []string{`report "CBC" of P-D1-000007: its file was altered`}}
	r := h.run("", h.db("verify")...)
	r.want(t, 1, "PROBLEMS FOUND", "the database has problems")
	for _, want := range []string{"users row 3 -> patients", "row 5 was edited", "BROKEN, 12 row(s)",
		"1 problem(s), 4 checked", `document: report "CBC" of P-D1-000007`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestBackup(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		h := newHarness(t)
		h.createDB(true)
		dst := filepath.Join(h.dir, "backup.db")
		h.run("", h.db("backup", dst)...).want(t, 0, "Backed up to "+dst, "")
		h.run("", h.db("backup", "--force", dst)...).want(t, 0, h.dbPath+".audit-key", "")
		if len(h.clinic.backups) != 2 || h.clinic.backups[0] != dst {
			t.Errorf("backups %v", h.clinic.backups)
		}
	})
	t.Run("ErrExists", func(t *testing.T) {
		h := newHarness(t)
		h.createDB(true)
		dst := filepath.Join(h.dir, "backup.db")
		os.WriteFile(dst, []byte("old"), 0o600)
		h.run("", h.db("backup", dst)...).want(t, 1, "", "--force")
		if b, _ := os.ReadFile(dst); string(b) != "old" {
			t.Error("the existing backup was replaced")
		}
		h.run("", h.db("backup", dst, "--force")...).want(t, 0, "Backed up", "")
		if b, _ := os.ReadFile(dst); string(b) == "old" {
			t.Error("--force did not replace the backup")
		}
		if m, _ := filepath.Glob(dst + ".tmp-*"); len(m) != 0 {
			t.Errorf("left temporary files %v", m)
		}
	})
	t.Run("ErrFailed", func(t *testing.T) {
		h := newHarness(t)
		h.createDB(true)
		h.clinic.backupErr = app.Errorf(app.EINVALID, "Cannot write the backup there.")
		h.run("", h.db("backup", filepath.Join(h.dir, "x.db"))...).want(t, 1, "", "hms: Cannot write the backup there.")
	})
	t.Run("ErrFailedForce", func(t *testing.T) {
		h := newHarness(t)
		h.createDB(true)
		dst := filepath.Join(h.dir, "backup.db")
		os.WriteFile(dst, []byte("old"), 0o600)
		h.clinic.backupErr = errors.New("disk full")
		h.run("", h.db("backup", "--force", dst)...).want(t, 1, "", "detail: disk full")
		if b, _ := os.ReadFile(dst); string(b) != "old" {
			t.Error("a failed backup damaged the old one")
		}
	})
	t.Run("ErrFolder", func(t *testing.T) {
		h := newHarness(t)
		h.createDB(true)
		h.run("", h.db("backup", h.dir)...).want(t, 1, "", "is a folder")
	})
	t.Run("ErrItself", func(t *testing.T) {
		h := newHarness(t)
		h.createDB(true)
		h.run("", h.db("backup", "--force", h.dbPath)...).want(t, 1, "", "the database itself")
	})
}

func TestRestore(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		h := newHarness(t)
		h.createDB(true)
		src := filepath.Join(h.dir, "backup.db")
		os.WriteFile(src, []byte("SQLite format 3\x00"), 0o600)
		h.run("", h.db("restore", src)...).want(t, 0, "kept at "+h.dbPath+".before-restore", "")
		if len(h.restored) != 1 || h.restored[0] != [2]string{h.dbPath, src} {
			t.Errorf("restored %v", h.restored)
		}
		if len(h.opened) != 0 {
			t.Error("restore opened the database it replaces")
		}
	})
	t.Run("ErrMissing", func(t *testing.T) {
		h := newHarness(t)
		h.run("", h.db("restore", filepath.Join(h.dir, "nope.db"))...).want(t, 1, "", "There is no file")
		if len(h.restored) != 0 {
			t.Error("restore called with a missing file")
		}
	})
	t.Run("ErrRefused", func(t *testing.T) {
		h := newHarness(t)
		src := filepath.Join(h.dir, "notes.txt")
		os.WriteFile(src, []byte("hello"), 0o600)
		h.restoreErr = app.Errorf(app.EINVALID, "This file is not an HMS database.")
		h.run("", h.db("restore", src)...).want(t, 1, "", "hms: This file is not an HMS database.")
	})
	t.Run("ErrItself", func(t *testing.T) {
		h := newHarness(t)
		h.createDB(true)
		h.run("", h.db("restore", h.dbPath)...).want(t, 1, "", "the database itself")
	})
}

func TestCloseError(t *testing.T) {
	h := newHarness(t)
	h.createDB(true)
	h.clinic.closeErr = errors.New("close failed")
	h.run("", h.db("verify")...).want(t, 1, "Result: OK", "close failed")
}

func TestInternalErrorIsGeneric(t *testing.T) {
	h := newHarness(t)
	h.createDB(true)
	h.clinic.backupErr = errors.New("sqlite3: disk I/O error")
	r := h.run("", h.db("backup", filepath.Join(h.dir, "b.db"))...)
	r.want(t, 1, "", "hms: "+app.ErrorMessage(errors.New("x")))
}

// TestBackupOntoOwnFiles: even --force never writes a backup onto the
// database, its -wal or -shm, or its audit key.
func TestBackupOntoOwnFiles(t *testing.T) {
	for suffix, want := range map[string]string{"": "the database itself", "-wal": "-wal file", "-shm": "-shm file", ".audit-key": "audit key file"} {
		h := newHarness(t)
		h.createDB(true)
		target := h.dbPath + suffix
		os.WriteFile(target, []byte("keep me"), 0o600)
		h.run("", h.db("backup", "--force", target)...).want(t, 1, "", want)
		if b, _ := os.ReadFile(target); string(b) != "keep me" {
			t.Errorf("%s was overwritten", target)
		}
	}
}

// Command hms is HMS desktop, a clinic management system: with no command it
// opens the desktop app; `hms help` lists the command-line subcommands.
//
// This file only wires: package data implements the services on SQLite,
// package data/sync syncs the desk with its clinic's server, package ui
// presents the services with Fyne, package ui/cli runs the subcommands.
// It is the only file that imports fyne.io/fyne/v2/app.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"
	// The clinic's time zone must resolve on machines without a zone
	// database (Windows without Go installed): embed one.
	_ "time/tzdata"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"hms/app"
	"hms/app/escpos"
	"hms/app/i18n"
	"hms/app/messaging"
	"hms/app/update"
	"hms/assets"
	"hms/data"
	"hms/data/sync"
	"hms/ui"
	"hms/ui/cli"
)

// appID is the application's id, as in FyneApp.toml.
const appID = "org.hmsdesktop.hms"

// version is set at build time: go build -ldflags "-X main.version=1.2.3".
var version = "dev"

// updateKey is the release key's public half (base64), built in at release
// time: -ldflags "-X main.updateKey=…" (make release). Without it the
// desk's update checks are off and Settings → Updates says so.
var updateKey = ""

// dataOptions are the options every database is opened with; tests make the
// password hashing cheap here. Its transport sends the test message of
// Settings → Messages.
var dataOptions = data.Options{MessageTransport: &messaging.Transport{}}

// demoSeed makes `hms demo` build the same data each time.
const demoSeed = 1

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs hms with args (without the program name) and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// Every file hms creates is its user's alone (data/filemode.go).
	data.RestrictUmask()
	// Ctrl-C cancels the command (a demo being built, a backup) or quits the
	// app; a second Ctrl-C ends the program at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	return cli.Run(ctx, args, cli.Env{
		Stdin:         stdin,
		Stdout:        stdout,
		Stderr:        stderr,
		Version:       buildVersion(),
		OSUser:        osUser(),
		DefaultDBPath: defaultDBPath,
		Open:          openDB,
		AuditKey: func(keyPath, to string) (bool, error) {
			var err error
			switch to {
			case "store":
				err = data.MoveAuditKeyToStore(keyPath)
			case "file":
				err = data.MoveAuditKeyToFile(keyPath)
			}
			if err != nil {
				return false, err
			}
			return data.AuditKeyInStore(keyPath)
		},
		Restore: func(dbPath, src string, force bool, recoveryKey func() (string, error)) (cli.RestoreResult, error) {
			key := ""
			if enc, _ := data.IsEncryptedBackup(src); enc {
				var err error
				if key, err = recoveryKey(); err != nil {
					return cli.RestoreResult{}, err
				}
			}
			res, err := data.RestoreBackup(dbPath, src, key, dataOptions, force)
			return cli.RestoreResult{Aside: res.Aside, Checked: i18n.Strings(res.Checked), Problems: i18n.Strings(res.Problems), Key: res.Key}, err
		},
		Demo:         buildDemo,
		RunGUI:       func(dbPath string) error { return runGUI(ctx, dbPath, false) },
		RunDisplay:   func(dbPath string) error { return runGUI(ctx, dbPath, true) },
		AuditKeyPath: auditKeyPath,
		InitServer:   sync.InitServer,
		PruneServer:  sync.PruneServer,
		AddDesk:      sync.AddDesk,
		RemoveDesk:   sync.RemoveDesk,
		GOOS:         runtime.GOOS,
		Command:      cli.ExecCommand,
		SendRaw:      escpos.NewSender().Send,
	})
}

// buildVersion is version, or for a build without -ldflags (go install,
// fyne package) "dev" with the commit it was built from, when Go recorded it.
func buildVersion() string {
	if version != "dev" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return version
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return version
	}
	return version + "+" + rev + dirty
}

// defaultDBPath is os.UserConfigDir()/hms/hms.db.
func defaultDBPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "hms", "hms.db"), nil
}

// auditKeyPath is where the audit key of the database at dbPath lives.
func auditKeyPath(dbPath string) string {
	if dataOptions.AuditKeyPath != "" {
		return dataOptions.AuditKeyPath
	}
	return data.DefaultAuditKeyPath(dbPath)
}

// osUser names the operating-system user for the audit log.
func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	for _, k := range []string{"USER", "USERNAME", "LOGNAME"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "unknown"
}

func openDB(path string) (app.Services, io.Closer, error) {
	db, err := data.Open(path, dataOptions)
	if err != nil {
		return app.Services{}, nil, err
	}
	return services(db), db, nil
}

// services are the app services of the desk whose database is db: data's,
// and the sync engine's.
func services(db *data.DB) app.Services {
	svc := db.Services()
	eng := sync.New(db, sync.Options{AppVersion: buildVersion()}) // the version the desk tells the server
	svc.Sync = eng
	svc.Billing = eng.Billing(svc.Billing)    // a cash-up's close is claimed on the server first
	svc.Messages = eng.Messages(svc.Messages) // an enrolled desk sends only while it holds the send lease
	svc.Updates = updateService(db)
	return svc
}

// updateService checks the desk's release location with the release key
// built into this program, and opens what it downloads with the system.
func updateService(db *data.DB) *data.UpdateService {
	key, err := update.ParsePublicKey(updateKey)
	if err != nil {
		log.Printf("hms: %v: update checks are off", err)
		key = nil
	}
	return db.UpdateService(data.UpdateOptions{
		Client: &update.Client{Key: key, Current: buildVersion(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH},
		Start:  openWithSystem,
	})
}

// openWithSystem opens path as a double-click would: an installer runs
// (asking Windows for an administrator's consent), a folder opens in the
// file manager. It does not wait.
func openWithSystem(ctx context.Context, path string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		// start goes through the shell, which asks for elevation where
		// CreateProcess would refuse an installer that needs it.
		cmd = exec.Command("cmd", "/c", "start", "", path)
	case "darwin":
		cmd = exec.Command("open", path)
	default:
		cmd = exec.Command("xdg-open", path)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }() // the opened program outlives this call
	return nil
}

// startSync keeps the desk in sync in the background (app.SyncService's
// RunSync) until stop is called, reporting where it stands after each
// round. stop returns once the loop has.
func startSync(ctx context.Context, svc app.SyncService, report func(*app.SyncStatus)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		svc.RunSync(ctx, report)
	}()
	return func() {
		cancel()
		<-done
	}
}

// buildDemo builds a demo database at path, which does not exist yet. A
// failed build leaves no half-made database behind.
func buildDemo(ctx context.Context, path string, patients int, out io.Writer) (err error) {
	db, err := data.Open(path, dataOptions)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal", auditKeyPath(path)} {
				os.Remove(p)
			}
		}
	}()
	return data.GenerateDemo(ctx, db, data.DemoOptions{Patients: patients, Seed: demoSeed, Out: out})
}

// runGUI opens the desktop app on the database at path. It returns when the
// app quits, or quits it when ctx is done.
func runGUI(ctx context.Context, path string, display bool) error {
	// A desk's app holds about 20 MB of live Go memory; collecting when
	// the heap grows by half (not the default double) keeps its resident
	// memory near 200 MB for a receptionist's day (README, Memory), at a
	// cost no one at the desk can notice. GOGC in the environment wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	a := fyneapp.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	var u *ui.UI
	d, err := data.OpenDesk(path, dataOptions, services, func(db *data.DB, svc app.Services) func() {
		stopSync := startSync(ctx, svc.Sync, u.ReportSync)
		stopBackups := startBackups(ctx, db, time.Minute, u.ReportBackup)
		stopMessages := startMessages(ctx, svc.Messages, &messaging.Transport{}, time.Minute)
		return func() {
			stopMessages()
			stopBackups()
			stopSync()
		}
	})
	if err != nil {
		return err
	}
	u = ui.New(a, d.Services(), ui.Options{Title: "HMS", Now: time.Now, DBPath: path, Restore: d.Restore, Display: display,
		BackupOnClose: func() (*app.BackupRun, error) { return d.BackupOnClose(context.WithoutCancel(ctx)) }})
	u.Start()
	d.Start()
	quit := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			fyne.Do(a.Quit)
		case <-quit:
		}
	}()
	a.Run()
	close(quit)
	if err := d.Close(); err != nil {
		return fmt.Errorf("closing the database: %w", err)
	}
	return nil
}

// startMessages sends the clinic's queued messages when they are due
// (an enrolled desk while it holds the send lease), looking every tick, as
// data.DeliveryCaller, until stop is called. stop returns once the loop
// has, having given the send lease up so that another desk sends at once.
func startMessages(ctx context.Context, svc app.MessageService, t app.MessageTransport, tick time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(app.NewContextWithCaller(ctx, data.DeliveryCaller))
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if r, ok := svc.(interface{ ReleaseSendLease(context.Context) error }); ok {
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				defer cancel()
				if err := r.ReleaseSendLease(rctx); err != nil {
					log.Printf("messages: giving the send lease up: %v", err)
				}
			}
		}()
		tk := time.NewTicker(tick)
		defer tk.Stop()
		for {
			if _, err := svc.DeliverDue(ctx, t); err != nil && ctx.Err() == nil {
				log.Printf("messages: %v", err) // each message's outcome is in its log and the audit log
			}
			select {
			case <-ctx.Done():
				return
			case <-tk.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// startBackups runs the desk's daily backup when it is due, looking every
// tick, and reports where the backups stand after each look, until stop
// is called. stop returns once the loop has.
func startBackups(ctx context.Context, db *data.DB, tick time.Duration, report func(*app.BackupStatus)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			if _, err := db.BackupTick(ctx); err != nil && ctx.Err() == nil {
				log.Printf("backup: %v", err) // recorded in the status and the audit log too
			}
			if st, err := db.BackupState(ctx); err == nil && report != nil {
				report(st)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

package data

import (
	"context"
	"fmt"
	"sync"

	"hms/app"
	"hms/app/i18n"
)

// Desk is the database the desktop app has open and the loops that run
// beside it (sync, the backup schedule). A restore from the app stops
// them, closes the database, restores, and opens and starts them again.
type Desk struct {
	path     string
	opt      Options
	services func(*DB) app.Services
	loops    func(*DB, app.Services) (stop func())

	mu   sync.Mutex
	db   *DB
	svc  app.Services
	stop func()
}

// OpenDesk opens the database at path; services makes its services (main
// adds the sync engine's), loops starts what runs beside it (nil: nothing)
// and returns what stops it. The loops start with Start.
func OpenDesk(path string, opt Options, services func(*DB) app.Services, loops func(*DB, app.Services) func()) (*Desk, error) {
	db, err := Open(path, opt)
	if err != nil {
		return nil, err
	}
	if services == nil {
		services = (*DB).Services
	}
	return &Desk{path: path, opt: opt, services: services, loops: loops, db: db, svc: services(db)}, nil
}

// Services are the services of the database open now.
func (d *Desk) Services() app.Services {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.svc
}

// DB is the database open now.
func (d *Desk) DB() *DB {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.db
}

// Start starts the loops.
func (d *Desk) Start() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.startLocked()
}

func (d *Desk) startLocked() {
	if d.loops != nil && d.stop == nil {
		d.stop = d.loops(d.db, d.svc)
	}
}

func (d *Desk) stopLocked() {
	if d.stop != nil {
		d.stop()
		d.stop = nil
	}
}

// Close stops the loops and closes the database.
func (d *Desk) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopLocked()
	return d.db.Close()
}

// BackupOnClose runs the backup on closing, when the desk has one. It
// does not hold the desk while it writes, so the app can still quit and
// close the database when the person will not wait for a slow share.
func (d *Desk) BackupOnClose(ctx context.Context) (*app.BackupRun, error) {
	return d.DB().BackupOnClose(ctx)
}

// Restore replaces the open database with the backup src. The backup is
// checked first as the caller (BackupService.CheckBackup: administrators
// only, audited; a wrong recovery key or a backup that does not check out
// changes nothing); then the loops stop, the database is closed, restored
// with the checks of hms restore (RestoreBackup), and opened again, the
// restore written to its audit log as the caller. It returns the services
// of the database open afterwards: the restored one, or the old one when
// the restore was refused.
func (d *Desk) Restore(ctx context.Context, src, recoveryKey string) (app.Services, *app.RestoreReport, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	chk, err := d.svc.Backups.CheckBackup(ctx, src, recoveryKey)
	if err != nil {
		return d.svc, nil, err
	}
	if len(chk.Problems) > 0 {
		return d.svc, nil, app.Errorf(app.EINVALID, "%s was not restored: %s.", src, i18n.Join("; ", chk.Problems...))
	}
	d.stopLocked()
	if err := d.db.Close(); err != nil {
		return app.Services{}, nil, fmt.Errorf("restore: close the database: %w", err)
	}
	res, rerr := RestoreBackup(d.path, src, recoveryKey, d.opt, false)
	db, err := Open(d.path, d.opt) // the restored database, or the old one when refused
	if err != nil {
		return app.Services{}, nil, err
	}
	d.db, d.svc = db, d.services(db)
	d.startLocked()
	if rerr != nil {
		return d.svc, nil, rerr
	}
	detail := "restored from " + src + " in the app; the previous database is kept at " + res.Aside
	if err := db.AuditRestore(ctx, detail); err != nil {
		return d.svc, nil, err
	}
	return d.svc, &app.RestoreReport{Aside: res.Aside, Checked: res.Checked, Key: res.Key}, nil
}

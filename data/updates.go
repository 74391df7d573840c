package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"hms/app"
	"hms/app/update"
)

// UpdateOptions are what the desk's UpdateService works with; main sets
// them, tests swap Start.
type UpdateOptions struct {
	// Client checks the release location; its Key is the release key built
	// into this program (nil: update checks are off, and say so).
	Client *update.Client
	// Dir is where packages are downloaded; "" means the updates folder
	// beside the database.
	Dir string
	// Start opens path with the system: the installer on Windows, the
	// folder holding the package elsewhere. It must not wait for it.
	Start func(ctx context.Context, path string) error
}

// UpdateService implements app.UpdateService on the desk's own
// update_settings table (not synced: see LocalTables) and app/update.
type UpdateService struct {
	db  *DB
	opt UpdateOptions
}

var _ app.UpdateService = (*UpdateService)(nil)

// UpdateService is the desk's update service.
func (db *DB) UpdateService(opt UpdateOptions) *UpdateService {
	if opt.Client == nil {
		opt.Client = &update.Client{}
	}
	if opt.Dir == "" {
		opt.Dir = filepath.Join(filepath.Dir(db.path), "updates")
	}
	return &UpdateService{db: db, opt: opt}
}

func (s *UpdateService) authorize(ctx context.Context, action string) error {
	caller, _ := app.CallerFromContext(ctx)
	return s.db.authorizeRead(ctx, action, "update_settings", "", "", app.RequireAny(caller, app.PermManageSettings))
}

func (s *UpdateService) state(ctx context.Context, q rowQuerier) (*app.UpdateState, error) {
	st := &app.UpdateState{Version: s.opt.Client.Current, Enabled: len(s.opt.Client.Key) > 0}
	err := q.QueryRowContext(ctx, `SELECT location FROM update_settings WHERE id = 1`).Scan(&st.Location)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	return st, nil
}

// UpdateState implements app.UpdateService.
func (s *UpdateService) UpdateState(ctx context.Context) (*app.UpdateState, error) {
	if err := s.authorize(ctx, "update.state"); err != nil {
		return nil, err
	}
	st, err := s.state(ctx, s.db.r)
	if err != nil {
		return nil, internal("update.state", err)
	}
	return st, nil
}

// SetUpdateLocation implements app.UpdateService.
func (s *UpdateService) SetUpdateLocation(ctx context.Context, location string) (*app.UpdateState, error) {
	location = strings.TrimSpace(location)
	var out *app.UpdateState
	err := s.db.write(ctx, "update.location", func(tx *Tx) error {
		if err := tx.Require(app.PermManageSettings); err != nil {
			return err
		}
		if err := update.Location(location).Check(); err != nil {
			msg := err.Error()
			return app.FieldErrorf("location", "%s%s.", strings.ToUpper(msg[:1]), msg[1:])
		}
		if len(location) > 1000 || strings.ContainsAny(location, "\r\n\x00") {
			return app.FieldErrorf("location", "The release location is one line of at most 1000 characters.")
		}
		old, err := s.state(ctx, tx)
		if err != nil {
			return err
		}
		if old.Location == location {
			return app.Errorf(app.EINVALID, "Nothing changed.")
		}
		if _, err := tx.exec(`INSERT INTO update_settings (id, location, updated_at, updated_by) VALUES (1, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET location = excluded.location, updated_at = excluded.updated_at,
			updated_by = excluded.updated_by`, location, formatTime(tx.now), tx.caller.Username); err != nil {
			return err
		}
		tx.Audit("update.location", "update_settings", "", "", "release location "+location)
		out, err = s.state(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// check reads the manifest at the desk's location; a refusal (a bad
// signature, no key) is written to the audit log as the check's outcome.
func (s *UpdateService) check(ctx context.Context, action string) (*update.Offer, update.Location, error) {
	if len(s.opt.Client.Key) == 0 {
		return nil, "", app.Errorf(app.EINVALID, "This build of HMS has no release key, so it does not check for updates. Install a release of HMS to get them.")
	}
	st, err := s.state(ctx, s.db.r)
	if err != nil {
		return nil, "", internal(action, err)
	}
	if st.Location == "" {
		return nil, "", app.FieldErrorf("location", "Set the release location first.")
	}
	loc := update.Location(st.Location)
	offer, err := s.opt.Client.Check(ctx, loc)
	if err != nil {
		msg := "HMS could not check for updates: " + err.Error() + "."
		if errors.Is(err, update.ErrBadSignature) {
			msg = "The release at " + st.Location + " is refused: " + err.Error() + ". Nothing was downloaded."
		}
		s.auditOutcome(ctx, action, app.OutcomeFailed, "refused: "+err.Error())
		return nil, "", app.Errorf(app.ECONFLICT, "%s", msg)
	}
	return offer, loc, nil
}

// auditOutcome writes an audit row of its own for what a check or an
// install found: ok, or failed for a refusal.
func (s *UpdateService) auditOutcome(ctx context.Context, action string, outcome app.Outcome, detail string) {
	caller, _ := app.CallerFromContext(ctx)
	_ = s.db.inTx(ctx, caller, action, func(tx *Tx) error {
		tx.AuditAs(caller, action, "update_settings", "", outcome, detail)
		return nil
	})
}

func offerOf(o *update.Offer) *app.UpdateOffer {
	return &app.UpdateOffer{Version: o.Manifest.Version, Date: o.Manifest.Date, Notes: o.Manifest.Notes,
		Package: o.File.Name, Size: o.File.Size, Available: o.Available}
}

// CheckForUpdate implements app.UpdateService.
func (s *UpdateService) CheckForUpdate(ctx context.Context) (*app.UpdateOffer, error) {
	if err := s.authorize(ctx, "update.check"); err != nil {
		return nil, err
	}
	o, _, err := s.check(ctx, "update.check")
	if err != nil {
		return nil, err
	}
	s.auditOutcome(ctx, "update.check", app.OutcomeOK, fmt.Sprintf("release %s found, running %s", o.Manifest.Version, s.opt.Client.Current))
	return offerOf(o), nil
}

// openVisit names a visit under way: one a doctor started and has not
// completed (however long ago: it is completed or the update waits), or a
// patient checked in during the last day and not seen out yet.
func openVisit(ctx context.Context, q rowQuerier, now string) (string, error) {
	var name string
	err := q.QueryRowContext(ctx, `SELECT what FROM (
			SELECT p.given_name || ' ' || p.family_name || ' with ' || v.doctor_name || ', started ' ||
				replace(substr(v.started_at, 1, 16), 'T', ' ') || ' UTC' AS what, v.started_at AS at
			FROM visits v JOIN patients p ON p.id = v.patient_id
			WHERE v.status = 'open' AND v.deleted_at IS NULL
			UNION ALL
			SELECT patient_name || ', checked in', start_at FROM appointments
			WHERE status = 'checked_in' AND start_at >= strftime('%Y-%m-%dT%H:%M:%fZ', ?, '-1 day'))
		ORDER BY at LIMIT 1`, now).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return name, err
}

// InstallUpdate implements app.UpdateService.
func (s *UpdateService) InstallUpdate(ctx context.Context, version string) (*app.UpdateResult, error) {
	const action = "update.install"
	if err := s.authorize(ctx, action); err != nil {
		return nil, err
	}
	if s.opt.Start == nil {
		return nil, internal(action, errors.New("no way to start an installer"))
	}
	visitErr := func(name string) error {
		return app.Errorf(app.ECONFLICT, "A visit is open (%s): update HMS when the visits are completed.", name)
	}
	if name, err := openVisit(ctx, s.db.r, formatTime(s.db.now())); err != nil {
		return nil, internal(action, err)
	} else if name != "" {
		return nil, visitErr(name)
	}
	o, loc, err := s.check(ctx, action)
	if err != nil {
		return nil, err
	}
	if o.Manifest.Version != version {
		return nil, app.Errorf(app.ECONFLICT, "The release location now offers HMS %s, not %s: check again.", o.Manifest.Version, version)
	}
	if !o.Available {
		return nil, app.Errorf(app.EINVALID, "HMS %s is not newer than this desk's %s.", version, s.opt.Client.Current)
	}
	pkg, err := s.opt.Client.Download(ctx, loc, o, s.opt.Dir)
	if err != nil {
		s.auditOutcome(ctx, action, app.OutcomeFailed, "refused: "+err.Error())
		if errors.Is(err, update.ErrBadFile) {
			return nil, app.Errorf(app.ECONFLICT, "The downloaded %s does not match the signed release manifest: it is refused and was deleted.", o.File.Name)
		}
		return nil, app.Errorf(app.ECONFLICT, "HMS could not download %s: %v.", o.File.Name, err)
	}
	stamp := strings.NewReplacer("-", "", ":", "", ".", "").Replace(formatTime(s.db.now()))
	backup := s.db.path + ".before-" + version + "-" + stamp
	if err := s.db.Backup(ctx, backup); err != nil {
		return nil, app.Errorf(app.EINTERNAL, "The backup before the update failed, so nothing is installed: %v", err)
	}
	res := &app.UpdateResult{Version: version, Package: pkg, Backup: backup}
	target := filepath.Dir(pkg)
	if s.opt.Client.GOOS == "windows" {
		target, res.Quit = pkg, true
	}
	res.Started = target
	err = s.db.write(ctx, action, func(tx *Tx) error {
		if err := tx.Require(app.PermManageSettings); err != nil {
			return err
		}
		// A patient checked in while the package downloaded.
		if name, err := openVisit(ctx, tx, formatTime(tx.now)); err != nil {
			return err
		} else if name != "" {
			return visitErr(name)
		}
		tx.Audit(action, "update_settings", "", "", fmt.Sprintf("HMS %s → %s: %s (sha256 %s), backup %s, starting %s",
			s.opt.Client.Current, version, o.File.Name, o.File.SHA256, backup, target))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.opt.Start(ctx, target); err != nil {
		return nil, app.Errorf(app.EINTERNAL, "HMS %s is downloaded and checked at %s, but it could not be opened: %v", version, pkg, err)
	}
	return res, nil
}

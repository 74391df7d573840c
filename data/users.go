package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"

	"hms/app"
	"hms/app/i18n"
)

// UserService implements app.UserService.
type UserService struct {
	db *DB

	dummyOnce sync.Once
	dummy     string
}

var _ app.UserService = (*UserService)(nil)

const userColumns = `id, username, full_name, email, phone, role, status, must_change_password,
	failed_logins, locked_until, last_login_at, patient_id, created_at, updated_at, session_gen, language`

func scanUser(r rowScanner) (*app.User, string, error) {
	var u app.User
	var hash string
	var locked, last, patient sql.NullString
	var created, updated string
	var mustChange int
	err := r.Scan(&u.ID, &u.Username, &u.FullName, &u.Email, &u.Phone, &u.Role, &u.Status, &mustChange,
		&u.FailedLogins, &locked, &last, &patient, &created, &updated, &u.SessionGen, &u.Language, &hash)
	if err != nil {
		return nil, "", err
	}
	u.MustChangePassword = mustChange == 1
	u.LockedUntil, u.LastLoginAt = parseNullTime(locked), parseNullTime(last)
	u.PatientID = patient.String
	u.CreatedAt, u.UpdatedAt = parseTime(created), parseTime(updated)
	return &u, hash, nil
}

// findUser reads one account by a column (id or username) inside tx.
func (tx *Tx) findUser(column, value string) (*app.User, string, error) {
	u, hash, err := scanUser(tx.QueryRowContext(tx.ctx, `SELECT `+userColumns+`, password_hash FROM users
		WHERE `+column+` = ? AND deleted_at IS NULL`, value))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", app.Errorf(app.ENOTFOUND, "There is no such account.")
	}
	return u, hash, err
}

// loginFailed is the one message for a wrong username or a wrong password.
func loginFailed() error {
	return app.Errorf(app.EINVALID, "The username or password is not right.")
}

func lockedMessage(minutes int) error {
	return app.Errorf(app.EUNAUTHORIZED,
		"This account is locked for %d minutes after %d failed logins. Try again later, or ask an administrator to unlock it.",
		minutes, app.MaxFailedLogins)
}

// Login implements app.UserService. The password is checked (argon2id,
// about 170 ms) outside any transaction, on the account as a reader sees
// it, so that logins never hold the database's write lock meanwhile;
// the short write transaction afterwards records the outcome, re-reading
// the account and refusing a check made against a password that changed
// in between.
func (s *UserService) Login(ctx context.Context, username, password string) (*app.Session, error) {
	username = app.NormalizeUsername(username)
	u, hash, err := s.db.findUserRead(ctx, "username", username)
	if app.ErrorCode(err) == app.ENOTFOUND {
		s.burnHash(password) // the same time as a wrong password: no telling which was wrong
		err := s.db.write(ctx, "user.login", func(tx *Tx) error {
			// What was typed is not an account's name, and may well be a
			// password typed in the wrong box: it is not stored.
			tx.AuditAs(app.Caller{}, "user.login", "users", "", app.OutcomeFailed, "unknown username")
			tx.FailAfterCommit(loginFailed())
			return nil
		})
		return nil, err
	} else if err != nil {
		return nil, err
	}
	v, err := s.verify(u, hash, password)
	if err != nil {
		return nil, internal("user.login", err)
	}
	var keys loginKeys
	if v.ok {
		if keys, err = s.loginKeys(ctx, u, password); err != nil {
			return nil, internal("user.login", err)
		}
	}
	var sess *app.Session
	wctx := ctx
	if v.ok && v.newHash == "" && keys.adopt == nil && u.Role != app.RoleAdmin && u.Status == app.StatusActive {
		// A plain login writes only its audit row and last_login_at: it
		// commits without a sync of its own (unsyncedCommit, and
		// docs/AUDIT.md for what that keeps), so logins cost a payment
		// taken meanwhile no sync of the disk.
		wctx = unsyncedCommit(ctx)
	}
	err = s.db.write(wctx, "user.login", func(tx *Tx) error {
		u, ok, err := s.recordCheck(tx, u.ID, v, "user.login", keys.own())
		if err != nil || !ok {
			return err
		}
		who := app.Caller{UserID: u.ID, Username: u.Username, Role: u.Role, PatientID: u.PatientID}
		switch u.Status {
		case app.StatusPending:
			tx.AuditAs(who, "user.login", "users", u.ID, app.OutcomeFailed, "pending approval")
			tx.FailAfterCommit(app.Errorf(app.EUNAUTHORIZED, "This account is waiting for an administrator's approval."))
			return nil
		case app.StatusDeactivated:
			tx.AuditAs(who, "user.login", "users", u.ID, app.OutcomeFailed, "deactivated")
			tx.FailAfterCommit(app.Errorf(app.EUNAUTHORIZED, "This account has been deactivated. Ask an administrator."))
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET last_login_at = ? WHERE id = ?`, formatTime(tx.now), u.ID); err != nil {
			return err
		}
		u.LastLoginAt = tx.now
		// The session starts from the generation as the login leaves it.
		if err := tx.QueryRowContext(ctx, `SELECT session_gen FROM users WHERE id = ?`, u.ID).Scan(&u.SessionGen); err != nil {
			return err
		}
		if keys.adopt != nil {
			// An account made before signing keys gets its own now; its
			// own signature vouches for it (docs/SYNC-DESIGN.md, upgrading).
			res, err := tx.ExecContext(ctx, `UPDATE users SET sign_key = ?, sealed_sign_key = ? WHERE id = ? AND sign_key = ''`,
				keys.adopt.Public(), keys.sealed, u.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				if err := tx.signPower("users", u.ID, keys.adopt); err != nil {
					return err
				}
				tx.AuditAs(who, "user.signing_key", "users", u.ID, app.OutcomeOK, "signing key made, fingerprint "+app.KeyFingerprint(keys.adopt.Public()))
			} else {
				keys = loginKeys{}
			}
		}
		tx.AuditAs(who, "user.login", "users", u.ID, app.OutcomeOK, "")
		sess = &app.Session{User: u, MustChangePassword: u.MustChangePassword}
		if u.Role == app.RoleAdmin {
			sess.Signer = keys.own()
			if err := tx.vouchLegacy(sess.Signer, who); err != nil {
				return err
			}
			if err := tx.vouchDeskAtLogin(sess.Signer); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// loginKeys are the account's signing key as a login opens it: an
// administrator's, unsealed with the password, for the session to sign
// with; or a new one for an account that has none yet (adopt, sealed).
type loginKeys struct {
	signer, adopt *app.SigningKey
	sealed        string
}

func (k loginKeys) own() *app.SigningKey {
	if k.signer != nil {
		return k.signer
	}
	return k.adopt
}

// loginKeys opens or makes the account's key, outside any transaction (it
// costs an argon2id derivation): only administrators' are opened at a
// login, since only they sign for others.
func (s *UserService) loginKeys(ctx context.Context, u *app.User, password string) (loginKeys, error) {
	var public, sealed string
	if err := s.db.r.QueryRowContext(ctx, `SELECT sign_key, sealed_sign_key FROM users WHERE id = ?`, u.ID).Scan(&public, &sealed); err != nil {
		return loginKeys{}, err
	}
	if u.Status != app.StatusActive {
		return loginKeys{}, nil
	}
	if public == "" {
		k, err := app.NewSigningKey(u.ID)
		if err != nil {
			return loginKeys{}, err
		}
		s.db.hashAside(func() { sealed, err = app.SealSigningKey(k, password, s.db.hash) })
		return loginKeys{adopt: k, sealed: sealed}, err
	}
	if u.Role != app.RoleAdmin {
		return loginKeys{}, nil
	}
	var k *app.SigningKey
	var err error
	s.db.hashAside(func() { k, err = app.UnsealSigningKey(u.ID, sealed, public, password) })
	if err != nil {
		// The session cannot sign; what needs a signature says so.
		slog.Warn("signing key does not open", "user", u.Username, "err", err)
		return loginKeys{}, nil
	}
	return loginKeys{signer: k}, nil
}

// findUserRead reads one account by a column (id or username) on a
// reader, outside any transaction.
func (db *DB) findUserRead(ctx context.Context, column, value string) (*app.User, string, error) {
	u, hash, err := scanUser(db.r.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users
		WHERE `+column+` = ? AND deleted_at IS NULL`, value))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", app.Errorf(app.ENOTFOUND, "There is no such account.")
	} else if err != nil {
		return nil, "", internal("user.find", err)
	}
	return u, hash, nil
}

// verdict is a password checked outside any transaction: against which
// hash, whether it matched, and the new hash when the parameters changed.
type verdict struct {
	checked string
	ok      bool
	newHash string
}

// verify checks pw against the account's hash, outside any transaction,
// and makes the new hash a match with old parameters needs. A locked
// account's check spends the same time and is not made.
func (s *UserService) verify(u *app.User, hash, pw string) (verdict, error) {
	v := verdict{checked: hash}
	if u.Locked(s.db.now()) {
		s.burnHash(pw)
		return v, nil
	}
	var err error
	s.db.hashAside(func() {
		var ok, rehash bool
		if ok, rehash, err = app.CheckPasswordHash(hash, pw, s.db.hash); err != nil {
			return
		}
		v.ok = ok
		if ok && rehash {
			v.newHash, err = app.HashPassword(pw, s.db.hash)
		}
	})
	if err != nil {
		return v, err
	}
	return v, nil
}

// recordCheck records a verdict inside tx, on the account re-read by id:
// it refuses a locked account, counts failures and locks after the fifth,
// and on success clears the count and stores the new hash. A check made
// against a password changed since is refused (ECONFLICT: try again). A
// false result has already been audited and its error deferred.
// A new hash is signed with k, the account's own key (none: the desk
// keeps the old hash if it syncs, since others would refuse it unsigned).
func (s *UserService) recordCheck(tx *Tx, id string, v verdict, action string, k *app.SigningKey) (*app.User, bool, error) {
	u, hash, err := tx.findUser("id", id)
	if err != nil {
		return nil, false, err
	}
	who := app.Caller{UserID: u.ID, Username: u.Username, Role: u.Role, PatientID: u.PatientID}
	if u.Locked(tx.now) {
		tx.AuditAs(who, action, "users", u.ID, app.OutcomeFailed, "account locked")
		tx.FailAfterCommit(lockedMessage(int(math.Ceil(u.LockedUntil.Sub(tx.now).Minutes()))))
		return u, false, nil
	}
	if hash != v.checked {
		return u, false, app.Errorf(app.ECONFLICT, "The password of this account was changed a moment ago; try again.")
	}
	if !v.ok {
		failed := u.FailedLogins + 1
		if failed >= app.MaxFailedLogins {
			until := tx.now.Add(app.LockoutDuration)
			if _, err := tx.ExecContext(tx.ctx, `UPDATE users SET failed_logins = 0, locked_until = ?, updated_at = ? WHERE id = ?`,
				formatTime(until), formatTime(tx.now), u.ID); err != nil {
				return u, false, err
			}
			tx.AuditAs(who, action, "users", u.ID, app.OutcomeFailed, "wrong password; account locked")
			tx.FailAfterCommit(lockedMessage(int(app.LockoutDuration.Minutes())))
			return u, false, nil
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE users SET failed_logins = ? WHERE id = ?`, failed, u.ID); err != nil {
			return u, false, err
		}
		tx.AuditAs(who, action, "users", u.ID, app.OutcomeFailed, fmt.Sprintf("wrong password (%d of %d)", failed, app.MaxFailedLogins))
		if action == "user.login" {
			tx.FailAfterCommit(loginFailed())
		} else {
			tx.FailAfterCommit(app.FieldErrorf("password", "The password is not right."))
		}
		return u, false, nil
	}
	if u.FailedLogins != 0 || !u.LockedUntil.IsZero() {
		if _, err := tx.ExecContext(tx.ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?`, u.ID); err != nil {
			return u, false, err
		}
		u.FailedLogins, u.LockedUntil = 0, time.Time{}
	}
	rehash := v.newHash != ""
	if rehash && k == nil {
		on, err := tx.enrolled()
		if err != nil {
			return u, false, err
		}
		rehash = !on
	}
	if rehash {
		if _, err := tx.ExecContext(tx.ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, v.newHash, u.ID); err != nil {
			return u, false, err
		}
		if err := tx.signPower("users", u.ID, k); err != nil {
			return u, false, err
		}
		tx.AuditAs(who, "user.rehash", "users", u.ID, app.OutcomeOK, "password re-hashed with current parameters")
	}
	return u, true, nil
}

// burnHash spends the time of one password check, so that an unknown user
// or a locked account answers as slowly as a wrong password.
func (s *UserService) burnHash(pw string) {
	s.db.hashAside(func() {
		s.dummyOnce.Do(func() { s.dummy, _ = app.HashPassword("not a password of anybody's", s.db.hash) })
		_, _, _ = app.CheckPasswordHash(s.dummy, pw, s.db.hash)
	})
}

// CheckPassword implements app.UserService: the password is checked
// outside the write transaction, as Login's.
func (s *UserService) CheckPassword(ctx context.Context, password string) error {
	c, _ := app.CallerFromContext(ctx)
	var v verdict
	if c.UserID != "" && checkSession(ctx, s.db.r, c) == nil {
		u, hash, err := s.db.findUserRead(ctx, "id", c.UserID)
		if err != nil {
			return err
		}
		if v, err = s.verify(u, hash, password); err != nil {
			return internal("user.unlock_screen", err)
		}
	}
	return s.db.write(ctx, "user.unlock_screen", func(tx *Tx) error {
		if err := tx.RequireLoggedIn(); err != nil {
			return err
		}
		u, ok, err := s.recordCheck(tx, tx.caller.UserID, v, "user.unlock_screen", nil)
		if err != nil || !ok {
			return err
		}
		if u.Status != app.StatusActive {
			tx.Audit("user.unlock_screen", "users", u.ID, "", "account no longer active")
			tx.FailAfterCommit(app.Errorf(app.EUNAUTHORIZED, "This account is no longer active."))
			return nil
		}
		tx.Audit("user.unlock_screen", "users", u.ID, "", "")
		return nil
	})
}

// insertUser writes a new account inside tx, with credentials made for it
// before the transaction (newCredentials): its password hash, and its
// signing key sealed with the password, which insertUser returns: the
// caller signs the row.
func (tx *Tx) insertUser(r app.StaffRegistration, status app.UserStatus, mustChange bool, patientID string, cr *credentials) (*app.User, *app.SigningKey, error) {
	if cr == nil {
		return nil, nil, errCredentialsStale()
	}
	u := &app.User{ID: cr.id, Username: r.Username, FullName: r.FullName, Email: r.Email, Phone: r.Phone,
		Role: r.Role, Status: status, MustChangePassword: mustChange, PatientID: patientID,
		CreatedAt: tx.now, UpdatedAt: tx.now}
	var pid any
	if patientID != "" {
		pid = patientID
	}
	_, err := tx.ExecContext(tx.ctx, `INSERT INTO users (id, username, full_name, email, phone, role, status,
		password_hash, must_change_password, patient_id, created_at, updated_at, sign_key, sealed_sign_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Username, u.FullName, u.Email, u.Phone, u.Role, u.Status, cr.hash, boolInt(mustChange), pid,
		formatTime(tx.now), formatTime(tx.now), cr.key.Public(), cr.sealed)
	if isUniqueViolation(err) {
		return nil, nil, app.Errorf(app.ECONFLICT, "The username %q is taken; choose another.", r.Username).On("username")
	} else if err != nil {
		return nil, nil, err
	}
	return u, cr.key, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// passwordNotClinic refuses a password too close to the clinic's name
// (app.ValidatePassword with the name from the settings), besides the
// username and the person's names app's validation already refused.
func (db *DB) passwordNotClinic(ctx context.Context, field, pw, username string, names ...string) error {
	st, err := readSettings(ctx, db.r)
	if err != nil {
		return internal("user.password", err)
	}
	if err := app.ValidatePassword(pw, username, append(names, st.ClinicName)...); err != nil {
		return app.AsError(err, field)
	}
	return nil
}

// RegisterStaff implements app.UserService.
func (s *UserService) RegisterStaff(ctx context.Context, r app.StaffRegistration) (*app.User, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if err := s.db.passwordNotClinic(ctx, "password", r.Password, r.Username, r.FullName); err != nil {
		return nil, err
	}
	if r.Role == app.RoleAdmin || r.Role == app.RolePatient {
		return nil, app.FieldErrorf("role", "Staff register as doctor, nurse, receptionist or billing clerk.")
	}
	cr, err := s.db.newCredentials(newID(), r.Password)
	if err != nil {
		return nil, internal("user.register", err)
	}
	var u *app.User
	err = s.db.write(ctx, "user.register", func(tx *Tx) (err error) {
		var own *app.SigningKey
		if u, own, err = tx.insertUser(r, app.StatusPending, false, "", cr); err != nil {
			return err
		}
		// Pending, the account grants nothing: its own key signs it.
		if err := tx.signPower("users", u.ID, own); err != nil {
			return err
		}
		tx.AuditAs(app.Caller{UserID: u.ID, Username: u.Username, Role: u.Role}, "user.register", "users", u.ID,
			app.OutcomeOK, "staff registration as "+string(u.Role)+", pending approval")
		return nil
	})
	return u, err
}

// RegisterPatient implements app.UserService.
func (s *UserService) RegisterPatient(ctx context.Context, r app.PatientRegistration) (*app.User, error) {
	if err := r.Validate(s.db.now()); err != nil {
		return nil, err
	}
	if err := s.db.passwordNotClinic(ctx, "password", r.Password, r.Username, r.GivenName, r.FamilyName); err != nil {
		return nil, err
	}
	cr, err := s.db.newCredentials(newID(), r.Password)
	if err != nil {
		return nil, internal("user.register_patient", err)
	}
	var u *app.User
	err = s.db.write(ctx, "user.register_patient", func(tx *Tx) error {
		p, err := tx.insertPatient(app.PatientCreate{GivenName: r.GivenName, FamilyName: r.FamilyName, Sex: r.Sex,
			BirthDate: r.BirthDate, Phone: r.Phone, Email: r.Email})
		if err != nil {
			return err
		}
		var own *app.SigningKey
		u, own, err = tx.insertUser(app.StaffRegistration{Username: r.Username, FullName: p.FullName(), Email: r.Email,
			Phone: r.Phone, Role: app.RolePatient, Password: r.Password}, app.StatusActive, false, p.ID, cr)
		if err != nil {
			return err
		}
		// A patient's own account opens only their own record: its own
		// key signs it.
		if err := tx.signPower("users", u.ID, own); err != nil {
			return err
		}
		who := app.Caller{UserID: u.ID, Username: u.Username, Role: u.Role, PatientID: p.ID}
		tx.AuditAs(who, "patient.create", "patients", p.ID, app.OutcomeOK, "self-registration, "+p.MRN)
		tx.audits[len(tx.audits)-1].patientID = p.ID
		tx.AuditAs(who, "user.register_patient", "users", u.ID, app.OutcomeOK, "")
		tx.audits[len(tx.audits)-1].patientID = p.ID
		return nil
	})
	return u, err
}

// CreateUser implements app.UserService.
// The password is hashed before the write transaction, for a caller who
// may create accounts and a request that passes its checks; the
// transaction checks all again.
func (s *UserService) CreateUser(ctx context.Context, c app.UserCreate) (*app.User, error) {
	var cr *credentials
	if caller, _ := app.CallerFromContext(ctx); caller.Can(app.PermManageStaff) && checkSession(ctx, s.db.r, caller) == nil {
		pre := c
		if pre.Validate() == nil && pre.Role != app.RolePatient &&
			s.db.passwordNotClinic(ctx, "password", pre.Password, pre.Username, pre.FullName) == nil {
			var err error
			if cr, err = s.db.newCredentials(newID(), pre.Password); err != nil {
				return nil, internal("user.create", err)
			}
		}
	}
	var u *app.User
	err := s.db.write(ctx, "user.create", func(tx *Tx) (err error) {
		if err := tx.Require(app.PermManageStaff); err != nil {
			return err
		}
		if err := c.Validate(); err != nil {
			return err
		}
		if err := s.db.passwordNotClinic(tx.ctx, "password", c.Password, c.Username, c.FullName); err != nil {
			return err
		}
		if c.Role == app.RolePatient {
			return app.FieldErrorf("role", "A patient's account comes with their patient record: patients register themselves at the login window.")
		}
		if u, _, err = tx.insertUser(c, app.StatusActive, false, "", cr); err != nil {
			return err
		}
		if err := tx.signPower("users", u.ID, tx.caller.Signer); err != nil {
			return err
		}
		tx.Audit("user.create", "users", u.ID, "", "created "+u.Username+" as "+string(u.Role))
		return nil
	})
	return u, err
}

// FindUserByID implements app.UserService.
func (s *UserService) FindUserByID(ctx context.Context, id string) (*app.User, error) {
	caller, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "user.view", "users", id, "", app.CanSeeAccount(caller, id)); err != nil {
		return nil, err
	}
	return s.findOne(ctx, "id", id)
}

// FindUserByUsername implements app.UserService.
func (s *UserService) FindUserByUsername(ctx context.Context, username string) (*app.User, error) {
	if err := s.db.denyRead(ctx, "user.view", "users", "", "", app.PermViewStaff); err != nil {
		return nil, err
	}
	return s.findOne(ctx, "username", app.NormalizeUsername(username))
}

func (s *UserService) findOne(ctx context.Context, column, value string) (*app.User, error) {
	u, _, err := scanUser(s.db.r.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users
		WHERE `+column+` = ? AND deleted_at IS NULL`, value))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, app.Errorf(app.ENOTFOUND, "There is no account %q.", value)
	} else if err != nil {
		return nil, internal("user.view", err)
	}
	return u, nil
}

// FindUsers implements app.UserService.
func (s *UserService) FindUsers(ctx context.Context, f app.UserFilter) ([]*app.User, error) {
	if err := s.db.denyRead(ctx, "user.list", "users", "", "", app.PermViewStaff); err != nil {
		return nil, err
	}
	where, args := []string{"deleted_at IS NULL"}, []any{}
	if f.Role != "" {
		where, args = append(where, "role = ?"), append(args, f.Role)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + escapeLike(strings.ToLower(q)) + "%"
		where, args = append(where, `(username LIKE ? ESCAPE '\' OR lower(full_name) LIKE ? ESCAPE '\')`), append(args, like, like)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	rows, err := s.db.r.QueryContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE `+
		strings.Join(where, " AND ")+` ORDER BY status = 'pending' DESC, username LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, internal("user.list", err)
	}
	defer rows.Close()
	var out []*app.User
	for rows.Next() {
		u, _, err := scanUser(rows)
		if err != nil {
			return nil, internal("user.list", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("user.list", err)
	}
	return out, nil
}

// adminChange runs one change to one account by an admin: permission
// check, load, the change, and its audit row.
func (s *UserService) adminChange(ctx context.Context, action, id string, change func(tx *Tx, u *app.User) (detail string, err error)) (*app.User, error) {
	var out *app.User
	err := s.db.writeFor(ctx, action, "users", id, "", func(tx *Tx) error {
		if err := tx.Require(app.PermManageStaff); err != nil {
			return err
		}
		u, _, err := tx.findUser("id", id)
		if err != nil {
			return err
		}
		before, _, _, err := PowerRow(tx.ctx, tx, "users", id)
		if err != nil {
			return err
		}
		detail, err := change(tx, u)
		if err != nil {
			return err
		}
		after, _, _, err := PowerRow(tx.ctx, tx, "users", id)
		if err != nil {
			return err
		}
		if !app.SamePower("users", before, after) {
			if err := tx.signPower("users", id, tx.caller.Signer); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET updated_at = ? WHERE id = ?`, formatTime(tx.now), id); err != nil {
			return err
		}
		tx.Audit(action, "users", id, u.PatientID, detail)
		out, _, err = tx.findUser("id", id)
		return err
	})
	return out, err
}

// activeAdmins counts active admin accounts inside tx.
func (tx *Tx) activeAdmins() (int, error) {
	var n int
	err := tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND status = 'active' AND deleted_at IS NULL`).Scan(&n)
	return n, err
}

func (tx *Tx) refuseLastAdmin(u *app.User) error {
	if u.Role != app.RoleAdmin || u.Status != app.StatusActive {
		return nil
	}
	n, err := tx.activeAdmins()
	if err != nil {
		return err
	}
	if n <= 1 {
		return app.Errorf(app.ECONFLICT, "%s is the clinic's only active administrator; make another administrator first.", u.Username)
	}
	return nil
}

// ApproveUser implements app.UserService.
func (s *UserService) ApproveUser(ctx context.Context, id string) (*app.User, error) {
	return s.adminChange(ctx, "user.approve", id, func(tx *Tx, u *app.User) (string, error) {
		if u.Status != app.StatusPending {
			return "", app.Errorf(app.ECONFLICT, "%s is not waiting for approval (the account is %s).", u.Username, u.Status)
		}
		_, err := tx.ExecContext(tx.ctx, `UPDATE users SET status = 'active' WHERE id = ?`, id)
		return "approved " + u.Username + " as " + string(u.Role), err
	})
}

// ChangeRole implements app.UserService.
func (s *UserService) ChangeRole(ctx context.Context, id string, role app.Role, was *app.User) (*app.User, error) {
	return s.adminChange(ctx, "user.change_role", id, func(tx *Tx, u *app.User) (string, error) {
		if !role.Valid() {
			return "", app.FieldErrorf("role", "Choose a role.")
		}
		if role == app.RolePatient || u.Role == app.RolePatient {
			return "", app.FieldErrorf("role", "Patient accounts cannot change role, and staff cannot become patients.")
		}
		if u.Role == role {
			return "", app.FieldErrorf("role", "%s already has the role %s.", u.Username, role.Label())
		}
		if err := tx.refuseLastAdmin(u); err != nil {
			return "", err
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE users SET role = ? WHERE id = ?`, role, id); err != nil {
			return "", err
		}
		changes := []fieldChange{{"role", string(u.Role), string(role)}}
		return fmt.Sprintf("role %s -> %s", u.Role, role), tx.notSeen("users", id, changes, userShown(was, id))
	})
}

// DeactivateUser implements app.UserService.
func (s *UserService) DeactivateUser(ctx context.Context, id string, was *app.User) (*app.User, error) {
	return s.adminChange(ctx, "user.deactivate", id, func(tx *Tx, u *app.User) (string, error) {
		if u.ID == tx.caller.UserID {
			return "", app.Errorf(app.ECONFLICT, "You cannot deactivate your own account.")
		}
		if u.Status == app.StatusDeactivated {
			return "", app.Errorf(app.ECONFLICT, "%s is already deactivated.", u.Username)
		}
		if err := tx.refuseLastAdmin(u); err != nil {
			return "", err
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE users SET status = 'deactivated' WHERE id = ?`, id); err != nil {
			return "", err
		}
		changes := []fieldChange{{"status", string(u.Status), string(app.StatusDeactivated)}}
		return "deactivated " + u.Username, tx.notSeen("users", id, changes, userShown(was, id))
	})
}

// userShown is an account's fields that ChangeRole, DeactivateUser and
// SetLanguage set, as the screen that changes it showed them (column
// name, value, as notSeen compares them): nil when it showed another
// account (or nothing). ApproveUser needs none: it changes only a pending
// account, and nothing but a new account is pending, so the status it
// replaces is the one the screen showed.
func userShown(was *app.User, id string) map[string]string {
	if was == nil || was.ID != id {
		return nil
	}
	return map[string]string{"role": string(was.Role), "status": string(was.Status), "language": string(was.Language)}
}

// UnlockUser implements app.UserService.
func (s *UserService) UnlockUser(ctx context.Context, id string) (*app.User, error) {
	return s.adminChange(ctx, "user.unlock", id, func(tx *Tx, u *app.User) (string, error) {
		_, err := tx.ExecContext(tx.ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?`, id)
		return "unlocked " + u.Username, err
	})
}

// ResetPassword implements app.UserService. The new password is hashed,
// and the account's new key sealed with it, before the write transaction,
// for a caller who may reset it and a password that passes the checks;
// the transaction checks all again.
func (s *UserService) ResetPassword(ctx context.Context, id, newPassword string) (*app.User, error) {
	var cr *credentials
	if caller, _ := app.CallerFromContext(ctx); caller.Can(app.PermManageStaff) && checkSession(ctx, s.db.r, caller) == nil {
		if u, _, err := s.db.findUserRead(ctx, "id", id); err == nil &&
			s.db.passwordNotClinic(ctx, "password", newPassword, u.Username, u.FullName) == nil {
			if cr, err = s.db.newCredentials(id, newPassword); err != nil {
				return nil, internal("user.reset_password", err)
			}
		}
	}
	return s.adminChange(ctx, "user.reset_password", id, func(tx *Tx, u *app.User) (string, error) {
		if err := s.db.passwordNotClinic(tx.ctx, "password", newPassword, u.Username, u.FullName); err != nil {
			return "", err
		}
		if cr == nil || cr.id != u.ID {
			return "", errCredentialsStale()
		}
		// The account's key was sealed with the password it no longer
		// has: it gets a new one, which the administrator's signature
		// vouches for.
		if _, err := tx.ExecContext(tx.ctx, `UPDATE users SET password_hash = ?, must_change_password = 1,
			failed_logins = 0, locked_until = NULL, sign_key = ?, sealed_sign_key = ? WHERE id = ?`,
			cr.hash, cr.key.Public(), cr.sealed, id); err != nil {
			return "", err
		}
		return "password reset for " + u.Username + "; must change at next login", nil
	})
}

// resealKey opens the account's key with its old password and seals it
// with the new one; an account without a key, or whose key the old
// password does not open (an administrator reset it), gets a new one.
func (s *UserService) resealKey(ctx context.Context, id, oldPassword, newPassword string) (*app.SigningKey, string, error) {
	var public, sealed string
	if err := s.db.r.QueryRowContext(ctx, `SELECT sign_key, sealed_sign_key FROM users WHERE id = ?`, id).Scan(&public, &sealed); err != nil {
		return nil, "", err
	}
	var k *app.SigningKey
	var err error
	s.db.hashAside(func() {
		if public != "" {
			k, _ = app.UnsealSigningKey(id, sealed, public, oldPassword)
		}
		if k == nil {
			if k, err = app.NewSigningKey(id); err != nil {
				return
			}
		}
		sealed, err = app.SealSigningKey(k, newPassword, s.db.hash)
	})
	if err != nil {
		return nil, "", err
	}
	return k, sealed, nil
}

// SetLanguage implements app.UserService: a user sets their own screen
// language, an administrator anyone's. The language is no power field
// (app.PowerFields), so the change is not signed and syncs like a name.
func (s *UserService) SetLanguage(ctx context.Context, id, language string, was *app.User) (*app.User, error) {
	var out *app.User
	err := s.db.writeFor(ctx, "user.set_language", "users", id, "", func(tx *Tx) error {
		if err := tx.RequireLoggedIn(); err != nil {
			return err
		}
		if id != tx.caller.UserID {
			if err := tx.Require(app.PermManageStaff); err != nil {
				return err
			}
		}
		var lang i18n.Lang
		if strings.TrimSpace(language) != "" {
			l, err := i18n.Parse(language)
			if err != nil {
				return app.FieldErrorf("language", "Choose a language the screens speak.")
			}
			lang = l
		}
		u, _, err := tx.findUser("id", id)
		if err != nil {
			return err
		}
		if u.Language == lang {
			out = u
			return nil
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE users SET language = ?, updated_at = ? WHERE id = ?`,
			string(lang), formatTime(tx.now), id); err != nil {
			return err
		}
		changes := []fieldChange{{"language", string(u.Language), string(lang)}}
		if err := tx.notSeen("users", id, changes, userShown(was, id)); err != nil {
			return err
		}
		shown := string(lang)
		if shown == "" {
			shown = "the clinic's default"
		}
		tx.Audit("user.set_language", "users", id, u.PatientID, fmt.Sprintf("language of %s -> %s", u.Username, shown))
		out, _, err = tx.findUser("id", id)
		return err
	})
	return out, err
}

// ChangePassword implements app.UserService: the current password is
// checked, and the new one hashed, outside the write transaction.
func (s *UserService) ChangePassword(ctx context.Context, oldPassword, newPassword string) error {
	c, _ := app.CallerFromContext(ctx)
	var v verdict
	var newHash, sealed string
	var own *app.SigningKey
	if c.UserID != "" && checkSession(ctx, s.db.r, c) == nil {
		u, hash, err := s.db.findUserRead(ctx, "id", c.UserID)
		if err != nil {
			return err
		}
		if s.db.passwordNotClinic(ctx, "new_password", newPassword, u.Username, u.FullName) == nil && newPassword != oldPassword {
			if v, err = s.verify(u, hash, oldPassword); err != nil {
				return internal("user.change_password", err)
			}
			if v.ok {
				if newHash, err = app.HashPassword(newPassword, s.db.hash); err != nil {
					return internal("user.change_password", err)
				}
				if own, sealed, err = s.resealKey(ctx, u.ID, oldPassword, newPassword); err != nil {
					return internal("user.change_password", err)
				}
			}
		}
	}
	return s.db.write(ctx, "user.change_password", func(tx *Tx) error {
		if err := tx.RequireLoggedIn(); err != nil {
			return err
		}
		u, _, err := tx.findUser("id", tx.caller.UserID)
		if err != nil {
			return err
		}
		if err := s.db.passwordNotClinic(ctx, "new_password", newPassword, u.Username, u.FullName); err != nil {
			return err
		}
		if newPassword == oldPassword {
			return app.FieldErrorf("new_password", "The new password must differ from the current one.")
		}
		u, ok, err := s.recordCheck(tx, u.ID, v, "user.change_password", own)
		if err != nil || !ok {
			if tx.deferred != nil && app.ErrorField(tx.deferred) == "password" {
				tx.deferred = app.FieldErrorf("old_password", "The current password is not right.")
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, must_change_password = 0, updated_at = ?,
			sign_key = ?, sealed_sign_key = ? WHERE id = ?`, newHash, formatTime(tx.now), own.Public(), sealed, u.ID); err != nil {
			return err
		}
		// The user's own key signs their own password (docs/SYNC-DESIGN.md).
		if err := tx.signPower("users", u.ID, own); err != nil {
			return err
		}
		tx.Audit("user.change_password", "users", u.ID, "", "")
		return nil
	})
}

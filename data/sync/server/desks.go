package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
)

// DeskLogin is a desk's own PostgreSQL login (migration 0007): the server's
// functions take the desk from it, never from an argument.
type DeskLogin struct {
	// Name is the login's name, Password its password, known only when
	// the login was just created (it is shown once and kept nowhere).
	Name, Password string
	// DeskCode is the desk the login is bound to (empty: it has not
	// enrolled yet).
	DeskCode string
}

// Errors of AddDesk and RemoveDesk.
var (
	// ErrBadLoginName: the name is not a plain PostgreSQL identifier.
	ErrBadLoginName = errors.New("a desk's login name is lower-case letters, digits and _, starting with a letter, at most 63 of them")
	// ErrLoginExists: a role of that name exists already.
	ErrLoginExists = errors.New("a login of that name exists already")
	// ErrNoSuchLogin: the database has no desk login of that name.
	ErrNoSuchLogin = errors.New("the server has no desk login of that name")
	// ErrNotThisDesk: a login acted (or enrolled) as another desk than its
	// own; ErrNoDesk: the login is no desk of this server; ErrRevoked:
	// the desk's login was revoked.
	ErrNotThisDesk = errors.New("the server refused: this login belongs to another desk")
	ErrNoDesk      = errors.New("the login is not a desk of this server")
	ErrRevoked     = errors.New("this desk's login was revoked on the server")
)

var loginName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// newPassword is 24 random bytes, URL-safe: 32 characters, no quote, so
// it can be written into CREATE ROLE (which takes no parameters).
func newPassword() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// AddDesk creates the PostgreSQL login name for one desk on the server at
// rawURL (hms server add-desk): a LOGIN role, member of hms_desk, with a
// new password, returned once, and its binding in sync.desk_logins. A
// desk login the cluster has already (a replaced server whose roles were
// restored) is bound as it is, its password unchanged (Password empty). The
// desk enrolls with it and is from then on the only desk it may act as.
// It needs a user that may create roles (the database owner with
// CREATEROLE, or a superuser), as Init does.
func AddDesk(ctx context.Context, rawURL, name string) (DeskLogin, error) {
	if !loginName.MatchString(name) {
		return DeskLogin{}, fmt.Errorf("%w: %q", ErrBadLoginName, name)
	}
	return deskLoginTx(ctx, rawURL, func(tx pgx.Tx) (DeskLogin, error) {
		return createLogin(ctx, tx, name, "")
	}, nil)
}

// deskLoginTx runs change in one transaction on the server at rawURL,
// which must hold the desk logins (hms server init), then after, when
// given, on the same connection once change is committed.
func deskLoginTx(ctx context.Context, rawURL string, change func(tx pgx.Tx) (DeskLogin, error), after func(conn *pgx.Conn) error) (DeskLogin, error) {
	conn, err := connect(ctx, rawURL)
	if err != nil {
		return DeskLogin{}, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := initialized(ctx, conn); err != nil {
		return DeskLogin{}, err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return DeskLogin{}, classify(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	l, err := change(tx)
	if err != nil {
		return DeskLogin{}, err
	}
	if err := tx.Commit(ctx); err != nil {
		return DeskLogin{}, classify(err)
	}
	if after != nil {
		if err := after(conn); err != nil {
			return DeskLogin{}, err
		}
	}
	return l, nil
}

// createLogin creates the role name and its binding, to site when given.
func createLogin(ctx context.Context, tx pgx.Tx, name, site string) (DeskLogin, error) {
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, name).Scan(&exists); err != nil {
		return DeskLogin{}, classify(err)
	}
	if exists {
		// A desk login of another database of the cluster, or one restored
		// with the roles of a replaced server (pg_dumpall --roles-only):
		// bound here as it is, its password unchanged.
		var bindable bool
		if err := tx.QueryRow(ctx, `SELECT pg_has_role($1, 'hms_desk', 'MEMBER') AND r.rolcanlogin
				AND NOT EXISTS (SELECT 1 FROM sync.desk_logins WHERE login = $1)
			FROM pg_roles r WHERE r.rolname = $1`, name).Scan(&bindable); err != nil {
			return DeskLogin{}, classify(err)
		}
		if !bindable {
			return DeskLogin{}, fmt.Errorf("%w: %s", ErrLoginExists, name)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO sync.desk_logins (login) VALUES ($1)`, name); err != nil {
			return DeskLogin{}, fmt.Errorf("bind the login %s: %w", name, classify(err))
		}
		return DeskLogin{Name: name}, nil
	}
	pw, err := newPassword()
	if err != nil {
		return DeskLogin{}, err
	}
	if _, err := tx.Exec(ctx, `CREATE ROLE `+pgx.Identifier{name}.Sanitize()+` LOGIN PASSWORD '`+pw+`' IN ROLE hms_desk`); err != nil {
		return DeskLogin{}, fmt.Errorf("create the login %s: %w", name, classify(err))
	}
	var siteArg any
	if site != "" {
		siteArg = site
	}
	var code *string
	if err := tx.QueryRow(ctx, `INSERT INTO sync.desk_logins (login, site_id, bound_at)
		VALUES ($1, $2, CASE WHEN $2::uuid IS NULL THEN NULL ELSE now() END)
		RETURNING (SELECT desk_code FROM sync.sites WHERE site_id = $2)`, name, siteArg).Scan(&code); err != nil {
		return DeskLogin{}, fmt.Errorf("bind the login %s: %w", name, classify(err))
	}
	l := DeskLogin{Name: name, Password: pw}
	if code != nil {
		l.DeskCode = *code
	}
	return l, nil
}

// RemoveDesk revokes the desk login name on the server at rawURL (hms
// server remove-desk: a lost laptop, a retired desk): the role may no
// longer log in, its open sessions are ended, its functions refuse it, and
// its desk no longer holds pruning back. What it pushed before stays.
func RemoveDesk(ctx context.Context, rawURL, name string) (DeskLogin, error) {
	return deskLoginTx(ctx, rawURL, func(tx pgx.Tx) (DeskLogin, error) {
		var code *string
		err := tx.QueryRow(ctx, `UPDATE sync.desk_logins l SET revoked_at = coalesce(l.revoked_at, now()) WHERE l.login = $1
			RETURNING (SELECT s.desk_code FROM sync.sites s WHERE s.site_id = l.site_id)`, name).Scan(&code)
		if errors.Is(err, pgx.ErrNoRows) {
			return DeskLogin{}, fmt.Errorf("%w: %s", ErrNoSuchLogin, name)
		}
		if err != nil {
			return DeskLogin{}, classify(err)
		}
		if _, err := tx.Exec(ctx, `ALTER ROLE `+pgx.Identifier{name}.Sanitize()+` NOLOGIN`); err != nil {
			return DeskLogin{}, fmt.Errorf("revoke the login %s: %w", name, classify(err))
		}
		l := DeskLogin{Name: name}
		if code != nil {
			l.DeskCode = *code
		}
		return l, nil
	}, func(conn *pgx.Conn) error {
		// Sessions already open survive NOLOGIN: end them.
		if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE usename = $1 AND pid <> pg_backend_pid()`, name); err != nil {
			return fmt.Errorf("end the sessions of %s: %w", name, classify(err))
		}
		return nil
	})
}

// initialized refuses a database without the desk logins (no hms server
// init, or one older than migration 0007).
func initialized(ctx context.Context, conn *pgx.Conn) error {
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('sync.desk_logins') IS NOT NULL`).Scan(&ok); err != nil {
		return classify(err)
	}
	if !ok {
		return fmt.Errorf("%w: run hms server init on it first", ErrNotInitialized)
	}
	return nil
}

// bindEnrolled gives every enrolled desk that has no login of its own yet
// (enrolled before migration 0007, with the shared login of old) a new
// login bound to it, named after the database and the desk code. Init
// returns them so that their passwords are shown once; each desk then
// enrolls again with its own (README, "Upgrading a server").
func bindEnrolled(ctx context.Context, conn *pgx.Conn) ([]DeskLogin, error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, classify(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var db string
	if err := tx.QueryRow(ctx, `SELECT current_database()`).Scan(&db); err != nil {
		return nil, classify(err)
	}
	rows, err := tx.Query(ctx, `SELECT s.site_id::text, s.desk_code FROM sync.sites s
		WHERE NOT EXISTS (SELECT 1 FROM sync.desk_logins l WHERE l.site_id = s.site_id)
		ORDER BY substr(s.desk_code, 2)::int`)
	if err != nil {
		return nil, classify(err)
	}
	type site struct{ id, code string }
	var sites []site
	for rows.Next() {
		var s site
		if err := rows.Scan(&s.id, &s.code); err != nil {
			return nil, classify(err)
		}
		sites = append(sites, s)
	}
	if err := rows.Err(); err != nil {
		return nil, classify(err)
	}
	var made []DeskLogin
	for _, s := range sites {
		l, err := createLogin(ctx, tx, LegacyLoginName(db, s.code), s.id)
		if err != nil {
			return nil, err
		}
		made = append(made, l)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, classify(err)
	}
	return made, nil
}

// LegacyLoginName is the login Init creates for a desk enrolled before
// desks had logins of their own: the database's name and the desk code,
// e.g. hms_d2, in lower case with anything but letters and digits as _.
func LegacyLoginName(database, code string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(database) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	name := b.String()
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		name = "hms_" + name
	}
	suffix := "_" + strings.ToLower(code)
	if len(name)+len(suffix) > 63 {
		name = name[:63-len(suffix)]
	}
	return name + suffix
}

// Package server is the PostgreSQL side of sync (SYNC.md): the server's
// schema, created and migrated by Init from embedded SQL files, and Client,
// through which a desk shakes hands with the server, enrolls and pushes its
// outbox.
//
// The server is PostgreSQL and a few SQL functions (migrations/*.sql);
// desks call sync.handshake, sync.enroll and sync.push and touch no table
// themselves. For now the clinic's rows are kept generically, one JSON
// object per (entity, row id) with a clock reading per field (sync.rows):
// that is enough to merge editable records per field and to keep append-
// only rows exactly once, and the change log the desks will pull from
// carries the same snapshots. Typed tables, and with them the appointments'
// exclusion constraint, come with the pull.
package server

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one embedded schema change.
type migration struct {
	version int
	name    string
	body    string
}

// migrations returns the embedded migrations in version order.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	ms := make([]migration, 0, len(names))
	for _, n := range names {
		base := path.Base(n)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("server migration %s: the name must start with its version", base)
		}
		b, err := migrationFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, body: string(b)})
	}
	return ms, nil
}

// SchemaVersion is the newest server schema this program knows.
func SchemaVersion() int {
	ms, _ := migrations()
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// SchemaFingerprint is a short hash of every server migration's text,
// which changes whenever the server's schema does (a test's cached server
// databases are named after it).
func SchemaFingerprint() string {
	h := sha256.New()
	ms, _ := migrations()
	for _, m := range ms {
		h.Write([]byte(m.name))
		h.Write([]byte(m.body))
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// Errors a connection or a call can end with; the data package turns them
// into messages for the person at the desk.
var (
	// ErrUnreachable: no PostgreSQL answered at the address.
	ErrUnreachable = errors.New("the server cannot be reached")
	// ErrAuth: the server refused the user name or password.
	ErrAuth = errors.New("the server refused the user name or password")
	// ErrNoDatabase: the server has no database of the name given.
	ErrNoDatabase = errors.New("there is no such database on the server")
	// ErrNotInitialized: the database has no sync schema (hms server init
	// was not run on it).
	ErrNotInitialized = errors.New("the database is not an HMS server")
	// ErrSchemaTooNew: the server runs a schema this program is too old
	// to talk to.
	ErrSchemaTooNew = errors.New("the server's schema is newer than this program")
	// ErrNotEnrolled: the desk pushed to a server it is not enrolled on.
	ErrNotEnrolled = errors.New("this desk is not enrolled on the server")
	// ErrTLS: the server's certificate could not be verified (or it
	// offers no TLS) under the address's sslmode.
	ErrTLS = errors.New("the server's TLS certificate could not be verified")
)

// Redact returns the connection URL without its password, as it may be
// shown and stored.
func Redact(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return "", fmt.Errorf("%q is not a server address: give one like postgres://user@host:5432/database", redactLoose(rawURL))
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.User(u.User.Username())
		}
	}
	q := u.Query()
	if q.Has("password") {
		q.Del("password")
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

// DefaultSSLMode is the TLS mode of an address that names none: the
// server's certificate and name are checked. Weaker modes must be written
// in the address.
const DefaultSSLMode = "verify-full"

// WithTLSDefault returns rawURL with sslmode=verify-full added when it
// names no sslmode; an address that does not parse is returned as it is
// (connect and Redact say what is wrong with it).
func WithTLSDefault(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return rawURL
	}
	q := u.Query()
	if q.Has("sslmode") {
		return rawURL
	}
	if u.RawQuery != "" {
		u.RawQuery += "&"
	}
	u.RawQuery += "sslmode=" + DefaultSSLMode
	return u.String()
}

// SSLMode is the TLS mode the address connects with, and whether it
// verifies who answers (the server's certificate and name).
func SSLMode(rawURL string) (mode string, verified bool) {
	u, err := url.Parse(WithTLSDefault(rawURL))
	if err != nil {
		return "", false
	}
	mode = u.Query().Get("sslmode")
	return mode, mode == DefaultSSLMode
}

// redactLoose hides what looks like a password in a string that does not
// parse as a URL, for error messages.
func redactLoose(s string) string {
	if at := strings.LastIndex(s, "@"); at >= 0 {
		if scheme := strings.Index(s, "://"); scheme >= 0 && scheme < at {
			if colon := strings.Index(s[scheme+3:at], ":"); colon >= 0 {
				return s[:scheme+3+colon] + ":xxxxx" + s[at:]
			}
		}
	}
	return s
}

// connect opens one connection to the server at rawURL. A password missing
// from the URL comes from PGPASSWORD or the PostgreSQL password file
// (~/.pgpass, %APPDATA%\postgresql\pgpass.conf), as for every PostgreSQL
// client. TLS follows sslmode in the URL (verify-full checks the server's
// certificate and name); an address without one is verify-full.
func connect(ctx context.Context, rawURL string) (*pgx.Conn, error) {
	shown, err := Redact(rawURL)
	if err != nil {
		return nil, err
	}
	rawURL = WithTLSDefault(rawURL)
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("server %s: %w", shown, err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("server %s: %w", shown, classify(err))
	}
	return conn, nil
}

// classify wraps a connection or call error with the sentinel that says
// what went wrong, keeping the driver's error for the detail.
func classify(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "28P01", "28000": // invalid_password, invalid_authorization_specification
			return fmt.Errorf("%w: %w", ErrAuth, err)
		case "3D000": // invalid_catalog_name
			return fmt.Errorf("%w: %w", ErrNoDatabase, err)
		case "3F000", "42883", "42P01": // no schema sync, no function, no table
			return fmt.Errorf("%w: %w", ErrNotInitialized, err)
		case "HM001":
			return fmt.Errorf("%w: %w", ErrNotEnrolled, err)
		case "HM002":
			return fmt.Errorf("%w: %w", ErrNoDesk, err)
		case "HM003":
			return fmt.Errorf("%w: %w", ErrRevoked, err)
		case "HM004":
			return fmt.Errorf("%w: %w", ErrNotThisDesk, err)
		}
		return err
	}
	var cve *tls.CertificateVerificationError
	var uae x509.UnknownAuthorityError
	var hne x509.HostnameError
	var cie x509.CertificateInvalidError
	if errors.As(err, &cve) || errors.As(err, &uae) || errors.As(err, &hne) || errors.As(err, &cie) ||
		strings.Contains(err.Error(), "server refused TLS connection") {
		return fmt.Errorf("%w: %w", ErrTLS, err)
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	if errors.As(err, &ne) || errors.As(err, &ce) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	return err
}

package server

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// InitResult says what Init did.
type InitResult struct {
	// From is the schema version the server had (0: none), To the one it
	// has now; equal when there was nothing to do.
	From, To int
	// Epoch identifies this server's data; it changes only when the
	// database is created anew.
	Epoch string
	// NewLogins are the logins Init created for desks enrolled before
	// each desk had its own (their passwords are shown once).
	NewLogins []DeskLogin
	// Analyzed: the schema changed, and Init updated the planner's
	// statistics of the sync tables (ANALYZE).
	Analyzed bool
	// AutovacuumOff names what keeps PostgreSQL from vacuuming and
	// analysing the sync tables by itself: the server's autovacuum or
	// track_counts setting, or the tables whose own setting turns it off.
	// Empty when autovacuum is on for all of them.
	AutovacuumOff []string
}

// migrateLock is the advisory lock that makes two Inits of one database
// run one after the other.
const migrateLock = 0x484d535359 // "HMSSY"

// Init creates or migrates the sync schema of the database at rawURL:
// each embedded migration not applied yet, in order, each in its own
// transaction. Running it again changes nothing. It needs a user that may
// create schemas, functions and roles (the database owner or a superuser),
// and refuses a server whose schema is newer than this program.
func Init(ctx context.Context, rawURL string) (InitResult, error) {
	conn, err := connect(ctx, rawURL)
	if err != nil {
		return InitResult{}, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return migrate(ctx, conn)
}

func migrate(ctx context.Context, conn *pgx.Conn) (InitResult, error) {
	ms, err := migrations()
	if err != nil {
		return InitResult{}, err
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrateLock); err != nil {
		return InitResult{}, fmt.Errorf("server init: %w", classify(err))
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLock)

	if _, err := conn.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS sync;
		CREATE TABLE IF NOT EXISTS sync.schema_migrations (
			version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return InitResult{}, fmt.Errorf("server init: %w", classify(err))
	}
	var res InitResult
	if err := conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM sync.schema_migrations`).Scan(&res.From); err != nil {
		return InitResult{}, fmt.Errorf("server init: %w", classify(err))
	}
	if known := SchemaVersion(); res.From > known {
		return InitResult{}, fmt.Errorf("%w: the server has schema %d, this program knows up to %d; update hms",
			ErrSchemaTooNew, res.From, known)
	}
	res.To = res.From
	for _, m := range ms {
		if m.version <= res.From {
			continue
		}
		if err := applyMigration(ctx, conn, m); err != nil {
			return InitResult{}, err
		}
		res.To = m.version
	}
	if err := conn.QueryRow(ctx, `SELECT epoch::text FROM sync.meta`).Scan(&res.Epoch); err != nil {
		return InitResult{}, fmt.Errorf("server init: %w", classify(err))
	}
	if res.NewLogins, err = bindEnrolled(ctx, conn); err != nil {
		return InitResult{}, fmt.Errorf("server init: %w", err)
	}
	if res.To != res.From {
		// New tables and indexes, and functions whose plans are made
		// once per session: the planner needs statistics of what the
		// tables hold now.
		if err := analyze(ctx, conn); err != nil {
			return InitResult{}, fmt.Errorf("server init: %w", err)
		}
		res.Analyzed = true
	}
	if res.AutovacuumOff, err = autovacuumOff(ctx, conn); err != nil {
		return InitResult{}, fmt.Errorf("server init: %w", err)
	}
	return res, nil
}

// analyze updates the planner's statistics of every table of the sync
// schema (ANALYZE), which the owner may do. Without them a server filled
// since it was made plans its lookups as for empty tables: the duplicate
// patient check scans every registration instead of using its index.
func analyze(ctx context.Context, conn *pgx.Conn) error {
	rows, err := conn.Query(ctx, `SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'sync' AND c.relkind IN ('r', 'p') ORDER BY c.relname`)
	if err != nil {
		return fmt.Errorf("analyze: %w", classify(err))
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("analyze: %w", classify(err))
	}
	if len(tables) == 0 {
		return nil
	}
	if _, err := conn.Exec(ctx, `ANALYZE `+strings.Join(tables, ", ")); err != nil {
		return fmt.Errorf("analyze: %w", classify(err))
	}
	return nil
}

// autovacuumOff says what keeps autovacuum from the sync tables: the
// server's own settings (autovacuum, track_counts), and the tables whose
// storage parameter autovacuum_enabled turns it off.
func autovacuumOff(ctx context.Context, conn *pgx.Conn) ([]string, error) {
	var on, counts bool
	if err := conn.QueryRow(ctx, `SELECT current_setting('autovacuum')::bool, current_setting('track_counts')::bool`).
		Scan(&on, &counts); err != nil {
		return nil, fmt.Errorf("autovacuum: %w", classify(err))
	}
	var off []string
	if !on {
		off = append(off, "the server (autovacuum = off)")
	}
	if !counts {
		off = append(off, "the server (track_counts = off)")
	}
	// A storage parameter is kept as it was written: any of the spellings
	// PostgreSQL reads as false.
	rows, err := conn.Query(ctx, `SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'sync' AND c.relkind = 'r'
		  AND EXISTS (SELECT 1 FROM unnest(c.reloptions) o
		              WHERE lower(o) ~ '^autovacuum_enabled=(f|fa|fal|fals|false|of|off|n|no|0)$')
		ORDER BY c.relname`)
	if err != nil {
		return nil, fmt.Errorf("autovacuum: %w", classify(err))
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("autovacuum: %w", classify(err))
	}
	return append(off, tables...), nil
}

func applyMigration(ctx context.Context, conn *pgx.Conn, m migration) (err error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("server migration %s: %w", m.name, classify(err))
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, tx.Rollback(context.WithoutCancel(ctx)))
		}
	}()
	if _, err := tx.Exec(ctx, m.body); err != nil {
		return fmt.Errorf("server migration %s: %w", m.name, err)
	}
	// Each migration states the schema version it brings in sync.meta; the
	// record here says it ran.
	if _, err := tx.Exec(ctx, `UPDATE sync.meta SET schema_version = $1 WHERE schema_version < $1`, m.version); err != nil {
		return fmt.Errorf("server migration %s: %w", m.name, classify(err))
	}
	if _, err := tx.Exec(ctx, `INSERT INTO sync.schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
		return fmt.Errorf("server migration %s: %w", m.name, classify(err))
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("server migration %s: %w", m.name, classify(err))
	}
	return nil
}

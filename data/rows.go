package data

// Plumbing every service uses to read and write rows.

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// rowQuerier is the reader pool or a transaction.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// querier is what reads many rows: the reader pool, a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// rowScanner is a row being read: *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

// collectRows runs a query inside tx and scans every row with scan.
func collectRows[T any](tx *Tx, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := tx.QueryContext(tx.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// escapeLike escapes the wildcards of a LIKE pattern written with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// truncate shortens s to at most n characters (runes), for audit details.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// optText stores "" as NULL, for optional references.
func optText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// optTime stores the zero time as NULL.
func optTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

// nullIfZero stores 0 as NULL, for optional measurements.
func nullIfZero(v int) any {
	if v == 0 {
		return nil
	}
	return v
}

// nullIfZeroFloat stores 0 as NULL, for optional measurements.
func nullIfZeroFloat(v float64) any {
	if v == 0 {
		return nil
	}
	return v
}

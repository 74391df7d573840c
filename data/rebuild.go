package data

import (
	"database/sql"
	"fmt"
	"regexp"
	"strings"
)

// migrationAfter holds the steps a migration needs that SQL alone cannot
// write generically, run after the migration's file in its transaction.
var migrationAfter = map[int]func(*sql.Tx) error{
	// 0228: the outbox without AUTOINCREMENT and without op_id's UNIQUE
	// (migrations/0228_outbox_no_sequence_page.sql says why).
	228: func(tx *sql.Tx) error {
		return rebuildTable(tx, "outbox", func(create string) (string, error) {
			out := autoincrement.ReplaceAllString(create, "$1")
			out = opIDUnique.ReplaceAllString(out, "$1")
			if out == create {
				return "", fmt.Errorf("outbox: neither AUTOINCREMENT nor op_id's UNIQUE found in %q", create)
			}
			return out, nil
		})
	},
}

var (
	autoincrement = regexp.MustCompile(`(?i)(\bseq\s+INTEGER\s+PRIMARY\s+KEY)\s+AUTOINCREMENT\b`)
	opIDUnique    = regexp.MustCompile(`(?i)(\bop_id\s+TEXT\s+NOT\s+NULL)\s+UNIQUE\b`)
)

// rebuildTable builds table again from its own CREATE TABLE text as edit
// changes it, keeping every column the table has now (whichever migration
// added it), every row with its rowid, and its indexes and triggers as
// they are. The rows are kept aside in a temporary table, so that the
// table made again takes the pages the old one freed; they go back before
// the triggers are made again, so no trigger runs for them. Foreign keys
// that point at the table are checked at the commit (defer_foreign_keys).
func rebuildTable(tx *sql.Tx, table string, edit func(create string) (string, error)) error {
	var create string
	if err := tx.QueryRow(`SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&create); err != nil {
		return fmt.Errorf("rebuild %s: %w", table, err)
	}
	edited, err := edit(create)
	if err != nil {
		return fmt.Errorf("rebuild %s: %w", table, err)
	}
	var others []string // indexes, then triggers, as made now
	rows, err := tx.Query(`SELECT sql FROM sqlite_schema WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL
		ORDER BY type = 'trigger', name`, table)
	if err != nil {
		return fmt.Errorf("rebuild %s: %w", table, err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return fmt.Errorf("rebuild %s: %w", table, err)
		}
		others = append(others, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("rebuild %s: %w", table, err)
	}
	var cols []string
	rows, err = tx.Query(`SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0 ORDER BY cid`, table)
	if err != nil {
		return fmt.Errorf("rebuild %s: %w", table, err)
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return fmt.Errorf("rebuild %s: %w", table, err)
		}
		cols = append(cols, quoteIdent(c))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("rebuild %s: %w", table, err)
	}
	list := strings.Join(cols, ", ")
	aside := quoteIdent(table + "_rebuild")
	steps := []string{
		`PRAGMA defer_foreign_keys = ON`,
		`CREATE TEMP TABLE ` + aside + ` AS SELECT rowid AS "rebuild_rowid", ` + list + ` FROM ` + quoteIdent(table),
		`DROP TABLE ` + quoteIdent(table),
		edited,
		`INSERT INTO ` + quoteIdent(table) + ` (rowid, ` + list + `) SELECT "rebuild_rowid", ` + list + ` FROM temp.` + aside + ` ORDER BY "rebuild_rowid"`,
		`DROP TABLE temp.` + aside,
	}
	for _, s := range append(steps, others...) {
		if _, err := tx.Exec(s); err != nil {
			return fmt.Errorf("rebuild %s: %w", table, err)
		}
	}
	return nil
}

// quoteIdent quotes an SQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

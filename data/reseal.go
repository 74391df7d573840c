package data

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// The reseal (docs/AUDIT.md, "Schema changes"): a row's seal hashes the
// columns its table has, so a migration that adds a column to an audited
// table changes every row's hash. After such a migration, each row whose
// latest seal matches its content over the columns the table had before
// is sealed again, over all its columns now, by one audit.reseal row; a
// row that no longer matched before the migration is left as it is, and
// verify goes on reporting it.

// resealAction names the audit row that seals records again after a
// migration gave their tables new columns.
const resealAction = "audit.reseal"

// sealedColumnsNow reads each audited table's sealed columns; a table that
// does not exist yet is left out.
func sealedColumnsNow(q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) (map[string][]string, error) {
	out := map[string][]string{}
	for _, st := range auditedTableList() {
		cols, err := sealedColumns(context.Background(), q, st)
		if err != nil {
			return nil, err
		}
		if len(cols) > 0 {
			out[st.Name] = cols
		}
	}
	return out, nil
}

// sealedColumnsBefore is sealedColumnsNow on a database whose records are
// sealed already (audit_seal exists), else nothing: the baseline will seal
// them over the columns they end up with. A table that exists but was not
// audited yet (no seal trigger: a local table a migration makes audited,
// such as conflicts in 0214) is left out, so that resealPlan takes it for
// a new table and its rows are sealed as they are.
func sealedColumnsBefore(q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRow(string, ...any) *sql.Row
}) (map[string][]string, error) {
	var sealed bool
	if err := q.QueryRow(`SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_seal')`).Scan(&sealed); err != nil || !sealed {
		return map[string][]string{}, err
	}
	out, err := sealedColumnsNow(q)
	if err != nil {
		return nil, err
	}
	for _, st := range auditedLocalTables {
		if _, ok := out[st.Name]; !ok {
			continue
		}
		var triggered bool
		if err := q.QueryRow(`SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?)`,
			"seal_"+st.Name+"_ins").Scan(&triggered); err != nil {
			return nil, err
		}
		if !triggered {
			delete(out, st.Name)
		}
	}
	return out, nil
}

// resealPlan compares the audited tables' sealed columns before and after
// migrations: the tables that gained columns, with their columns before,
// and the audited tables the migrations created, with no columns before
// (nil): the rows a migration wrote into a new table are the migration's,
// shipped with the program, and are sealed as they are.
// A migration may only add sealed columns: one that drops or renames one
// leaves no way to tell an honest row from an edited one. Such a table is
// not resealed (verify reports its rows) and is named in refused;
// TestMigrationsOnlyAddSealedColumns keeps the project's migrations from
// doing it.
func resealPlan(before, after map[string][]string) (plan map[string][]string, refused []string) {
	plan = map[string][]string{}
	for table, old := range before {
		cols := after[table]
		if slices.Equal(old, cols) {
			continue
		}
		ok := true
		for _, c := range old {
			if !slices.Contains(cols, c) {
				refused = append(refused, fmt.Sprintf("a migration removed or renamed column %s of the audited table %s; "+
					"only added columns can be resealed (docs/AUDIT.md)", c, table))
				ok = false
			}
		}
		if ok {
			plan[table] = old
		}
	}
	for table := range after {
		if _, ok := before[table]; !ok {
			plan[table] = nil
		}
	}
	slices.Sort(refused)
	return plan, refused
}

// writeReseal seals again the records of the tables this open's migrations
// gave new columns (db.resealFrom), in one audit row.
func (db *DB) writeReseal(ctx context.Context) error {
	if len(db.resealFrom) == 0 {
		return nil
	}
	tables := make([]string, 0, len(db.resealFrom))
	for t := range db.resealFrom {
		tables = append(tables, t)
	}
	slices.Sort(tables)
	err := db.inTx(ctx, sealCaller, resealAction, func(tx *Tx) error {
		tx.resealFrom = db.resealFrom
		tx.Audit(resealAction, "", "", "", "records sealed again over the columns, or in the new tables, a migration added: "+strings.Join(tables, ", "))
		return nil
	})
	if err != nil {
		return fmt.Errorf("audit reseal: %w", err)
	}
	db.resealFrom = nil
	return nil
}

// resealAll seals again, under audit row seq, each record of the tables in
// tx.resealFrom whose latest seal matches its content over the table's
// columns before the migration, and each record of the tables the
// migrations created.
func (tx *Tx) resealAll(seq int64, d *sealDigest) error {
	tabs, err := tx.db.sealedTables(tx.ctx, tx.conn)
	if err != nil {
		return err
	}
	for _, name := range AuditedTables() {
		old, ok := tx.resealFrom[name]
		if !ok {
			continue
		}
		if err := tx.resealTable(tabs[name], old, seq, d); err != nil {
			return fmt.Errorf("reseal %s: %w", name, err)
		}
	}
	return nil
}

func (tx *Tx) resealTable(st *sealedTable, old []string, seq int64, d *sealDigest) error {
	idx := make([]int, len(old)) // where each old column is among st.cols
	for i, c := range old {
		idx[i] = slices.Index(st.cols, c)
		if idx[i] < 0 {
			return fmt.Errorf("column %s is gone", c)
		}
	}
	// The latest seals are copied aside first: the walk below appends to
	// audit_seal, which it must not be reading.
	if _, err := tx.ExecContext(tx.ctx, `DROP TABLE IF EXISTS temp.reseal_latest`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(tx.ctx, `CREATE TEMP TABLE reseal_latest AS
		SELECT row_id, hash FROM audit_seal s WHERE entity = ? AND NOT EXISTS
			(SELECT 1 FROM audit_seal t WHERE t.entity = s.entity AND t.row_id = s.row_id AND t.seq > s.seq)`, st.name); err != nil {
		return err
	}
	defer tx.ExecContext(tx.ctx, `DROP TABLE IF EXISTS temp.reseal_latest`)
	seals, err := tx.QueryContext(tx.ctx, `SELECT row_id, hash FROM temp.reseal_latest ORDER BY row_id`)
	if err != nil {
		return err
	}
	defer seals.Close()
	var sealID, sealHash string
	haveSeal := false
	nextSeal := func() error {
		haveSeal = seals.Next()
		if haveSeal {
			return seals.Scan(&sealID, &sealHash)
		}
		return seals.Err()
	}
	if err := nextSeal(); err != nil {
		return err
	}
	rows, err := tx.QueryContext(tx.ctx, st.all)
	if err != nil {
		return err
	}
	defer rows.Close()
	oldVals := make([]any, len(old))
	for rows.Next() {
		vals, err := scanRow(rows, len(st.cols)+1)
		if err != nil {
			return err
		}
		key := fmt.Sprint(vals[0])
		for haveSeal && sealID < key {
			if err := nextSeal(); err != nil {
				return err
			}
		}
		if !haveSeal || sealID != key {
			if old == nil { // a table the migrations created: the migration wrote its rows
				if err := tx.addSeal(seq, st.name, key, rowHash(st.name, st.cols, vals[1:]), d); err != nil {
					return err
				}
			}
			continue // never sealed: verify reports it
		}
		if old == nil {
			continue // sealed since the migration created the table
		}
		for i, j := range idx {
			oldVals[i] = vals[1+j]
		}
		if sealHash == rowHash(st.name, old, oldVals) {
			if err := tx.addSeal(seq, st.name, key, rowHash(st.name, st.cols, vals[1:]), d); err != nil {
				return err
			}
		}
	}
	return rows.Err()
}

package data

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
)

// schemaObject is one table, index, trigger or view of sqlite_master.
type schemaObject struct {
	typ, name, sql string
}

type schemaQuerier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

// readSchema lists a database's schema objects by name; ANALYZE's
// statistics tables are left out (any database may have them).
func readSchema(ctx context.Context, q schemaQuerier) (map[string]schemaObject, error) {
	rows, err := q.QueryContext(ctx, `SELECT type, name, coalesce(sql, '') FROM sqlite_master
		WHERE name NOT LIKE 'sqlite\_stat%' ESCAPE '\'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]schemaObject{}
	for rows.Next() {
		var o schemaObject
		if err := rows.Scan(&o.typ, &o.name, &o.sql); err != nil {
			return nil, err
		}
		out[o.name] = o
	}
	return out, rows.Err()
}

var (
	expectedMu    sync.Mutex
	expectedByVer = map[int]map[string]schemaObject{}
	memdbSerial   atomic.Int64
)

// expectedSchema is the schema the migrations up to version create, read
// from a fresh database in memory (once per version and process).
func expectedSchema(ctx context.Context, version int) (map[string]schemaObject, error) {
	expectedMu.Lock()
	defer expectedMu.Unlock()
	if s, ok := expectedByVer[version]; ok {
		return s, nil
	}
	mem, err := sql.Open(driverName, fmt.Sprintf("file:hms_expected_%d?mode=memory&cache=private&_foreign_keys=1", memdbSerial.Add(1)))
	if err != nil {
		return nil, err
	}
	defer mem.Close()
	mem.SetMaxOpenConns(1)
	if err := (&DB{w: mem}).migrateUpTo(version); err != nil {
		return nil, fmt.Errorf("expected schema: %w", err)
	}
	s, err := readSchema(ctx, mem)
	if err != nil {
		return nil, err
	}
	expectedByVer[version] = s
	return s, nil
}

// checkSchema compares a database's tables, indexes and triggers with what
// the migrations up to version create: a guard trigger dropped, altered or
// added, a table or index missing, each named.
func checkSchema(ctx context.Context, q schemaQuerier, version int) ([]string, error) {
	want, err := expectedSchema(ctx, version)
	if err != nil {
		return nil, err
	}
	have, err := readSchema(ctx, q)
	if err != nil {
		return nil, err
	}
	var problems []string
	for name, w := range want {
		h, ok := have[name]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s %s is missing (the migrations create it)", w.typ, name))
		case h.typ != w.typ || h.sql != w.sql:
			problems = append(problems, fmt.Sprintf("%s %s was altered: its SQL differs from what the migrations create", w.typ, name))
		}
	}
	for name, h := range have {
		if _, ok := want[name]; !ok {
			problems = append(problems, fmt.Sprintf("%s %s was added: the migrations do not create it", h.typ, name))
		}
	}
	sort.Strings(problems)
	return problems, nil
}

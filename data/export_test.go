package data

import (
	"database/sql"

	"hms/app"
)

// Connections returns the database's connection pools by name, for tests
// that check every connection's settings.
func (db *DB) Connections() map[string]*sql.DB {
	return map[string]*sql.DB{"writer": db.w, "reader": db.r}
}

// SearchSQL is the query FindPatients runs for f, for query-plan tests.
func SearchSQL(f app.PatientFilter) (string, []any, error) {
	q, args, limit, err := buildSearch(f)
	return q, append(args, limit+1), err
}

// CopyFile copies a file and flushes the copy to disk, as restore does.
var CopyFile = copyFile

// HoldHashing takes every place among the password hashes admitted at once
// and returns the function that gives them back, for tests that show a
// hash is made outside the write transaction.
func HoldHashing(db *DB) (release func()) {
	for range cap(db.hashing) {
		db.hashing <- struct{}{}
	}
	return func() {
		for range cap(db.hashing) {
			<-db.hashing
		}
	}
}

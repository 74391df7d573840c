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

// OnHash has f called as each password hash starts, after it took its
// hashing place.
func (db *DB) OnHash(f func()) { db.onHash = f }

// AddTestMigration adds a migration after the embedded ones, standing for
// a future one, until the returned function takes it away.
func AddTestMigration(version int, name, body string) func() {
	testMigrations = append(testMigrations, migration{version, name, body})
	return func() { testMigrations = nil }
}

// ResealPlan is resealPlan, for its refusals.
var ResealPlan = resealPlan

// DemoNames are every given and family name the demo gives its patients.
func DemoNames() []string {
	out := append(append(append([]string{}, demoGivenFemale...), demoGivenMale...), demoFamily...)
	for _, p := range demoFamilyBySex {
		out = append(out, p[0], p[1])
	}
	return out
}

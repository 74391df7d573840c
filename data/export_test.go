package data

import "database/sql"

// Connections returns the database's connection pools by name, for tests
// that check every connection's settings.
func (db *DB) Connections() map[string]*sql.DB {
	return map[string]*sql.DB{"writer": db.w, "reader": db.r}
}

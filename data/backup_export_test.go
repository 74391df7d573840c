package data

import "context"

// CountRows counts the rows of every table of the database file at path.
func CountRows(path string) (map[string]int64, error) {
	rows, _, err := countRows(context.Background(), path)
	return rows, err
}

package app

import (
	"os"
	"path/filepath"
)

// SameFile reports whether two paths name one file: by name once symbolic
// links are resolved, or, for files that exist, by identity (hard links).
// Backup uses it to refuse writing onto the database, its -wal/-shm or its
// audit key, from the command line before opening and in the service.
func SameFile(a, b string) bool {
	canon := func(p string) string {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		if dir, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
			p = filepath.Join(dir, filepath.Base(p))
		}
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
		return p
	}
	if canon(a) == canon(b) {
		return true
	}
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

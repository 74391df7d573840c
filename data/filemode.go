package data

import "os"

// Every file HMS makes is its user's alone: the database, its -wal and
// -shm, the copies kept aside, backups, exports and the audit key are
// created 0600 (folders 0700) on Linux and macOS, with the process's umask
// 077 besides (RestrictUmask); on Windows they get an access list that
// grants only the user running HMS (filemode_windows.go).

// ownerOnlyFiles makes each path that exists its owner's alone.
func ownerOnlyFiles(paths ...string) error {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		if err := ownerOnly(p); err != nil {
			return err
		}
	}
	return nil
}

// createOwnerOnly creates an empty file at path, its owner's alone, unless
// a file is there already: SQLite then opens it as a new database, and
// makes the -wal and -shm beside it with the same permissions.
func createOwnerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if os.IsExist(err) {
		return nil
	} else if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return ownerOnly(path)
}

package ui

import (
	"errors"
	"io/fs"
	"os"

	"fyne.io/fyne/v2"
)

// ownerOnly makes the local file a save dialog opened readable and
// writable by its owner only, before anything is written to it. HMS's
// umask makes a new file owner-only, but a file saved over keeps its mode:
// a patient list exported onto a file other local users could read stayed
// readable by them. A URI that is not a local file is left alone. On
// Windows, os.Chmod only clears the read-only flag: the folder's ACL
// decides there (README, "Files and secrets").
func ownerOnly(w fyne.URIWriteCloser) error {
	u := w.URI()
	if u == nil || u.Scheme() != "file" {
		return nil
	}
	// A path with no file behind it is no local file to protect (a
	// repository other than the disk's, a test's stand-in).
	if err := os.Chmod(u.Path(), 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

package ui

import (
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
	return os.Chmod(u.Path(), 0o600)
}

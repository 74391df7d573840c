package ui

import (
	"errors"
	"io/fs"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
)

// saveDialog is the save dialog of every screen that writes a file (the
// patient export, a report's CSV, the recovery key): Fyne's, suggesting
// the file name name and, with exts, only files of those endings. done
// gets the file chosen made owner-only first (ownerOnly), nil when the
// user cancelled, or the error; a file that could not be made owner-only
// is closed and done gets that error, with no file.
func saveDialog(win fyne.Window, name string, exts []string, done func(fyne.URIWriteCloser, error)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err == nil && w != nil {
			if err = ownerOnly(w); err != nil {
				w.Close()
				w = nil
			}
		}
		done(w, err)
	}, win)
	d.SetFileName(name)
	if len(exts) > 0 {
		d.SetFilter(storage.NewExtensionFileFilter(exts))
	}
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

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

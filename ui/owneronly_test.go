package ui

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"fyne.io/fyne/v2/storage"
)

// TestSaveOverAReadableFileMakesItOwnerOnly: a file the save dialog opens
// that other local users could read (0644, saved over) is owner-only
// before anything is written to it. Without ownerOnly the patient export
// and the report CSV kept the file's 0644.
func TestSaveOverAReadableFileMakesItOwnerOnly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes are not Windows' permissions")
	}
	path := filepath.Join(t.TempDir(), "patients.csv")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	w, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := ownerOnly(w); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v after ownerOnly, want -rw-------", fi.Mode().Perm())
	}
}

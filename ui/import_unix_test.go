//go:build linux || darwin

package ui

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"fyne.io/fyne/v2/storage"
)

// TestImportRefusesNonRegular: the open dialog hands onImportFile a reader
// it opened itself (storage.Reader, as Fyne's file dialog does); a FIFO or
// a folder is refused with the command line's message, naming what it is,
// before anything is read. The dialog does not offer either (importFilter).
func TestImportRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "patients.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	// A writer held open: Fyne's open of the FIFO returns, and reading it
	// would wait for this writer for ever.
	w, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	folder := filepath.Join(dir, "old.csv")
	if err := os.Mkdir(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	regular := filepath.Join(dir, "new.csv")
	if err := os.WriteFile(regular, []byte(goodCSV), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct{ path, says string }{
		{fifo, "Cannot import patients.csv: it is a named pipe (FIFO), not a CSV file."},
		{folder, "Cannot import old.csv: it is a folder, not a CSV file."},
	} {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			h := newClinicHarness(t)
			s := h.openPatients("reception")
			r, err := storage.Reader(storage.NewFileURI(c.path))
			if err != nil {
				t.Fatal(err)
			}
			s.onImportFile(r, nil)
			h.settle()
			if !h.shows(c.says) {
				t.Errorf("no message %q", c.says)
			}
			if s.importer != nil {
				t.Error("the import wizard opened")
			}
		})
	}

	t.Run("RegularImports", func(t *testing.T) {
		h := newClinicHarness(t)
		s := h.openPatients("reception")
		r, err := storage.Reader(storage.NewFileURI(regular))
		if err != nil {
			t.Fatal(err)
		}
		s.onImportFile(r, nil)
		h.waitFor("the wizard", func() bool { return s.importer != nil })
	})

	t.Run("DialogOffersOnlyRegular", func(t *testing.T) {
		f := importFilter{storage.NewExtensionFileFilter([]string{".csv", ".txt"})}
		for path, want := range map[string]bool{fifo: false, regular: true, filepath.Join(dir, "notes.pdf"): false} {
			if got := f.Matches(storage.NewFileURI(path)); got != want {
				t.Errorf("%s offered: %v, want %v", filepath.Base(path), got, want)
			}
		}
	})
}

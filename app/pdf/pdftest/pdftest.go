// Package pdftest reads PDFs back as text for tests, with pdftotext from
// poppler-utils, and as pictures, with pdftoppm, so a test checks what a
// reader of the document sees rather than the bytes the PDF library wrote.
// Only tests import it.
package pdftest

import (
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// RequireEnv names the environment variable that turns a missing pdftotext
// from a skipped test into a failed one; CI sets it (.ci/run).
const RequireEnv = "HMS_REQUIRE_TOOLS"

// Text returns the text of pdf, UTF-8, pages separated by form feeds. With
// layout, columns keep their horizontal positions (a table's row stays on
// one line). Without pdftotext the test is skipped, or fails when
// RequireEnv is set.
func Text(tb testing.TB, pdf []byte, layout bool) string {
	tb.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv(RequireEnv) != "" {
			tb.Fatalf("pdftotext (poppler-utils) is not installed, and %s is set", RequireEnv)
		}
		tb.Skip("pdftotext (poppler-utils) is not installed")
	}
	path := filepath.Join(tb.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		tb.Fatal(err)
	}
	args := []string{"-enc", "UTF-8"}
	if layout {
		args = append(args, "-layout")
	}
	out, err := exec.Command(tool, append(args, path, "-")...).Output()
	if err != nil {
		tb.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// Image returns the first page of pdf drawn at dpi dots per inch, as a
// printer would print it, with pdftoppm from poppler-utils. Without
// pdftoppm the test is skipped, or fails when RequireEnv is set.
func Image(tb testing.TB, pdf []byte, dpi int) image.Image {
	tb.Helper()
	tool, err := exec.LookPath("pdftoppm")
	if err != nil {
		if os.Getenv(RequireEnv) != "" {
			tb.Fatalf("pdftoppm (poppler-utils) is not installed, and %s is set", RequireEnv)
		}
		tb.Skip("pdftoppm (poppler-utils) is not installed")
	}
	dir := tb.TempDir()
	path := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		tb.Fatal(err)
	}
	out := filepath.Join(dir, "page")
	if b, err := exec.Command(tool, "-png", "-singlefile", "-f", "1", "-l", "1", "-r", strconv.Itoa(dpi),
		path, out).CombinedOutput(); err != nil {
		tb.Fatalf("pdftoppm: %v: %s", err, b)
	}
	f, err := os.Open(out + ".png")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		tb.Fatalf("pdftoppm's picture: %v", err)
	}
	return img
}

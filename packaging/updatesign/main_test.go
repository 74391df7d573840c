package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hms/app/update"
)

// TestKeygenAndManifest makes a key, signs a release folder's manifest with
// it, and reads the folder back as a desk would.
func TestKeygenAndManifest(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "release.key")
	var out bytes.Buffer
	if err := run([]string{"keygen", keyFile}, &out); err != nil {
		t.Fatal(err)
	}
	pubText := strings.TrimSpace(out.String())
	if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file %v, %v", st, err)
	}
	if err := run([]string{"keygen", keyFile}, &out); err == nil {
		t.Fatal("keygen overwrote a key")
	}
	out.Reset()
	if err := run([]string{"public", keyFile}, &out); err != nil || strings.TrimSpace(out.String()) != pubText {
		t.Fatalf("public: %q, %v; keygen said %q", out.String(), err, pubText)
	}

	rel := filepath.Join(dir, "release")
	os.Mkdir(rel, 0o755)
	deb := filepath.Join(rel, "hms_1.4.0_amd64.deb")
	os.WriteFile(deb, []byte("deb"), 0o644)
	notes := filepath.Join(dir, "notes")
	os.WriteFile(notes, []byte("Updates from the app.\n"), 0o644)
	if err := run([]string{"manifest", "-key", keyFile, "-version", "1.4.0", "-notes", notes,
		"-out", filepath.Join(rel, update.ManifestName), deb + ":linux/amd64"}, &out); err != nil {
		t.Fatal(err)
	}
	pub, err := update.ParsePublicKey(pubText)
	if err != nil {
		t.Fatal(err)
	}
	c := &update.Client{Key: pub, Current: "1.3.0", GOOS: "linux", GOARCH: "amd64"}
	o, err := c.Check(context.Background(), update.Location(rel))
	if err != nil || !o.Available || o.Manifest.Notes != "Updates from the app." {
		t.Fatalf("check: %+v, %v", o, err)
	}
	if err := run([]string{"manifest", "-key", keyFile, "-version", "1.4.0", "-out", "x", deb}, &out); err == nil {
		t.Fatal("a file without its platform was accepted")
	}
}

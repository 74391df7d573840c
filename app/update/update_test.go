package update

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// release publishes a release of version with one package per platform in
// a fresh folder, signed with key, and returns the folder.
func release(t *testing.T, key ed25519.PrivateKey, version string) string {
	t.Helper()
	dir := t.TempDir()
	var m Manifest
	m.Version, m.Notes = version, "Faster search.\nPrinting fixes."
	for _, p := range []struct{ name, goos, arch string }{
		{"HMS-Setup-" + version + ".exe", "windows", "amd64"},
		{"hms_" + version + "_amd64.deb", "linux", "amd64"},
		{"HMS-" + version + ".dmg", "darwin", "universal"},
	} {
		path := filepath.Join(dir, p.name)
		if err := os.WriteFile(path, []byte("package "+p.name), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := FileEntry(path, p.goos, p.arch)
		if err != nil {
			t.Fatal(err)
		}
		m.Files = append(m.Files, f)
	}
	b, err := Sign(m, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestName), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func newKey(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

func TestCheckAndDownloadFromFolder(t *testing.T) {
	pub, priv := newKey(t)
	dir := release(t, priv, "1.3.0")
	c := &Client{Key: pub, Current: "1.2.9", GOOS: "linux", GOARCH: "amd64"}
	o, err := c.Check(context.Background(), Location(dir))
	if err != nil {
		t.Fatal(err)
	}
	if !o.Available || o.Manifest.Version != "1.3.0" || o.File.Name != "hms_1.3.0_amd64.deb" || !strings.Contains(o.Manifest.Notes, "Printing fixes") {
		t.Fatalf("offer %+v", o)
	}
	got, err := c.Download(context.Background(), Location(dir), o, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(got); string(b) != "package hms_1.3.0_amd64.deb" {
		t.Fatalf("downloaded %q", b)
	}
	// The same release is not offered to a desk that runs it.
	c.Current = "1.3.0"
	if o, err := c.Check(context.Background(), Location(dir)); err != nil || o.Available {
		t.Fatalf("running 1.3.0: offer %+v, %v", o, err)
	}
	// macOS takes the universal build.
	c.GOOS, c.GOARCH = "darwin", "arm64"
	if o, err := c.Check(context.Background(), Location(dir)); err != nil || o.File.Name != "HMS-1.3.0.dmg" {
		t.Fatalf("darwin: %+v, %v", o, err)
	}
}

func TestCheckOverHTTP(t *testing.T) {
	pub, priv := newKey(t)
	dir := release(t, priv, "2.0.0")
	srv := httptest.NewServer(http.StripPrefix("/hms/", http.FileServer(http.Dir(dir))))
	defer srv.Close()
	c := &Client{Key: pub, Current: "1.0.0", GOOS: "windows", GOARCH: "amd64", HTTP: srv.Client()}
	o, err := c.Check(context.Background(), Location(srv.URL+"/hms/"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Download(context.Background(), Location(srv.URL+"/hms"), o, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Check(context.Background(), Location(srv.URL+"/nothing/")); err == nil {
		t.Fatal("a location without a manifest was read")
	}
}

func TestTamperedManifestRefused(t *testing.T) {
	pub, priv := newKey(t)
	dir := release(t, priv, "1.3.0")
	path := filepath.Join(dir, ManifestName)
	b, _ := os.ReadFile(path)
	for _, tc := range []struct{ old, new string }{
		{`"version":"1.3.0"`, `"version":"1.3.1"`},
		{`Faster search.`, `Faster search!`},
		{`"sha256":"`, `"sha256":"0`}, // any change of a hash too
	} {
		bad := bytes.Replace(b, []byte(tc.old), []byte(tc.new), 1)
		if bytes.Equal(bad, b) {
			t.Fatalf("%q is not in the manifest", tc.old)
		}
		os.WriteFile(path, bad, 0o644)
		c := &Client{Key: pub, Current: "1.0.0", GOOS: "linux", GOARCH: "amd64"}
		if _, err := c.Check(context.Background(), Location(dir)); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s → %s: %v, want the bad signature", tc.old, tc.new, err)
		}
	}
}

func TestWrongKeyRefused(t *testing.T) {
	_, priv := newKey(t)
	other, _ := newKey(t)
	dir := release(t, priv, "1.3.0")
	c := &Client{Key: other, Current: "1.0.0", GOOS: "linux", GOARCH: "amd64"}
	if _, err := c.Check(context.Background(), Location(dir)); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("signed by another key: %v", err)
	}
}

func TestNoKeyChecksNothing(t *testing.T) {
	_, priv := newKey(t)
	dir := release(t, priv, "1.3.0")
	c := &Client{Current: "1.0.0", GOOS: "linux", GOARCH: "amd64"}
	if _, err := c.Check(context.Background(), Location(dir)); !errors.Is(err, ErrNoKey) {
		t.Fatalf("without a key: %v", err)
	}
	if k, err := ParsePublicKey(""); k != nil || err != nil {
		t.Fatalf("empty key: %v, %v", k, err)
	}
	if _, err := ParsePublicKey("not a key"); err == nil {
		t.Fatal("a bad key was read")
	}
}

func TestTamperedFileRefused(t *testing.T) {
	pub, priv := newKey(t)
	dir := release(t, priv, "1.3.0")
	c := &Client{Key: pub, Current: "1.0.0", GOOS: "windows", GOARCH: "amd64"}
	o, err := c.Check(context.Background(), Location(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, content := range []string{"package HMS-Setup-1.3.0.exX", "package HMS-Setup-1.3.0.exe and more", "short"} {
		os.WriteFile(filepath.Join(dir, o.File.Name), []byte(content), 0o644)
		out := t.TempDir()
		if _, err := c.Download(context.Background(), Location(dir), o, out); !errors.Is(err, ErrBadFile) {
			t.Errorf("%q: %v, want ErrBadFile", content, err)
		}
		if left, _ := os.ReadDir(out); len(left) != 0 {
			t.Errorf("%q: left %v behind", content, left)
		}
	}
}

func TestManifestRules(t *testing.T) {
	_, priv := newKey(t)
	good := File{Name: "a.deb", OS: "linux", Arch: "amd64", Size: 1, SHA256: strings.Repeat("a", 64)}
	for name, m := range map[string]Manifest{
		"version":   {Version: "1.2", Files: []File{good}},
		"no files":  {Version: "1.2.3"},
		"path":      {Version: "1.2.3", Files: []File{{Name: "../evil.exe", OS: "windows", Arch: "amd64", Size: 1, SHA256: good.SHA256}}},
		"no hash":   {Version: "1.2.3", Files: []File{{Name: "a.deb", OS: "linux", Arch: "amd64", Size: 1}}},
		"backslash": {Version: "1.2.3", Files: []File{{Name: `..\evil.exe`, OS: "windows", Arch: "amd64", Size: 1, SHA256: good.SHA256}}},
	} {
		if _, err := Sign(m, priv); err == nil {
			t.Errorf("%s: signed", name)
		}
	}
}

func TestNewer(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"1.2.10", "1.2.9", true},
		{"1.2.9", "1.2.10", false},
		{"2.0.0", "1.99.99", true},
		{"1.2.3", "1.2.3", false},
		{"v1.3.0", "1.2.0", true},
		{"1.0.0", "dev", true},
		{"1.0.0", "0~git7ceb6db", true},
		{"dev", "1.0.0", false},
	} {
		if got := Newer(tc.a, tc.b); got != tc.want {
			t.Errorf("Newer(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestLocationCheck(t *testing.T) {
	for _, ok := range []string{"https://releases.example.org/hms", "http://10.0.0.5/hms", "/mnt/releases"} {
		if err := Location(ok).Check(); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "  ", "ftp://x/y", "https://", "relative/folder"} {
		if err := Location(bad).Check(); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Package update reads and checks HMS's signed release manifests: what a
// release location (a web address or a folder on the clinic's network)
// offers, whether it is newer than the running program, and the package for
// this computer, downloaded and checked against the manifest's hash.
//
// A release location holds the release's files and hms-update.json, the
// signed manifest:
//
//	{"manifest": {"version": "1.2.3", "date": "2026-12-06", "notes": "…",
//	              "files": [{"name": "HMS-Setup-1.2.3.exe", "os": "windows", "arch": "amd64",
//	                         "size": 123, "sha256": "…"}, …]},
//	 "signature": "<base64 ed25519 signature>"}
//
// The signature covers SignedPrefix followed by the manifest's bytes exactly
// as they stand in the file, made with the release key. Its public half is
// built into HMS at release time; a build without it checks for nothing.
package update

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ManifestName is the signed manifest's file name at a release location.
const ManifestName = "hms-update.json"

// SignedPrefix comes before the manifest's bytes in what the release key
// signs, so that a signature over anything else of HMS's never passes.
const SignedPrefix = "hms-update-manifest-v1\n"

// MaxManifestBytes bounds the manifest read from a location.
const MaxManifestBytes = 1 << 20

// Manifest describes one release.
type Manifest struct {
	Version string `json:"version"`
	Date    string `json:"date,omitempty"`
	Notes   string `json:"notes"`
	Files   []File `json:"files"`
}

// File is one of the release's packages.
type File struct {
	Name   string `json:"name"` // a plain file name at the release location
	OS     string `json:"os"`   // windows, linux, darwin (GOOS)
	Arch   string `json:"arch"` // amd64, arm64, universal
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // hex
}

// signedFile is the manifest file: the manifest kept as its exact bytes.
type signedFile struct {
	Manifest  json.RawMessage `json:"manifest"`
	Signature string          `json:"signature"`
}

// Errors a check returns.
var (
	ErrNoKey        = errors.New("this build of HMS has no release key: update checks are off")
	ErrBadSignature = errors.New("the release manifest's signature does not match HMS's release key: it was changed, or signed by someone else")
	ErrBadFile      = errors.New("the downloaded file does not match the signed manifest")
)

var (
	versionRE = regexp.MustCompile(`^v?(\d{1,6})\.(\d{1,6})\.(\d{1,6})$`)
	nameRE    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+~-]{0,199}$`)
	hashRE    = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// Sign is the manifest file for m, signed with key. The release tooling
// calls it; tests call it with keys of their own.
func Sign(m Manifest, key ed25519.PrivateKey) ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	sig := ed25519.Sign(key, append([]byte(SignedPrefix), raw...))
	// Marshal keeps the compact manifest's bytes as they are (indenting
	// would change them).
	return json.Marshal(signedFile{Manifest: raw, Signature: base64.StdEncoding.EncodeToString(sig)})
}

// Parse checks the manifest file b against the release key pub and returns
// the manifest. Nothing of an unsigned or badly signed manifest is read.
func Parse(b []byte, pub ed25519.PublicKey) (*Manifest, error) {
	if len(pub) != ed25519.PublicKeySize {
		return nil, ErrNoKey
	}
	var f signedFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("the release manifest is not readable: %w", err)
	}
	sig, err := base64.StdEncoding.DecodeString(f.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize || len(f.Manifest) == 0 {
		return nil, ErrBadSignature
	}
	// json.RawMessage holds the manifest's bytes as they stand in the file:
	// the signature is checked over exactly those.
	if !ed25519.Verify(pub, append([]byte(SignedPrefix), f.Manifest...), sig) {
		return nil, ErrBadSignature
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(f.Manifest))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("the release manifest is not readable: %w", err)
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

func (m *Manifest) validate() error {
	if !versionRE.MatchString(m.Version) {
		return fmt.Errorf("the release manifest's version %q is not x.y.z", m.Version)
	}
	if len(m.Files) == 0 {
		return errors.New("the release manifest lists no files")
	}
	for _, f := range m.Files {
		if !nameRE.MatchString(f.Name) {
			return fmt.Errorf("the release manifest names a file %q: only plain file names are allowed", f.Name)
		}
		if !hashRE.MatchString(f.SHA256) || f.Size <= 0 {
			return fmt.Errorf("the release manifest's entry for %s lacks its size or SHA-256", f.Name)
		}
	}
	return nil
}

// ParsePublicKey reads a release public key as base64 (what the build's
// -ldflags carry). An empty string is no key.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("the release key %q is not a base64 ed25519 public key", s)
	}
	return ed25519.PublicKey(b), nil
}

// Newer reports whether version a is newer than b; both x.y.z (a leading v
// is allowed). A version that is not x.y.z (a development build) is older
// than every release.
func Newer(a, b string) bool {
	pa, oka := parseVersion(a)
	pb, okb := parseVersion(b)
	switch {
	case !oka:
		return false
	case !okb:
		return true
	}
	for i := range pa {
		if pa[i] != pb[i] {
			return pa[i] > pb[i]
		}
	}
	return false
}

func parseVersion(v string) ([3]int, bool) {
	m := versionRE.FindStringSubmatch(v)
	if m == nil {
		return [3]int{}, false
	}
	var p [3]int
	for i := range p {
		p[i], _ = strconv.Atoi(m[i+1])
	}
	return p, true
}

// FileFor is the manifest's package for a computer running goos/goarch;
// for macOS a universal build serves either.
func (m *Manifest) FileFor(goos, goarch string) (File, bool) {
	for _, f := range m.Files {
		if f.OS == goos && (f.Arch == goarch || (goos == "darwin" && f.Arch == "universal")) {
			return f, true
		}
	}
	return File{}, false
}

// Location is where releases are published: an http(s) address or a folder.
type Location string

// Check reports whether l is usable as a release
// location, with a message for the form.
func (l Location) Check() error {
	s := strings.TrimSpace(string(l))
	if s == "" {
		return errors.New("give a web address (https://…) or a folder")
	}
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return errors.New("a web address starts with https:// and names a server")
		}
		return nil
	}
	if !filepath.IsAbs(s) {
		return errors.New(`give the folder's full path (e.g. \\server\share\hms or /mnt/releases)`)
	}
	return nil
}

// open reads the file name at the location.
func (l Location) open(ctx context.Context, client *http.Client, name string) (io.ReadCloser, error) {
	s := strings.TrimSpace(string(l))
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return nil, err
		}
		u.Path = path.Join(u.Path, name)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("%s: %s", u, resp.Status)
		}
		return resp.Body, nil
	}
	return os.Open(filepath.Join(s, name))
}

// Client checks a release location for newer releases and downloads them.
type Client struct {
	Key     ed25519.PublicKey // the release key; nil turns checks off
	Current string            // the running version
	GOOS    string
	GOARCH  string
	HTTP    *http.Client // nil means a client with a 2-minute timeout
}

// Offer is what a check found.
type Offer struct {
	Manifest  Manifest
	File      File // the package for this computer
	Available bool // Manifest.Version is newer than the running version
}

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 2 * time.Minute}
}

// Check reads and checks the manifest at loc.
func (c *Client) Check(ctx context.Context, loc Location) (*Offer, error) {
	if len(c.Key) != ed25519.PublicKeySize {
		return nil, ErrNoKey
	}
	if err := loc.Check(); err != nil {
		return nil, err
	}
	r, err := loc.open(ctx, c.http(), ManifestName)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s at the release location: %w", ManifestName, err)
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, MaxManifestBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s at the release location: %w", ManifestName, err)
	}
	if len(b) > MaxManifestBytes {
		return nil, fmt.Errorf("%s at the release location is too large to be a manifest", ManifestName)
	}
	m, err := Parse(b, c.Key)
	if err != nil {
		return nil, err
	}
	f, ok := m.FileFor(c.GOOS, c.GOARCH)
	if !ok {
		return nil, fmt.Errorf("HMS %s has no package for %s/%s", m.Version, c.GOOS, c.GOARCH)
	}
	return &Offer{Manifest: *m, File: f, Available: Newer(m.Version, c.Current)}, nil
}

// Download copies the offer's package from loc into dir and checks its size
// and SHA-256 against the signed manifest; a file that does not match is
// removed and ErrBadFile returned. It returns the package's path.
func (c *Client) Download(ctx context.Context, loc Location, o *Offer, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	r, err := loc.open(ctx, c.http(), o.File.Name)
	if err != nil {
		return "", fmt.Errorf("cannot download %s: %w", o.File.Name, err)
	}
	defer r.Close()
	dest := filepath.Join(dir, o.File.Name)
	tmp, err := os.CreateTemp(dir, ".download-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, o.File.Size+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("cannot download %s: %w", o.File.Name, err)
	}
	if n != o.File.Size || hex.EncodeToString(h.Sum(nil)) != o.File.SHA256 {
		return "", fmt.Errorf("%s: %w", o.File.Name, ErrBadFile)
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return "", err
	}
	return dest, nil
}

// FileEntry is the manifest entry of the file at path, for the release
// tooling.
func FileEntry(path, goos, arch string) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return File{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return File{}, err
	}
	return File{Name: filepath.Base(path), OS: goos, Arch: arch, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// Command updatesign makes the release key and signs release manifests
// (hms-update.json, app/update) for HMS's in-app updates.
//
//	updatesign keygen PRIVATE-KEY-FILE
//	    a new release key: writes its private half (base64) to the file,
//	    readable by its owner only, and prints the public half, which
//	    `make release UPDATE_PUBLIC_KEY=…` builds into HMS.
//	updatesign public PRIVATE-KEY-FILE
//	    prints the public half of a release key.
//	updatesign manifest -key PRIVATE-KEY-FILE -version X.Y.Z -notes NOTES-FILE -out DIR/hms-update.json FILE:OS/ARCH...
//	    the signed manifest of the release's files (their sizes and SHA-256).
//
// The private key never belongs in the repository: keep it offline, on the
// machine that makes releases.
package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"hms/app/update"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "updatesign:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: updatesign keygen|public|manifest …")
	}
	switch args[0] {
	case "keygen":
		if len(args) != 2 {
			return errors.New("usage: updatesign keygen PRIVATE-KEY-FILE")
		}
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return err
		}
		f, err := os.OpenFile(args[1], os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintln(f, base64.StdEncoding.EncodeToString(priv)); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintln(stdout, base64.StdEncoding.EncodeToString(pub))
		return nil
	case "public":
		if len(args) != 2 {
			return errors.New("usage: updatesign public PRIVATE-KEY-FILE")
		}
		priv, err := readKey(args[1])
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, base64.StdEncoding.EncodeToString(priv.Public().(ed25519.PublicKey)))
		return nil
	case "manifest":
		return manifest(args[1:])
	}
	return fmt.Errorf("unknown command %q", args[0])
}

func readKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(k) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("%s is not a release key made by updatesign keygen", path)
	}
	return ed25519.PrivateKey(k), nil
}

func manifest(args []string) error {
	fs := flag.NewFlagSet("manifest", flag.ContinueOnError)
	keyFile := fs.String("key", "", "the release key's private half")
	version := fs.String("version", "", "the release's version, x.y.z")
	notesFile := fs.String("notes", "", "a file holding the release notes")
	out := fs.String("out", "", "where to write hms-update.json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *keyFile == "" || *version == "" || *out == "" || fs.NArg() == 0 {
		return errors.New("usage: updatesign manifest -key FILE -version X.Y.Z [-notes FILE] -out FILE FILE:OS/ARCH [FILE:OS/ARCH]")
	}
	priv, err := readKey(*keyFile)
	if err != nil {
		return err
	}
	m := update.Manifest{Version: *version}
	if *notesFile != "" {
		b, err := os.ReadFile(*notesFile)
		if err != nil {
			return err
		}
		m.Notes = strings.TrimSpace(string(b))
	}
	for _, a := range fs.Args() {
		path, platform, ok := strings.Cut(a, ":")
		goos, arch, ok2 := strings.Cut(platform, "/")
		if !ok || !ok2 {
			return fmt.Errorf("%q: give each file as FILE:OS/ARCH", a)
		}
		f, err := update.FileEntry(path, goos, arch)
		if err != nil {
			return err
		}
		m.Files = append(m.Files, f)
	}
	b, err := update.Sign(m, priv)
	if err != nil {
		return err
	}
	return os.WriteFile(*out, b, 0o644)
}

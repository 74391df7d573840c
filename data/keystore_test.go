//go:build linux

package data_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"hms/data"
)

// TestAuditKeyInOSStore moves a database's audit key into the Secret
// Service and back, against a gnome-keyring-daemon the test starts in a
// private D-Bus session (this test binary run again under
// dbus-run-session, with a home folder of its own).
func TestAuditKeyInOSStore(t *testing.T) {
	if os.Getenv("HMS_KEYRING_CHILD") != "" {
		keyringChild(t)
		return
	}
	var missing []string
	for _, tool := range []string{"dbus-run-session", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) > 0 {
		msg := "needs " + strings.Join(missing, " and ") + " (Debian packages dbus and gnome-keyring)"
		if os.Getenv("HMS_REQUIRE_TOOLS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	home := t.TempDir()
	script := filepath.Join(home, "session.sh")
	// The daemon, unlocked with a password of the test's, serves the Secret
	// Service on the session bus dbus-run-session made.
	body := "#!/bin/sh\nset -e\n" +
		"eval \"$(printf 'hms-test' | gnome-keyring-daemon --unlock --components=secrets)\"\n" +
		"exec \"$@\"\n"
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	// The default collection is the login keyring, which --unlock makes.
	keyrings := filepath.Join(home, "data", "keyrings")
	if err := os.MkdirAll(keyrings, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(keyrings, "default"), []byte("login"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("dbus-run-session", "--", script, os.Args[0], "-test.run", "^TestAuditKeyInOSStore$", "-test.v")
	cmd.Env = append(os.Environ(), "HMS_KEYRING_CHILD=1", "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"),
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"), "XDG_CACHE_HOME="+filepath.Join(home, "cache"),
		"XDG_RUNTIME_DIR="+home)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestAuditKeyInOSStore") {
		t.Fatalf("in the D-Bus session: %v\n%s", err, out)
	}
}

func keyringChild(t *testing.T) {
	c := mustSetup(t)
	path := c.db.Path()
	keyFile := data.DefaultAuditKeyPath(path)
	original, _ := os.ReadFile(keyFile)
	c.db.Close()
	if err := data.MoveAuditKeyToStore(keyFile); err != nil {
		t.Fatal(err)
	}
	pointer, _ := os.ReadFile(keyFile)
	hexKey := strings.TrimPrefix(strings.TrimSpace(string(original)), "hms-audit-key-v1 ")
	if strings.Contains(string(pointer), hexKey) {
		t.Fatalf("the key is still in the file: %s", pointer)
	}
	if in, _ := data.AuditKeyInStore(keyFile); !in {
		t.Fatalf("the file does not name the store: %s", pointer)
	}
	check := func(what string) {
		t.Helper()
		db, err := data.Open(path, data.Options{HashParams: cheapHash})
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		defer db.Close()
		rep, err := db.Verify(anon)
		if err != nil || !rep.OK() {
			t.Fatalf("%s: %v %s", what, err, verifyText(rep))
		}
	}
	check("key in the credential store")
	if err := data.MoveAuditKeyToFile(keyFile); err != nil {
		t.Fatal(err)
	}
	if back, _ := os.ReadFile(keyFile); string(back) != string(original) {
		t.Fatalf("the key file came back as %q", back)
	}
	check("key back in the file")
	// The entry is gone from the store: the old pointer no longer works.
	if err := os.WriteFile(keyFile, pointer, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := data.Open(path, data.Options{HashParams: cheapHash}); err == nil || !strings.Contains(err.Error(), "credential store") {
		t.Fatalf("a pointer to a removed entry: %v", err)
	}
}

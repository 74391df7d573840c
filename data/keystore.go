package data

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/zalando/go-keyring"
)

// The audit key lives in one of two places, as the file beside the
// database says: in the file itself ("hms-audit-key-v1 <hex>"), or in the
// operating system's credential store (Secret Service on Linux, Keychain
// on macOS, Credential Manager on Windows), the file then naming the entry
// ("hms-audit-key-v1 os-store <account>"). The file is the setting: moving
// the key rewrites it.

// keyringService is the credential store's service name for audit keys.
const keyringService = "hms-audit-key"

const keyStorePrefix = "hms-audit-key-v1 os-store "

// readAuditKey reads the audit key the file at path holds or names.
func readAuditKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	line := strings.TrimSpace(string(b))
	if account, ok := strings.CutPrefix(line, keyStorePrefix); ok {
		secret, err := keyring.Get(keyringService, account)
		if err != nil {
			return nil, fmt.Errorf("the audit key is kept in the system's credential store as %q, which cannot be read: %w", account, err)
		}
		return decodeKey([]byte(secret))
	}
	return decodeKey(b)
}

// AuditKeyInStore reports whether the key file at path names an entry of
// the credential store rather than holding the key.
func AuditKeyInStore(path string) (bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	return strings.HasPrefix(strings.TrimSpace(string(b)), keyStorePrefix), nil
}

// MoveAuditKeyToStore puts the audit key of the file at path into the
// operating system's credential store, checks it reads back, and then
// rewrites the file to name the entry instead of holding the key.
func MoveAuditKeyToStore(path string) error {
	if in, err := AuditKeyInStore(path); err != nil {
		return fmt.Errorf("audit key: %w", err)
	} else if in {
		return nil
	}
	key, err := readAuditKey(path)
	if err != nil {
		return fmt.Errorf("audit key %s: %w", path, err)
	}
	sum := sha256.Sum256(key)
	account := "key " + hex.EncodeToString(sum[:8])
	if err := keyring.Set(keyringService, account, encodeKey(key)); err != nil {
		return fmt.Errorf("the system's credential store refused the audit key: %w", err)
	}
	if back, err := keyring.Get(keyringService, account); err != nil || back != encodeKey(key) {
		return fmt.Errorf("the audit key did not read back from the system's credential store: %v", err)
	}
	return replaceFile(path, []byte(keyStorePrefix+account+"\n"))
}

// MoveAuditKeyToFile writes the audit key the file at path names back into
// the file, and then removes it from the credential store.
func MoveAuditKeyToFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("audit key: %w", err)
	}
	account, ok := strings.CutPrefix(strings.TrimSpace(string(b)), keyStorePrefix)
	if !ok {
		return nil // in the file already
	}
	key, err := readAuditKey(path)
	if err != nil {
		return err
	}
	if err := replaceFile(path, []byte(encodeKey(key))); err != nil {
		return err
	}
	if err := keyring.Delete(keyringService, account); err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("the audit key is back in %s but its copy in the credential store stays: %w", path, err)
	}
	return nil
}

// replaceFile writes b beside path, flushed and owner-only, and renames it
// over path.
func replaceFile(path string, b []byte) error {
	tmp := path + ".new"
	if err := writeSynced(tmp, b); err != nil {
		return fmt.Errorf("audit key: %w", err)
	}
	if err := ownerOnly(tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("audit key: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("audit key: %w", err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

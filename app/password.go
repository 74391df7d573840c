package app

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

//go:embed common_passwords.txt
var commonPasswordsText string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" && !strings.HasPrefix(w, "#") {
			m[strings.ToLower(w)] = true
		}
	}
	return m
}()

// ValidatePassword applies the password policy of DESIGN.md: 12 to 128
// characters, no composition rules, and none of the most common passwords
// (nor the username, nor one character repeated).
func ValidatePassword(pw, username string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case pw == "":
		return FieldErrorf("password", "Enter a password.")
	case n < MinPasswordLength:
		return FieldErrorf("password", "The password is too short: use at least %d characters (a few words make a good one).", MinPasswordLength)
	case n > MaxPasswordLength:
		return FieldErrorf("password", "The password is too long: use at most %d characters.", MaxPasswordLength)
	}
	lower := strings.ToLower(pw)
	if commonPasswords[lower] || isRepetitive(lower) {
		return FieldErrorf("password", "This password is one of the most common ones and easy to guess; choose another.")
	}
	if username != "" && strings.Contains(lower, strings.ToLower(username)) && n-utf8.RuneCountInString(username) < 6 {
		return FieldErrorf("password", "The password is too close to the username; choose another.")
	}
	return nil
}

// isRepetitive catches "aaaaaaaaaaaa", "abcabcabcabc" and "121212121212":
// a short unit repeated to fill the length.
func isRepetitive(s string) bool {
	r := []rune(s)
	for unit := 1; unit <= 4 && unit < len(r); unit++ {
		same := true
		for i := unit; i < len(r); i++ {
			if r[i] != r[i%unit] {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}

// HashParams are the argon2id parameters. Tests may pass cheaper ones
// through the same code.
type HashParams struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	SaltLen int
	KeyLen  uint32
}

// DefaultHashParams are DESIGN.md's: m=64 MiB, t=3, p=1, 16-byte salt.
var DefaultHashParams = HashParams{Memory: 64 * 1024, Time: 3, Threads: 1, SaltLen: 16, KeyLen: 32}

// HashPassword returns the argon2id hash of pw as a PHC string.
func HashPassword(pw string, p HashParams) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPasswordHash reports whether pw matches the PHC string, and whether
// the hash should be recomputed because it was made with other parameters
// than want.
func CheckPasswordHash(phc, pw string, want HashParams) (ok, rehash bool, err error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, false, fmt.Errorf("password hash: not an argon2id PHC string")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, false, fmt.Errorf("password hash: unsupported version %q", parts[2])
	}
	var p HashParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, false, fmt.Errorf("password hash: bad parameters %q: %w", parts[3], err)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, false, fmt.Errorf("password hash: bad salt: %w", err)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) == 0 {
		return false, false, fmt.Errorf("password hash: bad key")
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return false, false, nil
	}
	rehash = p.Memory != want.Memory || p.Time != want.Time || p.Threads != want.Threads ||
		len(salt) != want.SaltLen || uint32(len(key)) != want.KeyLen
	return true, rehash, nil
}

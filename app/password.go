package app

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"golang.org/x/crypto/argon2"
)

// commonPasswordsGz is the list of common passwords and words the policy
// refuses: about 75,000 entries from zxcvbn's frequency lists (MIT; see
// common_passwords.LICENSE.txt beside it) and 125 long ones from breach
// corpora, gzip-compressed, one a line.
//
//go:embed common_passwords.txt.gz
var commonPasswordsGz []byte

// commonPasswords is the list, read once when a password is first checked.
var commonPasswords = sync.OnceValue(func() map[string]bool {
	m := make(map[string]bool, 80_000)
	zr, err := gzip.NewReader(bytes.NewReader(commonPasswordsGz))
	if err != nil {
		panic("the embedded list of common passwords is damaged: " + err.Error())
	}
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" {
			m[w] = true
		}
	}
	if err := sc.Err(); err != nil {
		panic("the embedded list of common passwords is damaged: " + err.Error())
	}
	return m
})

// CommonPasswordCount is the number of entries of the embedded list.
func CommonPasswordCount() int { return len(commonPasswords()) }

// foldPassword is a password as the policy compares it: NFKC (full-width
// and other compatibility forms become plain letters and digits), case
// folded, without spaces.
func foldPassword(s string) string {
	s = cases.Fold().String(norm.NFKC.String(s))
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// leet undoes the usual letter-for-digit and letter-for-symbol swaps.
var leet = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "8", "b", "9", "g",
	"@", "a", "$", "s", "!", "i", "|", "l", "+", "t")

// trimNonLetters drops the digits and symbols people put before and after
// a word to pass composition rules ("Summer2025!!", "!!Welcome1").
func trimNonLetters(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
}

// passwordVariants are the forms of a folded password checked against
// the list: as it is, without leading and trailing digits and symbols,
// leet undone, and both.
func passwordVariants(f string) []string {
	return []string{f, trimNonLetters(f), leet.Replace(f), trimNonLetters(leet.Replace(f)),
		leet.Replace(trimNonLetters(f))}
}

// ValidatePassword applies the password policy of DESIGN.md: 12 to 128
// characters, no composition rules, none of the common passwords and words
// (compared after NFKC, case folding and removing spaces, and with
// leading and trailing digits and symbols and leet swaps undone), nor the
// username, nor one of names (the person's, the clinic's), nor a short
// unit repeated.
func ValidatePassword(pw, username string, names ...string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case pw == "":
		return FieldErrorf("password", "Enter a password.")
	case n < MinPasswordLength:
		return FieldErrorf("password", "The password is too short: use at least %d characters (a few words make a good one).", MinPasswordLength)
	case n > MaxPasswordLength:
		return FieldErrorf("password", "The password is too long: use at most %d characters.", MaxPasswordLength)
	}
	f := foldPassword(pw)
	list := commonPasswords()
	for _, v := range passwordVariants(f) {
		half := len(v) / 2
		if list[v] || isRepetitive(v) || (len(v)%2 == 0 && v[:half] == v[half:] && list[v[:half]]) {
			return FieldErrorf("password", "This password is one of the most common ones and easy to guess; choose another.")
		}
	}
	if close := tooClose(f, username); close {
		return FieldErrorf("password", "The password is too close to the username; choose another.")
	}
	for _, name := range names {
		if tooClose(f, name) {
			return FieldErrorf("password", "The password is too close to a name (yours or the clinic's); choose another.")
		}
		for _, part := range strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if utf8.RuneCountInString(part) >= 3 && tooClose(f, part) {
				return FieldErrorf("password", "The password is too close to a name (yours or the clinic's); choose another.")
			}
		}
	}
	return nil
}

// tooClose: the folded password is the name (folded), or the name with
// fewer than six other characters around it, or so once leet swaps are
// undone.
func tooClose(folded, name string) bool {
	name = foldPassword(name)
	if utf8.RuneCountInString(name) < 3 {
		return false
	}
	for _, v := range passwordVariants(folded) {
		if strings.Contains(v, name) && utf8.RuneCountInString(v)-utf8.RuneCountInString(name) < 6 {
			return true
		}
	}
	return false
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
	key := deriveKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
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
	got := deriveKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return false, false, nil
	}
	rehash = p.Memory != want.Memory || p.Time != want.Time || p.Threads != want.Threads ||
		len(salt) != want.SaltLen || uint32(len(key)) != want.KeyLen
	return true, rehash, nil
}

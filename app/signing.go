package app

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/crypto/chacha20poly1305"
)

// SigningKey is an account's ed25519 key, unsealed with its password at a
// login (docs/SYNC-DESIGN.md, "Power comes only from the people who hold
// it"): the changes that grant power are signed with an administrator's,
// and a user's own password change with their own.
type SigningKey struct {
	UserID  string
	Private ed25519.PrivateKey
}

// Public is the key's public half, base64 as stored in users.sign_key.
func (k *SigningKey) Public() string {
	return base64.StdEncoding.EncodeToString(k.Private.Public().(ed25519.PublicKey))
}

// NewSigningKey makes a new key for the account id.
func NewSigningKey(id string) (*SigningKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	return &SigningKey{UserID: id, Private: priv}, nil
}

// KeyFingerprint is what a person compares to tell one public key from
// another: the first 16 bytes of its SHA-256, in groups of four hex digits.
func KeyFingerprint(public string) string {
	raw, err := base64.StdEncoding.DecodeString(public)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(raw)
	h := hex.EncodeToString(sum[:16])
	var parts []string
	for i := 0; i < len(h); i += 4 {
		parts = append(parts, h[i:i+4])
	}
	return strings.Join(parts, "-")
}

// SealSigningKey seals the private key with a key derived from the
// account's password (argon2id with p and a salt of its own, then
// XChaCha20-Poly1305, the public key as associated data).
func SealSigningKey(k *SigningKey, password string, p HashParams) (string, error) {
	salt := make([]byte, 16)
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	aead, err := chacha20poly1305.NewX(deriveKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32))
	if err != nil {
		return "", err
	}
	ct := aead.Seal(nil, nonce, k.Private.Seed(), []byte(k.Public()))
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("v1$m=%d,t=%d,p=%d$%s$%s$%s", p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(nonce), b64.EncodeToString(ct)), nil
}

// ErrWrongSealPassword is a sealed key that the password given does not open.
var ErrWrongSealPassword = errors.New("the password does not open the signing key")

// UnsealSigningKey opens a sealed key with the account's password and
// checks it against its public key.
func UnsealSigningKey(id, sealed, public, password string) (*SigningKey, error) {
	parts := strings.Split(sealed, "$")
	if len(parts) != 5 || parts[0] != "v1" {
		return nil, errors.New("sealed signing key: unknown format")
	}
	var p HashParams
	if _, err := fmt.Sscanf(parts[1], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return nil, fmt.Errorf("sealed signing key: %w", err)
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[2])
	nonce, err2 := b64.DecodeString(parts[3])
	ct, err3 := b64.DecodeString(parts[4])
	if err := errors.Join(err1, err2, err3); err != nil || len(nonce) != chacha20poly1305.NonceSizeX {
		return nil, errors.New("sealed signing key: damaged")
	}
	aead, err := chacha20poly1305.NewX(deriveKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32))
	if err != nil {
		return nil, err
	}
	seed, err := aead.Open(nil, nonce, ct, []byte(public))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, ErrWrongSealPassword
	}
	k := &SigningKey{UserID: id, Private: ed25519.NewKeyFromSeed(seed)}
	if k.Public() != public {
		return nil, errors.New("sealed signing key: it does not match the account's public key")
	}
	return k, nil
}

// PowerFields are, per entity, the fields whose change grants power: a
// desk applies a pulled change of one only when it carries a signature
// it trusts (docs/SYNC-DESIGN.md). Settings are all power: their value.
var PowerFields = map[string][]string{
	"users": {"username", "role", "status", "password_hash", "must_change_password", "patient_id", "deleted_at",
		"sign_key", "sealed_sign_key"},
	"settings": {"value"},
	// A purge's record: a desk applies the deletes of a patient's record
	// only with one (data/sync/verify.go).
	"patient_purges": {"purged_patient", "mrn"},
	// The price list (each version), the consultation item a doctor's
	// profile bills, and the clinic's own drugs: rows written once, signed
	// before they are inserted.
	"price_items": {"code", "version", "name", "kind", "price", "tax_rate", "doctor_id", "specialization", "active",
		"valid_from", "deleted_at"},
	"doctor_consultation_items": {"user_id", "price_code", "deleted_at"},
	"local_drugs":               {"kind", "name", "substances", "classes", "forms", "deleted_at"},
	// A signed list of rows the clinic vouches for as they are (rows of the
	// above made before they were signed): an extension of the trust root.
	"trust_extensions": {"entries"},
}

// SelfFields are the power fields of an account that its own key may sign
// for: its password, and its key's sealing and rotation.
var SelfFields = []string{"password_hash", "must_change_password", "sign_key", "sealed_sign_key"}

// PowerSig is a parsed users.power_sig or settings.power_sig.
type PowerSig struct {
	Key      string // the signer's public key, base64
	SignedAt string // the signing transaction's clock reading: a replay of an older one is refused
	Sig      []byte
}

// ParsePowerSig reads a stored signature; an empty one is (nil, nil).
func ParsePowerSig(s string) (*PowerSig, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, " ")
	if len(parts) != 4 || parts[0] != "v1" {
		return nil, errors.New("not a signature of this version")
	}
	sig, err := base64.StdEncoding.DecodeString(parts[3])
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, errors.New("a damaged signature")
	}
	return &PowerSig{Key: parts[1], SignedAt: parts[2], Sig: sig}, nil
}

// powerMessage is what a power signature covers: the entity, the row, the
// reading it was made at and the row's power fields (canonical JSON, each
// value as text, a missing or NULL one as null).
func powerMessage(entity, rowID, signedAt string, fields map[string]*string) []byte {
	names := PowerFields[entity]
	vals := make([]*string, len(names))
	for i, n := range names {
		vals[i] = fields[n]
	}
	b, _ := json.Marshal(struct {
		V        string    `json:"v"`
		Entity   string    `json:"entity"`
		Row      string    `json:"row"`
		SignedAt string    `json:"signed_at"`
		Names    []string  `json:"names"`
		Values   []*string `json:"values"`
	}{"hms power signature 1", entity, rowID, signedAt, names, vals})
	return b
}

// SignPower signs the power fields of a row.
func (k *SigningKey) SignPower(entity, rowID, signedAt string, fields map[string]*string) string {
	sig := ed25519.Sign(k.Private, powerMessage(entity, rowID, signedAt, fields))
	return "v1 " + k.Public() + " " + signedAt + " " + base64.StdEncoding.EncodeToString(sig)
}

// Verify reports whether s signs the power fields of the row.
func (s *PowerSig) Verify(entity, rowID string, fields map[string]*string) bool {
	pub, err := base64.StdEncoding.DecodeString(s.Key)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return false
	}
	return ed25519.Verify(ed25519.PublicKey(pub), powerMessage(entity, rowID, s.SignedAt, fields), s.Sig)
}

// FieldSigned are the entities whose power fields are also signed field by
// field (power_sigs, desk migration 0123): a pulled change of their row
// verifies when every power field it changes has a signature of its own
// over its value and the clock reading that set it, so that two
// administrators' changes of different fields, merged by the server field
// by field, both verify. A row's creation is still signed whole too.
var FieldSigned = map[string]bool{"users": true}

// PowerSigID is the id of a field's row in power_sigs.
func PowerSigID(entity, rowID, field string) string { return entity + "/" + field + "/" + rowID }

// powerFieldMessage is what a per-field power signature covers: the
// entity, the row, the field, its value (nil for NULL), the clock reading
// that set it and the signer's public key.
func powerFieldMessage(entity, rowID, field string, value *string, clock, signer string) []byte {
	b, _ := json.Marshal(struct {
		V      string  `json:"v"`
		Entity string  `json:"entity"`
		Row    string  `json:"row"`
		Field  string  `json:"field"`
		Value  *string `json:"value"`
		Clock  string  `json:"clock"`
		Signer string  `json:"signer"`
	}{"hms power field signature 1", entity, rowID, field, value, clock, signer})
	return b
}

// SignPowerField signs one power field's value as set at the clock
// reading clock; the result is stored as power_sigs.sig, in the format of
// a whole row's signature (ParsePowerSig reads it, SignedAt being clock).
func (k *SigningKey) SignPowerField(entity, rowID, field string, value *string, clock string) string {
	pub := k.Public()
	sig := ed25519.Sign(k.Private, powerFieldMessage(entity, rowID, field, value, clock, pub))
	return "v1 " + pub + " " + clock + " " + base64.StdEncoding.EncodeToString(sig)
}

// VerifyField reports whether s signs field of the row with value, as set
// at s.SignedAt: a signature moved to another row, field or value, or
// made by another key than the one it names, does not verify.
func (s *PowerSig) VerifyField(entity, rowID, field string, value *string) bool {
	pub, err := base64.StdEncoding.DecodeString(s.Key)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return false
	}
	return ed25519.Verify(ed25519.PublicKey(pub), powerFieldMessage(entity, rowID, field, value, s.SignedAt, s.Key), s.Sig)
}

// SamePower reports whether two rows' power fields of entity are equal.
func SamePower(entity string, a, b map[string]*string) bool {
	return slices.IndexFunc(PowerFields[entity], func(n string) bool { return !sameText(a[n], b[n]) }) < 0
}

// ChangedPower lists the power fields of entity that differ.
func ChangedPower(entity string, a, b map[string]*string) []string {
	var out []string
	for _, n := range PowerFields[entity] {
		if !sameText(a[n], b[n]) {
			out = append(out, n)
		}
	}
	return out
}

func sameText(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

type trustPinKey struct{}

// WithTrustPin returns a context that has EnrollDesk accept the clinic's
// trust root only with this fingerprint (hms sync enroll --trust).
func WithTrustPin(ctx context.Context, fingerprint string) context.Context {
	return context.WithValue(ctx, trustPinKey{}, strings.TrimSpace(fingerprint))
}

// TrustPin is the fingerprint WithTrustPin set, if any.
func TrustPin(ctx context.Context) string {
	s, _ := ctx.Value(trustPinKey{}).(string)
	return s
}

package app_test

import (
	"testing"

	"hms/app"
)

var cheap = app.HashParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// A sealed key opens with its password only, and a signature covers the
// row, its fields and its reading: any change to one fails it.
func TestSigningKey(t *testing.T) {
	k, err := app.NewSigningKey("u1")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := app.SealSigningKey(k, "the right password", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.UnsealSigningKey("u1", sealed, k.Public(), "a wrong password"); err != app.ErrWrongSealPassword {
		t.Fatalf("a wrong password: %v", err)
	}
	other, _ := app.NewSigningKey("u2")
	if _, err := app.UnsealSigningKey("u1", sealed, other.Public(), "the right password"); err == nil {
		t.Fatal("the sealed key opened as another public key")
	}
	got, err := app.UnsealSigningKey("u1", sealed, k.Public(), "the right password")
	if err != nil || got.Public() != k.Public() {
		t.Fatalf("unsealed %v, %v", got, err)
	}

	admin, user := "admin", "user"
	fields := map[string]*string{"username": &user, "role": &admin}
	sig, err := app.ParsePowerSig(k.SignPower("users", "u2", "2026-12-06T00:00:00.000Z-0000-s", fields))
	if err != nil || !sig.Verify("users", "u2", fields) {
		t.Fatalf("a good signature: %v", err)
	}
	nurse := "nurse"
	for what, ok := range map[string]bool{
		"another row":    sig.Verify("users", "u3", fields),
		"another entity": sig.Verify("settings", "u2", fields),
		"another value":  sig.Verify("users", "u2", map[string]*string{"username": &user, "role": &nurse}),
		"a field NULL":   sig.Verify("users", "u2", map[string]*string{"username": &user}),
	} {
		if ok {
			t.Errorf("the signature verifies for %s", what)
		}
	}
	sig.SignedAt = "2026-12-07T00:00:00.000Z-0000-s"
	if sig.Verify("users", "u2", fields) {
		t.Error("the signature verifies with another reading")
	}
	if s, err := app.ParsePowerSig(""); s != nil || err != nil {
		t.Errorf("no signature: %v, %v", s, err)
	}
	if _, err := app.ParsePowerSig("v1 x y z"); err == nil {
		t.Error("a damaged signature parsed")
	}
}

// TestPowerFieldSignature: a per-field signature verifies for its entity,
// row, field, value and clock reading only, and names its signer.
func TestPowerFieldSignature(t *testing.T) {
	k, _ := app.NewSigningKey("u1")
	other, _ := app.NewSigningKey("u2")
	role, admin := "doctor", "admin"
	const at = "2026-12-06T10:00:00.000Z-0000-s"
	sig, err := app.ParsePowerSig(k.SignPowerField("users", "u1", "role", &role, at))
	if err != nil || sig == nil || sig.Key != k.Public() || sig.SignedAt != at {
		t.Fatalf("parsed %+v, %v", sig, err)
	}
	if !sig.VerifyField("users", "u1", "role", &role) {
		t.Fatal("the signature does not verify its own field")
	}
	moved := []struct {
		what               string
		entity, row, field string
		value              *string
	}{
		{"another row", "users", "u2", "role", &role},
		{"another field", "users", "u1", "status", &role},
		{"another value", "users", "u1", "role", &admin},
		{"no value", "users", "u1", "role", nil},
		{"another entity", "settings", "u1", "role", &role},
	}
	for _, m := range moved {
		if sig.VerifyField(m.entity, m.row, m.field, m.value) {
			t.Errorf("moved to %s, it still verifies", m.what)
		}
	}
	later := *sig
	later.SignedAt = "2026-12-06T11:00:00.000Z-0000-s"
	if later.VerifyField("users", "u1", "role", &role) {
		t.Error("with another clock reading, it still verifies")
	}
	claimed := *sig
	claimed.Key = other.Public()
	if claimed.VerifyField("users", "u1", "role", &role) {
		t.Error("naming another signer, it still verifies")
	}
	// A whole row's signature is not a field's, nor the other way round.
	whole, _ := app.ParsePowerSig(k.SignPower("users", "u1", at, map[string]*string{"role": &role}))
	if whole.VerifyField("users", "u1", "role", &role) || sig.Verify("users", "u1", map[string]*string{"role": &role}) {
		t.Error("a whole row's signature and a field's are interchangeable")
	}
}

// BenchmarkPowerSign and BenchmarkPowerVerify are what signing a power
// change costs the desk that makes it, and verifying it each desk that
// pulls it (ordinary records are neither signed nor verified): "row" a
// whole row's signature, "field" one field's (a change of an account
// signs, and each desk verifies, one per power field it sets, besides the
// row's).
func BenchmarkPowerSign(b *testing.B) {
	k, _ := app.NewSigningKey("u1")
	v := "x"
	fields := map[string]*string{"username": &v, "role": &v, "status": &v, "password_hash": &v}
	b.Run("row", func(b *testing.B) {
		for b.Loop() {
			k.SignPower("users", "u1", "2026-12-06T00:00:00.000Z-0000-s", fields)
		}
	})
	b.Run("field", func(b *testing.B) {
		for b.Loop() {
			k.SignPowerField("users", "u1", "role", &v, "2026-12-06T00:00:00.000Z-0000-s")
		}
	})
}

func BenchmarkPowerVerify(b *testing.B) {
	k, _ := app.NewSigningKey("u1")
	v := "x"
	fields := map[string]*string{"username": &v, "role": &v, "status": &v, "password_hash": &v}
	b.Run("row", func(b *testing.B) {
		sig, _ := app.ParsePowerSig(k.SignPower("users", "u1", "2026-12-06T00:00:00.000Z-0000-s", fields))
		for b.Loop() {
			if !sig.Verify("users", "u1", fields) {
				b.Fatal("does not verify")
			}
		}
	})
	b.Run("field", func(b *testing.B) {
		sig, _ := app.ParsePowerSig(k.SignPowerField("users", "u1", "role", &v, "2026-12-06T00:00:00.000Z-0000-s"))
		for b.Loop() {
			if !sig.VerifyField("users", "u1", "role", &v) {
				b.Fatal("does not verify")
			}
		}
	})
}

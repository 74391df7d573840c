package argon2

import (
	"bytes"
	"math/rand/v2"
	"testing"

	xargon2 "golang.org/x/crypto/argon2"
)

// TestSameAsXCrypto: this copy derives the same keys as
// golang.org/x/crypto/argon2, with one lane (run inline here) and with
// several (goroutines, as the original), for argon2id and argon2i.
func TestSameAsXCrypto(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 24 {
		pw := make([]byte, rng.IntN(40))
		salt := make([]byte, 8+rng.IntN(24))
		for _, b := range [][]byte{pw, salt} {
			for j := range b {
				b[j] = byte(rng.Uint32())
			}
		}
		tm, mem, threads, keyLen := uint32(1+rng.IntN(3)), uint32(8*(1+rng.IntN(64))), uint8(1+i%3), uint32(16+rng.IntN(48))
		if got, want := IDKey(pw, salt, tm, mem, threads, keyLen), xargon2.IDKey(pw, salt, tm, mem, threads, keyLen); !bytes.Equal(got, want) {
			t.Fatalf("IDKey(t=%d, m=%d, p=%d): %x, x/crypto %x", tm, mem, threads, got, want)
		}
		if got, want := Key(pw, salt, tm, mem, threads, keyLen), xargon2.Key(pw, salt, tm, mem, threads, keyLen); !bytes.Equal(got, want) {
			t.Fatalf("Key(t=%d, m=%d, p=%d): %x, x/crypto %x", tm, mem, threads, got, want)
		}
	}
	// The production parameters (app.DefaultHashParams) once.
	pw, salt := []byte("a long good password"), []byte("0123456789abcdef")
	if got, want := IDKey(pw, salt, 3, 64*1024, 1, 32), xargon2.IDKey(pw, salt, 3, 64*1024, 1, 32); !bytes.Equal(got, want) {
		t.Fatalf("production parameters: %x, x/crypto %x", got, want)
	}
}

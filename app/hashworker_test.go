package app

import (
	"bytes"
	"math/rand/v2"
	"runtime"
	"testing"

	"golang.org/x/crypto/argon2"
)

// Hashes and sealed keys made before the hashing worker (by 07a1027, with
// its copy of x/crypto's argon2) with DefaultHashParams and with cheap
// parameters.
const (
	oldPassword     = "correct horse battery staple 1987"
	oldHash         = "$argon2id$v=19$m=65536,t=3,p=1$HRVd0WwUKdbRQHe+O4VGTw$D5VWwUhLRiXx8Xe+hIdXflGc0AGcs3yKVNYbTKqs148"
	oldCheapHash    = "$argon2id$v=19$m=64,t=1,p=1$Yb5E+Vt4AONLkQIl4KO7lw$q48+t+QAGuaZr9s0+TC8J1Tdy3ZHSmmMnMCS3jU6MXQ"
	oldCheapPass    = "a cheap test password"
	oldSealed       = "v1$m=65536,t=3,p=1$8FaB1VcdSR66Xd0JrpNIUA$9HQMIyBa0n4aCPGOvjlagAKILKV32Wn1$0PvVKbZl6aOsGIYMb4Lo9jxJHEAR5RJaLsm4DfTY26ZC+rY4CMPYLqa4pOKuiJ/i"
	oldSealedPublic = "xBLjfZ0txxykzmKe2ynHxjFYI/1or6XSe22Ju4gsZJo="
)

// TestHashesMadeBeforeStillVerify: password hashes and a sealed signing
// key made before keys were derived in the hashing worker still verify
// and open with their passwords, and only with them; on Linux, by the
// worker.
func TestHashesMadeBeforeStillVerify(t *testing.T) {
	_, served, _ := HashWorkerStatus()
	for _, c := range []struct{ phc, pw string }{{oldHash, oldPassword}, {oldCheapHash, oldCheapPass}} {
		ok, rehash, err := CheckPasswordHash(c.phc, c.pw, DefaultHashParams)
		if err != nil || !ok {
			t.Fatalf("%s with its password: ok=%v, err=%v", c.phc, ok, err)
		}
		if wantRehash := c.phc != oldHash; rehash != wantRehash {
			t.Errorf("%s: rehash=%v", c.phc, rehash)
		}
		if ok, _, err := CheckPasswordHash(c.phc, c.pw+"!", DefaultHashParams); err != nil || ok {
			t.Fatalf("%s with another password: ok=%v, err=%v", c.phc, ok, err)
		}
	}
	k, err := UnsealSigningKey("u-1", oldSealed, oldSealedPublic, oldPassword)
	if err != nil || k.Public() != oldSealedPublic {
		t.Fatalf("the old sealed key: %v", err)
	}
	if _, err := UnsealSigningKey("u-1", oldSealed, oldSealedPublic, "another password"); err != ErrWrongSealPassword {
		t.Fatalf("the old sealed key with another password: %v", err)
	}
	if _, after, _ := HashWorkerStatus(); runtime.GOOS == "linux" && after-served < 6 {
		t.Fatalf("the worker made %d of the 6 keys", after-served)
	}
}

// TestWorkerKeysSameAsArgon2: the worker's keys are argon2.IDKey's, for
// parameters of all kinds, asked for at once.
func TestWorkerKeysSameAsArgon2(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	type job struct {
		pw, salt        []byte
		tm, mem, keyLen uint32
		threads         uint8
	}
	jobs := make([]job, 24)
	for i := range jobs {
		j := job{pw: make([]byte, rng.IntN(200)), salt: make([]byte, 8+rng.IntN(24)),
			tm: uint32(1 + rng.IntN(3)), mem: uint32(8 * (1 + rng.IntN(64))), threads: uint8(1 + i%3), keyLen: uint32(16 + rng.IntN(48))}
		for _, b := range [][]byte{j.pw, j.salt} {
			for k := range b {
				b[k] = byte(rng.Uint32())
			}
		}
		jobs[i] = j
	}
	_, served, _ := HashWorkerStatus()
	got := make([][]byte, len(jobs))
	done := make(chan int)
	for i, j := range jobs {
		go func() { got[i] = deriveKey(j.pw, j.salt, j.tm, j.mem, j.threads, j.keyLen); done <- i }()
	}
	for range jobs {
		<-done
	}
	for i, j := range jobs {
		if want := argon2.IDKey(j.pw, j.salt, j.tm, j.mem, j.threads, j.keyLen); !bytes.Equal(got[i], want) {
			t.Fatalf("job %d: %x, argon2 %x", i, got[i], want)
		}
	}
	if _, after, _ := HashWorkerStatus(); runtime.GOOS == "linux" && after-served != uint64(len(jobs)) {
		t.Fatalf("the worker made %d of the %d keys", after-served, len(jobs))
	}
}

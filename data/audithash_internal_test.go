package data

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// The audit chain's and the seals' hashes as they were written with fmt
// (before the hashing built its input in one buffer): every row already
// in a desk's log was hashed so, and Verify checks it with the code of
// today, so the two must agree byte for byte.

func fmtComputeHash(r *auditRow, key []byte) string {
	m := hmac.New(sha256.New, key)
	fields := []string{r.PrevHash, strconv.FormatInt(r.Seq, 10), r.ID, r.SiteID, r.At, r.UserID,
		r.Username, r.Role, r.Action, r.Entity, r.EntityID, r.PatientID, r.Outcome, r.Detail}
	if r.Seal != "" {
		fields = append(fields, r.Seal)
	}
	for _, f := range fields {
		fmt.Fprintf(m, "%d:%s|", len(f), f)
	}
	return hex.EncodeToString(m.Sum(nil))
}

func fmtHeadMAC(key []byte, seq int64, hash string) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "head|%d|%s", seq, hash)
	return hex.EncodeToString(m.Sum(nil))
}

func fmtSealDigest(seals [][3]string) string {
	if len(seals) == 0 {
		return ""
	}
	h := sha256.New()
	for _, s := range seals {
		for _, f := range s {
			fmt.Fprintf(h, "%d:%s|", len(f), f)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func fmtRowHash(table string, cols []string, vals []any) string {
	h := sha256.New()
	var buf []byte
	put := func(tag byte, b []byte) {
		buf = append(buf, tag)
		buf = binary.AppendUvarint(buf, uint64(len(b)))
		buf = append(buf, b...)
	}
	put('T', []byte(table))
	for i, c := range cols {
		put('c', []byte(c))
		switch v := vals[i].(type) {
		case nil:
			put('n', nil)
		case int64:
			put('i', strconv.AppendInt(nil, v, 10))
		case float64:
			put('f', strconv.AppendFloat(nil, v, 'g', -1, 64))
		case string:
			put('t', []byte(v))
		case []byte:
			put('b', v)
		case bool:
			if v {
				put('i', []byte("1"))
			} else {
				put('i', []byte("0"))
			}
		default:
			put('?', fmt.Appendf(nil, "%v", v))
		}
		if len(buf) > 1<<16 {
			h.Write(buf)
			buf = buf[:0]
		}
	}
	h.Write(buf)
	return hex.EncodeToString(h.Sum(nil))
}

// randomText is text of up to n bytes, Greek and digits and separators
// included, sometimes empty, sometimes long.
func randomText(rng *rand.Rand, n int) string {
	if rng.IntN(8) == 0 {
		return ""
	}
	if rng.IntN(16) == 0 {
		n = 70_000 // past the row hash's 64 KiB flush
	}
	alphabet := []rune("abcXYZ019:|/-_ αβγΩ\x00\n")
	var b strings.Builder
	for range rng.IntN(n + 1) {
		b.WriteRune(alphabet[rng.IntN(len(alphabet))])
	}
	return b.String()
}

// TestAuditHashesAsBefore: the audit row's HMAC, the head's MAC, the seal
// digest and the row hash are the same bytes as the fmt-built originals,
// for random rows (empty and long fields, any seq, with and without a
// seal) and records of every stored type.
func TestAuditHashesAsBefore(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 7))
	key := []byte("a key of thirty-two bytes, nearly")
	for i := range 500 {
		r := &auditRow{Seq: rng.Int64N(1 << 40), ID: randomText(rng, 40), SiteID: randomText(rng, 40),
			At: randomText(rng, 30), UserID: randomText(rng, 40), Username: randomText(rng, 20),
			Role: randomText(rng, 10), Action: randomText(rng, 20), Entity: randomText(rng, 20),
			EntityID: randomText(rng, 40), PatientID: randomText(rng, 40), Outcome: randomText(rng, 8),
			Detail: randomText(rng, 200), Seal: randomText(rng, 64), PrevHash: randomText(rng, 64)}
		if i%7 == 0 {
			r.Seq = -r.Seq
		}
		if got, want := r.computeHash(key), fmtComputeHash(r, key); got != want {
			t.Fatalf("row %+v: computeHash %s, want %s", r, got, want)
		}
		if got, want := headMAC(key, r.Seq, r.PrevHash), fmtHeadMAC(key, r.Seq, r.PrevHash); got != want {
			t.Fatalf("headMAC(%d, %q) = %s, want %s", r.Seq, r.PrevHash, got, want)
		}
		var seals [][3]string
		var d sealDigest
		for range rng.IntN(5) {
			s := [3]string{randomText(rng, 20), randomText(rng, 40), randomText(rng, 64)}
			seals = append(seals, s)
			d.add(s[0], s[1], s[2])
		}
		if got, want := d.sum(), fmtSealDigest(seals); got != want {
			t.Fatalf("seals %q: digest %s, want %s", seals, got, want)
		}
		var cols []string
		var vals []any
		for range rng.IntN(30) {
			cols = append(cols, randomText(rng, 12))
			var v any
			switch rng.IntN(7) {
			case 1:
				v = rng.Int64() - 1<<62
			case 2:
				v = rng.NormFloat64() * 1e6
			case 3:
				v = randomText(rng, 100)
			case 4:
				v = []byte(randomText(rng, 50))
			case 5:
				v = rng.IntN(2) == 0
			case 6:
				v = uint8(rng.IntN(256)) // the default case
			}
			vals = append(vals, v)
		}
		table := randomText(rng, 20)
		if got, want := rowHash(table, cols, vals), fmtRowHash(table, cols, vals); got != want {
			t.Fatalf("record %q %q: rowHash %s, want %s", cols, vals, got, want)
		}
	}
}

// BenchmarkAuditHashing is the hashing one payment's audit does: the
// four written records' hashes (a record of 20 columns each), their seal
// digest, the audit row's HMAC and the head's MAC; "fmt" as before.
func BenchmarkAuditHashing(b *testing.B) {
	key := []byte("a key of thirty-two bytes, nearly")
	cols := make([]string, 20)
	vals := make([]any, 20)
	for i := range cols {
		cols[i] = fmt.Sprintf("column_%d", i)
		switch i % 3 {
		case 0:
			vals[i] = int64(i * 1234567)
		case 1:
			vals[i] = "019a7c3e-1d2f-7a8b-9c0d-1e2f3a4b5c6d"
		}
	}
	r := &auditRow{Seq: 1234567, ID: "019a7c3e-1d2f-7a8b-9c0d-1e2f3a4b5c6d", SiteID: "019a7c3e-1d2f-7a8b-9c0d-1e2f3a4b5c6e",
		At: "2026-12-07T05:40:00.000Z", UserID: "019a7c3e-1d2f-7a8b-9c0d-1e2f3a4b5c6f", Username: "billing",
		Role: "billing", Action: "payment.take", Entity: "invoices", EntityID: "019a7c3e-1d2f-7a8b-9c0d-1e2f3a4b5c70",
		PatientID: "019a7c3e-1d2f-7a8b-9c0d-1e2f3a4b5c71", Outcome: "ok", Detail: "Payment R-D1-2026-000123 of EUR 123.45",
		PrevHash: genesisHash}
	b.Run("now", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var d sealDigest
			for range 4 {
				d.add("invoices", r.ID, rowHash("invoices", cols, vals))
			}
			r.Seal = d.sum()
			headMAC(key, r.Seq, r.computeHash(key))
		}
	})
	b.Run("fmt", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var seals [][3]string
			for range 4 {
				seals = append(seals, [3]string{"invoices", r.ID, fmtRowHash("invoices", cols, vals)})
			}
			r.Seal = fmtSealDigest(seals)
			fmtHeadMAC(key, r.Seq, fmtComputeHash(r, key))
		}
	})
}

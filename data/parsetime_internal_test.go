package data

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestParseTimeAsTimeParse: the hand-read stored times are time.Parse's,
// valid or not, to the location (==, not Equal).
func TestParseTimeAsTimeParse(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var cases []string
	for range 20000 {
		at := time.Unix(rng.Int64N(1<<36)-1<<35, rng.Int64N(1e9)).UTC()
		cases = append(cases, formatTime(at))
	}
	cases = append(cases, "2024-02-29T23:59:59.999Z", "2023-02-29T10:00:00.000Z", "2024-04-31T10:00:00.000Z",
		"2024-13-01T10:00:00.000Z", "2024-00-10T10:00:00.000Z", "2024-01-00T10:00:00.000Z", "2024-01-01T24:00:00.000Z",
		"2024-01-01T10:60:00.000Z", "2024-01-01T10:00:60.000Z", "0000-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z",
		"2024-01-01T10:00:00.000+", "2024-01-01 10:00:00.000Z", "2024-01-01T10:00:00Z", "", "garbage",
		"2024-01-01T10:00:00.00xZ", "+024-01-01T10:00:00.000Z", "2024-1-01T10:00:00.000Z", "2024-01-01T10:00:00.0000Z")
	for i := range 2000 {
		// Each case with one byte changed, mostly to something invalid.
		b := []byte(cases[i])
		b[rng.IntN(len(b))] = "0123456789-:.TZ x"[rng.IntN(17)]
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		want, _ := time.Parse(TimeLayout, s)
		if got := parseTime(s); got != want {
			t.Fatalf("%q: got %v, time.Parse %v", s, got, want)
		}
	}
}

func BenchmarkParseTime(b *testing.B) {
	s := formatTime(time.Date(2026, 12, 7, 3, 10, 0, 123e6, time.UTC))
	for b.Loop() {
		parseTime(s)
	}
}

func BenchmarkParseTimeStdlib(b *testing.B) {
	s := formatTime(time.Date(2026, 12, 7, 3, 10, 0, 123e6, time.UTC))
	for b.Loop() {
		time.Parse(TimeLayout, s)
	}
}

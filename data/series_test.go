package data_test

import (
	"strings"
	"testing"

	"hms/data"
)

func TestSeries(t *testing.T) {
	for _, tc := range []struct {
		number string
		series data.Series
		n      int64
	}{
		{"P-D1-000041", data.Series{Prefix: "P", Desk: "D1"}, 41},
		{"P-D12-1234567", data.Series{Prefix: "P", Desk: "D12"}, 1234567},
		{"RX-D1-2026-000012", data.Series{Prefix: "RX", Desk: "D1", Year: 2026}, 12},
		{"INV-D2-2026-000042", data.Series{Prefix: "INV", Desk: "D2", Year: 2026}, 42},
		{"CN-D1-2027-000001", data.Series{Prefix: "CN", Desk: "D1", Year: 2027}, 1},
		{"R-D3-2026-000900", data.Series{Prefix: "R", Desk: "D3", Year: 2026}, 900},
	} {
		s, n, ok := data.ParseNumber(tc.number)
		if !ok || s != tc.series || n != tc.n {
			t.Errorf("ParseNumber(%q) = %+v, %d, %v; want %+v, %d", tc.number, s, n, ok, tc.series, tc.n)
		}
		if got := tc.series.Number(tc.n); got != tc.number && len(tc.number)-strings.LastIndexByte(tc.number, '-') <= 7 {
			t.Errorf("%+v.Number(%d) = %q, want %q", tc.series, tc.n, got, tc.number)
		}
	}
	for _, bad := range []string{"", "P", "P-", "P-D1", "P-D1-", "P-D1-0", "P-D1-x", "-D1-000001", "P--000001",
		"P-D1-x-000001", "INV-D1-02026-000001", "INV-D1-+2026-000001", "A-B-C-D-000001"} {
		if s, n, ok := data.ParseNumber(bad); ok {
			t.Errorf("ParseNumber(%q) = %+v, %d: not a number of a series", bad, s, n)
		}
	}
}

// FuzzParseNumber: what parses is a series' number, and the series gives
// the same name back.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"P-D1-000041", "INV-D1-2026-000042", "P-D1-x", "a-b-c-d", "R-D1-2026-+5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, number string) {
		s, n, ok := data.ParseNumber(number)
		if !ok {
			return
		}
		if n < 1 || s.Prefix == "" || s.Desk == "" {
			t.Fatalf("%q: %+v, %d", number, s, n)
		}
		if name := number[:strings.LastIndexByte(number, '-')]; s.String() != name {
			t.Fatalf("%q: the series %+v is named %q, the number says %q", number, s, s.String(), name)
		}
		back, m, ok := data.ParseNumber(s.Number(n))
		if !ok || back != s || m != n {
			t.Fatalf("%q: %+v's number %q parses as %+v, %d, %v", number, s, s.Number(n), back, m, ok)
		}
	})
}

package server

import (
	"encoding/json"
	"maps"
	"testing"
)

// The fast reading of field clocks agrees with encoding/json whenever it
// reads an object at all, and reads what PostgreSQL writes.
func FuzzFlatStrings(f *testing.F) {
	for _, s := range []string{
		`{}`, ` { } `, `{"a": "b"}`,
		`{"id": "2026-11-26T09:00:00.007Z-002A-0193a1b2-0000-7000-8000-000000000001", "phone": "2026-11-26T09:00:01.000Z-0000-0193a1b2-0000-7000-8000-000000000002"}`,
		`{"a":"b","c":"d"}`, `{"a": "b\"c"}`, `{"a": 1}`, `{"a": null}`, `{"a": "b",}`, `{"a" "b"}`, `{"a": "b"} x`,
		`{"a": "b", "a": "c"}`, `{"é": "ü"}`, `["a"]`, ``, `{"a": "b"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fast := map[string]string{}
		if !flatStrings(b, fast) {
			return
		}
		var want map[string]string
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("%q read as %v, which encoding/json refuses: %v", b, fast, err)
		}
		if !maps.Equal(fast, want) {
			t.Fatalf("%q read as %v, encoding/json reads %v", b, fast, want)
		}
	})
}

func TestFlatStringsReadsPostgres(t *testing.T) {
	m := map[string]string{}
	if !flatStrings([]byte(`{"id": "x", "given_name": "y"}`), m) || m["id"] != "x" || m["given_name"] != "y" || len(m) != 2 {
		t.Fatalf("read %v", m)
	}
	for _, s := range []string{`{"a": "b\"c"}`, `{"a": 1}`, `{"a": null}`} {
		if flatStrings([]byte(s), map[string]string{}) {
			t.Errorf("%s read by the fast path", s)
		}
	}
}

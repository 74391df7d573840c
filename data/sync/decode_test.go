package sync

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

// decodeRow reads what encoding/json reads, faster; malformed rows are
// errors, never panics. (PostgreSQL writes UTF-8 only.)
func FuzzDecodeRow(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"a": 1}`, `{"id": "x", "n": 12, "r": 1.5, "t": true, "f": false, "z": null}`,
		`{"name": "Ana \"Ani\" Müller\\n", "esc\"key": "a\u00e9b"}`,
		`{"o": {"x": [1, 2, {"y": "}"}]}, "a": ["]", "\\"]}`,
		`{"big": 9007199254740993, "neg": -3, "exp": 1e3}`,
		`{"a": 1,}`, `{"a" 1}`, `{"a": tru}`, `{"a": "x`, `[1]`, `{"a": 1} trailing`, ``,
	} {
		f.Add(s)
	}
	cols := tableColumns{"n": "INTEGER", "r": "REAL", "big": "INTEGER", "neg": "INTEGER", "exp": "REAL", "a": "TEXT"}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := decodeRow(json.RawMessage(s), cols)
		var want map[string]any
		if !utf8.ValidString(s) || json.Unmarshal([]byte(s), &want) != nil {
			return // malformed: decodeRow may refuse it or read a prefix; it must not panic
		}
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d fields, encoding/json %d", s, len(got), len(want))
		}
		for k, w := range want {
			g := got[k]
			switch w := w.(type) {
			case string:
				if g != w {
					t.Fatalf("%s: %s = %#v, want %#v", s, k, g, w)
				}
			case bool:
				if g != map[bool]int64{false: 0, true: 1}[w] {
					t.Fatalf("%s: %s = %#v", s, k, g)
				}
			case nil:
				if g != nil {
					t.Fatalf("%s: %s = %#v", s, k, g)
				}
			case float64:
				switch g := g.(type) {
				case int64:
					if float64(g) != w && cols[k] != "INTEGER" {
						t.Fatalf("%s: %s = %d, want %v", s, k, g, w)
					}
				case float64:
					if g != w {
						t.Fatalf("%s: %s = %v, want %v", s, k, g, w)
					}
				case string:
					var back float64
					if json.Unmarshal([]byte(g), &back) != nil || back != w {
						t.Fatalf("%s: %s = %q, want %v", s, k, g, w)
					}
				default:
					t.Fatalf("%s: %s = %#v", s, k, g)
				}
			case map[string]any, []any:
				var back any
				if err := json.Unmarshal([]byte(g.(string)), &back); err != nil || !reflect.DeepEqual(back, w) {
					t.Fatalf("%s: %s = %#v, want %#v", s, k, g, w)
				}
			}
		}
	})
}

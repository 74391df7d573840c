package sync

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// decodeRow turns a pulled row's JSON into column values of the types the
// desk's table declares: numbers become integers in INTEGER columns. Plain
// strings, the bulk of every row, are taken as they are without a second
// pass through the decoder.
func decodeRow(raw json.RawMessage, cols tableColumns) (map[string]any, error) {
	fields, err := splitObject(raw)
	if err != nil {
		return nil, fmt.Errorf("the row is not a JSON object: %w", err)
	}
	m := make(map[string]any, len(fields))
	for _, f := range fields {
		k, v := f.key, f.value
		if len(v) == 0 {
			return nil, fmt.Errorf("field %s: no value", k)
		}
		switch c := v[0]; {
		case c == 'n':
			m[k] = nil
		case c == 't':
			m[k] = int64(1)
		case c == 'f':
			m[k] = int64(0)
		case c == '"':
			if bytes.IndexByte(v, '\\') < 0 {
				m[k] = string(v[1 : len(v)-1])
				continue
			}
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, fmt.Errorf("field %s: %w", k, err)
			}
			m[k] = s
		case c == '{' || c == '[':
			m[k] = string(v)
		default:
			n := string(v)
			switch typ := cols[k]; {
			case strings.Contains(typ, "INT"):
				if i, err := strconv.ParseInt(n, 10, 64); err == nil {
					m[k] = i
					continue
				}
				f, err := strconv.ParseFloat(n, 64)
				if err != nil {
					return nil, fmt.Errorf("field %s: %w", k, err)
				}
				m[k] = f
			case strings.Contains(typ, "REAL"):
				f, err := strconv.ParseFloat(n, 64)
				if err != nil {
					return nil, fmt.Errorf("field %s: %w", k, err)
				}
				m[k] = f
			default:
				m[k] = n
			}
		}
	}
	return m, nil
}

// field is one member of a JSON object: its key and its raw value.
type field struct {
	key   string
	value []byte
}

// splitObject splits a JSON object, as PostgreSQL writes jsonb, into its
// members without decoding their values: a pulled row is read once, by
// decodeRow, instead of twice by encoding/json. Malformed input is an
// error, never a panic.
func splitObject(b []byte) ([]field, error) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, errors.New("no opening brace")
	}
	var out []field
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return out, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return nil, fmt.Errorf("a key expected at %d", i)
		}
		end, err := stringEnd(b, i)
		if err != nil {
			return nil, err
		}
		key := b[i+1 : end-1]
		k := string(key)
		if bytes.IndexByte(key, '\\') >= 0 {
			if err := json.Unmarshal(b[i:end], &k); err != nil {
				return nil, err
			}
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return nil, fmt.Errorf("a colon expected at %d", i)
		}
		i = skipSpace(b, i+1)
		vend, err := valueEnd(b, i)
		if err != nil {
			return nil, err
		}
		out = append(out, field{key: k, value: b[i:vend]})
		i = skipSpace(b, vend)
		if i >= len(b) {
			return nil, errors.New("no closing brace")
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return out, nil
		default:
			return nil, fmt.Errorf("a comma or brace expected at %d", i)
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd is the index after the JSON string that starts at i.
func stringEnd(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, errors.New("an unterminated string")
}

// valueEnd is the index after the JSON value that starts at i.
func valueEnd(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errors.New("a value expected")
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, err := stringEnd(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errors.New("an unterminated object or array")
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\t' && b[j] != '\r' {
		j++
	}
	if j == i {
		return 0, fmt.Errorf("a value expected at %d", i)
	}
	if lit := string(b[i:j]); lit != "null" && lit != "true" && lit != "false" && !json.Valid(b[i:j]) {
		return 0, fmt.Errorf("%q is not a JSON value", lit)
	}
	return j, nil
}

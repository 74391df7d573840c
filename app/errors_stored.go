package app

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"hms/app/i18n"
)

// An error kept in the database to show later (why the last sync failed)
// is stored with its format and arguments, not only its English message,
// so that a screen can still say it in its own language: StoreError
// writes it, LoadError reads it back.

// storedError is an *Error as stored: a JSON object.
type storedError struct {
	Code    string      `json:"code"`
	Field   string      `json:"field,omitempty"`
	Message string      `json:"message"`
	Format  string      `json:"format,omitempty"`
	Args    []storedArg `json:"args,omitempty"`
}

// storedText is an i18n.Text as stored.
type storedText struct {
	Format string      `json:"format"`
	Args   []storedArg `json:"args,omitempty"`
}

// storedArg is one argument, by its kind: a string, a whole number, a
// number with a fraction, a label in lower case (Lower), an error, a
// text, or a list of texts. Any other value is stored as the string it
// prints as.
type storedArg struct {
	S  *string      `json:"s,omitempty"`
	I  *int64       `json:"i,omitempty"`
	F  *float64     `json:"f,omitempty"`
	L  *string      `json:"l,omitempty"`
	E  *storedError `json:"e,omitempty"`
	T  *storedText  `json:"t,omitempty"`
	TS []storedText `json:"ts,omitempty"`
}

// storedPrefix begins every stored error, and no English message: how
// LoadError tells one from the plain message an older version stored.
const storedPrefix = `{"code":`

// StoreError is err as text to keep in the database: its code, field,
// English message, format and arguments. An error that is not an *Error
// is stored as the generic message (its own text is for the log). nil
// is "".
func StoreError(err error) string {
	if err == nil {
		return ""
	}
	e := AsError(err, ErrorField(err))
	b, jerr := json.Marshal(storeError(e))
	if jerr != nil {
		return e.Message
	}
	return string(b)
}

func storeError(e *Error) *storedError {
	return &storedError{Code: e.Code, Field: e.Field, Message: e.Message, Format: e.Format, Args: storeArgs(e.Args)}
}

func storeText(x i18n.Text) storedText { return storedText{Format: x.Format, Args: storeArgs(x.Args)} }

func storeArgs(args []any) []storedArg {
	if len(args) == 0 {
		return nil
	}
	out := make([]storedArg, len(args))
	for i, a := range args {
		var s storedArg
		switch v := a.(type) {
		case string:
			s.S = &v
		case Lower:
			l := string(v)
			s.L = &l
		case *Error:
			s.E = storeError(v)
		case i18n.Text:
			t := storeText(v)
			s.T = &t
		case []i18n.Text:
			s.TS = make([]storedText, len(v))
			for j, x := range v {
				s.TS[j] = storeText(x)
			}
		case int:
			n := int64(v)
			s.I = &n
		case int32:
			n := int64(v)
			s.I = &n
		case int64:
			s.I = &v
		case uint32:
			n := int64(v)
			s.I = &n
		case float64:
			s.F = &v
		case error:
			str := v.Error()
			s.S = &str
		default:
			str := fmt.Sprint(v)
			s.S = &str
		}
		out[i] = s
	}
	return out
}

// LoadError reads an error StoreError stored; text an older version
// stored (the English message only) is an *Error with that message,
// shown in English. "" is nil.
func LoadError(stored string) *Error {
	if stored == "" {
		return nil
	}
	if strings.HasPrefix(stored, storedPrefix) {
		var s storedError
		if err := json.Unmarshal([]byte(stored), &s); err == nil {
			return s.load()
		}
	}
	return &Error{Code: EINTERNAL, Message: shownText(stored)}
}

// shownText is s as a stored error shows it. A stored error holds text
// the sync server chose (its messages, a quarantine's reason) that the
// admin's screen and terminal show (Settings → Sync, hms sync status), so
// a control character (ESC and the terminal sequences it starts, a
// carriage return), a bidirectional override and bytes that are not
// UTF-8 show as U+FFFD, never passed on; line breaks, tabs and spaces
// stay as they are (an argument's leading space is part of the sentence,
// which ShownLine would take away). The server's text is only ever an
// argument: the format is the program's.
func shownText(s string) string {
	unfit := func(r rune) bool { return r == utf8.RuneError || r == '\r' || unfitRune(r, true) }
	if strings.IndexFunc(s, unfit) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unfit(r) {
			return utf8.RuneError
		}
		return r
	}, strings.ToValidUTF8(s, string(utf8.RuneError)))
}

func (s *storedError) load() *Error {
	return &Error{Code: s.Code, Field: s.Field, Message: shownText(s.Message), Format: s.Format, Args: loadArgs(s.Args)}
}

func (s storedText) load() i18n.Text { return i18n.Text{Format: s.Format, Args: loadArgs(s.Args)} }

func loadArgs(args []storedArg) []any {
	if len(args) == 0 {
		return nil
	}
	out := make([]any, len(args))
	for i, a := range args {
		switch {
		case a.S != nil:
			out[i] = shownText(*a.S)
		case a.I != nil:
			out[i] = *a.I
		case a.F != nil:
			out[i] = *a.F
		case a.L != nil:
			out[i] = Lower(*a.L)
		case a.E != nil:
			out[i] = a.E.load()
		case a.T != nil:
			out[i] = a.T.load()
		case a.TS != nil:
			ts := make([]i18n.Text, len(a.TS))
			for j, t := range a.TS {
				ts[j] = t.load()
			}
			out[i] = ts
		default:
			out[i] = ""
		}
	}
	return out
}

package app

import (
	"strings"
	"testing"

	"hms/app/i18n"
)

// TestServerTextInAStoredError: text the sync server chose (a quarantine's
// reason, a refusal's message) kept in a stored error is an argument
// only, whatever it holds: format verbs are printed as they are, a
// stored error's JSON inside it is text, and a terminal escape, a
// bidirectional override or bytes that are not UTF-8 never reach the
// admin's terminal (hms sync status prints the English message) or
// screen (in Greek): each shows as U+FFFD. A legacy stored value (plain
// text) likewise.
func TestServerTextInAStoredError(t *testing.T) {
	el := i18n.For(i18n.Greek)
	const quarantined = "The server holds this change in quarantine: %s. It goes again with the next sync."
	for _, reason := range []string{
		`%s %d %[2]*[1]d %!x %n`,
		`{"code":"internal","message":"PWNED","format":"PWNED %s"}`,
		"\x1b[2J\x1b]0;owned\x07red \x1b[31malert\rOK",
		"exe.\u202etxt and \u2066isolate\u2069",
		"not utf-8 \xff\xfe",
	} {
		e := Errorf(ECONFLICT, quarantined, reason)
		got := LoadError(StoreError(e))
		if got.Format != quarantined {
			t.Errorf("%q: the stored format is %q", reason, got.Format)
		}
		for _, shown := range []string{got.Message, LocalErrorMessage(got, el), LoadError(e.Message).Message} {
			if strings.Contains(shown, "PWNED") && !strings.Contains(shown, `"format":"PWNED %s"`) {
				t.Errorf("%q: the server's text became a format: %q", reason, shown)
			}
			if strings.ContainsAny(shown, "\x1b\x07\r\u202e\u2066\u2069") {
				t.Errorf("%q: shown as %q", reason, shown)
			}
			if strings.ToValidUTF8(shown, "!") != shown {
				t.Errorf("%q: shown with bytes that are not UTF-8: %q", reason, shown)
			}
		}
		if strings.HasPrefix(reason, "%s") && !strings.Contains(got.Message, reason) {
			t.Errorf("the verbs were not printed as they are: %q", got.Message)
		}
	}
}

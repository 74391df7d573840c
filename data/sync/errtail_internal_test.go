package sync

import (
	"fmt"
	"strings"
	"testing"

	"hms/app"
	"hms/app/i18n"
	"hms/data/sync/server"
)

// TestErrorEndsInTheScreensLanguage: the sentence a failed call adds to
// the server's error ("Nothing was changed.", "No message was sent.") is
// said in the screen's language with the rest of the message, and stays
// English on the command line.
func TestErrorEndsInTheScreensLanguage(t *testing.T) {
	failed := fmt.Errorf("dial: %w", server.ErrUnreachable)
	for _, end := range []string{queuedNote, nothingChanged, noMessageSent, noMessageUntilNews} {
		err := serverErrorf(failed, end)
		if !strings.Contains(err.Error(), end) {
			t.Errorf("the English message %q lacks %q", err.Error(), end)
		}
		for _, l := range []i18n.Lang{i18n.Greek, i18n.Spanish} {
			tr := i18n.For(l)
			got := app.LocalErrorMessage(err, tr)
			if !tr.Has(end) {
				t.Errorf("%s: no translation of %q", l, end)
			}
			if strings.Contains(got, strings.TrimSpace(end)) || !strings.Contains(got, tr.T(end)) {
				t.Errorf("%s: %q, want it to end in %q", l, got, tr.T(end))
			}
		}
	}
}

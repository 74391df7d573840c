package sync_test

import (
	"context"
	"strings"
	"testing"

	"hms/app/i18n"
)

// TestSyncErrorInTheScreensLanguage: why the last sync failed is kept with
// its format and arguments, so Settings → Sync says it in the screen's
// language; the command line's English message is as before.
func TestSyncErrorInTheScreensLanguage(t *testing.T) {
	t.Parallel()
	_, first, _ := twoDesks(t)
	db := first.db
	newPatient(t, first.svc, "Waiting")
	if _, err := rawDB(t, db).Exec(`UPDATE sync_meta SET server_url = ?`,
		"postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"); err != nil {
		t.Fatal(err)
	}
	if _, err := engine(db).SyncNow(context.Background()); err == nil {
		t.Fatal("a sync with the server down succeeded")
	}
	st, err := engine(db).SyncStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(st.LastSyncError, "The sync server cannot be reached.") || strings.HasPrefix(st.LastSyncError, "{") {
		t.Errorf("the English message %q", st.LastSyncError)
	}
	el := i18n.For(i18n.Greek)
	got := el.Text(st.LastSyncErrorText)
	want := strings.SplitN(el.T("The sync server cannot be reached.%s Check that it is running and its address. (%s)"), "%s", 2)[0]
	if !strings.HasPrefix(got, want) || strings.Contains(got, "The sync server cannot be reached") || strings.Contains(got, "Nothing was lost") {
		t.Errorf("in Greek %q, want it to begin %q", got, want)
	}
	if st.LastSyncErrorText.String() != st.LastSyncError {
		t.Errorf("the text's English %q differs from the message %q", st.LastSyncErrorText.String(), st.LastSyncError)
	}
	// An older version's plain English message still shows, as it is.
	if _, err := rawDB(t, db).Exec(`UPDATE sync_meta SET last_sync_error = 'Sync failed. (old)'`); err != nil {
		t.Fatal(err)
	}
	if st, err = engine(db).SyncStatus(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st.LastSyncError != "Sync failed. (old)" || el.Text(st.LastSyncErrorText) != "Sync failed. (old)" {
		t.Errorf("an old message: %q, %q", st.LastSyncError, el.Text(st.LastSyncErrorText))
	}
}

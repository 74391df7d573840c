package app_test

import (
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/app/i18n"
)

// TestBackupWarningDatesInTheScreensLanguage: the dates inside the backup
// warning follow the language it is shown in (they were English month
// names on Greek and Spanish screens); the English text is the command
// line's.
func TestBackupWarningDatesInTheScreensLanguage(t *testing.T) {
	loc := time.UTC
	now := time.Date(2026, 11, 26, 21, 0, 0, 0, loc)
	st := &app.BackupStatus{
		Settings: app.BackupSettings{Folder: "/backups", DailyAt: "19:30", Recipient: "age1x"},
		LastGood: time.Date(2026, 11, 24, 19, 31, 0, 0, loc),
	}
	w := app.BackupWarningText(st, now, loc)
	if got, want := w.String(), "Backups: the last good backup is from Tue 2026-11-24 19:31; one was due at Thu 2026-11-26 19:30."; got != want {
		t.Errorf("English: %q, want %q", got, want)
	}
	for _, c := range []struct {
		lang     i18n.Lang
		weekdays []string
	}{
		{i18n.Greek, []string{"Τρί", "Πέμ"}},
		{i18n.Spanish, []string{"mar", "jue"}},
	} {
		tr := i18n.For(c.lang)
		got := tr.Text(w)
		for i, d := range []time.Time{st.LastGood, time.Date(2026, 11, 26, 19, 30, 0, 0, loc)} {
			if want := tr.DayTime(d); !strings.Contains(got, want) {
				t.Errorf("%s: %q lacks %q", c.lang, got, want)
			}
			if !strings.Contains(got, c.weekdays[i]) {
				t.Errorf("%s: %q lacks the weekday %q", c.lang, got, c.weekdays[i])
			}
		}
		if strings.Contains(got, "Nov") || strings.Contains(got, "Backups") {
			t.Errorf("%s: English left in %q", c.lang, got)
		}
	}
}

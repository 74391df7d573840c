package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
	"hms/data/datatest"
)

// TestStatusBarFitsTheWindow: the status bar's backup warning, in every
// language and its longest forms (a folder on a share, a backup overdue,
// a failure's message), never makes the status bar wider than the rest
// of the window needs: the window keeps the minimum width it has without
// the warning, so it fits a small screen. The warning is cut with an
// ellipsis when the room runs out, and the Backups tab its tap opens
// shows it whole.
func TestStatusBarFitsTheWindow(t *testing.T) {
	loc := time.UTC
	at := time.Date(2026, 11, 26, 19, 30, 0, 0, loc)
	warnings := []i18n.Text{
		i18n.Nf("Backups: automatic backups are not set up (Settings → Backups)."),
		i18n.Nf("Backups: the folder %s cannot be reached; plug in the drive or connect the share.", `\\clinic-server\backups\hms-desk-2`),
		i18n.Nf("Backups: %s; one was due at %s.", i18n.Nf("the last good backup is from %s", i18n.Moment(at.AddDate(0, 0, -3))), i18n.Moment(at)),
		i18n.Nf("Backups: %s.", i18n.Nf("there is no backup yet")),
		i18n.Nf("Backups: the last backup failed: %s", "write /media/usb/hms-2026-11-26.hmsbak: no space left on device"),
	}
	for _, l := range []i18n.Lang{i18n.English, i18n.Greek, i18n.Spanish} {
		t.Run(l.Name(), func(t *testing.T) {
			h, _, d := realHarness(t)
			h.loginReal("admin", datatest.AdminPassword)
			speakIn(t, l)
			m := h.u.main
			m.showArea(app.AreaPatients)
			h.settle()
			m.backupLabel.Hide()
			bare := m.content.MinSize().Width
			for _, w := range warnings {
				h.u.showBackupStatus(&app.BackupStatus{Warning: w.String(), WarningText: w})
				h.drain()
				text := i18n.For(l).Text(w)
				if m.backupLabel.Text != text || !m.backupLabel.Visible() {
					t.Fatalf("the warning %q (shown %v), want %q", m.backupLabel.Text, m.backupLabel.Visible(), text)
				}
				if bar := m.statusBar.MinSize().Width; bar > bare {
					t.Errorf("%q: the status bar needs %.0f px, the rest of the window %.0f", text, bar, bare)
				}
				if got := m.content.MinSize().Width; got > bare {
					t.Errorf("%q: the window needs %.0f px with the warning, %.0f without", text, got, bare)
				}
				// At the window's narrowest the text is cut, and at a
				// common width it is whole (or cut only as it must be).
				h.u.win.Resize(fyne.NewSize(bare, 700))
				h.settle()
				if m.backupLabel.Size().Width < m.backupLabel.FullWidth()-1 && !strings.HasSuffix(visibleText(m), "…") {
					t.Errorf("%q: cut without an ellipsis: %q", text, visibleText(m))
				}
				h.u.win.Resize(fyne.NewSize(1440, 900))
				h.settle()
				if full, has := m.backupLabel.FullWidth(), m.backupLabel.Size().Width; has < full-1 &&
					m.statusBar.Size().Width < m.userLabel.MinSize().Width+m.roleLabel.MinSize().Width+m.syncLabel.MinSize().Width+full {
					t.Logf("%q: cut at 1440 px (%.0f of %.0f)", text, has, full)
				} else if has < full-1 {
					t.Errorf("%q: cut at 1440 px (%.0f of %.0f) with room to spare", text, has, full)
				}
			}
			// The tap opens the Backups tab, which shows the warning whole.
			st, err := d.DB().BackupState(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			h.u.ReportBackup(st)
			h.drain()
			test.Tap(m.backupLabel)
			h.waitFor("the Backups tab", func() bool { return m.backups != nil })
			h.waitFor("its warning", func() bool { return m.backups.warning.Text == m.backupLabel.Text })
		})
	}
}

// visibleText is what the status bar's warning shows of its text.
func visibleText(m *mainScreen) string {
	var out strings.Builder
	walk(m.backupLabel.label, func(o fyne.CanvasObject) {
		if t, ok := o.(*canvas.Text); ok {
			out.WriteString(t.Text)
		}
	})
	return out.String()
}

// TestSettingsTabsInGreekAndSpanish: Settings → Backups, Sync and
// Messages, as the administrator who switched the screens to Greek or
// Spanish sees them on a 1280 × 800 window: every label, button and check
// the catalogue translates is shown translated, and none is cut off.
func TestSettingsTabsInGreekAndSpanish(t *testing.T) {
	for _, l := range []i18n.Lang{i18n.Greek, i18n.Spanish} {
		t.Run(l.Name(), func(t *testing.T) {
			h, _, _ := realHarness(t)
			h.loginReal("admin", datatest.AdminPassword)
			speakIn(t, l)
			h.u.win.Resize(fyne.NewSize(1280, 800))
			m := h.u.main
			m.showArea(app.AreaSettings)
			h.settle()
			if m.settingsTabs == nil {
				t.Fatal("no Settings tabs")
			}
			var seen []string
			for _, tab := range []string{settingsTabBackups, syncTabSync, settingsTabMessages} {
				m.showSyncTab(tab)
				h.settle()
				time.Sleep(100 * time.Millisecond)
				h.settle()
				sel := m.settingsTabs.Selected()
				if sel == nil || sel.Text != i18n.For(l).T(tab) {
					continue // not on this desk (Sync without a sync service)
				}
				seen = append(seen, sel.Text)
				t.Logf("checked %s", sel.Text)
				checkScreenIn(t, h, sel.Content, l)
			}
			if len(seen) < 2 {
				t.Fatalf("only the tabs %v were there", seen)
			}
		})
	}
}

// TestSyncTabInGreekAndSpanish: Settings → Sync of an enrolled desk
// (its status, the clinic's desks, a failure), as TestSettingsTabsIn…
// checks the others.
func TestSyncTabInGreekAndSpanish(t *testing.T) {
	for _, l := range []i18n.Lang{i18n.Greek, i18n.Spanish} {
		t.Run(l.Name(), func(t *testing.T) {
			speakIn(t, l)
			st := enrolledStatus
			st.FailingSince = time.Date(2026, 3, 2, 8, 40, 0, 0, time.UTC)
			e := app.LoadError(app.StoreError(app.Errorf(app.EINTERNAL, "The sync server cannot be reached.%s Check that it is running and its address. (%s)",
				" Nothing was lost: the changes stay queued.", "dial tcp: connection refused")))
			st.LastSyncError, st.LastSyncErrorText = e.Message, app.ErrorText(e)
			h := newSyncHarness(t, st)
			h.loginAs(user(app.RoleAdmin))
			h.u.win.Resize(fyne.NewSize(1280, 800))
			m := h.u.main
			h.openArea(app.AreaSettings)
			m.showSyncTab(syncTabSync)
			h.waitFor("the status", func() bool { return m.syncView.lastError.Visible() })
			h.settle()
			// Laid out again, as a window does when its texts change.
			h.u.win.Resize(fyne.NewSize(1281, 800))
			h.u.win.Resize(fyne.NewSize(1280, 800))
			h.settle()
			sel := m.settingsTabs.Selected()
			if sel == nil || sel.Text != i18n.For(l).T(syncTabSync) {
				t.Fatalf("the tab %v is open", sel)
			}
			checkScreenIn(t, h.harness, sel.Content, l)
		})
	}
}

// checkScreenIn fails on a label, button or check of screen that shows
// an English text l's catalogue translates, or whose text needs more room
// than it has.
func checkScreenIn(t *testing.T, h *harness, screen fyne.CanvasObject, l i18n.Lang) {
	t.Helper()
	tr := i18n.For(l)
	check := func(kind, text string, o fyne.CanvasObject, cut bool) {
		if text == "" || !o.Visible() || o.Size().Width == 0 {
			return
		}
		if tr.T(text) != text {
			t.Errorf("%s %q is shown in English", kind, text)
		}
		if cut && o.MinSize().Width > o.Size().Width+1 {
			t.Errorf("%s %q needs %.0f px and has %.0f", kind, text, o.MinSize().Width, o.Size().Width)
		}
	}
	walk(screen, func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			check("label", w.Text, w, w.Truncation == fyne.TextTruncateOff && w.Wrapping == fyne.TextWrapOff)
		case *widget.Button:
			check("button", w.Text, w, true)
		case *widget.Check:
			check("check", w.Text, w, true)
		case *widget.Entry:
			if w.PlaceHolder != "" && tr.T(w.PlaceHolder) != w.PlaceHolder {
				t.Errorf("placeholder %q is shown in English", w.PlaceHolder)
			}
		case *widget.Select:
			if w.PlaceHolder != "" && tr.T(w.PlaceHolder) != w.PlaceHolder {
				t.Errorf("select placeholder %q is shown in English", w.PlaceHolder)
			}
		}
	})
}

package ui

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"hms/app"
	"hms/app/i18n"
	"hms/app/mock"
)

func TestSyncSummary(t *testing.T) {
	now := time.Date(2026, 11, 26, 11, 0, 0, 0, time.UTC)
	at := func(h, m int) time.Time { return time.Date(2026, 11, 26, h, m, 0, 0, time.UTC) }
	for _, c := range []struct {
		name string
		st   *app.SyncStatus
		want string
	}{
		{"Nil", nil, "Sync: this desk works alone"},
		{"NotEnrolled", &app.SyncStatus{Pending: 4}, "Sync: this desk works alone"},
		{"Synced", &app.SyncStatus{Enrolled: true, LastSyncedAt: at(10, 42)}, "Sync: synced 10:42"},
		{"SyncedYesterday", &app.SyncStatus{Enrolled: true, LastSyncedAt: at(10, 42).AddDate(0, 0, -1)}, "Sync: synced Wed 2026-11-25 10:42"},
		{"NeverSynced", &app.SyncStatus{Enrolled: true}, "Sync: not synced yet"},
		{"Waiting", &app.SyncStatus{Enrolled: true, Pending: 3, LastSyncedAt: at(10, 42)}, "Sync: 3 changes waiting"},
		{"WaitingOne", &app.SyncStatus{Enrolled: true, Pending: 1}, "Sync: 1 change waiting"},
		{"Offline", &app.SyncStatus{Enrolled: true, Pending: 3, FailingSince: at(10, 40),
			LastSyncError: "The sync server cannot be reached. Check that it is running and its address. (dial tcp: refused)"},
			"Sync: offline since 10:40 · 3 waiting"},
		{"Password", &app.SyncStatus{Enrolled: true, FailingSince: at(10, 40),
			LastSyncError: "The sync server refused the user name or password."},
			"Sync: server refused the password since 10:40"},
		{"NewerServer", &app.SyncStatus{Enrolled: true, FailingSince: at(10, 40),
			LastSyncError: "The sync server runs a newer version of HMS than this desk: update hms on this desk first."},
			"Sync: server needs a newer hms since 10:40"},
		{"Conflicts", &app.SyncStatus{Enrolled: true, LastSyncedAt: at(10, 42), Conflicts: 2},
			"Sync: synced 10:42 · 2 conflicts to review"},
		{"OfflineConflict", &app.SyncStatus{Enrolled: true, FailingSince: at(10, 40), Conflicts: 1},
			"Sync: offline since 10:40 · 1 conflict to review"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := syncSummary(c.st, now); got != c.want {
				t.Errorf("syncSummary = %q, want %q", got, c.want)
			}
		})
	}
	athens, err := time.LoadLocation("Europe/Athens")
	if err != nil {
		t.Skip("no time zone data")
	}
	if got := syncSummary(&app.SyncStatus{Enrolled: true, LastSyncedAt: at(10, 42)}, now.In(athens)); got != "Sync: synced 12:42" {
		t.Errorf("in the clinic's zone: %q", got)
	}
}

func TestServerURL(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		got, err := serverURL(" postgres://desk1@db.clinic.lan:5432/hms?sslmode=verify-full ", "p@ss:w/rd?#%")
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatal(err)
		}
		if pw, _ := u.User.Password(); pw != "p@ss:w/rd?#%" || u.User.Username() != "desk1" || u.Host != "db.clinic.lan:5432" ||
			u.Path != "/hms" || u.Query().Get("sslmode") != "verify-full" {
			t.Fatalf("serverURL = %q", got)
		}
	})
	t.Run("NoPassword", func(t *testing.T) {
		if got, err := serverURL("postgres://desk1:kept@db/hms", ""); err != nil || got != "postgres://desk1:kept@db/hms" {
			t.Fatalf("serverURL = %q, %v", got, err)
		}
	})
	for _, bad := range []string{"", "db.clinic.lan", "http://db/hms", "postgres:///hms"} {
		if _, err := serverURL(bad, ""); app.ErrorField(err) != "server" {
			t.Errorf("serverURL(%q): %v", bad, err)
		}
	}
	if _, err := serverURL("postgres://db/hms", "secret"); app.ErrorField(err) != "server" {
		t.Errorf("a password without a user name: %v", err)
	}
}

// syncHarness is a harness whose desk syncs with mocks: RunSync, which
// main runs beside the window, reports status once.
type syncHarness struct {
	*harness
	sync *mock.SyncService

	smu       sync.Mutex
	status    app.SyncStatus
	conflicts []*app.Conflict
}

func newSyncHarness(t *testing.T, st app.SyncStatus) *syncHarness {
	h := &syncHarness{harness: newHarness(t), sync: &mock.SyncService{}, status: st}
	h.sync.SyncStatusFn = func(ctx context.Context) (*app.SyncStatus, error) {
		h.record("SyncStatus", nil, nil)
		h.smu.Lock()
		defer h.smu.Unlock()
		cp := h.status
		return &cp, nil
	}
	h.sync.RunSyncFn = func(ctx context.Context, report func(*app.SyncStatus)) {
		h.record("RunSync", nil, nil)
		h.smu.Lock()
		cp := h.status
		h.smu.Unlock()
		report(&cp)
	}
	h.sync.ListConflictsFn = func(ctx context.Context, all bool) ([]*app.Conflict, error) {
		h.record("ListConflicts", ctx, all)
		h.smu.Lock()
		defer h.smu.Unlock()
		var out []*app.Conflict
		for _, c := range h.conflicts {
			if all || c.ResolvedAt.IsZero() {
				cp := *c
				out = append(out, &cp)
			}
		}
		return out, nil
	}
	h.sync.ResolveConflictFn = func(ctx context.Context, id string, r app.Resolution) (*app.Conflict, error) {
		h.record("ResolveConflict", ctx, id+" "+string(r))
		h.smu.Lock()
		defer h.smu.Unlock()
		for _, c := range h.conflicts {
			if c.ID == id {
				if !c.ResolvedAt.IsZero() {
					return nil, app.Errorf(app.ECONFLICT, "This conflict was resolved already.")
				}
				c.ResolvedAt, c.Resolution, c.ResolvedBy = time.Now(), r, "admin1"
				h.status.Conflicts--
				cp := *c
				return &cp, nil
			}
		}
		return nil, app.Errorf(app.ENOTFOUND, "There is no such conflict.")
	}
	h.u.svc.Sync = h.sync
	// main runs the sync loop beside the window, reporting to it.
	h.sync.RunSync(context.Background(), h.u.ReportSync)
	return h
}

var enrolledStatus = app.SyncStatus{Enrolled: true, SiteID: "site-this", DeskCode: "D2",
	Server: "postgres://desk2@db.clinic.lan:5432/hms?sslmode=verify-full", Epoch: "e1",
	LastSyncedAt: time.Date(2026, 3, 2, 8, 58, 0, 0, time.UTC), ClockOffset: 1200 * time.Millisecond}

func TestSyncStatusBar(t *testing.T) {
	t.Run("Admin", func(t *testing.T) {
		st := enrolledStatus
		st.Conflicts = 2
		h := newSyncHarness(t, st)
		h.loginAs(user(app.RoleAdmin))
		m := h.u.main
		// 08:58 UTC is 10:58 at the clinic (Europe/Athens).
		h.waitFor("the sync line", func() bool { return m.syncLabel.Text == "Sync: synced 10:58 · 2 conflicts to review" })
		if m.syncLabel.Disabled() {
			t.Fatal("an administrator cannot tap the sync line")
		}
		test.Tap(m.syncLabel)
		if m.current != app.AreaSettings || m.settingsTabs == nil || m.settingsTabs.Selected().Text != syncTabConflicts {
			t.Fatalf("tapping the sync line with conflicts opened %s", m.current)
		}
		h.waitFor("the conflicts", func() bool { return h.called("ListConflicts") > 0 })

		h.smu.Lock()
		h.status.Conflicts = 0
		h.smu.Unlock()
		h.u.ReportSync(&enrolledStatus)
		h.drain()
		test.Tap(m.syncLabel)
		if m.settingsTabs.Selected().Text != syncTabSync {
			t.Fatalf("tapping the sync line opened the tab %s", m.settingsTabs.Selected().Text)
		}
		h.waitFor("the desk's status", func() bool { return m.syncView.desk.Text == "D2, enrolled" })
	})
	t.Run("Reception", func(t *testing.T) {
		h := newSyncHarness(t, enrolledStatus)
		h.loginAs(user(app.RoleReception))
		m := h.u.main
		h.waitFor("the sync line", func() bool { return strings.HasPrefix(m.syncLabel.Text, "Sync: synced") })
		test.Tap(m.syncLabel)
		if m.conflicts == nil || m.conflicts.canResolve || m.current != "" {
			t.Fatalf("reception's tap showed %+v in %q", m.conflicts, m.current)
		}
		h.waitFor("the conflicts", func() bool { return h.called("ListConflicts") == 1 })
	})
	t.Run("Nurse", func(t *testing.T) {
		h := newSyncHarness(t, enrolledStatus)
		h.loginAs(user(app.RoleNurse))
		h.waitFor("the sync line", func() bool { return strings.HasPrefix(h.u.main.syncLabel.Text, "Sync: synced") })
		if !h.u.main.syncLabel.Disabled() {
			t.Fatal("a nurse may tap the sync line")
		}
	})
	t.Run("NotEnrolled", func(t *testing.T) {
		h := newSyncHarness(t, app.SyncStatus{DeskCode: "D1"})
		h.loginAs(user(app.RoleAdmin))
		h.waitFor("the sync line", func() bool { return h.u.main.syncLabel.Text == "Sync: this desk works alone" })
		if h.called("RunSync") != 1 {
			t.Fatalf("RunSync called %d times", h.called("RunSync"))
		}
	})
}

func TestSyncSettings(t *testing.T) {
	h := newSyncHarness(t, app.SyncStatus{SiteID: "site-this", DeskCode: "D1", Pending: 12,
		OldestPending: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)})
	var urls []string
	h.sync.TestServerFn = func(ctx context.Context, u string) (*app.ServerCheck, error) {
		h.record("TestServer", ctx, u)
		h.smu.Lock()
		urls = append(urls, u)
		h.smu.Unlock()
		if strings.Contains(u, "nowhere") {
			return nil, app.FieldErrorf("server", "The sync server cannot be reached.")
		}
		return &app.ServerCheck{Server: "postgres://desk2@db.clinic.lan:5432/hms?sslmode=verify-full", Epoch: "e1",
			SchemaVersion: 2, ClockOffset: -90 * time.Second, RoundTrip: 3 * time.Millisecond, TLS: true}, nil
	}
	h.sync.EnrollDeskFn = func(ctx context.Context, u string) (*app.SyncStatus, error) {
		h.record("EnrollDesk", ctx, u)
		h.smu.Lock()
		defer h.smu.Unlock()
		h.status = enrolledStatus
		h.status.Pending = 12
		cp := h.status
		return &cp, nil
	}
	h.sync.SyncNowFn = func(ctx context.Context) (*app.SyncReport, error) {
		h.record("SyncNow", ctx, nil)
		h.smu.Lock()
		h.status.Pending = 0
		h.smu.Unlock()
		return &app.SyncReport{Pushed: 12, Applied: 11, Conflicts: 1, Pulled: 40, PullConflicts: 2}, nil
	}
	h.loginAs(user(app.RoleAdmin))
	m := h.u.main
	h.openArea(app.AreaSettings)
	m.showSyncTab(syncTabSync)
	s := m.syncView
	h.waitFor("the desk's status", func() bool { return strings.Contains(s.desk.Text, "not enrolled") })
	if !s.syncNow.Disabled() || !strings.HasPrefix(s.pending.Text, "12 changes") {
		t.Fatalf("before enrolling: sync now enabled %v, pending %q", !s.syncNow.Disabled(), s.pending.Text)
	}

	t.Run("ErrAddress", func(t *testing.T) {
		test.Tap(s.test)
		if s.errs.text("server") == "" {
			t.Fatal("no error for an empty address")
		}
		s.server.SetText("postgres://desk2@nowhere/hms")
		test.Tap(s.test)
		h.waitFor("the server's error", func() bool { return strings.Contains(s.errs.text("server"), "cannot be reached") })
	})
	t.Run("TestConnection", func(t *testing.T) {
		s.server.SetText("postgres://desk2@db.clinic.lan:5432/hms?sslmode=verify-full")
		test.Type(s.password, "p@ss word")
		test.Tap(s.test)
		h.waitFor("the test's result", func() bool { return s.result.Visible() })
		for _, w := range []string{"Epoch e1, schema version 2", "Encrypted (TLS): yes", "Round trip: 3ms", "1m30s behind",
			"set the clock right"} {
			if !strings.Contains(s.result.Text, w) {
				t.Errorf("result lacks %q:\n%s", w, s.result.Text)
			}
		}
		if s.errs.text("server") != "" {
			t.Error("the earlier error stays")
		}
		h.smu.Lock()
		got := urls[len(urls)-1]
		h.smu.Unlock()
		if u, err := url.Parse(got); err != nil || func() string { p, _ := u.User.Password(); return p }() != "p@ss word" {
			t.Fatalf("tested %q", got)
		}
	})
	t.Run("Enroll", func(t *testing.T) {
		test.Tap(s.enroll)
		h.waitFor("the enrollment", func() bool { return strings.Contains(s.result.Text, "as desk D2") })
		if s.password.Text != "" || s.desk.Text != "D2, enrolled" || s.syncNow.Disabled() {
			t.Fatalf("after enrolling: password %q, desk %q", s.password.Text, s.desk.Text)
		}
		if !strings.Contains(m.syncLabel.Text, "12 changes waiting") {
			t.Errorf("sync line %q", m.syncLabel.Text)
		}
	})
	t.Run("SyncNow", func(t *testing.T) {
		test.Tap(s.syncNow)
		h.waitFor("the report", func() bool { return strings.Contains(s.result.Text, "Sent 12 changes") })
		for _, w := range []string{"11 applied, 1 with conflicts, 0 refused", "Received 40 changes from other desks, 2 of them"} {
			if !strings.Contains(s.result.Text, w) {
				t.Errorf("report lacks %q:\n%s", w, s.result.Text)
			}
		}
		if !strings.HasPrefix(s.pending.Text, "Nothing") || !strings.HasPrefix(m.syncLabel.Text, "Sync: synced") {
			t.Errorf("after syncing: pending %q, line %q", s.pending.Text, m.syncLabel.Text)
		}
	})
	t.Run("Failing", func(t *testing.T) {
		st := enrolledStatus
		st.FailingSince = time.Date(2026, 3, 2, 8, 40, 0, 0, time.UTC)
		st.LastSyncError = "The sync server cannot be reached."
		st.ClockOffset = 2 * time.Minute
		h.u.ReportSync(&st)
		h.drain()
		if s.failing.Text != "Since 10:40" || !s.lastError.Visible() || !s.clockWarn.Visible() ||
			m.syncLabel.Text != "Sync: offline since 10:40" {
			t.Errorf("failing: %q %q warn %v, line %q", s.failing.Text, s.lastError.Text, s.clockWarn.Visible(), m.syncLabel.Text)
		}
	})
	t.Run("Unverified", func(t *testing.T) {
		if s.tlsWarn.Visible() {
			t.Fatal("a warning about a verified connection")
		}
		st := enrolledStatus
		st.Server = "postgres://desk2@db.clinic.lan:5432/hms?sslmode=prefer"
		st.TLSWarning = "The connection to the sync server is not verified (sslmode=prefer)."
		h.u.ReportSync(&st)
		h.drain()
		if !s.tlsWarn.Visible() || s.tlsWarn.Text != st.TLSWarning {
			t.Errorf("TLS warning shown %v: %q", s.tlsWarn.Visible(), s.tlsWarn.Text)
		}
	})
	t.Run("UnsignedPower", func(t *testing.T) {
		if s.powerWarn.Visible() {
			t.Fatal("an alert with nothing refused")
		}
		st := enrolledStatus
		st.Conflicts, st.Unsigned, st.TrustRoot = 3, 2, "7d35-68a0-75ef-9e69-cdf1-1dc3-ae7e-a7b4"
		h.u.ReportSync(&st)
		h.drain()
		if !s.powerWarn.Visible() || !strings.Contains(s.powerWarn.Text, "2 changes") || !strings.Contains(m.syncLabel.Text, "ALERT: 2 unsigned changes refused") ||
			!strings.HasPrefix(s.trust.Text, st.TrustRoot) {
			t.Errorf("alert shown %v: %q; line %q; trust root %q", s.powerWarn.Visible(), s.powerWarn.Text, m.syncLabel.Text, s.trust.Text)
		}
	})
}

func TestConflictsScreen(t *testing.T) {
	h := newSyncHarness(t, enrolledStatus)
	lost := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	h.conflicts = []*app.Conflict{
		{ID: "c2", Entity: "appointments", RowID: "a1", What: i18n.Nf("Appointment of %s on %s", "Ada Byron", "2026-03-02 10:00"),
			Rule: "refused by the server: the slot is taken", LostValue: `{"kind":"insert"}`, WonValue: "null",
			LostDesk: "site-this", LostAt: lost, DetectedAt: lost},
		{ID: "c1", Entity: "patients", RowID: "p1", Field: "phone", What: i18n.Nf("Patient %s", "P-D1-000001 Ada Byron"),
			Rule: "field: last writer by (HLC, site) wins", LostValue: `"+30 210 555 0001"`, WonValue: `"+30 210 555 0002"`,
			LostDesk: "site-this", WonDesk: "0193a1b2-0000-7000-8000-00000000beef", LostAt: lost, WonAt: lost.Add(time.Minute),
			DetectedAt: lost},
		{ID: "c0", Entity: "settings", RowID: "clinic_name", Field: "value", What: i18n.Nf("Setting %s", "clinic_name"),
			Rule: "field: last writer by (HLC, site) wins", LostValue: `"Old"`, WonValue: `"New"`, LostAt: lost, WonAt: lost,
			DetectedAt: lost, ResolvedAt: lost, ResolvedBy: "admin1", Resolution: app.ResolutionKeep},
	}
	h.loginAs(user(app.RoleAdmin))
	m := h.u.main
	h.openArea(app.AreaSettings)
	m.showSyncTab(syncTabConflicts)
	s := m.conflicts
	h.waitFor("the conflicts", func() bool { return len(s.items) == 2 })
	if s.count.Text != "2 open" {
		t.Errorf("count %q", s.count.Text)
	}
	row := s.list.CreateItem()
	s.list.UpdateItem(1, row)
	r := row.(*conflictRow)
	if r.title.Text != "Patient P-D1-000001 Ada Byron — Phone" ||
		!strings.Contains(r.values.Text, "Lost: “+30 210 555 0001” (this desk, 09:00)") ||
		!strings.Contains(r.values.Text, "won: “+30 210 555 0002” (desk …0000beef, 09:01)") ||
		!strings.Contains(r.meta.Text, "last writer") || !r.keep.Visible() || r.take.Disabled() {
		t.Errorf("row: %q / %q / %q", r.title.Text, r.values.Text, r.meta.Text)
	}
	s.list.UpdateItem(0, row)
	if r.values.Text != "Lost: creating it (this desk, 09:00) · refused by the server" || !r.take.Disabled() {
		t.Errorf("refused booking row: %q, take enabled %v", r.values.Text, !r.take.Disabled())
	}

	t.Run("ShowResolved", func(t *testing.T) {
		s.showAll.SetChecked(true)
		h.waitFor("the resolved ones", func() bool { return len(s.items) == 3 })
		s.list.UpdateItem(2, row)
		if r.keep.Visible() || !strings.Contains(r.meta.Text, "Resolved 09:00 by admin1: kept what won") {
			t.Errorf("resolved row: %q, buttons shown %v", r.meta.Text, r.keep.Visible())
		}
		s.showAll.SetChecked(false)
		h.waitFor("the open ones", func() bool { return len(s.items) == 2 })
	})
	t.Run("Take", func(t *testing.T) {
		s.onTake(s.items[1])
		if s.confirm == nil || !h.shows("Set the phone of Patient P-D1-000001 Ada Byron back to “+30 210 555 0001”") {
			t.Fatal("taking what lost asks nothing")
		}
		h.settle()
		if h.called("ResolveConflict") != 0 {
			t.Fatal("resolved before confirming")
		}
		s.confirm.Hide()
		s.resolve(s.items[1], app.ResolutionTake)
		h.waitFor("the list without it", func() bool { return len(s.items) == 1 })
		if got := h.callsOf("ResolveConflict"); len(got) != 1 || got[0] != "c1 taken" {
			t.Fatalf("ResolveConflict calls %v", got)
		}
	})
	t.Run("Keep", func(t *testing.T) {
		s.onKeep(s.items[0])
		h.waitFor("an empty list", func() bool { return len(s.items) == 0 && s.empty.Visible() })
		if got := h.callsOf("ResolveConflict"); got[len(got)-1] != "c2 kept" {
			t.Fatalf("ResolveConflict calls %v", got)
		}
	})
	t.Run("ErrAlreadyResolved", func(t *testing.T) {
		h.smu.Lock()
		c := *h.conflicts[1]
		h.smu.Unlock()
		s.resolve(&c, app.ResolutionKeep)
		h.waitFor("the error", func() bool { return h.shows("This conflict was resolved already.") })
	})
}

// TestConflictsScreenDuplicate: a possible duplicate (one patient
// registered on two desks) shows both records and decides with "keep
// both" or, after a confirmation, "merge"; a row reused for an ordinary
// conflict gets its own buttons back.
func TestConflictsScreenDuplicate(t *testing.T) {
	h := newSyncHarness(t, enrolledStatus)
	first := time.Date(2026, 3, 1, 7, 0, 0, 0, time.UTC)
	h.conflicts = []*app.Conflict{
		{ID: "d1", Entity: "patients", RowID: "p2", DuplicateOf: "p1",
			What: i18n.Nf("Patient %s, born %s, registered twice? %s and %s", "Maria Twice", "1975-04-30", "P-D1-000003", "P-D2-000004"),
			Rule: "possible duplicate: same name and date of birth", RuleText: i18n.Nf("same name and date of birth"),
			LostValue: `"P-D2-000004, phone +30 210 555 0199, maria@example.org"`,
			WonValue:  `"P-D1-000003, no phone"`,
			LostAt:    first.Add(time.Hour), WonAt: first, DetectedAt: first.Add(2 * time.Hour)},
		{ID: "c1", Entity: "patients", RowID: "p1", Field: "phone", What: i18n.Nf("Patient %s", "P-D1-000001 Ada Byron"),
			Rule: "field: last writer by (HLC, site) wins", LostValue: `"+30 210 555 0001"`, WonValue: `"+30 210 555 0002"`,
			LostAt: first, WonAt: first, DetectedAt: first},
	}
	h.loginAs(user(app.RoleAdmin))
	m := h.u.main
	h.openArea(app.AreaSettings)
	m.showSyncTab(syncTabConflicts)
	s := m.conflicts
	h.waitFor("the conflicts", func() bool { return len(s.items) == 2 })
	row := s.list.CreateItem()
	r := row.(*conflictRow)
	s.list.UpdateItem(0, row)
	if r.title.Text != "Patient Maria Twice, born 1975-04-30, registered twice? P-D1-000003 and P-D2-000004" ||
		r.values.Text != "Registered first (Sun 2026-03-01 09:00): P-D1-000003, no phone · later (Sun 2026-03-01 10:00): P-D2-000004, phone +30 210 555 0199, maria@example.org" ||
		!strings.HasPrefix(r.meta.Text, "Possible duplicate: same name and date of birth") ||
		r.keep.Text != "Two people: keep both" || r.take.Text != "Same patient: merge" || r.take.Disabled() {
		t.Errorf("duplicate row: %q / %q / %q / %q %q", r.title.Text, r.values.Text, r.meta.Text, r.keep.Text, r.take.Text)
	}
	s.list.UpdateItem(1, row)
	if r.keep.Text != "Keep what won" || r.take.Text != "Take what lost" {
		t.Errorf("a reused row keeps the duplicate's buttons: %q %q", r.keep.Text, r.take.Text)
	}

	s.list.UpdateItem(0, row)
	test.Tap(r.take)
	if s.confirm == nil || !h.shows("Merge P-D2-000004 into P-D1-000003?") {
		t.Fatal("merging asks nothing")
	}
	h.settle()
	if h.called("ResolveConflict") != 0 {
		t.Fatal("merged before confirming")
	}
	s.confirm.Hide()
	s.resolve(s.items[0], app.ResolutionMerged)
	h.waitFor("the list without it", func() bool { return len(s.items) == 1 })
	if got := h.callsOf("ResolveConflict"); len(got) != 1 || got[0] != "d1 merged" {
		t.Fatalf("ResolveConflict calls %v", got)
	}
}

// TestOverpaidTab: a billing clerk sees an invoice paid on two desks under
// Billing → Overpaid, and settles it with a reason: a refund, or an
// allocation to another invoice of the patient, chosen from its unpaid
// ones.
func TestOverpaidTab(t *testing.T) {
	h := newSyncHarness(t, enrolledStatus)
	found := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	h.conflicts = []*app.Conflict{{ID: "inv1/pay2", Entity: "invoices", RowID: "inv1", Rule: "billing: paid more than its total",
		What: i18n.Nf("Invoice %s of %s", "INV-D1-2026-000001", "P-D1-000001 Ada Byron"), LostValue: `"paid"`, WonValue: "null", DetectedAt: found,
		Overpaid: &app.Overpayment{InvoiceID: "inv1", InvoiceNumber: "INV-D1-2026-000001", PatientID: "p1",
			PatientName: "Ada Byron", Currency: "EUR", Total: 7000, Paid: 14000, PaymentID: "pay2",
			ReceiptNumber: "R-D2-2026-000001", Receipts: []string{"R-D1-2026-000001", "R-D2-2026-000001"}}}}
	h.sync.SettleOverpaymentFn = func(ctx context.Context, id string, s app.OverpaymentSettlement) (*app.Conflict, error) {
		h.record("SettleOverpayment", ctx, id+" "+string(s.Action)+" "+s.InvoiceID+" "+s.Reason)
		if s.Reason == "" {
			return nil, app.FieldErrorf("reason", "Give the reason.")
		}
		h.smu.Lock()
		defer h.smu.Unlock()
		h.conflicts[0].ResolvedAt = time.Now()
		return h.conflicts[0], nil
	}
	h.u.svc.Billing = &mock.BillingService{
		FindInvoicesFn: func(ctx context.Context, f app.InvoiceFilter) ([]*app.Invoice, error) { return nil, nil },
	}
	h.loginAs(user(app.RoleBilling))
	h.openArea(app.AreaBilling)
	b := h.u.main.billing
	if b == nil || b.overpaid == nil {
		t.Fatal("no Overpaid tab for a billing clerk")
	}
	for _, item := range b.tabs.Items {
		if item.Text == "Billing conflicts" {
			b.tabs.Select(item)
		}
	}
	s := b.overpaid.conflictsScreen
	h.waitFor("the overpaid invoice", func() bool { return len(s.items) == 1 })
	row := s.list.CreateItem()
	s.list.UpdateItem(0, row)
	r := row.(*conflictRow)
	if !strings.Contains(r.title.Text, "paid more than its total") ||
		!strings.Contains(r.values.Text, "Paid 140.00 EUR of 70.00 EUR: 70.00 EUR too much · receipts R-D1-2026-000001, R-D2-2026-000001") ||
		r.keep.Text != "Refund the excess" || !r.keep.Visible() || !r.take.Visible() {
		t.Fatalf("row: %q / %q / buttons %q %v", r.title.Text, r.values.Text, r.keep.Text, r.keep.Visible())
	}
	s.onRefundExcess(s.items[0])
	if s.prompt == nil || !h.shows("the patient gets 70.00 EUR back") {
		t.Fatal("refunding asks nothing")
	}
	s.prompt.entry.SetText("paid at two desks")
	s.prompt.ok.OnTapped()
	h.waitFor("the settlement", func() bool { return len(h.callsOf("SettleOverpayment")) == 1 })
	if got := h.callsOf("SettleOverpayment"); got[0] != "inv1/pay2 refund  paid at two desks" {
		t.Fatalf("SettleOverpayment calls %v", got)
	}
	h.waitFor("an empty list", func() bool { return len(s.items) == 0 && s.empty.Visible() })
}

// TestOverpaidReceiptsShownWhole: a billing conflict shows every receipt
// that paid the invoice, and a lost value whole, however long the line:
// the row's text wraps, the row growing, where it was cut at the list's
// width, the last receipts (the ones to reverse) unseen. Fails on main
// (0ada951): "… receipts R-D1-2026-000001, R-D2-2026-000001, R-D…".
func TestOverpaidReceiptsShownWhole(t *testing.T) {
	h := newSyncHarness(t, enrolledStatus)
	receipts := []string{"R-D1-2026-000001", "R-D2-2026-000001", "R-D3-2026-000001", "R-D4-2026-000001"}
	h.conflicts = []*app.Conflict{{ID: "inv1/pay4", Entity: "invoices", RowID: "inv1", Rule: "billing: paid more than its total",
		What: i18n.Nf("Invoice %s of %s", "INV-D1-2026-000001", "P-D1-000001 Ada Byron"), LostValue: `"paid"`, WonValue: "null",
		DetectedAt: time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC),
		Overpaid: &app.Overpayment{InvoiceID: "inv1", InvoiceNumber: "INV-D1-2026-000001", PatientID: "p1",
			PatientName: "Ada Byron", Currency: "EUR", Total: 7000, Paid: 28000, PaymentID: "pay4",
			ReceiptNumber: receipts[3], Receipts: receipts}}}
	h.u.svc.Billing = &mock.BillingService{
		FindInvoicesFn: func(ctx context.Context, f app.InvoiceFilter) ([]*app.Invoice, error) { return nil, nil },
	}
	h.loginAs(user(app.RoleBilling))
	h.openArea(app.AreaBilling)
	b := h.u.main.billing
	if !openTab(b.tabs, "Billing conflicts") {
		t.Fatal("no Billing conflicts tab for a billing clerk")
	}
	s := b.overpaid.conflictsScreen
	h.waitFor("the overpaid invoice", func() bool { return len(s.items) == 1 })
	h.settle()
	got := drawnText(s.list)
	if want := "receipts " + strings.Join(receipts, ", "); !strings.Contains(got, want) {
		t.Errorf("the conflict shows %q, want %q whole", got, want)
	}
}

// TestSyncSettingsDeskVersions: an enrolled desk's Sync tab lists the
// clinic's desks with their versions, and says when they differ.
func TestSyncSettingsDeskVersions(t *testing.T) {
	h := newSyncHarness(t, enrolledStatus)
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	h.sync.DeskVersionsFn = func(ctx context.Context) ([]app.DeskVersion, error) {
		h.record("DeskVersions", ctx, nil)
		return []app.DeskVersion{
			{DeskCode: "D1", Version: "1.1.0", Since: at, LastSeen: at, This: true},
			{DeskCode: "D2", Version: "1.0.0", Since: at, LastSeen: at},
			{DeskCode: "D3", Version: "0.9.0", Since: at, Revoked: true},
		}, nil
	}
	h.loginAs(user(app.RoleAdmin))
	h.openArea(app.AreaSettings)
	h.u.main.showSyncTab(syncTabSync)
	v := h.u.main.syncView
	h.waitFor("the desks", func() bool { return strings.Contains(v.desks.Text, "D2") })
	for _, want := range []string{"D1 (this desk): HMS 1.1.0 since Sun 2026-03-01", "D2: HMS 1.0.0", "D3: HMS 0.9.0 since Sun 2026-03-01, removed from the clinic",
		"The desks run different versions of HMS"} {
		if !strings.Contains(v.desks.Text, want) {
			t.Errorf("desks %q lack %q", v.desks.Text, want)
		}
	}
}

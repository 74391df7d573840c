package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/mock"
)

// updatesHarness is an admin's window whose desk has an update service.
func updatesHarness(t *testing.T, enabled bool) (*harness, *mock.UpdateService) {
	h := newHarness(t)
	upd := &mock.UpdateService{}
	upd.UpdateStateFn = func(ctx context.Context) (*app.UpdateState, error) {
		h.record("UpdateState", ctx, nil)
		return &app.UpdateState{Version: "1.0.0", Enabled: enabled, Location: `\\nas\hms`}, nil
	}
	h.u.svc.Updates = upd
	return h, upd
}

// openUpdates opens Settings → Updates and waits for it to load.
func openUpdates(t *testing.T, h *harness) *updatesScreen {
	t.Helper()
	h.loginAs(user(app.RoleAdmin))
	h.openArea(app.AreaSettings)
	tabs := h.u.main.settingsTabs
	if tabs == nil {
		t.Fatal("the Settings area has no tabs")
	}
	var item *container.TabItem
	for _, it := range tabs.Items {
		if it.Text == settingsTabUpdates {
			item = it
		}
	}
	if item == nil {
		t.Fatal("no Updates tab")
	}
	tabs.Select(item)
	s := h.u.main.updates
	h.waitFor("the update state", func() bool { return s.location.Text != "" })
	return s
}

func tapDialogButton(t *testing.T, h *harness, text string) {
	t.Helper()
	var found *widget.Button
	for _, o := range h.u.win.Canvas().Overlays().List() {
		walk(o, func(o fyne.CanvasObject) {
			if b, ok := asButton(o); ok && b.Text == text {
				found = b
			}
		})
	}
	if found == nil {
		t.Fatalf("no %q button on the dialogs", text)
	}
	test.Tap(found)
}

// TestUpdatesTab: an admin sees the running version and the location, checks,
// reads "HMS 1.1.0 is available" with its notes, and installs only after
// saying yes; a refused package shows the refusal.
func TestUpdatesTab(t *testing.T) {
	h, upd := updatesHarness(t, true)
	upd.CheckForUpdateFn = func(ctx context.Context) (*app.UpdateOffer, error) {
		h.record("CheckForUpdate", ctx, nil)
		return &app.UpdateOffer{Version: "1.1.0", Notes: "- Faster search", Package: "HMS-Setup-1.1.0.exe",
			Size: 3 << 20, Available: true}, nil
	}
	fail := true
	upd.InstallUpdateFn = func(ctx context.Context, v string) (*app.UpdateResult, error) {
		h.record("InstallUpdate", ctx, v)
		if fail {
			return nil, app.Errorf(app.ECONFLICT, "A visit is open (Ada Lovelace, checked in): update HMS when the visits are completed.")
		}
		return &app.UpdateResult{Version: v, Package: "/u/hms_1.1.0_amd64.deb", Backup: "/db.before", Started: "/u"}, nil
	}
	s := openUpdates(t, h)
	if s.version.Text != "This desk runs HMS 1.0.0." || s.disabled.Visible() || s.check.Disabled() {
		t.Fatalf("header %q, disabled note shown %v, check disabled %v", s.version.Text, s.disabled.Visible(), s.check.Disabled())
	}
	if s.install.Visible() {
		t.Fatal("install offered before a check")
	}
	test.Tap(s.check)
	h.waitFor("the offer", func() bool { return s.install.Visible() })
	if s.status.Text != "HMS 1.1.0 is available" || !h.shows("Faster search") {
		t.Fatalf("status %q", s.status.Text)
	}
	// Never silent: tapping asks first, and No installs nothing.
	test.Tap(s.install)
	tapDialogButton(t, h, "No")
	h.settle()
	if h.called("InstallUpdate") != 0 {
		t.Fatal("installed without a yes")
	}
	test.Tap(s.install)
	tapDialogButton(t, h, "Yes")
	h.waitFor("the refusal", func() bool { return s.errs.text("") != "" })
	if got := s.errs.text(""); got != "A visit is open (Ada Lovelace, checked in): update HMS when the visits are completed." {
		t.Errorf("refusal %q", got)
	}
	fail = false
	var done *app.UpdateResult
	s.installed = func(r *app.UpdateResult) { done = r }
	test.Tap(s.install)
	tapDialogButton(t, h, "Yes")
	h.waitFor("the install", func() bool { return done != nil })
	if calls := h.callsOf("InstallUpdate"); len(calls) != 2 || calls[1] != "1.1.0" {
		t.Errorf("install calls %v", calls)
	}
}

// TestUpdatesTabWithoutKey: a build without a release key says that it does
// not check, and offers no check.
func TestUpdatesTabWithoutKey(t *testing.T) {
	h, _ := updatesHarness(t, false)
	s := openUpdates(t, h)
	if !s.disabled.Visible() || !s.check.Disabled() {
		t.Fatal("a build without a key offers update checks")
	}
	if !h.shows("This build of HMS has no release key") {
		t.Error("the missing key is not explained")
	}
}

// TestUpdatesTabAdminsOnly: other staff have no Updates tab.
func TestUpdatesTabAdminsOnly(t *testing.T) {
	h, _ := updatesHarness(t, true)
	h.loginAs(user(app.RoleDoctor))
	if h.u.main.updates != nil {
		t.Fatal("a doctor got the update screen")
	}
	if h.called("UpdateState") != 0 {
		t.Fatal("the update state was read for a doctor")
	}
}

package ui

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// The tabs of the Settings area on a desk that can sync.
// Their English names are their keys; a tab shows T(name).
var (
	syncTabClinic    = i18n.N("Clinic")
	syncTabSync      = i18n.N("Sync")
	syncTabConflicts = i18n.N("Conflicts")
)

// syncTabs builds the Settings area's tabs around the clinic's settings:
// Sync and Conflicts.
func (s *mainScreen) syncTabs() fyne.CanvasObject {
	s.settingsTabs = container.NewAppTabs(
		container.NewTabItemWithIcon(T(syncTabClinic), theme.SettingsIcon(), s.settings.content))
	if s.u.canManageBackups() {
		s.backups = newBackupsScreen(s.u)
		s.settingsTabs.Append(container.NewTabItemWithIcon(T(settingsTabBackups), theme.StorageIcon(), s.backups.content))
	}
	if s.u.svc.Sync != nil {
		s.syncView = newSyncScreen(s.u)
		s.conflicts = newConflictsScreen(s.u, true)
		s.settingsTabs.Append(container.NewTabItemWithIcon(T(syncTabSync), theme.ViewRefreshIcon(), s.syncView.content))
		s.settingsTabs.Append(container.NewTabItemWithIcon(T(syncTabConflicts), theme.WarningIcon(), s.conflicts.content))
	}
	s.settingsTabs.OnSelected = func(t *container.TabItem) {
		switch t.Text {
		case T(syncTabSync):
			s.syncView.load()
		case T(syncTabConflicts):
			s.conflicts.load()
		case T(settingsTabBackups):
			s.backups.load()
		}
	}
	return s.settingsTabs
}

// showSyncTab opens the Settings area at one of its sync tabs.
func (s *mainScreen) showSyncTab(tab string) {
	if s.current != app.AreaSettings || s.settingsTabs == nil {
		if i := slices.Index(s.areas, app.AreaSettings); i >= 0 {
			s.nav.Select(i) // shows the area
		}
	}
	if s.settingsTabs == nil {
		return
	}
	for _, t := range s.settingsTabs.Items {
		if t.Text == T(tab) {
			if s.settingsTabs.Selected() == t {
				s.settingsTabs.OnSelected(t) // fresh figures all the same
			} else {
				s.settingsTabs.Select(t)
			}
		}
	}
}

// showConflictsOnly shows the conflicts, read-only, in place of an area:
// for staff who arrange appointments but do not manage settings.
func (s *mainScreen) showConflictsOnly() {
	s.u.touch()
	s.nav.UnselectAll()
	s.current = ""
	s.dropScreens()
	s.conflicts = newConflictsScreen(s.u, false)
	s.area.Objects = []fyne.CanvasObject{s.conflicts.content}
	s.area.Refresh()
	s.conflicts.load()
}

// syncScreen is Settings → Sync: the server's address and password, the
// buttons that test the connection, enroll the desk and sync now, and where
// the desk stands.
type syncScreen struct {
	u *UI

	server    *escEntry
	password  *escEntry
	test      *widget.Button
	enroll    *widget.Button
	syncNow   *widget.Button
	review    *widget.Button
	result    *widget.Label // what the last button did
	errs      fieldErrors
	desk      *widget.Label
	where     *widget.Label
	pending   *widget.Label
	synced    *widget.Label
	failing   *widget.Label
	lastError *widget.Label
	offset    *widget.Label
	clockWarn *widget.Label
	tlsWarn   *widget.Label // the connection does not verify the server
	conflicts *widget.Label
	desks     *widget.Label // the clinic's desks and their versions
	powerWarn *widget.Label // changes refused for granting power unsigned
	trust     *widget.Label // the clinic's trust root

	status  *app.SyncStatus
	content fyne.CanvasObject
}

// serverPlaceholder shows the form of a server's address.
const serverPlaceholder = "postgres://user@host:5432/db?sslmode=verify-full"

func newSyncScreen(u *UI) *syncScreen {
	s := &syncScreen{u: u, errs: fieldErrors{}}
	s.buildUI()
	return s
}

func (s *syncScreen) buildUI() {
	s.server = entry(serverPlaceholder)
	s.password = passwordEntry(T("The server password of the user in the address"))
	s.test = widget.NewButtonWithIcon(T("Test connection"), theme.SearchIcon(), s.onTest)
	s.enroll = widget.NewButtonWithIcon(T("Enroll this desk"), theme.ConfirmIcon(), s.onEnroll)
	s.enroll.Importance = widget.HighImportance
	s.syncNow = widget.NewButtonWithIcon(T("Sync now"), theme.ViewRefreshIcon(), s.onSyncNow)
	s.syncNow.Disable() // until the desk is known to be enrolled
	s.review = widget.NewButtonWithIcon(T("Review conflicts"), theme.WarningIcon(), func() {
		if s.u.main != nil {
			s.u.main.showSyncTab(syncTabConflicts)
		}
	})
	s.result = wrapLabel("")
	s.result.Hide()
	general := newErrorLabel()
	s.errs[""] = general

	s.desk = widget.NewLabel("…")
	s.where = wrapLabel("")
	s.pending = widget.NewLabel("")
	s.synced = widget.NewLabel("")
	s.failing = wrapLabel("")
	s.lastError = wrapLabel("")
	s.lastError.Importance = widget.DangerImportance
	s.lastError.Hide()
	s.offset = widget.NewLabel("")
	s.clockWarn = wrapLabel("")
	s.clockWarn.Importance = widget.WarningImportance
	s.clockWarn.Hide()
	s.tlsWarn = wrapLabel("")
	s.tlsWarn.Importance = widget.WarningImportance
	s.tlsWarn.Hide()
	s.conflicts = widget.NewLabel("")
	s.desks = widget.NewLabel("")
	s.desks.Wrapping = fyne.TextWrapWord
	s.powerWarn = wrapLabel("")
	s.powerWarn.Importance = widget.DangerImportance
	s.powerWarn.Hide()
	s.trust = wrapLabel("")

	connect := widget.NewForm(
		widget.NewFormItem(T("Server address"), s.errs.add("server", s.server)),
		widget.NewFormItem(T("Password"), s.errs.add("password", s.password)),
	)
	status := widget.NewForm(
		widget.NewFormItem(T("This desk"), s.desk),
		widget.NewFormItem(T("Server"), container.NewVBox(s.where, s.tlsWarn)),
		widget.NewFormItem(T("Waiting"), s.pending),
		widget.NewFormItem(T("Last synced"), s.synced),
		widget.NewFormItem(T("Failing"), container.NewVBox(s.failing, s.lastError)),
		widget.NewFormItem(T("Clock offset"), container.NewVBox(s.offset, s.clockWarn)),
		widget.NewFormItem(T("Conflicts"), container.NewVBox(container.NewHBox(s.conflicts, s.review), s.powerWarn)),
		widget.NewFormItem(T("Trust root"), s.trust),
	)
	help := mutedLabel(T("Desks of one clinic share their records through a PostgreSQL server. " +
		"Give its address and the password of its user, test the connection, then enroll this desk: " +
		"it gets its desk code and syncs by itself from then on."))
	s.content = container.NewVScroll(container.NewVBox(
		sectionTitle(T("Sync server")),
		container.New(widthLayout{720}, container.NewVBox(help, connect)),
		container.NewHBox(s.test, s.enroll, s.syncNow, layout.NewSpacer()),
		general,
		container.New(widthLayout{720}, s.result),
		widget.NewSeparator(),
		sectionTitle(T("Where this desk stands")),
		container.New(widthLayout{720}, status),
		widget.NewSeparator(),
		sectionTitle(T("The clinic's desks")),
		container.New(widthLayout{720}, s.desks),
	))
}

// load reads where the desk stands.
func (s *syncScreen) load() {
	background(s.u, func(ctx context.Context) (*app.SyncStatus, error) {
		return s.u.svc.Sync.SyncStatus(ctx)
	}, func(st *app.SyncStatus, err error) {
		if err != nil {
			s.errs.show(err, s.u.win)
			return
		}
		s.u.showSyncStatus(st)
		s.fillStatus(st)
		if st.Enrolled {
			s.loadDesks()
		} else {
			s.desks.SetText(T("This desk is not enrolled: it knows no other desks."))
		}
	})
}

// loadDesks asks the server for the clinic's desks and their versions.
func (s *syncScreen) loadDesks() {
	s.desks.SetText(T("Asking the server…"))
	background(s.u, func(ctx context.Context) ([]app.DeskVersion, error) {
		return s.u.svc.Sync.DeskVersions(ctx)
	}, func(vs []app.DeskVersion, err error) {
		if err != nil {
			s.desks.SetText(errText(err))
			return
		}
		s.desks.SetText(deskVersionsText(vs, s.u.location()))
	})
}

// deskVersionsText is one line per desk, and a warning when the desks in
// use run different versions.
func deskVersionsText(vs []app.DeskVersion, loc *time.Location) string {
	if len(vs) == 0 {
		return T("The server lists no desks.")
	}
	var b strings.Builder
	versions := map[string]bool{}
	for _, v := range vs {
		name := v.DeskCode
		if v.This {
			name = Tf("%s (this desk)", name)
		}
		version := "HMS " + v.Version //i18n:ok a product name and version
		if v.Version == "" {
			version = T("version not reported yet")
		}
		fmt.Fprintf(&b, "%s: %s", name, version)
		if !v.Since.IsZero() && v.Version != "" {
			b.WriteString(Tf(" since %s", tr().Day(v.Since.In(loc))))
		}
		if v.Revoked {
			b.WriteString(T(", removed from the clinic"))
		} else {
			versions[v.Version] = true
			if !v.LastSeen.IsZero() {
				b.WriteString(Tf(", last synced %s", tr().DayTime(v.LastSeen.In(loc))))
			}
		}
		b.WriteString("\n")
	}
	if len(versions) > 1 {
		b.WriteString(T("The desks run different versions of HMS: update the older ones (Settings → Updates on each)."))
	}
	return strings.TrimSpace(b.String())
}

// fillStatus shows where the desk stands; the address of an enrolled
// desk's server goes into the form when it is empty.
func (s *syncScreen) fillStatus(st *app.SyncStatus) {
	s.status = st
	now := s.u.now().In(s.u.location())
	if !st.Enrolled {
		s.desk.SetText(Tf("%s, not enrolled: it works alone", st.DeskCode))
		s.where.SetText(T("None"))
		s.syncNow.Disable()
		s.enroll.Importance, s.syncNow.Importance = widget.HighImportance, widget.MediumImportance
	} else {
		s.desk.SetText(Tf("%s, enrolled", st.DeskCode))
		s.where.SetText(st.Server)
		s.syncNow.Enable()
		// Enrolling again is safe but rare: syncing is what is done here now.
		s.enroll.Importance, s.syncNow.Importance = widget.MediumImportance, widget.HighImportance
		if s.server.Text == "" {
			s.server.SetText(st.Server)
		}
	}
	if st.Pending == 0 {
		s.pending.SetText(T("Nothing: every change has reached the server"))
		if !st.Enrolled {
			s.pending.SetText(T("0 changes"))
		}
	} else {
		s.pending.SetText(Tf("%s, the oldest from %s", countText(st.Pending, T("change"), T("changes")),
			clockTime(st.OldestPending, now)))
	}
	if st.LastSyncedAt.IsZero() {
		s.synced.SetText(T("Never"))
	} else {
		s.synced.SetText(clockTime(st.LastSyncedAt, now))
	}
	why := syncErrorText(st.LastSyncError, st.LastSyncErrorText)
	if why == "" {
		why = syncErrorText(st.LastError, st.LastErrorText)
	}
	if st.FailingSince.IsZero() {
		s.failing.SetText(T("No"))
	} else {
		s.failing.SetText(Tf("Since %s", clockTime(st.FailingSince, now)))
	}
	s.lastError.SetText(why)
	s.lastError.Hidden = why == "" || (st.FailingSince.IsZero() && st.Pending == 0)
	s.lastError.Refresh()
	if st.Enrolled {
		s.offset.SetText(offsetText(st.ClockOffset))
	} else {
		s.offset.SetText(T("Not measured"))
	}
	setWarning(s.clockWarn, clockWarning(st.ClockOffset))
	setWarning(s.tlsWarn, st.TLSWarning)
	s.conflicts.SetText(Tf("%s to review", countText(st.Conflicts, T("conflict"), T("conflicts"))))
	setWarning(s.powerWarn, powerWarning(st.Unsigned))
	switch {
	case st.TrustRoot != "":
		s.trust.SetText(Tf("%s (compare it when enrolling another desk)", st.TrustRoot))
	case st.Enrolled:
		s.trust.SetText(T("None yet: the next sync sets it"))
	default:
		s.trust.SetText(T("Set when the desk enrolls"))
	}
	s.enroll.Refresh()
	s.syncNow.Refresh()
}

// powerWarning is the alert about pulled changes this desk refused because
// they grant power without a trusted administrator's signature.
func powerWarning(n int) string {
	if n == 0 {
		return ""
	}
	return Tf("Alert: %s from the server would have granted power (accounts, roles, passwords or settings) without a trusted administrator's signature. This desk refused them; they are among the conflicts, with the desk that sent them. Someone may hold a desk's server password: tell the clinic's administrator.",
		countText(n, T("change"), T("changes")))
}

// setWarning shows msg on l, or hides l when msg is empty.
func setWarning(l *widget.Label, msg string) {
	l.SetText(msg)
	if msg == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// clockWarning is the warning about a clock too far from the server's,
// "" when it is near enough.
func clockWarning(offset time.Duration) string {
	if offset <= app.MaxClockOffset && offset >= -app.MaxClockOffset {
		return ""
	}
	return Tf("This computer's clock is %s off the server's. HMS corrects for it, but set the clock right.",
		offset.Abs().Round(time.Second))
}

// offsetText is a clock offset for a person: "server 1.2s ahead".
func offsetText(d time.Duration) string {
	r := d.Round(100 * time.Millisecond)
	switch {
	case r == 0:
		return T("The server's and this desk's agree (within 0.1 s)")
	case r > 0:
		return Tf("The server's clock is %s ahead of this desk's", r)
	}
	return Tf("The server's clock is %s behind this desk's", -r)
}

// lowerFirst lower-cases the first letter of s.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// serverURL puts password into the address the form holds. The address
// keeps its own password when the password field is empty.
func serverURL(address, password string) (string, error) {
	address = strings.TrimSpace(address)
	if address == "" {
		return "", app.FieldErrorf("server", "%s", Tf("Enter the server's address, e.g. %s.", serverPlaceholder))
	}
	u, err := url.Parse(address)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return "", app.FieldErrorf("server", "%s", Tf("The address must look like %s.", serverPlaceholder))
	}
	if password != "" {
		if u.User == nil || u.User.Username() == "" {
			return "", app.FieldErrorf("server", "%s", T("Put the server's user name in the address: postgres://USER@host:5432/db."))
		}
		u.User = url.UserPassword(u.User.Username(), password)
	}
	return u.String(), nil
}

// address is the URL to try, or false after showing why there is none.
func (s *syncScreen) address() (string, bool) {
	s.errs.clear()
	s.result.Hide()
	u, err := serverURL(s.server.Text, s.password.Text)
	if err != nil {
		s.errs.show(err, s.u.win)
		return "", false
	}
	return u, true
}

// busy disables the buttons while a call runs.
func (s *syncScreen) busy(on bool) {
	for _, b := range []*widget.Button{s.test, s.enroll} {
		if on {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if on || s.status == nil || !s.status.Enrolled {
		s.syncNow.Disable()
	} else {
		s.syncNow.Enable()
	}
}

// showResult shows what a button did.
func (s *syncScreen) showResult(text string) {
	s.result.SetText(text)
	s.result.Show()
}

func (s *syncScreen) onTest() {
	u, ok := s.address()
	if !ok {
		return
	}
	s.busy(true)
	background(s.u, func(ctx context.Context) (*app.ServerCheck, error) {
		return s.u.svc.Sync.TestServer(ctx, u)
	}, func(c *app.ServerCheck, err error) {
		s.busy(false)
		if err != nil {
			s.errs.show(err, s.u.win)
			return
		}
		s.showResult(serverCheckText(c))
	})
}

// serverCheckText says what a connection test found.
func serverCheckText(c *app.ServerCheck) string {
	tls := T("no: the connection is not encrypted (use sslmode=verify-full on a network you do not control)")
	if c.TLS {
		tls = T("yes")
	}
	lines := []string{
		Tf("The server at %s answers, and this desk can work with it.", c.Server),
		Tf("Epoch %s, schema version %d.", c.Epoch, c.SchemaVersion),
		Tf("Clocks: %s.", lowerFirst(offsetText(c.ClockOffset))),
		Tf("Encrypted (TLS): %s.", tls),
		Tf("Round trip: %s.", c.RoundTrip.Round(100*time.Microsecond)),
	}
	if w := clockWarning(c.ClockOffset); w != "" {
		lines = append(lines, w)
	}
	return strings.Join(lines, "\n")
}

func (s *syncScreen) onEnroll() {
	u, ok := s.address()
	if !ok {
		return
	}
	s.busy(true)
	background(s.u, func(ctx context.Context) (*app.SyncStatus, error) {
		return s.u.svc.Sync.EnrollDesk(ctx, u)
	}, func(st *app.SyncStatus, err error) {
		s.busy(false)
		if err != nil {
			s.errs.show(err, s.u.win)
			return
		}
		s.password.SetText("")
		s.server.SetText(st.Server)
		s.u.showSyncStatus(st)
		s.fillStatus(st)
		s.busy(false)
		msg := Tf("This desk is enrolled with %s as desk %s. It syncs by itself from now on.", st.Server, st.DeskCode)
		if st.Pending > 0 {
			msg += Tf(" %s wait to be sent.", countText(st.Pending, T("change"), T("changes")))
		}
		s.showResult(msg)
	})
}

func (s *syncScreen) onSyncNow() {
	s.errs.clear()
	s.result.Hide()
	s.busy(true)
	type outcome struct {
		rep *app.SyncReport
		st  *app.SyncStatus
	}
	background(s.u, func(ctx context.Context) (outcome, error) {
		rep, err := s.u.svc.Sync.SyncNow(ctx)
		// Where the desk stands changed either way.
		st, serr := s.u.svc.Sync.SyncStatus(ctx)
		if serr != nil {
			st = nil
		}
		return outcome{rep, st}, err
	}, func(o outcome, err error) {
		if o.st != nil {
			s.u.showSyncStatus(o.st)
			s.fillStatus(o.st)
		}
		s.busy(false)
		if err != nil {
			s.errs.show(err, s.u.win)
			return
		}
		s.showResult(syncReportText(o.rep))
	})
}

// syncReportText says what one sync did.
func syncReportText(r *app.SyncReport) string {
	lines := []string{
		Tf("Sent %s: %d applied, %d with conflicts, %d refused, %d held in quarantine.",
			countText(r.Pushed, T("change"), T("changes")), r.Applied, r.Conflicts, r.Rejected, r.Quarantined),
		Tf("Received %s from other desks, %d of them with conflicts.",
			countText(r.Pulled, T("change"), T("changes")), r.PullConflicts),
	}
	if r.Conflicts+r.Rejected+r.PullConflicts > 0 {
		lines = append(lines, T("Conflicts and refused changes wait for review under Conflicts."))
	}
	if r.Quarantined > 0 {
		lines = append(lines, T("Changes in quarantine were made while this computer's clock ran more than 5 minutes fast: they stay queued and go once the server's time has caught up."))
	}
	if w := clockWarning(r.ClockOffset); w != "" {
		lines = append(lines, w)
	}
	return strings.Join(lines, "\n")
}

// syncErrorText is a stored sync error in the screen's language: its
// text when the desk kept one, else its English message (stored by an
// older version).
func syncErrorText(english string, text i18n.Text) string {
	if !text.IsZero() {
		return Tx(text)
	}
	return english
}

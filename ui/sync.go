package ui

import (
	"context"
	"strings"
	"time"

	"hms/app"
)

// showSyncAtStart says where the desk stands as soon as the window opens.
// The sync loop, which main runs beside the window (app.SyncService's
// RunSync, with ReportSync), reports after each round, and its first may
// wait for a server that does not answer.
func (u *UI) showSyncAtStart() {
	svc := u.svc.Sync
	if svc == nil {
		return
	}
	go func() {
		if st, err := svc.SyncStatus(context.Background()); err == nil && st != nil {
			u.ReportSync(st)
		}
	}()
}

// ReportSync takes in where the desk stands, from any goroutine, and
// shows it in the status bar and on the Sync screen: the sync loop calls
// it after each round.
func (u *UI) ReportSync(st *app.SyncStatus) {
	if st == nil {
		return
	}
	cp := *st
	u.do(func() { u.showSyncStatus(&cp) })
}

// showSyncStatus shows st in the status bar and on the Sync screen when it
// is open.
func (u *UI) showSyncStatus(st *app.SyncStatus) {
	u.syncState = st
	if u.display != nil {
		// A round may have brought another desk's calls: the display reads
		// them now, not at its next tick.
		u.display.refresh()
	}
	u.syncStatus = syncSummary(st, u.now().In(u.location()))
	if u.main == nil {
		return
	}
	u.main.syncLabel.SetText(u.syncStatus)
	if u.main.syncView != nil {
		u.main.syncView.fillStatus(st)
	}
}

// syncSummary is the status bar's line about sync: whether the desk syncs,
// is failing and why, what waits, and the conflicts to review. Times are
// shown in now's location, with the day when it is not today.
func syncSummary(st *app.SyncStatus, now time.Time) string {
	if st == nil || !st.Enrolled {
		return T("Sync: this desk works alone")
	}
	var b strings.Builder
	switch {
	case !st.FailingSince.IsZero():
		b.WriteString(Tf("Sync: %s since %s", syncProblem(st.LastSyncError), clockTime(st.FailingSince, now)))
		if st.Pending > 0 {
			b.WriteString(Tf(" · %d waiting", st.Pending))
		}
	case st.Pending > 0:
		b.WriteString(Tf("Sync: %s waiting", countText(st.Pending, T("change"), T("changes"))))
	case st.LastSyncedAt.IsZero():
		b.WriteString(T("Sync: not synced yet"))
	default:
		b.WriteString(Tf("Sync: synced %s", clockTime(st.LastSyncedAt, now)))
	}
	if st.Conflicts > 0 {
		b.WriteString(Tf(" · %s to review", countText(st.Conflicts, T("conflict"), T("conflicts"))))
	}
	if st.Unsigned > 0 {
		b.WriteString(Tf(" · ALERT: %s refused", countText(st.Unsigned, T("unsigned change"), T("unsigned changes"))))
	}
	return b.String()
}

// syncProblem is the short reason sync fails, from the last error's
// message: "offline" when the server cannot be reached.
func syncProblem(msg string) string {
	m := strings.ToLower(msg)
	switch {
	case m == "", strings.Contains(m, "cannot be reached"), strings.Contains(m, "interrupted"),
		strings.Contains(m, "timeout"), strings.Contains(m, "connection refused"):
		return T("offline")
	case strings.Contains(m, "password"):
		return T("server refused the password")
	case strings.Contains(m, "newer version"):
		return T("server needs a newer hms")
	case strings.Contains(m, "does not know this desk"):
		return T("server does not know this desk")
	case strings.Contains(m, "replaced or restored"), strings.Contains(m, "epoch"):
		return T("server was replaced or restored")
	case strings.Contains(m, "no such database"), strings.Contains(m, "not set up as an hms sync server"):
		return T("server is not set up")
	}
	return T("failing")
}

// clockTime is t as a time of day in now's location, with the day before
// it when it is not today.
func clockTime(t, now time.Time) string {
	t = t.In(now.Location())
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04")
	}
	return tr().DayTime(t)
}

// canSeeSync says whether role may open the Sync screen (settings) and
// the conflicts list (billing staff see the billing conflicts in it).
func canSeeSync(role app.Role) (settings, conflicts bool) {
	settings = app.Can(role, app.PermManageSettings)
	return settings, settings || app.Can(role, app.PermManageAppointments) || app.Can(role, app.PermManageBilling)
}

// onSyncTapped opens what the status bar's sync line is about: the Sync
// screen for administrators (its conflicts when some wait for review), the
// conflicts for staff who arrange appointments.
func (s *mainScreen) onSyncTapped() {
	if s.u.svc.Sync == nil {
		return
	}
	settings, conflicts := canSeeSync(s.u.session.User.Role)
	switch {
	case settings:
		if st := s.u.syncState; st != nil && st.Conflicts > 0 {
			s.showSyncTab(syncTabConflicts)
		} else {
			s.showSyncTab(syncTabSync)
		}
	case conflicts:
		s.showConflictsOnly()
	}
}

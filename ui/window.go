package ui

import (
	"log"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// mainScreen is the main window of a logged-in user: navigation over the
// areas their role may use on the left, the chosen area on the right, the
// account actions on top and a status bar at the bottom.
type mainScreen struct {
	u *UI

	areas   []app.Area
	nav     *widget.List
	area    *fyne.Container // holds the current area's view
	current app.Area

	clinic         *widget.Label
	changePassword *widget.Button
	lockNow        *widget.Button
	logout         *widget.Button
	language       *escSelect

	userLabel *widget.Label
	roleLabel *widget.Label
	// syncLabel is the sync line of the status bar, a flat button that
	// opens the Sync screen or the conflicts for those who may see them.
	syncLabel *widget.Button
	// backupLabel is the status bar's backup warning, shown to
	// administrators when the backups are late or the folder is missing;
	// it opens Settings → Backups, which shows it whole.
	backupLabel *statusWarning
	// statusBar is the line at the bottom: the user, the backup warning,
	// the sync line. The warning takes what room is left, cut to it.
	statusBar *fyne.Container

	// The current area's screen; only one is non-nil.
	patients  *patientsScreen
	staff     *staffScreen
	settings  *settingsScreen
	audit     *auditScreen
	record    *recordScreen
	appts     *appointmentsScreen
	myAppts   *myAppointmentsTab // a patient's appointments, a tab of My record
	myBills   *myBillsTab        // a patient's bills, a tab of My record
	billing   *billingScreen     // the Billing area
	dashboard *dashboardScreen   // the Dashboard area
	// The Settings area's tabs when the desk can sync (Clinic, Sync,
	// Conflicts), and the sync screens shown in them; the conflicts alone
	// for staff who arrange appointments.
	settingsTabs *container.AppTabs
	syncView     *syncScreen
	conflicts    *conflictsScreen
	backups      *backupsScreen // the Backups tab, for administrators
	updates      *updatesScreen // Settings → Updates
	// messageSettings is Settings → Messages, for administrators.
	messageSettings *messageSettingsScreen

	menu    *fyne.MainMenu // the Desk menu of shortcuts; nil when the role has none
	content fyne.CanvasObject
}

func newMainScreen(u *UI) *mainScreen {
	s := &mainScreen{u: u, areas: app.AreasFor(u.session.User.Role)}
	s.buildUI()
	return s
}

func (s *mainScreen) buildUI() {
	user := s.u.session.User
	// The rows are made as wide as the longest area name in the language,
	// so the navigation keeps room for it beside a wide screen.
	widest := ""
	for _, a := range s.areas {
		if n := T(string(a)); fyne.MeasureText(n, theme.TextSize(), fyne.TextStyle{}).Width >
			fyne.MeasureText(widest, theme.TextSize(), fyne.TextStyle{}).Width {
			widest = n
		}
	}
	s.nav = widget.NewList(
		func() int { return len(s.areas) },
		func() fyne.CanvasObject {
			// The name fills the row, whatever its length in the language.
			return container.NewBorder(nil, nil, widget.NewIcon(theme.FolderIcon()), nil, widget.NewLabel(widest))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			for _, o := range row.Objects {
				switch w := o.(type) {
				case *widget.Icon:
					w.SetResource(areaIcon(s.areas[id]))
				case *widget.Label:
					w.SetText(T(string(s.areas[id])))
				}
			}
		},
	)
	s.nav.OnSelected = func(id widget.ListItemID) {
		if id >= 0 && id < len(s.areas) {
			s.showArea(s.areas[id])
		}
	}
	s.area = container.NewStack()

	s.clinic = widget.NewLabelWithStyle(s.u.title(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.changePassword = widget.NewButtonWithIcon(T("Change password"), theme.AccountIcon(), s.u.showChangePassword)
	s.lockNow = widget.NewButtonWithIcon(T("Lock now"), theme.VisibilityOffIcon(), s.u.lockNow)
	// Log out keeps the unsaved text of the open screens as drafts first.
	s.logout = widget.NewButtonWithIcon(T("Log out"), theme.LogoutIcon(), s.u.endSessionKeepingWork)
	// The user's own screen language, saved with the account.
	s.language = newLanguageSelect(s.u.sessionLanguage(), s.u.setOwnLanguage)
	top := container.NewVBox(
		container.NewHBox(s.clinic, layout.NewSpacer(), s.language, s.changePassword, s.lockNow, s.logout),
		widget.NewSeparator(),
	)

	s.userLabel = widget.NewLabel(user.FullName)
	s.roleLabel = widget.NewLabel(T(user.Role.Label()))
	s.roleLabel.Importance = widget.LowImportance
	if st := s.u.syncState; st != nil {
		// Reported before login, when the clinic's time zone was unknown.
		s.u.syncStatus = syncSummary(st, s.u.now().In(s.u.location()))
	}
	s.syncLabel = widget.NewButton(T(s.u.syncStatus), s.onSyncTapped)
	s.syncLabel.Importance = widget.LowImportance
	if _, conflicts := canSeeSync(user.Role); !conflicts || s.u.svc.Sync == nil {
		s.syncLabel.Disable()
	}
	s.backupLabel = newStatusWarning(func() { s.showSyncTab(settingsTabBackups) })
	s.showBackupWarning()
	s.statusBar = container.NewBorder(nil, nil,
		container.NewHBox(widget.NewIcon(theme.AccountIcon()), s.userLabel, s.roleLabel), s.syncLabel,
		s.backupLabel)
	bottom := container.NewVBox(widget.NewSeparator(), s.statusBar)

	split := container.NewHSplit(s.nav, container.NewPadded(s.area))
	split.Offset = 0.16
	s.content = container.NewBorder(top, bottom, nil, nil, split)
	s.menu = s.deskMenu()
}

// showArea replaces the right-hand side with a fresh view of area a.
func (s *mainScreen) showArea(a app.Area) {
	s.u.touch()
	s.current = a
	s.dropScreens()
	var view fyne.CanvasObject
	var focus fyne.Focusable // where typing goes when the area opens
	switch a {
	case app.AreaPatients:
		s.patients = newPatientsScreen(s.u)
		view = s.patients.content
		s.patients.searchNow() // the newest patients, before anything is typed
		focus = s.patients.query
	case app.AreaStaff:
		s.staff = newStaffScreen(s.u)
		view = s.staff.content
		s.staff.load()
	case app.AreaSettings:
		s.settings = newSettingsScreen(s.u)
		view = s.settings.content
		s.settings.load()
		if s.u.svc.Sync != nil || s.u.canManageBackups() {
			view = s.syncTabs()
		}
		view = s.withLettersTab(view)
		view = s.withMessagesTab(view)
		view = s.withUpdatesTab(view)
	case app.AreaAudit:
		s.audit = newAuditScreen(s.u)
		view = s.audit.content
		s.audit.onSearch()
	case app.AreaAppointments:
		s.appts = newAppointmentsScreen(s.u)
		view = s.appts.content
		s.appts.load()
	case app.AreaBilling:
		s.billing = newBillingScreen(s.u)
		view = s.billing.content
		s.billing.load()
	case app.AreaDashboard:
		s.dashboard = newDashboardScreen(s.u)
		view = s.dashboard.content
		s.dashboard.load()
	case app.AreaMyRecord:
		s.record = newRecordScreen(s.u)
		view = s.record.content
		if app.Can(s.u.session.User.Role, app.PermBookOwn) && s.u.svc.Appointments != nil {
			s.myAppts = newMyAppointmentsTab(s.u)
			item := container.NewTabItemWithIcon(T("Appointments"), theme.CalendarIcon(), s.myAppts.view())
			s.record.byItem[item] = s.myAppts
			s.record.tabs.Append(item)
		}
		if app.Can(s.u.session.User.Role, app.PermViewOwnBills) && s.u.svc.Billing != nil {
			s.myBills = newMyBillsTab(s.u)
			item := container.NewTabItemWithIcon(T("Bills"), theme.DocumentIcon(), s.myBills.view())
			s.record.byItem[item] = s.myBills
			s.record.tabs.Append(item)
		}
		s.record.load()
	default:
		log.Printf("ui: no screen for the area %q", a)
		return
	}
	s.area.Objects = []fyne.CanvasObject{view}
	s.area.Refresh()
	if focus != nil {
		s.u.win.Canvas().Focus(focus)
		s.u.focusChanged() // moving the focus ourselves is not the user's activity
	}
}

// dropScreens forgets the current area's screen.
func (s *mainScreen) dropScreens() {
	s.patients, s.staff, s.settings, s.audit, s.record = nil, nil, nil, nil, nil
	s.appts, s.myAppts, s.billing, s.myBills = nil, nil, nil, nil
	s.dashboard = nil
	s.messageSettings = nil
	s.settingsTabs, s.syncView, s.conflicts, s.backups, s.updates = nil, nil, nil, nil, nil
}

func areaIcon(a app.Area) fyne.Resource {
	switch a {
	case app.AreaPatients:
		return theme.AccountIcon()
	case app.AreaAppointments:
		return theme.CalendarIcon()
	case app.AreaBilling:
		return theme.DocumentIcon()
	case app.AreaDashboard:
		return theme.GridIcon()
	case app.AreaStaff:
		return theme.AccountIcon()
	case app.AreaSettings:
		return theme.SettingsIcon()
	case app.AreaAudit:
		return theme.ListIcon()
	case app.AreaMyRecord:
		return theme.FileIcon()
	}
	return theme.FolderIcon()
}

// showMain shows the main window with a fresh view of the first area.
func (u *UI) showMain() {
	u.dropScreens()
	u.main = newMainScreen(u)
	u.setContent(u.main.content)
	if len(u.main.areas) > 0 {
		u.main.nav.Select(landingArea(u.session.User.Role, u.main.areas))
	}
	if u.opt.Display && u.display == nil && u.mayDisplay() {
		u.openDisplay()
	}
}

// landingArea is the area a role opens on after login: a doctor their
// day (Appointments, on "My day"), the others the first of their areas.
func landingArea(r app.Role, areas []app.Area) int {
	if r == app.RoleDoctor {
		for i, a := range areas {
			if a == app.AreaAppointments {
				return i
			}
		}
	}
	return 0
}

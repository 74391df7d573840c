package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// settingsTabUpdates is the Settings area's tab of the update screen.
var settingsTabUpdates = i18n.N("Updates")

// updatesScreen is Settings → Updates: the desk's release location, a check
// for a newer HMS, and its installation, which an administrator starts.
type updatesScreen struct {
	u *UI

	version   *widget.Label
	disabled  *widget.Label // a build without a release key says so
	location  *escEntry
	save      *widget.Button
	saved     *widget.Label
	check     *widget.Button
	status    *widget.Label // "HMS 1.2.3 is available", "HMS is up to date"
	notes     *widget.RichText
	install   *widget.Button
	errs      fieldErrors
	offer     *app.UpdateOffer
	installed func(*app.UpdateResult) // what follows a started installer; tests replace it

	content fyne.CanvasObject
}

func newUpdatesScreen(u *UI) *updatesScreen {
	s := &updatesScreen{u: u, errs: fieldErrors{}}
	s.installed = s.onInstalled
	s.version = widget.NewLabel("")
	s.disabled = widget.NewLabel(T("This build of HMS has no release key, so it does not check for updates. " +
		"Releases of HMS carry the key; install one to get updates here."))
	s.disabled.Wrapping = fyne.TextWrapWord
	s.disabled.Importance = widget.WarningImportance
	s.disabled.Hide()
	s.location = entry(T(`https://releases.example.org/hms or \\server\share\hms`))
	s.save = widget.NewButton(T("Save location"), s.onSave)
	s.saved = widget.NewLabel(T("Saved."))
	s.saved.Importance = widget.SuccessImportance
	s.saved.Hide()
	s.check = widget.NewButtonWithIcon(T("Check for updates"), theme.ViewRefreshIcon(), s.onCheck)
	s.status = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.status.Wrapping = fyne.TextWrapWord
	s.notes = widget.NewRichText()
	s.notes.Wrapping = fyne.TextWrapWord
	s.install = widget.NewButtonWithIcon(T("Download and install…"), theme.DownloadIcon(), s.onInstall)
	s.install.Importance = widget.HighImportance
	s.install.Hide()
	s.save.Disable()
	s.check.Disable()

	form := widget.NewForm(widget.NewFormItem(T("Release location"), s.errs.add("location", s.location)))
	s.content = container.NewVScroll(container.NewVBox(
		widget.NewLabelWithStyle(T("Updates"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		s.version,
		s.disabled,
		container.New(widthLayout{640}, form),
		container.NewHBox(s.saved, layout.NewSpacer(), s.save),
		widget.NewSeparator(),
		container.NewHBox(s.check),
		s.errs.add("", s.status),
		s.notes,
		container.NewHBox(s.install),
	))
	return s
}

// load shows the running version, the key's state and the location.
func (s *updatesScreen) load() {
	background(s.u, func(ctx context.Context) (*app.UpdateState, error) {
		return s.u.svc.Updates.UpdateState(ctx)
	}, func(st *app.UpdateState, err error) {
		if err != nil {
			showError(err, s.u.win)
			return
		}
		s.fill(st)
	})
}

func (s *updatesScreen) fill(st *app.UpdateState) {
	s.version.SetText(Tf("This desk runs HMS %s.", st.Version))
	s.location.SetText(st.Location)
	s.save.Enable()
	if !st.Enabled {
		s.disabled.Show()
		s.check.Disable()
		return
	}
	s.disabled.Hide()
	s.check.Enable()
}

func (s *updatesScreen) onSave() {
	s.errs.clear()
	s.saved.Hide()
	loc := s.location.Text
	s.save.Disable()
	background(s.u, func(ctx context.Context) (*app.UpdateState, error) {
		return s.u.svc.Updates.SetUpdateLocation(ctx, loc)
	}, func(st *app.UpdateState, err error) {
		s.save.Enable()
		if err != nil {
			s.errs.show(err, s.u.win)
			return
		}
		s.fill(st)
		s.saved.Show()
	})
}

func (s *updatesScreen) onCheck() {
	s.errs.clear()
	s.install.Hide()
	s.notes.ParseMarkdown("")
	s.status.SetText(T("Checking…"))
	s.check.Disable()
	background(s.u, func(ctx context.Context) (*app.UpdateOffer, error) {
		return s.u.svc.Updates.CheckForUpdate(ctx)
	}, func(o *app.UpdateOffer, err error) {
		s.check.Enable()
		s.status.SetText("")
		if err != nil {
			s.errs.show(err, s.u.win)
			return
		}
		s.offer = o
		if !o.Available {
			s.status.SetText(Tf("HMS is up to date: the release location offers %s.", o.Version))
			return
		}
		s.status.SetText(Tf("HMS %s is available", o.Version))
		s.notes.ParseMarkdown(o.Notes)
		s.install.SetText(Tf("Download and install HMS %s…", o.Version))
		s.install.Show()
	})
}

// onInstall asks first: the update is never silent.
func (s *updatesScreen) onInstall() {
	o := s.offer
	if o == nil {
		return
	}
	msg := Tf("HMS downloads %s (%s), checks it against the signed release manifest, "+
		"backs up the database, and then opens the installer or the folder holding the package.\n\n"+
		"Close the visits first: the update waits while a patient is checked in.", o.Package, sizeText(o.Size))
	showYesNo(Tf("Install HMS %s?", o.Version), msg, func(ok bool) {
		if !ok {
			return
		}
		s.install.Disable()
		s.status.SetText(Tf("Downloading HMS %s…", o.Version))
		background(s.u, func(ctx context.Context) (*app.UpdateResult, error) {
			return s.u.svc.Updates.InstallUpdate(ctx, o.Version)
		}, func(res *app.UpdateResult, err error) {
			s.install.Enable()
			s.status.SetText(Tf("HMS %s is available", o.Version))
			if err != nil {
				s.errs.show(err, s.u.win)
				return
			}
			s.installed(res)
		})
	}, s.u.win)
}

// onInstalled tells what happens next; on Windows HMS closes so that the
// installer can replace it.
func (s *updatesScreen) onInstalled(res *app.UpdateResult) {
	s.status.SetText(Tf("HMS %s is downloaded and checked.", res.Version))
	if res.Quit {
		showMessage(T("The installer is starting"),
			Tf("The database is backed up to %s.\n\nHMS closes now so that the installer can replace it; "+
				"open HMS again when the installer is done.", res.Backup),
			s.u.win)
		s.u.fyneApp.Quit()
		return
	}
	showMessage(T("Install the package"),
		Tf("The database is backed up to %s.\n\nThe folder %s is open: install %s from it "+
			"(on Debian or Ubuntu: sudo apt install ./%s), then open HMS again.",
			res.Backup, res.Started, res.Package, baseName(res.Package)),
		s.u.win)
}

// baseName is the last element of a path with / or \ separators.
func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' || p[i] == '\\' {
			return p[i+1:]
		}
	}
	return p
}

// withUpdatesTab adds Settings → Updates to the Settings area's view for
// those who may change settings, when the desk has an update service.
func (s *mainScreen) withUpdatesTab(view fyne.CanvasObject) fyne.CanvasObject {
	if s.u.svc.Updates == nil || !app.Can(s.u.session.User.Role, app.PermManageSettings) {
		return view
	}
	s.updates = newUpdatesScreen(s.u)
	item := container.NewTabItemWithIcon(T(settingsTabUpdates), theme.DownloadIcon(), s.updates.content)
	tabs := s.settingsTabs
	if tabs == nil {
		tabs = container.NewAppTabs(container.NewTabItemWithIcon(T(syncTabClinic), theme.SettingsIcon(), view))
		s.settingsTabs = tabs
	}
	tabs.Append(item)
	prev := tabs.OnSelected
	tabs.OnSelected = func(t *container.TabItem) {
		if t == item {
			s.updates.load()
			return
		}
		if prev != nil {
			prev(t)
		}
	}
	return tabs
}

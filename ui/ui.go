// Package ui is HMS desktop's graphical interface, built with Fyne. Each area
// of the main window lives in its own file as an unexported screen struct
// that holds its widgets as fields, so headless tests can type into them and
// tap them. Screens talk to the clinic only through the app service
// interfaces; service calls run off the UI goroutine and come back with
// fyne.Do.
//
// The package never imports fyne.io/fyne/v2/app (only main does) nor the
// data package.
package ui

import (
	"context"
	"log"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// Options configure the UI.
type Options struct {
	// Title is the window title before login, and the start of it after:
	// "HMS — <clinic name>". Default "HMS".
	Title string
	// Now is the clock; tests pass a fake one to drive the auto-lock.
	// Default time.Now.
	Now func() time.Time
	// DBPath is the database file, shown on the login window so a desk
	// knows which clinic file it opened.
	DBPath string
	// Restore replaces the open database with the backup src (checked
	// first, as the caller, who must be an administrator), and returns the
	// services of the database open afterwards: the restored one, or the
	// old one when the restore was refused. Nil: the app cannot restore.
	Restore func(ctx context.Context, src, recoveryKey string) (app.Services, *app.RestoreReport, error)
	// BackupOnClose backs the desk up when the window is closed, if its
	// settings say so (nil, nil when they do not). Nil: never.
	BackupOnClose func() (*app.BackupRun, error)
	// Display opens the waiting-room display after the login (hms
	// display).
	Display bool
}

// idleCheckEvery is how often the auto-lock looks at the idle time.
const idleCheckEvery = 15 * time.Second

// UI is the running interface: one window whose content changes from setup
// to login to the main window and the lock screen.
//
// All fields are touched on the UI goroutine only.
type UI struct {
	fyneApp fyne.App
	svc     app.Services
	opt     Options
	win     fyne.Window
	root    *fyne.Container // holds the current screen; the window's content wraps it
	watch   *activityWatcher

	// do runs f on the UI goroutine: fyne.Do, replaced in tests by a queue
	// the test drains on its own goroutine.
	do func(f func())
	// idleTick is how often the auto-lock ticker calls checkIdle; 0 turns
	// the ticker off (tests call checkIdle themselves).
	idleTick   time.Duration
	stopTicker chan struct{}

	session  *app.Session
	settings *app.Settings
	// gen changes whenever the screen is replaced wholesale (login, lock,
	// logout); results of service calls started under an older gen are
	// dropped so nothing lands on a screen that is gone.
	gen           int
	lastActivity  time.Time
	lastFocused   fyne.Focusable
	lastSignature uint64
	locked        bool
	hidden        *hiddenWork  // what the lock screen covers; nil when not locked
	drafts        *draftsOffer // the offer of the user's drafts after the login
	syncStatus    string
	// syncState is where the desk stood at the last sync report; nil
	// before the first.
	syncState *app.SyncStatus
	// backupState is where the desk's backups stood at the last report;
	// nil before the first.
	backupState *app.BackupStatus
	// closing is the dialog shown while the backup on closing runs.
	closing dialog.Dialog
	// viewFiles are reports written for the system's viewer.
	viewFiles viewFiles
	// docs is where deliverPDF saves documents and how it prints them.
	docs documentOutput

	// display is the open waiting-room display; nil when closed.
	display *queueDisplay
	// displayTick, when set (tests), ticks the display instead of a ticker.
	displayTick chan time.Time

	// The current screens; nil when not shown.
	setup      *setupScreen
	login      *loginScreen
	staffReg   *staffRegScreen
	patientReg *patientRegScreen
	forced     *passwordForm // the forced change after an admin's reset
	pwDialog   *passwordForm // the "Change password" dialog
	main       *mainScreen
	lock       *lockScreen
}

// New builds the UI on a Fyne app with the services main wired. It creates
// the window but shows nothing until Start.
func New(a fyne.App, svc app.Services, opt Options) *UI {
	if opt.Title == "" {
		opt.Title = "HMS" //i18n:ok the product's name
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	u := &UI{
		fyneApp:    a,
		svc:        svc,
		opt:        opt,
		do:         fyne.Do,
		idleTick:   idleCheckEvery,
		syncStatus: i18n.N("Sync: not configured"),
		docs:       newDocumentOutput(),
	}
	u.win = a.NewWindow(opt.Title)
	u.root = container.NewStack()
	u.watch = newActivityWatcher(u.root, u.touch)
	u.win.SetContent(u.watch)
	return u
}

// Window returns the one window of the UI.
func (u *UI) Window() fyne.Window { return u.win }

// Start shows the window: the first-run setup when the database has no clinic
// yet, else the login. Call it once, before the Fyne app's Run.
func (u *UI) Start() {
	u.win.Resize(fyne.NewSize(1280, 800))
	u.win.SetMaster()
	c := u.win.Canvas()
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		u.touch()
		if k.Name == fyne.KeyEscape {
			u.escape() // the keys of a focused entry go to the entry (escEntry)
		}
	})
	c.SetOnTypedRune(func(rune) { u.touch() })
	// Start runs before the event loop, not inside a callback, so this one
	// quick query may block.
	need, err := u.svc.Settings.NeedsSetup(context.Background())
	switch {
	case err != nil:
		u.showLogin()
		showError(err, u.win)
	case need:
		u.showSetup()
	default:
		u.showLogin()
	}
	if u.opt.BackupOnClose != nil {
		u.win.SetCloseIntercept(u.onCloseRequest)
	}
	u.win.Show()
	u.startTicker()
	u.showSyncAtStart()
	u.fyneApp.Lifecycle().SetOnStopped(func() {
		u.viewFiles.clear()
	})
}

// SetSyncStatus sets the sync label of the status bar, e.g. "Sync: 3 waiting".
// It may be called from any goroutine.
func (u *UI) SetSyncStatus(text string) {
	u.do(func() {
		u.syncStatus = text
		if u.main != nil {
			u.main.syncLabel.SetText(T(text))
		}
	})
}

func (u *UI) now() time.Time { return u.opt.Now() }

// ctx returns the context for a service call: the logged-in user as caller.
func (u *UI) ctx() context.Context {
	ctx := context.Background()
	if u.session != nil && u.session.User != nil {
		ctx = app.NewContextWithCaller(ctx, u.session.Caller())
	}
	return ctx
}

// title is the window title: "HMS — <clinic name>" once the settings are known.
func (u *UI) title() string {
	if u.settings != nil && u.settings.ClinicName != "" {
		return u.opt.Title + " — " + u.settings.ClinicName
	}
	return u.opt.Title
}

// location is the clinic's time zone, for showing times.
func (u *UI) location() *time.Location {
	if u.settings != nil {
		return u.settings.Location()
	}
	return time.UTC
}

// setContent replaces the screen shown in the window.
func (u *UI) setContent(o fyne.CanvasObject) {
	u.win.Canvas().Unfocus()
	u.root.Objects = []fyne.CanvasObject{o}
	u.root.Refresh()
	u.win.SetTitle(u.title())
	u.showMenu(u.main != nil && o == u.main.content)
}

// showMenu shows the main screen's Desk menu, or none (the login and lock
// screens have none).
func (u *UI) showMenu(on bool) {
	if on && u.main != nil && u.main.menu != nil {
		u.win.SetMainMenu(u.main.menu)
		return
	}
	if u.win.MainMenu() != nil {
		u.win.SetMainMenu(nil)
	}
}

// clearOverlays closes every dialog on the window.
func (u *UI) clearOverlays() {
	ov := u.win.Canvas().Overlays()
	for _, o := range ov.List() {
		ov.Remove(o)
	}
}

// dropScreens forgets every screen struct, so nothing they showed stays
// reachable, and invalidates service calls still under way.
func (u *UI) dropScreens() {
	u.gen++
	u.viewFiles.clear()
	u.setup, u.login, u.staffReg, u.patientReg = nil, nil, nil, nil
	u.forced, u.pwDialog, u.main, u.lock, u.hidden, u.drafts = nil, nil, nil, nil, nil, nil
	u.docs.saved = nil
	u.lastFocused, u.lastSignature = nil, 0
	u.clearOverlays()
}

// background runs work off the UI goroutine with the caller in its context,
// then done on the UI goroutine, unless the screens were replaced meanwhile.
// A call that finds the session ended (the account was deactivated, its
// role changed or its password set by an administrator since the login)
// takes the window back to the login screen with the reason, whatever
// screen made it.
// A result for a screen the lock now covers waits for the unlock.
func background[T any](u *UI, work func(ctx context.Context) (T, error), done func(T, error)) {
	ctx := u.ctx()
	gen, locked := u.gen, u.locked
	u.touch()
	do := u.do
	go func() {
		v, err := work(ctx)
		do(func() {
			if u.gen != gen {
				return
			}
			if app.ErrorCode(err) == app.ESESSION && u.session != nil {
				u.sessionEnded(err)
				return
			}
			if u.hidden != nil && !locked {
				// Its screen is behind the lock: it gets the result at the unlock.
				u.hidden.done = append(u.hidden.done, func() { done(v, err) })
				return
			}
			done(v, err)
		})
	}()
}

// showError shows an error to the person at the desk: the domain's message,
// never a raw error. Internal errors are logged with their details.
func showError(err error, win fyne.Window) {
	if err == nil {
		return
	}
	if app.ErrorCode(err) == app.EINTERNAL {
		log.Printf("ui: %v", err)
	}
	showProblem(errorTitle(err), errText(err), win)
}

func errorTitle(err error) string {
	switch app.ErrorCode(err) {
	case app.EINVALID:
		return T("Please check")
	case app.EUNAUTHORIZED:
		return T("Not allowed")
	case app.ENOTFOUND:
		return T("Not found")
	case app.ECONFLICT:
		return T("Conflict")
	}
	return T("Something went wrong")
}

// activityWatcher wraps the window's content and reports mouse activity over
// it. Fyne hands mouse events to the topmost interested widget, so the
// watcher sees moves and clicks over everything that is not itself hoverable
// or clickable (labels, backgrounds, lists' gaps); typing is caught by
// checkIdle watching the focused entry, and every service call and
// navigation counts as activity too.
type activityWatcher struct {
	widget.BaseWidget
	content  fyne.CanvasObject
	activity func()
}

var (
	_ desktop.Hoverable = (*activityWatcher)(nil)
	_ desktop.Mouseable = (*activityWatcher)(nil)
)

func newActivityWatcher(content fyne.CanvasObject, activity func()) *activityWatcher {
	w := &activityWatcher{content: content, activity: activity}
	w.ExtendBaseWidget(w)
	return w
}

func (w *activityWatcher) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(w.content)
}

func (w *activityWatcher) MouseIn(*desktop.MouseEvent)    { w.activity() }
func (w *activityWatcher) MouseMoved(*desktop.MouseEvent) { w.activity() }
func (w *activityWatcher) MouseOut()                      {}
func (w *activityWatcher) MouseDown(*desktop.MouseEvent)  { w.activity() }
func (w *activityWatcher) MouseUp(*desktop.MouseEvent)    { w.activity() }

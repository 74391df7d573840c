package ui

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
	"hms/app/mock"
)

// testPassword passes the domain's password policy.
const testPassword = "tulip orbit canvas ferry"

// harness runs a UI against mocks. Service calls still run in goroutines, as
// in the real program; what they hand to fyne.Do is queued instead and run
// on the test's goroutine by drain, which makes the test goroutine the UI
// goroutine and keeps the race detector happy.
type harness struct {
	t        *testing.T
	a        fyne.App
	u        *UI
	users    *mock.UserService
	settings *mock.SettingsService
	audit    *mock.AuditService
	patients *mock.PatientService
	appts    *mock.AppointmentService

	mu    sync.Mutex
	queue []func()
	now   time.Time
	calls map[string][]any // service method -> arguments of each call

	checkedTop fyne.CanvasObject // the last dialog checkDialogFields reported or need not look at
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{
		t:        t,
		a:        test.NewTempApp(t),
		users:    &mock.UserService{},
		settings: &mock.SettingsService{},
		audit:    &mock.AuditService{},
		patients: &mock.PatientService{},
		appts:    emptyAppointments(),
		now:      time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		calls:    map[string][]any{},
	}
	h.settings.NeedsSetupFn = func(context.Context) (bool, error) { return false, nil }
	// The Patients area lists the newest patients when it opens.
	h.patients.FindPatientsFn = func(ctx context.Context, f app.PatientFilter) (*app.PatientPage, error) {
		h.record("FindPatients", ctx, f)
		return &app.PatientPage{}, nil
	}
	h.settings.GetSettingsFn = func(ctx context.Context) (*app.Settings, error) {
		h.record("GetSettings", ctx, nil)
		return clinicSettings(), nil
	}
	h.u = New(h.a, app.Services{Users: h.users, Settings: h.settings, Audit: h.audit, Patients: h.patients,
		Appointments: h.appts},
		Options{Title: "HMS", Now: h.clock, DBPath: "/var/lib/hms/clinic.db"})
	h.u.do = h.enqueue
	h.u.idleTick = 0
	return h
}

// emptyAppointments is an appointment service with no doctors and no
// appointments: the lists the screens read are empty, and every change is
// refused, so a test that needs more sets its own functions.
func emptyAppointments() *mock.AppointmentService {
	none := func() (*app.Appointment, error) { return nil, app.Errorf(app.EINTERNAL, "not set in this test") }
	return &mock.AppointmentService{
		FindDoctorsFn: func(context.Context, string) ([]*app.DoctorProfile, error) { return nil, nil },
		GetDoctorProfileFn: func(_ context.Context, id string) (*app.DoctorProfile, error) {
			return &app.DoctorProfile{UserID: id}, nil
		},
		FindFreeSlotsFn: func(context.Context, string, string) ([]app.Slot, error) { return nil, nil },
		DoctorDayFn:     func(context.Context, string, string) ([]*app.Appointment, error) { return nil, nil },
		DoctorWeekFn:    func(context.Context, string, string) ([]*app.Appointment, error) { return nil, nil },
		ReceptionBoardFn: func(context.Context, string) (*app.Board, error) {
			return &app.Board{Day: "2026-03-02"}, nil
		},
		PatientAppointmentsFn: func(context.Context, string, app.AppointmentFilter) (*app.AppointmentPage, error) {
			return &app.AppointmentPage{}, nil
		},
		FindAppointmentFn: func(context.Context, string) (*app.Appointment, error) { return none() },
		BookFn:            func(context.Context, app.AppointmentCreate) (*app.Appointment, error) { return none() },
		WalkInFn:          func(context.Context, string, string, string, string) (*app.Appointment, error) { return none() },
		RescheduleFn: func(context.Context, string, time.Time, string) (*app.Appointment, error) {
			return none()
		},
		ConfirmFn:    func(context.Context, string) (*app.Appointment, error) { return none() },
		CheckInFn:    func(context.Context, string) (*app.Appointment, error) { return none() },
		CompleteFn:   func(context.Context, string) (*app.Appointment, error) { return none() },
		CancelFn:     func(context.Context, string, string) (*app.Appointment, error) { return none() },
		MarkNoShowFn: func(context.Context, string) (*app.Appointment, error) { return none() },
	}
}

func clinicSettings() *app.Settings {
	return &app.Settings{ClinicName: "Riverside Clinic", Currency: "EUR", TimeZone: "Europe/Athens", AutoLockMinutes: 10}
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	h.now = h.now.Add(d)
	h.mu.Unlock()
}

func (h *harness) enqueue(f func()) {
	h.mu.Lock()
	h.queue = append(h.queue, f)
	h.mu.Unlock()
}

// drain runs what the service goroutines handed to fyne.Do so far.
func (h *harness) drain() {
	for {
		h.mu.Lock()
		q := h.queue
		h.queue = nil
		h.mu.Unlock()
		if len(q) == 0 {
			h.checkDialogFields()
			return
		}
		for _, f := range q {
			f()
		}
	}
}

// waitFor drains the queue until cond holds, for at most two seconds.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		h.drain()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s; window shows: %q", what, h.texts())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// settle waits until no service call is under way and nothing is queued:
// for checking that something did not happen.
func (h *harness) settle() {
	h.t.Helper()
	time.Sleep(20 * time.Millisecond)
	h.drain()
}

// record notes a service call; ctx is checked for a caller when wantCaller.
func (h *harness) record(method string, ctx context.Context, arg any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if ctx != nil {
		if _, ok := app.CallerFromContext(ctx); !ok {
			h.t.Errorf("%s called without a caller in the context", method)
		}
	}
	h.calls[method] = append(h.calls[method], arg)
}

func (h *harness) callsOf(method string) []any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.calls[method])
}

func (h *harness) called(method string) int { return len(h.callsOf(method)) }

// texts returns every text the window shows, dialogs included, hidden
// widgets too.
func (h *harness) texts() []string {
	var out []string
	c := h.u.win.Canvas()
	trees := append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...)
	for _, t := range trees {
		walk(t, func(o fyne.CanvasObject) {
			switch w := o.(type) {
			case *widget.Label:
				out = append(out, w.Text)
			case *widget.Entry:
				out = append(out, w.Text)
			case *escEntry:
				out = append(out, w.Text)
			case *canvas.Text:
				out = append(out, w.Text)
			}
		})
	}
	return out
}

// drawnText is the text o draws on screen (what a cut label shows, with
// its "…"; a wrapped one's lines), white space folded.
func drawnText(o fyne.CanvasObject) string {
	var drawn []string
	walk(o, func(o fyne.CanvasObject) {
		if c, ok := o.(*canvas.Text); ok && c.Visible() {
			drawn = append(drawn, c.Text)
		}
	})
	return strings.Join(strings.Fields(strings.Join(drawn, " ")), " ")
}

// shows reports whether some text on the window contains s.
func (h *harness) shows(s string) bool {
	for _, t := range h.texts() {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

func walk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	fn(o)
	switch c := o.(type) {
	case *fyne.Container:
		for _, ch := range c.Objects {
			walk(ch, fn)
		}
	case fyne.Widget:
		for _, ch := range test.WidgetRenderer(c).Objects() {
			walk(ch, fn)
		}
	}
}

func user(role app.Role) *app.User {
	u := &app.User{
		ID:       "u-" + string(role),
		Username: string(role) + "1",
		FullName: "Test " + role.Label(),
		Role:     role,
		Status:   app.StatusActive,
	}
	if role == app.RolePatient {
		u.PatientID = "p-42"
		u.FullName = "Grace Hopper"
	}
	return u
}

// testLanguage, when set (speakIn), is the language of the users the
// harness logs in who have none of their own.
var testLanguage i18n.Lang

// speakIn makes the screens speak l for the rest of the test: now, and
// after each login of the harness.
func speakIn(t *testing.T, l i18n.Lang) {
	testLanguage = l
	setScreenLanguage(l)
	t.Cleanup(func() { testLanguage = ""; applyLanguage(i18n.English) })
}

// loginAs starts the UI and logs in as usr.
func (h *harness) loginAs(usr *app.User) {
	h.t.Helper()
	if testLanguage != "" && usr.Language == "" {
		c := *usr
		c.Language = testLanguage
		usr = &c
	}
	h.users.LoginFn = func(_ context.Context, username, password string) (*app.Session, error) {
		h.record("Login", nil, username+":"+password)
		return &app.Session{User: usr}, nil
	}
	h.u.Start()
	test.Type(h.u.login.username, usr.Username)
	test.Type(h.u.login.password, testPassword)
	test.Tap(h.u.login.loginBtn)
	h.waitFor("the main window", func() bool { return h.u.main != nil })
}

// openArea selects area a in the navigation.
func (h *harness) openArea(a app.Area) {
	h.t.Helper()
	i := slices.Index(h.u.main.areas, a)
	if i < 0 {
		h.t.Fatalf("area %s not in navigation %v", a, h.u.main.areas)
	}
	h.u.main.nav.Select(i)
	if h.u.main.current != a {
		h.t.Fatalf("current area = %s, want %s", h.u.main.current, a)
	}
}

// listRows are the rows of a list on screen, top to bottom.
func listRows(list fyne.CanvasObject) []*listRow {
	var rows []*listRow
	walk(list, func(o fyne.CanvasObject) {
		if r, ok := o.(*listRow); ok && r.Visible() {
			rows = append(rows, r)
		}
	})
	drv := fyne.CurrentApp().Driver()
	slices.SortStableFunc(rows, func(a, b *listRow) int {
		return cmp.Compare(drv.AbsolutePositionForObject(a).Y, drv.AbsolutePositionForObject(b).Y)
	})
	return rows
}

// rowButton is the button text of the row of list on screen that shows
// the item key, or nil when no such row is shown or the button is hidden.
func rowButton(list fyne.CanvasObject, key, text string) *widget.Button {
	for _, r := range listRows(list) {
		if r.key != key {
			continue
		}
		for _, b := range r.actions {
			if b.Text == text && b.Visible() {
				return b
			}
		}
	}
	return nil
}

// rowButtons counts the shown buttons text of the rows of list on screen.
func rowButtons(list fyne.CanvasObject, text string) int {
	n := 0
	for _, r := range listRows(list) {
		for _, b := range r.actions {
			if b.Text == text && b.Visible() {
				n++
			}
		}
	}
	return n
}

// asButton is o as a button: Fyne's own, or the one an escButton extends.
func asButton(o fyne.CanvasObject) (*widget.Button, bool) {
	switch b := o.(type) {
	case *widget.Button:
		return b, true
	case *escButton:
		return &b.Button, true
	}
	return nil, false
}

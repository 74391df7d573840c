package ui

import (
	"context"
	"image/color"
	"log"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"

	"hms/app"
	"hms/app/pdf"
)

// The waiting-room display: a second window, full screen on a television,
// with the latest calls of the queue: the token called last, large, and its
// room, and the calls before it below. It shows tokens and rooms only,
// unless the clinic's settings turn names on (the service leaves the names
// out otherwise).

// displayEvery is how often the display reads the calls. A call made on
// this desk shows at once; one made on another desk reaches this desk
// through sync (pushed after its commit, pulled on the server's
// notification) and shows as the sync round that brought it ends.
const displayEvery = 500 * time.Millisecond

// displayRows is how many calls the display lists below the latest.
const displayRows = 5

// Text sizes of the display, in Fyne units: readable from across a
// waiting room on a television.
const (
	displayLatestSize = 120
	displayRowSize    = 56
	displayTitleSize  = 40
	// displayMargin is the space left and right of the text.
	displayMargin = 64
)

var (
	displayBackground = color.NRGBA{R: 0x10, G: 0x1c, B: 0x2c, A: 0xff}
	displayText       = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	displayMuted      = color.NRGBA{R: 0xa8, G: 0xb8, B: 0xcc, A: 0xff}
	displayAccent     = color.NRGBA{R: 0xff, G: 0xd5, B: 0x4f, A: 0xff}
)

// queueDisplay is the open waiting-room display.
type queueDisplay struct {
	u   *UI
	win fyne.Window

	latestToken, latestRoom, latestName *canvas.Text
	rows                                []*[3]*canvas.Text // token, room, name
	note                                *canvas.Text

	calls []*app.QueueCall // shown now, newest first, one per token
	busy  bool             // a read is under way
	again bool             // read again when it ends
	stop  chan struct{}
}

// displayTicks are the display's ticks: a ticker's, replaced in tests by a
// channel the test sends on.
func (u *UI) displayTicks() (<-chan time.Time, func()) {
	if u.displayTick != nil {
		return u.displayTick, func() {}
	}
	t := time.NewTicker(displayEvery)
	return t.C, t.Stop
}

// openDisplay opens the waiting-room display, or brings it forward.
func (u *UI) openDisplay() {
	if u.display != nil {
		u.display.win.RequestFocus()
		return
	}
	if u.svc.Queue == nil || u.session == nil {
		return
	}
	d := &queueDisplay{u: u, stop: make(chan struct{})}
	d.win = u.fyneApp.NewWindow(Tf("%s — Waiting room", u.title()))
	text := func(size float32, c color.Color, bold bool) *canvas.Text {
		t := canvas.NewText("", c)
		t.TextSize = size
		t.TextStyle = fyne.TextStyle{Bold: bold}
		return t
	}
	title := text(displayTitleSize, displayMuted, false)
	title.Text = T("Now calling")
	d.latestToken = text(displayLatestSize, displayAccent, true)
	d.latestRoom = text(displayLatestSize*2/3, displayText, true)
	d.latestName = text(displayRowSize, displayText, false)
	d.note = text(displayTitleSize, displayMuted, false)
	latest := container.NewVBox(title, container.NewHBox(d.latestToken, layout.NewSpacer(), d.latestRoom), d.latestName)
	list := container.NewVBox()
	for range displayRows {
		r := &[3]*canvas.Text{text(displayRowSize, displayText, true), text(displayRowSize, displayText, false),
			text(displayRowSize, displayMuted, false)}
		d.rows = append(d.rows, r)
		list.Add(container.NewGridWithColumns(3, r[0], r[1], r[2]))
	}
	// A television may crop its picture's edges (overscan): keep the text
	// well inside them.
	body := container.New(layout.NewCustomPaddedLayout(displayMargin/2, displayMargin/2, displayMargin, displayMargin),
		container.NewBorder(latest, d.note, nil, nil, container.NewVBox(canvas.NewLine(displayMuted), list)))
	d.win.SetContent(container.NewStack(canvas.NewRectangle(displayBackground), body))
	d.win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			d.win.Close()
		}
	})
	d.win.SetOnClosed(func() {
		close(d.stop)
		if u.display == d {
			u.display = nil
		}
	})
	u.display = d
	d.win.SetFullScreen(true)
	d.win.Show()
	d.refresh()
	ticks, stopTicks := u.displayTicks()
	do := u.do
	go func() {
		defer stopTicks()
		for {
			select {
			case <-d.stop:
				return
			case <-ticks:
				do(d.refresh)
			}
		}
	}()
}

// closeDisplay closes the display: the session that read the calls ended.
func (u *UI) closeDisplay() {
	if u.display != nil {
		u.display.win.Close()
	}
}

// refresh reads the calls again, unless a read is under way (then once
// more after it). It is not background(): a display's reads are no
// activity of the person at the desk and must not keep the desk from
// locking.
func (d *queueDisplay) refresh() {
	if d.u.display != d {
		return
	}
	if d.busy {
		d.again = true
		return
	}
	if d.u.session == nil {
		d.setNote(T("Log in on the desk to show the calls."))
		return
	}
	d.busy = true
	ctx, svc, do := d.u.ctx(), d.u.svc.Queue, d.u.do
	go func() {
		calls, err := svc.RecentCalls(ctx, 3*displayRows)
		do(func() {
			d.busy = false
			if err != nil {
				if app.ErrorCode(err) == app.EINTERNAL {
					log.Printf("ui: display: %v", err)
				}
				d.setNote(Tf("The calls cannot be read: %s", errText(err)))
			} else {
				d.show(calls)
			}
			if d.again {
				d.again = false
				d.refresh()
			}
		})
	}()
}

// show writes the calls, newest first, each token once (a patient called
// again shows where they were called last).
func (d *queueDisplay) show(calls []*app.QueueCall) {
	seen := map[string]bool{}
	var shown []*app.QueueCall
	for _, c := range calls {
		if !seen[c.Token] {
			seen[c.Token] = true
			shown = append(shown, c)
		}
	}
	d.calls = shown
	set := func(t *canvas.Text, s string) {
		if t.Text != s {
			t.Text = s
			t.Refresh()
		}
	}
	if len(shown) == 0 {
		set(d.latestToken, "—")
		set(d.latestRoom, "")
		set(d.latestName, "")
	} else {
		set(d.latestToken, shown[0].Token)
		set(d.latestRoom, shown[0].Room)
		set(d.latestName, shown[0].PatientName)
	}
	for i, r := range d.rows {
		var c *app.QueueCall
		if i+1 < len(shown) {
			c = shown[i+1]
		}
		if c == nil {
			set(r[0], "")
			set(r[1], "")
			set(r[2], "")
			continue
		}
		set(r[0], c.Token)
		set(r[1], c.Room)
		set(r[2], c.PatientName)
	}
	if len(shown) == 0 {
		// A lone dash says nothing to a waiting patient.
		d.setNote(T("No one has been called yet today. Your number will show here."))
	} else {
		d.setNote("")
	}
}

func (d *queueDisplay) setNote(s string) {
	if d.note.Text != s {
		d.note.Text = s
		d.note.Refresh()
	}
}

// called is what the screens tell the display after a call made on this
// desk: it reads the calls at once, not at its next tick.
func (u *UI) called() {
	if u.display != nil {
		u.display.refresh()
	}
}

// mayDisplay says whether the user may open the display: staff who see
// appointments, on a desk whose services have the queue.
func (u *UI) mayDisplay() bool {
	return u.svc.Queue != nil && u.session != nil && app.Can(u.session.User.Role, app.PermViewAppointments)
}

// printTokenSlip prints the token slip of an appointment just checked in,
// when this desk's setting for token slips prints without asking; a desk
// that wants no slips leaves it off.
func (u *UI) printTokenSlip(a *app.Appointment) {
	if a == nil || a.Token == "" || u.svc.Printing == nil {
		return
	}
	clinic := &app.Settings{}
	if u.settings != nil {
		clinic = u.settings
	}
	loc := u.location()
	background(u, func(ctx context.Context) ([]byte, error) {
		dp := deskPrinter(ctx, u, app.DocToken)
		if !dp.Auto {
			return nil, nil
		}
		width := pdf.Roll80mm
		if dp.LayoutOrDefault() == app.Layout58mm {
			width = pdf.Roll58mm
		}
		return pdf.TokenSlip(clinic, a, loc, width, appointmentDocLang(ctx, u, a))
	}, func(body []byte, err error) {
		if err != nil {
			showError(err, u.win)
			return
		}
		if body != nil {
			u.deliverPDF("token-"+a.Token+".pdf", body)
		}
	})
}

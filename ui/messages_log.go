package ui

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// The status filter's choices of the Messages log, in the order shown.
var messageStatusChoices = []struct {
	label  string
	status app.MessageStatus
}{
	{i18n.N("All"), ""}, {i18n.N("Waiting"), app.MessageWaiting}, {i18n.N("Sent"), app.MessageSent}, {i18n.N("Failed"), app.MessageFailed},
	{i18n.N("Dropped"), app.MessageDropped},
}

// messageStatusText is a message's status for a person, with the reason
// of a failure or a drop and the try count of a retry. A reason is stored
// as the sending desk wrote it, in English; one the catalogue knows (a
// refused text, data.refuseText) is shown in the desk's language.
func messageStatusText(u *UI, m *app.Message) string {
	switch m.Status {
	case app.MessageSent:
		return Tf("Sent %s", formatTime(u, m.SentAt))
	case app.MessageFailed:
		return Tf("Failed: %s", m.LastError)
	case app.MessageDropped:
		return Tf("Not sent: %s", T(m.LastError))
	}
	if m.Attempts > 0 {
		return Tf("Waiting, retry %s after %d failed tries: %s", formatTime(u, m.NextAttemptAt), m.Attempts, m.LastError)
	}
	return Tf("Waiting, due %s", formatTime(u, m.SendAt))
}

func messageStatusImportance(m *app.Message) widget.Importance {
	switch m.Status {
	case app.MessageFailed:
		return widget.DangerImportance
	case app.MessageDropped:
		if app.MessageRefused(m.LastError) {
			// A refusal may be a forgery, or a name to correct: not
			// faint like a routine drop.
			return widget.WarningImportance
		}
		return widget.LowImportance
	case app.MessageSent:
		return widget.SuccessImportance
	}
	return widget.MediumImportance
}

// messagesLogView is the Messages log of the Appointments area, for staff
// who manage appointments: every patient's messages, newest first,
// filtered by status, a failed or dropped one sent again from its row.
type messagesLogView struct {
	u *UI

	status  *escSelect
	refresh *widget.Button
	info    *widget.Label
	list    *wrappedList
	items   []*app.Message

	content fyne.CanvasObject
}

// messageLogColumns: the kind and channel and the status wrap
// (wrapColumns), so that the reason a message was not sent is read whole.
var messageLogColumns = []listColumn{
	{title: i18n.N("Queued"), width: 180}, {title: i18n.N("Patient"), width: 170}, {title: i18n.N("Message"), width: 170},
	{title: i18n.N("To"), width: 190}, {title: i18n.N("Status"), width: 300},
}

func newMessagesLogView(u *UI) *messagesLogView {
	v := &messagesLogView{u: u}
	labels := make([]string, len(messageStatusChoices))
	for i, c := range messageStatusChoices {
		labels[i] = T(c.label)
	}
	v.status = newSelect(labels, func(string) { v.load() })
	v.status.Selected = T("All")
	v.refresh = widget.NewButtonWithIcon(T("Refresh"), theme.ViewRefreshIcon(), v.load)
	v.info = mutedLabel("")
	v.list = newWrappedList(func() int { return len(v.items) }, func() fyne.CanvasObject {
		return newListRow(wrapColumns(newColumnRow(messageLogColumns), 2, 4), widget.NewButtonWithIcon(T("Resend"), theme.MailSendIcon(), nil))
	}, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id >= len(v.items) {
			return
		}
		m := v.items[id]
		r := o.(*listRow)
		setColumnRow(r.columns(), widget.MediumImportance, formatTime(v.u, m.CreatedAt), m.PatientName,
			Tf("%s by %s", T(m.Kind.Label()), T(m.Channel.Label())), m.To, messageStatusText(v.u, m))
		r.columns().Objects[4].(*widget.Label).Importance = messageStatusImportance(m)
		var resend func()
		if m.Status == app.MessageFailed || m.Status == app.MessageDropped {
			resend = func() { v.onResend(m) }
		}
		r.bind(m.ID, resend)
	})
	top := container.NewVBox(
		container.NewHBox(widget.NewLabel(T("Status")), v.status, v.refresh),
		v.info,
		columnHeader(messageLogColumns),
	)
	v.content = container.NewBorder(top, nil, nil, nil, v.list)
	return v
}

func (v *messagesLogView) filterStatus() app.MessageStatus {
	i := slices.IndexFunc(messageStatusChoices, func(c struct {
		label  string
		status app.MessageStatus
	}) bool {
		return T(c.label) == v.status.Selected
	})
	if i < 0 {
		return ""
	}
	return messageStatusChoices[i].status
}

func (v *messagesLogView) load() {
	f := app.MessageFilter{Status: v.filterStatus()}
	background(v.u, func(ctx context.Context) ([]*app.Message, error) {
		return v.u.svc.Messages.FindMessages(ctx, f)
	}, func(ms []*app.Message, err error) {
		if err != nil {
			showError(err, v.u.win)
			return
		}
		v.items = ms
		switch {
		case len(ms) == 0 && f.Status == "":
			v.info.SetText(T("No messages yet. Messages are queued as appointments are booked, moved and cancelled, for patients who consented."))
		case len(ms) == 0:
			v.info.SetText(noMessagesText(f.Status))
		default:
			v.info.SetText(Tf("%d messages, newest first.", len(ms)))
		}
		v.list.refit()
	})
}

func (v *messagesLogView) onResend(m *app.Message) {
	callThen(v.u, func(ctx context.Context) (*app.Message, error) {
		return v.u.svc.Messages.ResendMessage(ctx, m.ID)
	}, func(*app.Message) {
		v.load()
	})
}

// noMessagesText says that no message has the status st.
func noMessagesText(st app.MessageStatus) string {
	switch st {
	case app.MessageWaiting:
		return T("No waiting messages.")
	case app.MessageSent:
		return T("No sent messages.")
	case app.MessageFailed:
		return T("No failed messages.")
	case app.MessageDropped:
		return T("No dropped messages.")
	}
	return Tf("No %s messages.", string(st))
}

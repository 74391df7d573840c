package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

// messagesTab is a patient's messages, a tab of their chart and of My
// record: their consent on each channel, with when and by whom it was
// recorded, given or withdrawn here by staff who edit patients or by the
// patient themselves; and the messages sent to them, or waiting.
type messagesTab struct {
	b *chartBase

	consents map[app.MessageChannel]*widget.Label
	give     map[app.MessageChannel]*widget.Button
	withdraw map[app.MessageChannel]*widget.Button
	info     *widget.Label
	list     *wrappedList
	items    []*app.Message

	content fyne.CanvasObject
}

// patientMessageColumns: the kind and channel and the status wrap, as in the Messages log.
var patientMessageColumns = []listColumn{
	{title: i18n.N("Queued"), width: 180}, {title: i18n.N("Message"), width: 170}, {title: i18n.N("To"), width: 190},
	{title: i18n.N("Status"), width: 300},
}

func newMessagesTab(b *chartBase) *messagesTab {
	t := &messagesTab{b: b, consents: map[app.MessageChannel]*widget.Label{}, give: map[app.MessageChannel]*widget.Button{},
		withdraw: map[app.MessageChannel]*widget.Button{}}
	mayEdit := app.CanSetMessageConsent(b.u.session.Caller(), b.id) == nil
	rows := container.NewVBox()
	for _, ch := range app.MessageChannels {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapWord
		t.consents[ch] = l
		give := widget.NewButton(T("Give consent"), func() { t.setConsent(ch, true) })
		withdraw := widget.NewButton(T("Withdraw consent"), func() { t.setConsent(ch, false) })
		withdraw.Importance = widget.WarningImportance
		give.Hide()
		withdraw.Hide()
		t.give[ch], t.withdraw[ch] = give, withdraw
		name := widget.NewLabelWithStyle(T(ch.Label()), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		line := container.NewBorder(nil, nil, container.New(widthLayout{90}, name), container.NewHBox(give, withdraw), l)
		if !mayEdit {
			line = container.NewBorder(nil, nil, container.New(widthLayout{90}, name), nil, l)
		}
		rows.Add(line)
	}
	t.info = mutedLabel("")
	t.list = newWrappedList(func() int { return len(t.items) }, func() fyne.CanvasObject {
		return wrapColumns(newColumnRow(patientMessageColumns), 1, 3)
	}, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id >= len(t.items) {
			return
		}
		m := t.items[id]
		row := o.(*fyne.Container)
		setColumnRow(row, widget.MediumImportance, formatTime(b.u, m.CreatedAt), Tf("%s by %s", T(m.Kind.Label()), T(m.Channel.Label())),
			m.To, messageStatusText(b.u, m))
		row.Objects[3].(*widget.Label).Importance = messageStatusImportance(m)
		row.Objects[3].Refresh()
	})
	top := container.NewVBox(
		sectionTitle(T("Consent to messages")),
		mutedLabel(T("Appointment confirmations and reminders go only on a channel with consent.")),
		container.New(widthLayout{720}, rows),
		widget.NewSeparator(),
		container.NewHBox(sectionTitle(T("Messages")), layout.NewSpacer()),
		t.info,
		columnHeader(patientMessageColumns),
	)
	t.content = container.NewBorder(top, nil, nil, nil, t.list)
	return t
}

func (t *messagesTab) view() fyne.CanvasObject { return t.content }

// consentText says where a consent stands.
func consentText(u *UI, c app.MessageConsent) string {
	switch {
	case c.RecordedAt.IsZero():
		return T("No consent recorded: no messages by this channel.")
	case c.Given:
		return Tf("Given %s, recorded by %s.", formatTime(u, c.RecordedAt), c.RecordedBy)
	}
	return Tf("Withdrawn %s, recorded by %s: no messages by this channel.", formatTime(u, c.RecordedAt), c.RecordedBy)
}

func (t *messagesTab) load() {
	u, id := t.b.u, t.b.id
	type loaded struct {
		consents []app.MessageConsent
		messages []*app.Message
	}
	background(u, func(ctx context.Context) (loaded, error) {
		cs, err := u.svc.Messages.MessageConsents(ctx, id)
		if err != nil {
			return loaded{}, err
		}
		ms, err := u.svc.Messages.FindMessages(ctx, app.MessageFilter{PatientID: id})
		return loaded{cs, ms}, err
	}, func(l loaded, err error) {
		if err != nil {
			showError(err, u.win)
			return
		}
		for _, c := range l.consents {
			t.showConsent(c)
		}
		t.items = l.messages
		if len(l.messages) == 0 {
			t.info.SetText(T("No messages yet."))
		} else {
			t.info.SetText(Tf("%d messages, newest first.", len(l.messages)))
		}
		t.list.refit()
	})
}

func (t *messagesTab) showConsent(c app.MessageConsent) {
	l := t.consents[c.Channel]
	if l == nil {
		return
	}
	l.SetText(consentText(t.b.u, c))
	if c.Given {
		t.give[c.Channel].Hide()
		t.withdraw[c.Channel].Show()
	} else {
		t.give[c.Channel].Show()
		t.withdraw[c.Channel].Hide()
	}
}

func (t *messagesTab) setConsent(ch app.MessageChannel, given bool) {
	u, id := t.b.u, t.b.id
	u.touch()
	callThen(u, func(ctx context.Context) (*app.MessageConsent, error) {
		return u.svc.Messages.SetMessageConsent(ctx, id, ch, given)
	}, func(*app.MessageConsent) {
		t.load() // withdrawing drops waiting messages: their status changes too
	})
}

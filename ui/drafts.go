package ui

import (
	"context"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// Drafts: when a session ends ("Log out" in the main window or on the lock
// screen, or the lock lasting the clinic's auto-logout time), the text of
// the forms still open (a note, a registration, an invoice being drafted:
// its line dialog and invoice discount) is kept in this desk's database for
// its writer (app.DraftService), and offered back at their next login.
//
// Threat model: drafts hold patient data outside the record, so they stay
// on the desk where they were written (they never sync), only their writer
// can list, restore or discard them (another user's draft does not exist
// for them), and every save and discard is in the audit log. The lock
// screen shows none of them; the offer comes only after the writer's own
// login.

// noteDraftFields are a note form's entries by draft field name.
func noteDraftFields(f *noteForm) map[string]*escEntry {
	return map[string]*escEntry{"text": f.text, "subjective": f.subjective, "objective": f.objective,
		"assessment": f.assessment, "plan": f.plan}
}

// registrationDraftFields are the register form's entries by draft field name.
func registrationDraftFields(f *patientForm) map[string]*escEntry {
	return map[string]*escEntry{"given_name": f.givenName, "family_name": f.familyName,
		"birth_date": f.birthDate, "phone": f.phone, "email": f.email, "address": f.address,
		"national_id": f.nationalID, "emergency_contact": f.emergencyContact,
		"emergency_phone": f.emergencyPhone, "notes": f.notes}
}

// typed is the entries' non-blank texts by name.
func typed(entries map[string]*escEntry) map[string]string {
	out := map[string]string{}
	for k, e := range entries {
		if strings.TrimSpace(e.Text) != "" {
			out[k] = e.Text
		}
	}
	return out
}

// collectDrafts is the unsaved text of the forms open in the session.
func (u *UI) collectDrafts() []app.Draft {
	if u.main == nil {
		return nil
	}
	var out []app.Draft
	if b := u.main.billing; b != nil && b.invoices != nil && b.invoices.invoice != nil {
		if d := b.invoices.invoice.draft(); d != nil {
			out = append(out, *d)
		}
	}
	ps := u.main.patients
	if ps == nil {
		return out
	}
	if c := ps.chart; c != nil && c.notes != nil && c.notes.form != nil {
		f := c.notes.form
		if fields := typed(noteDraftFields(f)); len(fields) > 0 {
			title := noteKindLabel(c.notes.b.noteKind())
			if f.addendumTo != nil {
				title = T("Addendum")
				fields["addendum_to"] = f.addendumTo.ID
			}
			if f.mode != nil {
				fields["mode"] = f.mode.Selected
			}
			out = append(out, app.Draft{Kind: app.DraftNote, PatientID: c.id, Title: Tf("%s for %s", title, c.name.Text),
				Fields: fields})
		}
	}
	if f := ps.form; f != nil && f.patient == nil {
		if fields := typed(registrationDraftFields(f)); len(fields) > 0 {
			fields["sex"], fields["blood_group"] = f.sex.Selected, f.bloodGroup.Selected
			name := strings.TrimSpace(f.givenName.Text + " " + f.familyName.Text)
			if name == "" {
				name = T("a new patient")
			}
			out = append(out, app.Draft{Kind: app.DraftRegistration, Title: Tf("Registration of %s", name), Fields: fields})
		}
	}
	return out
}

// endSessionKeepingWork logs out from the main window or the lock screen:
// the unsaved text of the screens open (or behind the lock) is kept as
// drafts first. If they cannot be kept, the session stays (locked, if it
// was) and says why.
func (u *UI) endSessionKeepingWork() {
	drafts := u.collectDrafts()
	if len(drafts) == 0 || u.svc.Drafts == nil {
		u.logout()
		return
	}
	if u.hidden != nil {
		if u.hidden.ending {
			return
		}
		u.hidden.ending = true
	}
	background(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, u.svc.Drafts.SaveDrafts(ctx, drafts)
	}, func(_ struct{}, err error) {
		if err != nil {
			if u.hidden != nil {
				u.hidden.ending = false
			}
			if u.lock != nil {
				u.lock.message.SetText(Tf("Your unsaved work could not be kept, so you are still logged in: %s",
					errText(err)))
				u.lock.message.Show()
				return
			}
			showError(err, u.win)
			return
		}
		u.logout()
	})
}

// logoutLimit is how long the lock lasts before the session ends.
func (u *UI) logoutLimit() time.Duration {
	m := app.DefaultAutoLogoutMinutes
	if u.settings != nil && u.settings.AutoLogoutMinutes > 0 {
		m = u.settings.AutoLogoutMinutes
	}
	return time.Duration(m) * time.Minute
}

// draftsOffer is the dialog after a login that offers the user's drafts
// back: a list of them, where selecting one restores it and the buttons at
// its row's end restore or discard it.
type draftsOffer struct {
	u      *UI
	drafts []*app.Draft
	list   *widget.List
	dialog dialog.Dialog
}

// draftsShown is how many drafts the offer shows before its list scrolls.
const draftsShown = 6

// offerDrafts shows the logged-in user their drafts, if they have any.
func (u *UI) offerDrafts() {
	if u.svc.Drafts == nil || u.session == nil {
		return
	}
	background(u, func(ctx context.Context) ([]*app.Draft, error) {
		return u.svc.Drafts.FindMyDrafts(ctx)
	}, func(ds []*app.Draft, err error) {
		if err != nil {
			showError(err, u.win)
			return
		}
		if len(ds) > 0 && u.main != nil {
			u.drafts = newDraftsOffer(u, ds)
		}
	})
}

func newDraftsOffer(u *UI, ds []*app.Draft) *draftsOffer {
	o := &draftsOffer{u: u, drafts: ds}
	newRow := func() *listRow {
		restore := widget.NewButton(T("Restore"), nil)
		restore.Importance = widget.HighImportance
		return newListRow(widget.NewLabel(""), widget.NewButton(T("Discard"), nil), restore)
	}
	o.list = widget.NewList(func() int { return len(o.drafts) },
		func() fyne.CanvasObject { return newRow() },
		func(id widget.ListItemID, obj fyne.CanvasObject) {
			if id < 0 || id >= len(o.drafts) {
				return
			}
			d, r := o.drafts[id], obj.(*listRow)
			r.body.(*widget.Label).SetText(d.Title + " · " + formatTime(u, d.CreatedAt))
			r.bind(d.ID, func() { o.onDiscard(d) }, func() { o.onRestore(d) })
		})
	o.list.OnSelected = func(id widget.ListItemID) {
		o.list.UnselectAll()
		if id >= 0 && id < len(o.drafts) {
			o.onRestore(o.drafts[id])
		}
	}
	rows := container.New(&allRowsLayout{length: func() int { return min(len(o.drafts), draftsShown) },
		row: newRow().MinSize().Height}, o.list)
	content := container.NewBorder(wrapLabel(T("When your last session ended, these were not saved yet. Restore one to go on with it, or discard it.")), nil, nil, nil, rows)
	o.dialog = newInfoDialog(T("Unsaved work"), T("Later"), content, u.win)
	o.dialog.Resize(fyne.NewSize(620, 0))
	o.dialog.Show()
	return o
}

// onRestore opens the form the draft came from with its text, and forgets
// the draft: from now on the form holds it.
func (o *draftsOffer) onRestore(d *app.Draft) {
	o.dialog.Hide()
	u := o.u
	if u.main == nil {
		return
	}
	if d.Kind == app.DraftOfInvoice {
		if i := slices.Index(u.main.areas, app.AreaBilling); i >= 0 && u.main.current != app.AreaBilling {
			u.main.nav.Select(i)
		}
		if b := u.main.billing; b != nil && b.invoices != nil {
			b.tabs.SelectIndex(0) // Invoices
			b.invoices.openKeeping(d.Fields["invoice_id"], d)
		}
		o.forget(d, false)
		return
	}
	if i := slices.Index(u.main.areas, app.AreaPatients); i >= 0 && u.main.current != app.AreaPatients {
		u.main.nav.Select(i)
	}
	ps := u.main.patients
	if ps == nil {
		return
	}
	switch d.Kind {
	case app.DraftNote:
		ps.openChart(d.PatientID)
		c := ps.chart
		if c.notes == nil {
			return
		}
		for _, it := range c.tabs.Items {
			if it.Text == "Notes" {
				c.tabs.Select(it)
			}
		}
		fill := func(f *noteForm) {
			for k, e := range noteDraftFields(f) {
				e.SetText(d.Fields[k])
			}
			if f.mode != nil && d.Fields["mode"] != "" {
				f.mode.SetSelected(d.Fields["mode"])
			}
		}
		if to := d.Fields["addendum_to"]; to != "" {
			// The addendum's note comes with the chart's notes.
			callThen(u, func(ctx context.Context) ([]*app.Note, error) {
				return u.svc.Clinical.FindNotes(ctx, d.PatientID)
			}, func(ns []*app.Note) {
				for _, n := range ns {
					if n.ID == to {
						c.notes.form = showNoteForm(c.notes, n)
						fill(c.notes.form)
					}
				}
			})
		} else {
			c.notes.form = showNoteForm(c.notes, nil)
			fill(c.notes.form)
		}
	case app.DraftRegistration:
		if ps.register == nil {
			return
		}
		ps.onRegister()
		for k, e := range registrationDraftFields(ps.form) {
			e.SetText(d.Fields[k])
		}
		if v := d.Fields["sex"]; v != "" {
			ps.form.sex.SetSelected(v)
		}
		if v := d.Fields["blood_group"]; v != "" {
			ps.form.bloodGroup.SetSelected(v)
		}
	}
	o.forget(d, false)
}

// onDiscard forgets a draft the user does not want.
func (o *draftsOffer) onDiscard(d *app.Draft) {
	o.dialog.Hide()
	o.forget(d, true)
}

// forget discards d; reoffer shows the others again (after a discard; a
// restored draft's form is on screen, and the others wait for the next
// login).
func (o *draftsOffer) forget(d *app.Draft, reoffer bool) {
	u := o.u
	callThen(u, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, u.svc.Drafts.DiscardDraft(ctx, d.ID)
	}, func(struct{}) {
		rest := slices.DeleteFunc(slices.Clone(o.drafts), func(x *app.Draft) bool { return x.ID == d.ID })
		if reoffer && len(rest) > 0 && u.main != nil {
			u.drafts = newDraftsOffer(u, rest)
		} else {
			u.drafts = nil
		}
	})
}

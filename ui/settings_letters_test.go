package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"hms/app"
)

// TestSettingsLetterTemplates: the administrator sees the clinic's letter
// wording (the default where none), a preview filled from a sample
// patient as they type, an unknown or missing placeholder beside its
// field without a call to the service, and saving sends both templates.
func TestSettingsLetterTemplates(t *testing.T) {
	h := newHarness(t)
	var shownWant app.LetterTemplates // the clinic's: none, the defaults
	h.settings.UpdateLetterTemplatesFn = func(ctx context.Context, lt app.LetterTemplates, was *app.LetterTemplates) (*app.Settings, error) {
		h.record("UpdateLetterTemplates", ctx, lt)
		if was == nil || *was != shownWant {
			t.Errorf("the save sent %+v as the templates shown, want %+v", was, shownWant)
		}
		if err := lt.Validate(); err != nil {
			return nil, err
		}
		st, _ := h.settings.GetSettingsFn(ctx)
		cp := *st
		cp.Letters = lt
		shownWant = lt
		return &cp, nil
	}
	h.loginAs(user(app.RoleAdmin))
	h.openArea(app.AreaSettings)
	l := h.u.main.settings.letters
	h.waitFor("the letters", func() bool { return !l.save.Disabled() })

	if l.sickNote.Text != app.DefaultSickNoteTemplate || l.referral.Text != app.DefaultReferralTemplate {
		t.Errorf("templates shown %q / %q, want the defaults", l.sickNote.Text, l.referral.Text)
	}
	if !strings.Contains(l.sickPreview.Text, "I certify that I examined Maria Papadopoulou on ") ||
		!strings.Contains(l.sickPreview.Text, "(3 days)") {
		t.Errorf("certificate preview %q", l.sickPreview.Text)
	}
	if l.referralPreview.Text != "Dear colleague, I am referring Maria Papadopoulou (born 1980-04-12) to you." {
		t.Errorf("referral preview %q", l.referralPreview.Text)
	}

	l.sickNote.SetText("{patient} is unfit until {until}.")
	if msg := l.errs.text("sick_note_template"); !strings.Contains(msg, "{until} is not a placeholder") {
		t.Errorf("unknown placeholder: %q", msg)
	}
	if l.sickPreview.Text != "" {
		t.Errorf("a bad template previewed as %q", l.sickPreview.Text)
	}
	test.Tap(l.save)
	h.settle()
	if h.called("UpdateLetterTemplates") != 0 {
		t.Error("a bad template was sent")
	}
	l.sickNote.SetText("{patient} is unwell.")
	if msg := l.errs.text("sick_note_template"); !strings.Contains(msg, "must say {from}") {
		t.Errorf("missing dates: %q", msg)
	}

	l.sickNote.SetText("{clinic}: {patient} ({record_no}) may not work from {from} to {to}.")
	if l.errs.text("sick_note_template") != "" || !strings.Contains(l.sickPreview.Text, ": Maria Papadopoulou (P-D1-000123) may not work from ") {
		t.Errorf("good template: error %q, preview %q", l.errs.text("sick_note_template"), l.sickPreview.Text)
	}
	l.referral.SetText("Please see {patient}, {recipient}.")
	if l.referralPreview.Text != "Please see Maria Papadopoulou, Cardiology outpatients, City Hospital." {
		t.Errorf("referral preview %q", l.referralPreview.Text)
	}
	test.Tap(l.save)
	h.waitFor("the saved note", func() bool { return l.saved.Visible() })
	calls := h.callsOf("UpdateLetterTemplates")
	got := calls[len(calls)-1].(app.LetterTemplates)
	if got.SickNote != "{clinic}: {patient} ({record_no}) may not work from {from} to {to}." || got.Referral != "Please see {patient}, {recipient}." {
		t.Errorf("sent %+v", got)
	}

	test.Tap(l.restoreReferral)
	if l.referral.Text != app.DefaultReferralTemplate || !strings.HasPrefix(l.referralPreview.Text, "Dear colleague") {
		t.Errorf("restored %q, preview %q", l.referral.Text, l.referralPreview.Text)
	}
}

package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"

	"hms/app"
)

func TestMyRecordOwnView(t *testing.T) {
	setup := func(t *testing.T) (*clinicHarness, *recordScreen) {
		h := newClinicHarness(t)
		h.patients.FindPatientByIDFn = func(ctx context.Context, id string) (*app.Patient, error) {
			h.record("FindPatientByID", ctx, id)
			p := grace()
			p.ID = id
			return p, nil
		}
		h.loginAs(user(app.RolePatient))
		r := h.u.main.record
		h.waitFor("the record", func() bool { return r.mrn.Text != "" })
		return h, r
	}

	t.Run("EditOwnContact", func(t *testing.T) {
		h, r := setup(t)
		h.patients.UpdateOwnContactFn = func(ctx context.Context, u app.ContactUpdate) (*app.Patient, error) {
			h.record("UpdateOwnContact", ctx, u)
			if u.Email != nil && *u.Email == "not an address" {
				return nil, app.FieldErrorf("email", "That is not an e-mail address.")
			}
			p := grace()
			p.Phone, p.Email = *u.Phone, *u.Email
			return p, nil
		}
		test.Tap(r.editButton)
		f := r.contact
		if f == nil || f.phone.Text != "+30 690 0000001" || f.address.Text != "2 Hill St" {
			t.Fatalf("contact form not filled: %+v", f)
		}
		f.phone.SetText("+30 690 5555555")
		test.Type(f.email, "not an address")
		test.Tap(f.save)
		h.waitFor("the e-mail message", func() bool { return f.errs.text("email") != "" })
		f.email.SetText("grace@example.org")
		test.Tap(f.save)
		h.waitFor("the saved record", func() bool { return r.phone.Text == "+30 690 5555555" })
		u := h.callsOf("UpdateOwnContact")[1].(app.ContactUpdate)
		if u.Phone == nil || u.Email == nil || *u.Email != "grace@example.org" || u.Address != nil || u.EmergencyContact != nil {
			t.Errorf("update = %+v", u)
		}
		if r.contact != nil || r.email.Text != "grace@example.org" {
			t.Error("form still open or record not refreshed")
		}
	})

	t.Run("ReadOnlyClinicalTabs", func(t *testing.T) {
		h, r := setup(t)
		h.clinical.GetChartFn = func(ctx context.Context, id string) (*app.Chart, error) {
			h.record("GetChart", ctx, id)
			return graceChart(), nil
		}
		h.clinical.FindPrescriptionsFn = func(ctx context.Context, id string) ([]*app.Prescription, error) {
			h.record("FindPrescriptions", ctx, id)
			return []*app.Prescription{{ID: "rx-1", Number: "RX-1", Status: app.PrescriptionActive}}, nil
		}
		h.attachments.FindAttachmentsFn = func(ctx context.Context, id string) ([]*app.Attachment, error) {
			h.record("FindAttachments", ctx, id)
			return []*app.Attachment{{ID: "r-1", Title: "X-ray"}}, nil
		}
		selectTab(t, r.tabs, "Health summary")
		h.waitFor("the summary", func() bool { return r.summary.chart != nil })
		if !h.shows("Penicillin (severe, anaphylaxis)") {
			t.Error("allergies not shown to the patient")
		}
		selectTab(t, r.tabs, "Prescriptions")
		h.waitFor("the prescriptions", func() bool { return len(r.rx.rxs) == 1 })
		selectTab(t, r.tabs, "Reports")
		h.waitFor("the reports", func() bool { return len(r.attachments.attachments) == 1 })
		for m, id := range map[string]string{"GetChart": "p-42", "FindPrescriptions": "p-42", "FindAttachments": "p-42"} {
			if got := h.callsOf(m); len(got) != 1 || got[0] != id {
				t.Errorf("%s calls = %v, want the patient's own %s", m, got, id)
			}
		}
		if r.summary.addAllergy != nil || rowButtons(r.summary.allergies.list, "Remove…") != 0 || r.rx.newRx != nil || len(listRows(r.rx.list)) == 0 || rowButtons(r.rx.list, "Cancel…") != 0 ||
			r.attachments.attach != nil || rowButton(r.rx.list, "rx-1", "Print / Save PDF") == nil {
			t.Error("the patient's view is not read-only (or lacks Save PDF)")
		}
	})
}

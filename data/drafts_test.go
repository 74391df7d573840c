package data_test

import (
	"testing"

	"hms/app"
	"hms/data/datatest"
)

// TestDrafts: a user's drafts are theirs alone, on this desk, unsynced.
func TestDrafts(t *testing.T) {
	c := mustSetup(t)
	doc, nurse := c.ctx(app.RoleDoctor), c.ctx(app.RoleNurse)
	pid := c.users[app.RolePatient].PatientID
	outbox := datatest.OutboxCount(t, c.db)
	err := c.svc.Drafts.SaveDrafts(doc, []app.Draft{{Kind: app.DraftNote, PatientID: pid, Title: "Clinical note for zoe",
		Fields: map[string]string{"text": "Chest pain on exertion"}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := datatest.OutboxCount(t, c.db); n != outbox {
		t.Errorf("saving a draft queued %d rows to sync", n-outbox)
	}
	mine, err := c.svc.Drafts.FindMyDrafts(doc)
	if err != nil || len(mine) != 1 || mine[0].Fields["text"] != "Chest pain on exertion" || mine[0].PatientID != pid {
		t.Fatalf("the doctor's drafts: %v %+v", err, mine)
	}
	if theirs, err := c.svc.Drafts.FindMyDrafts(nurse); err != nil || len(theirs) != 0 {
		t.Fatalf("another user sees %d drafts (%v)", len(theirs), err)
	}
	if err := c.svc.Drafts.DiscardDraft(nurse, mine[0].ID); code(err) != app.ENOTFOUND {
		t.Fatalf("another user discarding: %v", err)
	}
	if err := c.svc.Drafts.SaveDrafts(doc, []app.Draft{{Kind: app.DraftNote, Title: "Empty"}}); code(err) != app.EINVALID {
		t.Errorf("an empty draft: %v", err)
	}
	if err := c.svc.Drafts.DiscardDraft(doc, mine[0].ID); err != nil {
		t.Fatal(err)
	}
	if left, _ := c.svc.Drafts.FindMyDrafts(doc); len(left) != 0 {
		t.Errorf("%d drafts left after discarding", len(left))
	}
}

package sync_test

import (
	"context"
	"testing"

	"hms/app"
	"hms/data"
)

// TestAuditPushSyncsLoginsFirst: a staff login commits without a sync of
// its own (docs/AUDIT.md, "A login's row"); the sync loop syncs the log
// before it sends the audit log, so that the server never holds a login
// row the desk could still lose to a power cut.
func TestAuditPushSyncsLoginsFirst(t *testing.T) {
	t.Parallel()
	u := newSyncServer(t)
	desk := demoDesk(t, 5)
	mustEnroll(t, desk, u)
	mustSync(t, desk)
	for _, cr := range data.DemoCredentials {
		if cr.Role == app.RoleNurse {
			if _, err := desk.Services().Users.Login(context.Background(), cr.Username, cr.Password); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if !desk.Unsynced() {
		t.Fatal("the nurse's login was synced on its own")
	}
	if rep := mustSync(t, desk); rep.AuditPushed == 0 {
		t.Fatalf("the login's audit row was not sent: %+v", rep)
	}
	if desk.Unsynced() {
		t.Fatal("the audit log was sent with the login unsynced")
	}
}

package sync_test

import (
	"testing"

	"hms/app"
	"hms/data/sync"
)

// TestDeskVersionsOnSync: a desk that runs another version after an update
// reports it with its next sync, and an administrator on either desk sees
// both desks with their versions.
func TestDeskVersionsOnSync(t *testing.T) {
	t.Parallel()
	_, first, second := twoDesks(t)
	// The second desk was updated: a new run of the program.
	updated := sync.New(second, sync.Options{AppVersion: "1.1.0"})
	if _, err := updated.SyncNow(system); err != nil {
		t.Fatal(err)
	}
	vs, err := engine(first.db).DeskVersions(first.ctx(app.RoleAdmin))
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].DeskCode != "D1" || vs[0].Version != "test" || !vs[0].This ||
		vs[1].DeskCode != "D2" || vs[1].Version != "1.1.0" || vs[1].This || vs[1].Since.IsZero() {
		t.Fatalf("versions %+v", vs)
	}
	if _, err := engine(first.db).DeskVersions(first.ctx(app.RoleDoctor)); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Errorf("a doctor: %v", err)
	}
}

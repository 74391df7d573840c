package data_test

import (
	"context"
	"reflect"

	"hms/app"
)

// The sync service's rows of the role matrix. Enrolling a desk is an
// administrator's act. Pushing what is queued and reading the desk's sync
// status are open to every caller: the desk's own background sync runs
// them, they send only changes already made and show no patient data.
// Testing a server before enrolling is an administrator's, like enrolling.
func init() {
	matrixInterfaces = append(matrixInterfaces, reflect.TypeFor[app.SyncService]())
	matrix["SyncService.EnrollDesk"] = call{allowed: []app.Role{app.RoleAdmin}, do: func(ctx context.Context, c *clinic) error {
		// Nobody listens on port 1: an administrator gets a connection
		// error, everyone else the denial before any connection is tried.
		_, err := c.svc.Sync.EnrollDesk(ctx, "postgres://hms_desks@127.0.0.1:1/hms?sslmode=disable&connect_timeout=2")
		return err
	}}
	matrix["SyncService.SyncNow"] = call{public: true, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Sync.SyncNow(ctx)
		return err
	}}
	matrix["SyncService.SyncStatus"] = call{public: true, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Sync.SyncStatus(ctx)
		return err
	}}
	matrix["SyncService.TestServer"] = call{allowed: []app.Role{app.RoleAdmin}, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Sync.TestServer(ctx, "postgres://hms_desks@127.0.0.1:1/hms?sslmode=disable&connect_timeout=2")
		return err
	}}
	// The loop runs for the desk, whoever is logged in (or nobody): it
	// only syncs what was already saved.
	matrix["SyncService.RunSync"] = call{public: true, do: func(ctx context.Context, c *clinic) error {
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		c.svc.Sync.RunSync(ctx, nil)
		return nil
	}}
}

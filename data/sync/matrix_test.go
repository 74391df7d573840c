package sync_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"hms/app"
	"hms/data/datatest"
)

// The role matrix of app.SyncService, which the engine implements with
// package data's review of conflicts: package data's matrix holds the
// other services' rows, and both check a call with datatest.CheckCall.

// call is one service method, called the way the matrix calls it.
type call struct {
	// allowed are the roles that may call it; public calls need no login.
	allowed []app.Role
	public  bool
	do      func(ctx context.Context, c *clinic) error
}

var (
	// matrix lists every method of the service interfaces
	// matrixInterfaces: TestMatrixComplete fails when one is added to an
	// interface and not here.
	matrix           = map[string]call{}
	matrixInterfaces []reflect.Type
)

func TestMatrixComplete(t *testing.T) {
	listed := func(name string) bool { _, ok := matrix[name]; return ok }
	for _, name := range datatest.Unlisted(matrixInterfaces, listed) {
		t.Errorf("%s is not in the role matrix: add it with the roles that may call it", name)
	}
}

// TestMatrix calls every method as every role (and as nobody): a denial
// returns EUNAUTHORIZED, changes no row, and writes a denied audit row; an
// allowed call is never refused for permission.
func TestMatrix(t *testing.T) {
	callers := append([]app.Role{""}, app.Roles...)
	for name, m := range matrix {
		for _, role := range callers {
			label := string(role)
			if label == "" {
				label = "anonymous"
			}
			t.Run(name+"/"+label, func(t *testing.T) {
				t.Parallel()
				c := mustSetup(t)
				ctx := context.Background()
				if role != "" {
					ctx = c.ctx(role)
				}
				allowed := m.public || slices.Contains(m.allowed, role)
				datatest.CheckCall(t, c.shared, ctx, allowed, func(ctx context.Context) error { return m.do(ctx, c) })
			})
		}
	}
}

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
	// The desks' versions come from the server: an administrator's, like
	// the rest of Settings → Sync (the fixture desk is not enrolled, so an
	// administrator is told so; anyone else is refused first).
	matrix["SyncService.DeskVersions"] = call{allowed: []app.Role{app.RoleAdmin}, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Sync.DeskVersions(ctx)
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
	// The conflicts: reviewing them is for staff who manage settings or
	// appointments, deciding them for administrators.
	// Billing staff list the billing conflicts (invoices overpaid on desks
	// apart) and settle them, as administrators may.
	matrix["SyncService.ListConflicts"] = call{allowed: []app.Role{app.RoleAdmin, app.RoleReception, app.RoleBilling},
		do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Sync.ListConflicts(ctx, true)
			return err
		}}
	// Billing staff decide the conflicts of invoices and their lines
	// (TestBillingStaffReviewInvoiceConflicts), administrators every one.
	matrix["SyncService.ResolveConflict"] = call{allowed: []app.Role{app.RoleAdmin, app.RoleBilling}, do: func(ctx context.Context, c *clinic) error {
		// An administrator or billing clerk is told there is no such
		// conflict; anyone else is refused before it is looked up.
		_, err := c.svc.Sync.ResolveConflict(ctx, "no-such-conflict", app.ResolutionKeep)
		return err
	}}
	matrix["SyncService.SettleOverpayment"] = call{allowed: []app.Role{app.RoleAdmin, app.RoleBilling},
		do: func(ctx context.Context, c *clinic) error {
			// Billing staff are told there is no such conflict; anyone
			// else is refused before it is looked up.
			_, err := c.svc.Sync.SettleOverpayment(ctx, "no-such-conflict",
				app.OverpaymentSettlement{Action: app.OverpaymentRefund, Reason: "paid twice"})
			return err
		}}
}

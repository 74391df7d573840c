package data_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"reflect"

	"hms/app"
	upd "hms/app/update"
	"hms/data"
)

// The update service's rows of the role matrix: administrators alone see the
// release location, change it, check for and install releases; the
// installer never starts in these calls (no release is there to offer).
func init() {
	matrixInterfaces = append(matrixInterfaces, reflect.TypeFor[app.UpdateService]())
	admin := []app.Role{app.RoleAdmin}
	updates := func(c *clinic) *data.UpdateService {
		pub, _, _ := ed25519.GenerateKey(rand.Reader)
		return c.db.UpdateService(data.UpdateOptions{
			Client: &upd.Client{Key: pub, Current: "1.0.0", GOOS: "windows", GOARCH: "amd64"},
			Start:  func(context.Context, string) error { panic("the matrix started an installer") },
		})
	}
	matrix["UpdateService.UpdateState"] = call{allowed: admin, do: func(ctx context.Context, c *clinic) error {
		_, err := updates(c).UpdateState(ctx)
		return err
	}}
	matrix["UpdateService.SetUpdateLocation"] = call{allowed: admin, do: func(ctx context.Context, c *clinic) error {
		_, err := updates(c).SetUpdateLocation(ctx, "https://releases.example.org/hms")
		return err
	}}
	matrix["UpdateService.CheckForUpdate"] = call{allowed: admin, do: func(ctx context.Context, c *clinic) error {
		_, err := updates(c).CheckForUpdate(ctx)
		return err
	}}
	matrix["UpdateService.InstallUpdate"] = call{allowed: admin, do: func(ctx context.Context, c *clinic) error {
		_, err := updates(c).InstallUpdate(ctx, "1.1.0")
		return err
	}}
}

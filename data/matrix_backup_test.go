package data_test

import (
	"context"
	"path/filepath"
	"reflect"

	"hms/app"
	"hms/data"
)

// matrixBackupKey is a backup key the matrix's calls encrypt to.
var matrixBackupKey, _ = data.NewRecoveryKey()

// The backup service's rows of the role matrix: administrators only.
func init() {
	matrixInterfaces = append(matrixInterfaces, reflect.TypeFor[app.BackupService]())
	admins := []app.Role{app.RoleAdmin}
	matrix["BackupService.BackupSettings"] = call{allowed: admins, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Backups.BackupSettings(ctx)
		return err
	}}
	matrix["BackupService.SetBackupSettings"] = call{allowed: admins, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Backups.SetBackupSettings(ctx, app.BackupSettings{Folder: "/tmp", DailyAt: "19:30", Keep: 3,
			Recipient: matrixBackupKey.Recipient})
		return err
	}}
	matrix["BackupService.NewRecoveryKey"] = call{allowed: admins, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Backups.NewRecoveryKey(ctx)
		return err
	}}
	matrix["BackupService.BackupNow"] = call{allowed: admins, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Backups.BackupNow(ctx)
		return err
	}}
	matrix["BackupService.EncryptedBackup"] = call{allowed: admins, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Backups.EncryptedBackup(ctx, filepath.Join(filepath.Dir(c.db.Path()), "x.hmsbackup"),
			matrixBackupKey.Recipient)
		return err
	}}
	matrix["BackupService.BackupStatus"] = call{allowed: admins, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Backups.BackupStatus(ctx)
		return err
	}}
	matrix["BackupService.CheckBackup"] = call{allowed: admins, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Backups.CheckBackup(ctx, c.db.Path(), "")
		return err
	}}
}

package data_test

import (
	"context"
	"reflect"

	"hms/app"
)

// The printing service's rows of the role matrix: every staff member reads
// and sets the desk's printers; a patient does neither.
func init() {
	matrixInterfaces = append(matrixInterfaces, reflect.TypeFor[app.PrintingService]())
	staff := []app.Role{app.RoleAdmin, app.RoleDoctor, app.RoleNurse, app.RoleReception, app.RoleBilling}
	matrix["PrintingService.DeskPrinters"] = call{allowed: staff, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Printing.DeskPrinters(ctx)
		return err
	}}
	matrix["PrintingService.SetDeskPrinter"] = call{allowed: staff, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Printing.SetDeskPrinter(ctx, app.DeskPrinter{Kind: app.DocReceipt, Printer: "TM-T20", Layout: app.Layout80mm})
		return err
	}}
}

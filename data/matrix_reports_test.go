package data_test

import (
	"context"
	"reflect"
	"slices"

	"hms/app"
)

// The report service's rows of the role matrix. Doctors and nurses attach
// reports; whoever reads clinical records, and the patient whose record it
// is, lists and opens them.
func init() {
	uploaders := []app.Role{app.RoleDoctor, app.RoleNurse}
	readers := []app.Role{app.RoleAdmin, app.RoleDoctor, app.RoleNurse, app.RolePatient}
	matrixInterfaces = append(matrixInterfaces, reflect.TypeFor[app.ReportService]())
	ownReport := func(c *clinic) app.ReportCreate {
		return app.ReportCreate{PatientID: c.users[app.RolePatient].PatientID, Title: "Urinalysis", Type: app.ReportLab,
			ReportDate: "2026-11-24", FileName: "urinalysis.txt", Content: []byte("Protein: negative\nGlucose: negative\n")}
	}
	matrix["ReportService.AttachReport"] = call{allowed: uploaders, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Reports.AttachReport(ctx, ownReport(c))
		return err
	}}
	// The calling patient's own record: a patient may read it, billing and
	// reception may not.
	matrix["ReportService.FindReports"] = call{allowed: readers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Reports.FindReports(ctx, c.users[app.RolePatient].PatientID)
		return err
	}}
	// A report must exist before it can be opened, but attaching one before
	// a denied call would change data: a role the matrix allows opens a
	// report a doctor has just attached to the calling patient's record;
	// a denied role is refused before the report is even looked up.
	matrix["ReportService.OpenReport"] = call{allowed: readers, do: func(ctx context.Context, c *clinic) error {
		id := "01900000-0000-7000-8000-000000000000"
		if caller, ok := app.CallerFromContext(ctx); ok && slices.Contains(readers, caller.Role) {
			r, err := c.svc.Reports.AttachReport(c.ctx(app.RoleDoctor), ownReport(c))
			if err != nil {
				return err
			}
			id = r.ID
		}
		_, _, err := c.svc.Reports.OpenReport(ctx, id)
		return err
	}}
}

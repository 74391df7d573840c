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
	matrixInterfaces = append(matrixInterfaces, reflect.TypeFor[app.AttachmentService]())
	ownAttachment := func(c *clinic) app.AttachmentCreate {
		return app.AttachmentCreate{PatientID: c.users[app.RolePatient].PatientID, Title: "Urinalysis", Type: app.AttachmentLab,
			Date: "2026-11-24", FileName: "urinalysis.txt", Content: []byte("Protein: negative\nGlucose: negative\n")}
	}
	matrix["AttachmentService.AttachFile"] = call{allowed: uploaders, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Attachments.AttachFile(ctx, ownAttachment(c))
		return err
	}}
	// The calling patient's own record: a patient may read it, billing and
	// reception may not.
	matrix["AttachmentService.FindAttachments"] = call{allowed: readers, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Attachments.FindAttachments(ctx, c.users[app.RolePatient].PatientID)
		return err
	}}
	// A report must exist before it can be opened, but attaching one before
	// a denied call would change data: a role the matrix allows opens a
	// report a doctor has just attached to the calling patient's record;
	// a denied role is refused before the report is even looked up.
	matrix["AttachmentService.OpenAttachment"] = call{allowed: readers, do: func(ctx context.Context, c *clinic) error {
		id := "01900000-0000-7000-8000-000000000000"
		if caller, ok := app.CallerFromContext(ctx); ok && slices.Contains(readers, caller.Role) {
			r, err := c.svc.Attachments.AttachFile(c.ctx(app.RoleDoctor), ownAttachment(c))
			if err != nil {
				return err
			}
			id = r.ID
		}
		_, _, err := c.svc.Attachments.OpenAttachment(ctx, id)
		return err
	}}
}

package data_test

import (
	"context"
	"reflect"

	"hms/app"
)

// The message service's rows of the role matrix: administrators set up
// messages and run the sending; staff who edit patients record consent, a
// patient their own; whoever sees a patient sees their messages; reception
// and administrators see the whole log and resend.
func init() {
	matrixInterfaces = append(matrixInterfaces, reflect.TypeFor[app.MessageService]())
	own := func(c *clinic) string { return c.users[app.RolePatient].PatientID }
	matrix["MessageService.GetMessageSettings"] = call{allowed: admins, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Messages.GetMessageSettings(ctx)
		return err
	}}
	matrix["MessageService.SetMessageSettings"] = call{allowed: admins, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Messages.SetMessageSettings(ctx, app.MessageSettings{ReminderOffsets: app.DefaultReminderOffsets})
		return err
	}}
	matrix["MessageService.SetMessageConsent"] = call{allowed: append([]app.Role{app.RolePatient}, editors...),
		do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Messages.SetMessageConsent(ctx, own(c), app.ChannelEmail, true)
			return err
		}}
	matrix["MessageService.MessageConsents"] = call{allowed: append([]app.Role{app.RolePatient}, viewers...),
		do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Messages.MessageConsents(ctx, own(c))
			return err
		}}
	matrix["MessageService.FindMessages"] = call{allowed: []app.Role{app.RoleAdmin, app.RoleReception},
		do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Messages.FindMessages(ctx, app.MessageFilter{})
			return err
		}}
	matrix["MessageService.ResendMessage"] = call{allowed: []app.Role{app.RoleAdmin, app.RoleReception},
		do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Messages.ResendMessage(ctx, "no-such-message")
			return err
		}}
	matrix["MessageService.SendTestMessage"] = call{allowed: admins, do: func(ctx context.Context, c *clinic) error {
		return c.svc.Messages.SendTestMessage(ctx, app.MessageSettings{}, app.ChannelEmail, "desk@clinic.example")
	}}
	matrix["MessageService.DeliverDue"] = call{allowed: admins, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Messages.DeliverDue(ctx, &fakeTransport{})
		return err
	}}
}

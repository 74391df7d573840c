package data_test

import (
	"context"
	"reflect"

	"hms/app"
)

// The queue's rows of the role matrix: the staff of the doctor's
// appointments call (admins and reception any doctor's, the doctor their
// own; the fixture's doctor is the one asked for), every staff role reads
// the calls for the waiting-room display, a patient nothing.
func init() {
	matrixInterfaces = append(matrixInterfaces, reflect.TypeFor[app.QueueService]())
	managers := []app.Role{app.RoleAdmin, app.RoleDoctor, app.RoleReception}
	staff := []app.Role{app.RoleAdmin, app.RoleDoctor, app.RoleNurse, app.RoleReception, app.RoleBilling}
	doctor := func(c *clinic) string { return c.users[app.RoleDoctor].ID }
	entries := map[string]call{
		"QueueService.CallNext": {allowed: managers, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Queue.CallNext(ctx, doctor(c), "Room 2")
			return err
		}},
		"QueueService.Call": {allowed: managers, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Queue.Call(ctx, "01900000-0000-7000-8000-000000000000", "Room 2")
			return err
		}},
		"QueueService.RecentCalls": {allowed: staff, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Queue.RecentCalls(ctx, 8)
			return err
		}},
		"QueueService.DoctorRoom": {allowed: managers, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Queue.DoctorRoom(ctx, doctor(c))
			return err
		}},
	}
	for k, v := range entries {
		matrix[k] = v
	}
}

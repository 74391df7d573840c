package data_test

import (
	"context"
	"reflect"

	"hms/app"
)

func init() {
	matrixInterfaces = append(matrixInterfaces, reflect.TypeFor[app.VisitService]())
	pid := func(c *clinic) string { return c.patient2.PatientID }
	entries := map[string]call{
		"VisitService.StartVisit": {allowed: clinicalDoctors, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Visits.StartVisit(ctx, app.VisitStart{PatientID: pid(c)})
			return err
		}},
		"VisitService.CompleteVisit": {allowed: clinicalDoctors, do: func(ctx context.Context, c *clinic) error {
			id := "019ab000-0000-7000-8000-000000000000"
			if caller, _ := app.CallerFromContext(ctx); caller.Role == app.RoleDoctor {
				v, err := c.svc.Visits.StartVisit(ctx, app.VisitStart{PatientID: pid(c)})
				if err != nil {
					return err
				}
				id = v.ID
			}
			_, err := c.svc.Visits.CompleteVisit(ctx, id, nil)
			return err
		}},
		"VisitService.FindVisitServices": {allowed: clinicalDoctors, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Visits.FindVisitServices(ctx, "")
			return err
		}},
		"VisitService.LetterPDF": {allowed: clinicalDoctors, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Visits.LetterPDF(ctx, app.LetterRequest{PatientID: pid(c), Kind: app.LetterSickNote,
				From: "2026-11-25", To: "2026-11-27"})
			return err
		}},
		"VisitService.FindVisits": {allowed: clinicalReaders, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Visits.FindVisits(ctx, pid(c))
			return err
		}},
	}
	for k, v := range entries {
		matrix[k] = v
	}
}

func init() {
	doctorID := func(c *clinic) string { return c.users[app.RoleDoctor].ID }
	entries := map[string]call{
		// A doctor records their own number (the matrix asks for the
		// fixture's doctor), an administrator anyone's.
		"ClinicalService.SetRegistrationNumber": {allowed: []app.Role{app.RoleAdmin, app.RoleDoctor},
			do: func(ctx context.Context, c *clinic) error {
				_, err := c.svc.Clinical.SetRegistrationNumber(ctx, doctorID(c), "GMC 7012345")
				return err
			}},
		"ClinicalService.AllergyReview": {allowed: []app.Role{app.RoleAdmin, app.RoleDoctor, app.RoleNurse},
			do: func(ctx context.Context, c *clinic) error {
				_, err := c.svc.Clinical.AllergyReview(ctx)
				return err
			}},
		"ClinicalService.GetPrescriber": {allowed: []app.Role{app.RoleAdmin, app.RoleDoctor, app.RoleNurse},
			do: func(ctx context.Context, c *clinic) error {
				_, err := c.svc.Clinical.GetPrescriber(ctx, doctorID(c))
				return err
			}},
	}
	for k, v := range entries {
		matrix[k] = v
	}
}

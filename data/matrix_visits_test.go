package data_test

import (
	"context"
	"reflect"
	"slices"

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
		"VisitService.FindLetters": {allowed: clinicalReaders, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Visits.FindLetters(ctx, pid(c))
			return err
		}},
		"VisitService.FindVisitLetters": {allowed: clinicalReaders, do: func(ctx context.Context, c *clinic) error {
			id, err := letterFor(ctx, c, func(l *app.Letter) string { return l.VisitID })
			if err != nil {
				return err
			}
			_, err = c.svc.Visits.FindVisitLetters(ctx, id)
			return err
		}},
		"VisitService.ReprintLetter": {allowed: clinicalReaders, do: func(ctx context.Context, c *clinic) error {
			id, err := letterFor(ctx, c, func(l *app.Letter) string { return l.ID })
			if err != nil {
				return err
			}
			_, err = c.svc.Visits.ReprintLetter(ctx, id)
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

// letterFor gives a caller the matrix allows an identifier of a letter
// the fixture's doctor wrote for patient2 during a visit (pick chooses the
// letter's or the visit's); others get an identifier that names nothing.
func letterFor(ctx context.Context, c *clinic, pick func(*app.Letter) string) (string, error) {
	caller, _ := app.CallerFromContext(ctx)
	if !slices.Contains(clinicalReaders, caller.Role) {
		return "019ab000-0000-7000-8000-000000000000", nil
	}
	doctor := c.ctx(app.RoleDoctor)
	if _, err := c.svc.Visits.StartVisit(doctor, app.VisitStart{PatientID: c.patient2.PatientID}); err != nil {
		return "", err
	}
	if _, err := c.svc.Visits.LetterPDF(doctor, app.LetterRequest{PatientID: c.patient2.PatientID, Kind: app.LetterReferral,
		Recipient: "Cardiology outpatients", Text: "Palpitations."}); err != nil {
		return "", err
	}
	ls, err := c.svc.Visits.FindLetters(doctor, c.patient2.PatientID)
	if err != nil || len(ls) == 0 {
		return "", err
	}
	return pick(ls[0]), nil
}

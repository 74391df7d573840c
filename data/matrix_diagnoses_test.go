package data_test

import (
	"context"
	"reflect"
	"time"

	"hms/app"
)

func init() {
	matrixInterfaces = append(matrixInterfaces, reflect.TypeFor[app.DiagnosisService]())
	pid := func(c *clinic) string { return c.patient2.PatientID }
	entries := map[string]call{
		"DiagnosisService.SearchCodes": {allowed: []app.Role{app.RoleAdmin, app.RoleDoctor, app.RoleNurse},
			do: func(ctx context.Context, c *clinic) error {
				_, err := c.svc.Diagnoses.SearchCodes(ctx, "asthma", 10)
				return err
			}},
		"DiagnosisService.ImportCodes": {allowed: admins, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Diagnoses.ImportCodes(ctx, "ICD-10-GM", []app.DiagnosisCodeRow{{Line: 2,
				DiagnosisCode: app.DiagnosisCode{Code: "J45.9", Title: "Asthma bronchiale, nicht näher bezeichnet"}}})
			return err
		}},
		"DiagnosisService.AddDiagnosis": {allowed: clinicalDoctors, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Diagnoses.AddDiagnosis(ctx, app.DiagnosisCreate{PatientID: pid(c), Code: "J45.909", Text: "worse at night"})
			return err
		}},
		"DiagnosisService.RemoveDiagnosis": {allowed: clinicalDoctors, do: func(ctx context.Context, c *clinic) error {
			id := "019ab000-0000-7000-8000-000000000000"
			if caller, _ := app.CallerFromContext(ctx); caller.Role == app.RoleDoctor {
				d, err := c.svc.Diagnoses.AddDiagnosis(ctx, app.DiagnosisCreate{PatientID: pid(c), Code: "I10"})
				if err != nil {
					return err
				}
				id = d.ID
			}
			_, err := c.svc.Diagnoses.RemoveDiagnosis(ctx, id, "recorded in error")
			return err
		}},
		"DiagnosisService.MorbidityReport": {allowed: []app.Role{app.RoleAdmin, app.RoleDoctor},
			do: func(ctx context.Context, c *clinic) error {
				_, err := c.svc.Diagnoses.MorbidityReport(ctx, app.MorbidityFilter{
					From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)})
				return err
			}},
		"DiagnosisService.FindDiagnoses": {allowed: clinicalReaders, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Diagnoses.FindDiagnoses(ctx, pid(c))
			return err
		}},
	}
	for k, v := range entries {
		matrix[k] = v
	}
}

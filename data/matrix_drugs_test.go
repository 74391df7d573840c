package data_test

import (
	"context"
	"reflect"

	"hms/app"
)

func init() {
	matrixInterfaces = append(matrixInterfaces, reflect.TypeFor[app.DrugService]())
	// The catalogue is edited by administrators; clinicians read it.
	entries := map[string]call{
		"DrugService.ImportLocalDrugs": {allowed: admins, do: func(ctx context.Context, c *clinic) error {
			_, err := c.svc.Drugs.ImportLocalDrugs(ctx, []app.LocalDrugRow{{Line: 2, LocalDrug: app.LocalDrug{
				Kind: app.LocalBrand, Name: "Amoxi-Matrix", Substances: []string{"amoxicillin"}}}})
			return err
		}},
		"DrugService.FindLocalDrugs": {allowed: []app.Role{app.RoleAdmin, app.RoleDoctor, app.RoleNurse},
			do: func(ctx context.Context, c *clinic) error {
				_, err := c.svc.Drugs.FindLocalDrugs(ctx)
				return err
			}},
	}
	for k, v := range entries {
		matrix[k] = v
	}
}

package data_test

import (
	"context"
	"reflect"

	"hms/app"
)

func init() {
	matrixInterfaces = append(matrixInterfaces, reflect.TypeFor[app.DraftService]())
	note := []app.Draft{{Kind: app.DraftNote, Title: "Clinical note", Fields: map[string]string{"text": "Cough."}}}
	matrix["DraftService.SaveDrafts"] = call{allowed: everyRole, do: func(ctx context.Context, c *clinic) error {
		return c.svc.Drafts.SaveDrafts(ctx, note)
	}}
	matrix["DraftService.FindMyDrafts"] = call{allowed: everyRole, do: func(ctx context.Context, c *clinic) error {
		_, err := c.svc.Drafts.FindMyDrafts(ctx)
		return err
	}}
	// Another user's draft: to every caller but its writer it does not
	// exist (ENOTFOUND, not a permission refusal).
	matrix["DraftService.DiscardDraft"] = call{allowed: everyRole, do: func(ctx context.Context, c *clinic) error {
		return c.svc.Drafts.DiscardDraft(ctx, "0190f0e0-0000-7000-8000-000000000000")
	}}
}

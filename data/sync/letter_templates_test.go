package sync_test

import (
	"context"
	"testing"

	"hms/app"
	"hms/data"
	"hms/data/sync"
	"hms/data/sync/hlc"
)

// TestLetterTemplatesReachEveryDesk: the letter templates are clinic
// settings under the administrator rule. An administrator's wording on
// one desk reaches the other and prints there; the same change forged
// by a desk's server login, unsigned, is refused on every desk and
// changes nothing.
func TestLetterTemplatesReachEveryDesk(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
	admin := first.ctx(app.RoleAdmin)
	wording := app.LetterTemplates{SickNote: "{patient} may not work from {from} to {to} ({days})."}
	if _, err := first.svc.Settings.UpdateLetterTemplates(admin, wording, nil); err != nil {
		t.Fatal(err)
	}
	syncUntilCaughtUp(t, u, first.db)
	if rep := syncAllReport(t, u, second); rep.PullConflicts != 0 {
		t.Fatalf("the administrator's templates were refused on the second desk: %+v", rep)
	}
	st, err := services(second).Settings.GetSettings(context.Background())
	if err != nil || st.Letters != wording {
		t.Fatalf("the second desk's templates: %+v, %v", st, err)
	}

	f := newForger(t, u, second)
	f.push("settings", "sick_note_template", hlc.KindUpdate, map[string]any{"value": "{patient} is fit, whatever {from} and {to} say."})
	for i, db := range []*data.DB{first.db, second} {
		n := count(t, db, `SELECT count(*) FROM conflicts WHERE rule LIKE ?`, sync.RuleUnsignedPower+"%")
		syncUntilCaughtUp(t, u, db)
		if got := count(t, db, `SELECT count(*) FROM conflicts WHERE rule LIKE ?`, sync.RuleUnsignedPower+"%"); got != n+1 {
			t.Errorf("desk %d: the forged template was not refused (%d refusals, had %d)", i+1, got, n)
		}
		st, err := services(db).Settings.GetSettings(context.Background())
		if err != nil || st.Letters != wording {
			t.Errorf("desk %d: templates after the forgery %+v, %v", i+1, st.Letters, err)
		}
	}
}

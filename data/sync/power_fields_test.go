package sync_test

import (
	"testing"

	"hms/app"
	"hms/data"
	"hms/data/datatest"
	"hms/data/sync"
)

// TestTwoAdminsChangeDifferentFieldsApart: administrator A changes an
// account's role on one desk while administrator B changes its status on
// another, the desks apart. The server merges the two field by field, and
// each field carries its own signature (power_sigs), so every desk, and a
// desk that joins afterwards, applies both: no refusal, no alert, no
// review item.
func TestTwoAdminsChangeDifferentFieldsApart(t *testing.T) {
	t.Parallel()
	u, first, second, third := threeDesks(t)
	adminA := first.ctx(app.RoleAdmin)
	b, err := first.svc.Users.CreateUser(adminA, app.UserCreate{Username: "admin.b", FullName: "Admin Bee",
		Role: app.RoleAdmin, Password: "admin b's long password"})
	if err != nil {
		t.Fatal(err)
	}
	target, err := first.svc.Users.CreateUser(adminA, app.UserCreate{Username: "nurse.apart", FullName: "Nurse Apart",
		Role: app.RoleNurse, Password: "a long nurse password 9"})
	if err != nil {
		t.Fatal(err)
	}
	syncAll(t, first.db, second, third)
	datatest.Signer(t, first.db, b, "admin b's long password")
	adminB := as(callerOf(b))

	// Apart: neither desk syncs between the two changes.
	if _, err := first.svc.Users.ChangeRole(adminA, target.ID, app.RoleDoctor, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := services(second).Users.DeactivateUser(adminB, target.ID, nil); err != nil {
		t.Fatal(err)
	}
	syncAll(t, first.db, second, third)
	syncAll(t, first.db, second, third)

	// A desk that joins afterwards downloads the clinic's log.
	fourth := MustOpenDB(t, nil)
	mustEnroll(t, fourth, u)
	mustSync(t, fourth)

	for i, d := range []*data.DB{first.db, second, third, fourth} {
		if r, s := userCol(t, d, target.ID, "role"), userCol(t, d, target.ID, "status"); r != string(app.RoleDoctor) ||
			s != string(app.StatusDeactivated) {
			t.Errorf("desk %d: role %s, status %s; want both administrators' changes", i+1, r, s)
		}
		st, err := engine(d).SyncStatus(anon)
		if err != nil {
			t.Fatal(err)
		}
		if st.Unsigned != 0 {
			t.Errorf("desk %d refused %d change(s) (alert)", i+1, st.Unsigned)
		}
		for _, r := range queryRows(t, d, `SELECT entity, row_id, field, rule FROM conflicts WHERE resolved_at IS NULL
			AND (row_id = '`+target.ID+`' OR entity = 'power_sigs')`) {
			t.Errorf("desk %d: a review item: %v", i+1, r)
		}
		if n := count(t, d, `SELECT count(*) FROM audit_log WHERE action = ?`, sync.ActionRefused); n != 0 {
			t.Errorf("desk %d audited %d refusals", i+1, n)
		}
		rep, err := d.Verify(anon)
		if err != nil || !rep.OK() {
			t.Errorf("desk %d: hms verify: %+v, %v", i+1, rep, err)
		}
	}
	// Each field's signature is its administrator's, over its value.
	for field, signer := range map[string]*app.User{"role": first.users[app.RoleAdmin], "status": b} {
		f := powerOf(t, third, "users", target.ID)
		var text string
		if err := rawDB(t, third).QueryRow(`SELECT sig FROM power_sigs WHERE id = ?`, app.PowerSigID("users", target.ID, field)).
			Scan(&text); err != nil {
			t.Fatal(err)
		}
		sig, err := app.ParsePowerSig(text)
		if err != nil || sig == nil || !sig.VerifyField("users", target.ID, field, f[field]) ||
			sig.Key != userCol(t, third, signer.ID, "sign_key") {
			t.Errorf("the %s's signature on the third desk: %+v, %v", field, sig, err)
		}
	}
	// The account, deactivated, no longer logs in anywhere.
	for i, d := range []*data.DB{first.db, second, third, fourth} {
		if _, err := services(d).Users.Login(anon, "nurse.apart", "a long nurse password 9"); err == nil {
			t.Errorf("desk %d: the deactivated account logs in", i+1)
		}
	}
}

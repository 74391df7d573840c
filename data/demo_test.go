package data_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"hms/app"
	"hms/data"
)

func TestGenerateDemo(t *testing.T) {
	db := MustOpenDB(t, nil)
	var out bytes.Buffer
	if err := data.GenerateDemo(context.Background(), db, data.DemoOptions{Patients: 2500, Seed: 1, Out: &out}); err != nil {
		t.Fatal(err)
	}
	svc := db.Services()
	for _, cr := range data.DemoCredentials {
		if !strings.Contains(out.String(), cr.Username) || !strings.Contains(out.String(), cr.Password) {
			t.Errorf("credentials of %s not printed", cr.Username)
		}
		s, err := svc.Users.Login(anon, cr.Username, cr.Password)
		if err != nil || s.User.Role != cr.Role {
			t.Fatalf("demo login %s: %v", cr.Username, err)
		}
	}
	var n, scripts int
	raw := rawDB(t, db)
	raw.QueryRow(`SELECT count(*) FROM patients`).Scan(&n)
	raw.QueryRow(`SELECT count(*) FROM patients WHERE given_name GLOB '*[α-ωΑ-Ω]*' OR family_name GLOB '*[а-яА-Я]*'`).Scan(&scripts)
	if n != 2500 || scripts == 0 {
		t.Fatalf("patients %d (want 2500), in Greek or Cyrillic %d", n, scripts)
	}
	var maxMRN string
	raw.QueryRow(`SELECT max(mrn) FROM patients`).Scan(&maxMRN)
	if maxMRN != "P-D1-002500" {
		t.Fatalf("series: last MRN %s", maxMRN)
	}
	rep, err := db.Verify(anon)
	if err != nil || !rep.OK() {
		t.Fatalf("demo database does not verify: %v %+v", err, rep)
	}
	if err := data.GenerateDemo(context.Background(), db, data.DemoOptions{Patients: 10}); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("demo over a set-up database: %v", err)
	}
}

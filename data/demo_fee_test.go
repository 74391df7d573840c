package data_test

import (
	"context"
	"testing"

	"hms/app"
	"hms/data"
)

// demoConsultationFees: every consultation billed in the demo is a demo
// doctor's consultation item at the fee their profile shows, and a visit
// a demo doctor completes now bills exactly that fee.
func demoConsultationFees(t *testing.T, db *data.DB) {
	t.Helper()
	svc := db.Services()
	fees := map[string]int64{} // code → the fee a profile shows
	var house *app.Session
	for _, u := range []string{"dr.house", "dr.ivanova"} {
		s, err := svc.Users.Login(anon, u, "demo doctor password")
		if err != nil {
			t.Fatal(err)
		}
		if u == "dr.house" {
			house = s
		}
		p, err := svc.Appointments.GetDoctorProfile(app.NewContextWithCaller(context.Background(), s.Caller()), s.User.ID)
		if err != nil || p.ConsultationCode == "" || p.ConsultationDefault || p.Fee == 0 {
			t.Fatalf("%s's profile: %+v, %v", u, p, err)
		}
		fees[p.ConsultationCode] = p.Fee
	}
	raw := rawDB(t, db)
	rows, err := raw.Query(`SELECT p.code, l.unit_price, count(*) FROM invoice_lines l JOIN price_items p ON p.id = l.price_item_id
		WHERE l.kind = 'consultation' GROUP BY p.code, l.unit_price`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	billed := 0
	for rows.Next() {
		var code string
		var price int64
		var n int
		if err := rows.Scan(&code, &price, &n); err != nil {
			t.Fatal(err)
		}
		if fee, ok := fees[code]; !ok || fee != price {
			t.Errorf("%d consultations billed as %s at %d; the profiles' fees are %v", n, code, price, fees)
		}
		billed += n
	}
	if billed == 0 {
		t.Fatal("the demo bills no consultations")
	}
	doc := app.NewContextWithCaller(context.Background(), house.Caller())
	var pid string
	if err := raw.QueryRow(`SELECT id FROM patients WHERE deleted_at IS NULL AND id NOT IN
		(SELECT patient_id FROM visits WHERE status = 'open') ORDER BY mrn LIMIT 1`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	v, err := svc.Visits.StartVisit(doc, app.VisitStart{PatientID: pid})
	if err != nil {
		t.Fatal(err)
	}
	v, err = svc.Visits.CompleteVisit(doc, v.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	var price int64
	var code string
	if err := raw.QueryRow(`SELECT l.unit_price, l.code FROM invoice_lines l WHERE l.invoice_id = ? AND l.kind = 'consultation'`,
		v.InvoiceID).Scan(&price, &code); err != nil {
		t.Fatal(err)
	}
	if fees[code] != price || code != "CONS-HOUSE" {
		t.Fatalf("dr.house's visit billed %s at %d; the profile says %v", code, price, fees)
	}
}

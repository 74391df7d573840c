package data_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"hms/app"
	"hms/data"
)

// BenchmarkPatientSearch times the search box on the scaled demo database:
// a name prefix, two words of a name, a record number, a phone fragment.
// x-sql is the service's p50 over the same SQL run bare on the database.
func BenchmarkPatientSearch(b *testing.B) {
	db := benchDB(b)
	svc := db.Services()
	s, err := svc.Users.Login(anon, "reception", "demo reception password")
	if err != nil {
		b.Fatal(err)
	}
	ctx := app.NewContextWithCaller(context.Background(), s.Caller())
	for _, bc := range []struct{ name, query string }{
		{"NamePrefix", "mar"},
		{"TwoWords", "maria gar"},
		{"GreekName", "ελενη παπ"},
		{"RecordNumber", "P-D1-00042"},
		{"PhoneFragment", "697 12"},
		{"Everyone", ""},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := app.PatientFilter{Query: bc.query, Limit: 50}
			q, args, err := data.SearchSQL(f)
			if err != nil {
				b.Fatal(err)
			}
			var svcLat, sqlLat latencies
			found := 0
			for b.Loop() {
				svcLat.time(func() {
					page, err := svc.Patients.FindPatients(ctx, f)
					if err != nil {
						b.Fatal(err)
					}
					found = len(page.Patients)
				})
				sqlLat.time(func() {
					rows, err := db.ReadDB().Query(q, args...)
					if err != nil {
						b.Fatal(err)
					}
					for rows.Next() {
					}
					rows.Close()
				})
			}
			if found == 0 {
				b.Fatalf("%q found nobody", bc.query)
			}
			svcLat.report(b)
			b.ReportMetric(float64(median(svcLat))/float64(median(sqlLat)), "x-sql")
		})
	}
}

func median(l latencies) time.Duration {
	s := slices.Clone(l)
	slices.Sort(s)
	return s[len(s)/2]
}

package data_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"hms/app"
)

// readAllocs is what a read allocates on average over runs calls: heap
// objects and bytes.
func readAllocs(t *testing.T, runs int, read func() error) (objects, bytes float64) {
	t.Helper()
	if err := read(); err != nil { // statements compiled, pools filled
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		if err := read(); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	return float64(after.Mallocs-before.Mallocs) / float64(runs), float64(after.TotalAlloc-before.TotalAlloc) / float64(runs)
}

// TestSearchPageAllocations: a page of search results allocates the
// patients and what the driver hands over for their columns, and little
// else per row. The search's garbage was most of what the desk allocated
// while writing and reading at once (BenchmarkReadsWhileWriting), and the
// garbage collections it caused fell on the reads' tails: each row scanned
// allocated its list of destinations twice and five temporaries, 37 objects
// and 2.2 KB a row, where 28 and 0.95 KB remain.
func TestSearchPageAllocations(t *testing.T) {
	c := mustSetupCopy(t)
	var ps []app.PatientCreate
	for i := range 60 {
		ps = append(ps, app.PatientCreate{GivenName: "Marta", FamilyName: fmt.Sprintf("Allocs%c%c", 'a'+i/26, 'a'+i%26),
			Sex: app.SexFemale, BirthDate: "1980-01-01", Phone: fmt.Sprintf("+30 697 555 %04d", i),
			Email: fmt.Sprintf("marta%d@example.org", i), Address: fmt.Sprintf("%d Allocation Street", i)})
	}
	addPatients(t, c, ps...)
	ctx := c.ctx(app.RoleReception)
	for _, q := range []string{"marta", "marta allocs", "697 555"} {
		f := app.PatientFilter{Query: q, Limit: 50}
		page, err := c.svc.Patients.FindPatients(ctx, f)
		if err != nil || len(page.Patients) != 50 || page.Next == "" {
			t.Fatalf("%q: %d patients, next %q, %v", q, len(page.Patients), page.Next, err)
		}
		objects, bytes := readAllocs(t, 20, func() error {
			_, err := c.svc.Patients.FindPatients(ctx, f)
			return err
		})
		t.Logf("%q: %.1f objects and %.0f bytes a row", q, objects/50, bytes/50)
		if objects/50 > 31 || bytes/50 > 1500 {
			t.Errorf("%q: %.1f objects and %.0f bytes a row, want at most 31 and 1,500", q, objects/50, bytes/50)
		}
	}
}

// TestDoctorDayAllocations: a doctor's day allocates its appointments and
// what the driver hands over, as TestSearchPageAllocations for the search
// (each row's list of destinations and five temporaries: 41 objects and
// 1.6 KB a row with the day's two other statements shared out, where 35
// and 1.25 KB remain).
func TestDoctorDayAllocations(t *testing.T) {
	a := mustAppointments(t)
	start := a.at(tomorrow, "08:00")
	for i := range 12 {
		patient := a.patient
		if i%2 == 1 {
			patient = a.patient2
		}
		a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: patient, DoctorID: a.doctor,
			Start: start.Add(time.Duration(i) * 15 * time.Minute), Reason: "Allocations"})
	}
	ctx := a.ctx(app.RoleReception)
	day, err := a.svc.Appointments.DoctorDay(ctx, a.doctor, tomorrow)
	if err != nil || len(day) != 12 {
		t.Fatalf("%d appointments, %v", len(day), err)
	}
	objects, bytes := readAllocs(t, 50, func() error {
		_, err := a.svc.Appointments.DoctorDay(ctx, a.doctor, tomorrow)
		return err
	})
	t.Logf("%.1f objects and %.0f bytes a row", objects/12, bytes/12)
	if objects/12 > 37 || bytes/12 > 1400 {
		t.Errorf("%.1f objects and %.0f bytes a row, want at most 37 and 1,400", objects/12, bytes/12)
	}
}

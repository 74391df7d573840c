package data_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"hms/app"
	"hms/data"
)

// benchAppointments opens the benchmark database and returns the
// appointment service, reception's context, the two demo doctors and the
// clinic's time zone.
func benchAppointments(b *testing.B) (*data.DB, app.AppointmentService, context.Context, []string, *time.Location) {
	b.Helper()
	return benchAppointmentsOn(b, benchDB(b))
}

// benchAppointmentsOn is benchAppointments on a benchmark database already
// open.
func benchAppointmentsOn(b *testing.B, db *data.DB) (*data.DB, app.AppointmentService, context.Context, []string, *time.Location) {
	b.Helper()
	svc := db.Services()
	var pw string
	for _, cr := range data.DemoCredentials {
		if cr.Username == "reception" {
			pw = cr.Password
		}
	}
	s, err := svc.Users.Login(anon, "reception", pw)
	if err != nil {
		b.Fatal(err)
	}
	ctx := app.NewContextWithCaller(context.Background(), s.Caller())
	docs, err := svc.Appointments.FindDoctors(ctx, "")
	if err != nil || len(docs) < 2 {
		b.Fatalf("doctors: %v %v", docs, err)
	}
	if docs[0].UpdatedAt.IsZero() {
		// The cache is named after the schema, not the demo: one built
		// before the demo had appointments has none.
		b.Fatal("the cached benchmark database (hms-bench in the user cache folder) has no doctors' profiles or " +
			"appointments: an older demo built it; delete it to build it again")
	}
	st, err := svc.Settings.GetSettings(ctx)
	if err != nil {
		b.Fatal(err)
	}
	return db, svc.Appointments, ctx, []string{docs[0].UserID, docs[1].UserID}, st.Location()
}

// benchRange times one call per random day of the demo's five years, for
// a random demo doctor.
func benchRange(b *testing.B, list func(ctx context.Context, doctorID, day string) ([]*app.Appointment, error)) {
	_, _, ctx, docs, loc := benchAppointments(b)
	rng := rand.New(rand.NewPCG(1, 2))
	today := app.DayOf(time.Now(), loc)
	var l latencies
	rows := 0
	for b.Loop() {
		day := today.AddDays(56 - rng.IntN(5*365)).String()
		doc := docs[rng.IntN(len(docs))]
		l.time(func() {
			list, err := list(ctx, doc, day)
			if err != nil {
				b.Fatal(err)
			}
			rows += len(list)
		})
	}
	l.report(b)
	b.ReportMetric(float64(rows)/float64(len(l)), "appointments/op")
}

// BenchmarkDoctorDay is a doctor's day of appointments with patients' and
// doctor's names (DESIGN.md: p99 ≤ 2 ms).
func BenchmarkDoctorDay(b *testing.B) {
	_, svc, _, _, _ := benchAppointments(b)
	benchRange(b, svc.DoctorDay)
}

// BenchmarkDoctorWeek is a doctor's seven days (p99 ≤ 2 ms).
func BenchmarkDoctorWeek(b *testing.B) {
	_, svc, _, _, _ := benchAppointments(b)
	benchRange(b, svc.DoctorWeek)
}

// BenchmarkBookAppointment is what reception does to book: the doctor's
// free slots of a day, then the booking of the first one with its conflict
// checks, history, timeline and audit rows, committed with
// synchronous=FULL (p99 ≤ 5 ms). Days are taken from two weeks ahead, in
// the demo's already half-booked weeks, moving on when a day is full.
//
// It runs twice on one database: with messages off, then on (e-mail and
// SMS set up), so the two p50s compare what queueing the confirmation and
// reminders adds (≤ 0.2 ms p50); messages/op says how many each booking
// queued. In both runs each patient is given an e-mail address and
// consents on both channels before their booking, outside the timing and
// outside ns/op: the writes between bookings are the same in both, and
// only the messages differ.
//
// p50-ms/p99-ms are the booking as reception makes it (free slots, then
// Book); book-p50-ms/book-p99-ms the Book call alone, and book-cpu-p50-ms
// its CPU time (the thread's), which a loaded machine disturbs far less;
// statements/op counts the statements the write transactions sent.
//
// rows/op counts the rows the write transactions wrote, their triggers'
// included (SQLite's total_changes() of the writer connection; index
// entries are not rows), read outside the timing.
//
// Where the messages' time went (six rows, 20,000 patients, a loaded
// 2-core machine): about 1.25 ms of CPU of the 1.5-1.7 ms on minus off,
// then 0.7 ms once their seals were read in one statement. The rows'
// triggers and indexes (an outbox row with its JSON payload, the
// message_due row, the seal, five indexes on messages) were about half of
// it, no one of them dominant; the rest the insert and the read before
// it. So a booking now queues its messages as one row, its message plan
// (migration 0156), which the desk that sends writes out as the six rows
// in its own round: 24 rows more than with messages off became 4.
func BenchmarkBookAppointment(b *testing.B) {
	db, svc, ctx, docs, loc := benchAppointments(b)
	all := db.Services()
	prep := func(pid string) {
		// Each run books the same patients: a new address each time, so
		// that the update is a change.
		email := fmt.Sprintf("bench-%s-%d@example.org", pid[:8], time.Now().UnixNano())
		if _, err := all.Patients.UpdatePatient(ctx, pid, app.PatientUpdate{Email: &email}); err != nil {
			b.Fatal(err)
		}
		for _, ch := range app.MessageChannels {
			if _, err := all.Messages.SetMessageConsent(ctx, pid, ch, true); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("messages=off", func(b *testing.B) { benchBook(b, db, svc, ctx, docs, loc, prep) })
	var pw string
	for _, cr := range data.DemoCredentials {
		if cr.Username == "admin" {
			pw = cr.Password
		}
	}
	s, err := all.Users.Login(anon, "admin", pw)
	if err != nil {
		b.Fatal(err)
	}
	admin := app.NewContextWithCaller(context.Background(), s.Caller())
	if _, err := all.Messages.SetMessageSettings(admin, app.MessageSettings{Enabled: true,
		ReminderOffsets: app.DefaultReminderOffsets,
		SMTP:            app.SMTPSettings{Host: "smtp.clinic.example", From: "Clinic <desk@clinic.example>"},
		SMS:             app.SMSGateway{URL: "https://sms.example.org/send", Body: "to={to}&text={text}"}}); err != nil {
		b.Fatal(err)
	}
	b.Run("messages=on", func(b *testing.B) { benchBook(b, db, svc, ctx, docs, loc, prep) })
}

// benchBook times bookings; prepare, when set, readies each booking's
// patient before its timing starts.
func benchBook(b *testing.B, db *data.DB, svc app.AppointmentService, ctx context.Context, docs []string, loc *time.Location,
	prepare func(patientID string)) {
	rng := rand.New(rand.NewPCG(3, 4))
	var maxSeq int64
	if err := db.ReadDB().QueryRow(`SELECT max(activity_seq) FROM patients`).Scan(&maxSeq); err != nil {
		b.Fatal(err)
	}
	patient := func() string {
		var id string
		if err := db.ReadDB().QueryRow(`SELECT id FROM patients WHERE activity_seq >= ? AND deleted_at IS NULL
			ORDER BY activity_seq LIMIT 1`, 1+rng.Int64N(maxSeq)).Scan(&id); err != nil {
			b.Fatal(err)
		}
		return id
	}
	countMessages := func() int {
		var n int
		// The messages written as rows, and those queued in message plans
		// (one row per booking, written out by the desk that sends).
		if err := db.ReadDB().QueryRow(`SELECT (SELECT count(*) FROM messages) + (SELECT coalesce(sum(
			json_array_length(plan, '$.items') * json_array_length(plan, '$.to')), 0) FROM message_plans)`).Scan(&n); err != nil {
			b.Fatal(err)
		}
		return n
	}
	messagesBefore := countMessages()
	day := app.DayOf(time.Now(), loc).AddDays(14)
	var l latencies
	refused := 0
	// The work runs on this goroutine's thread (the driver's calls into
	// SQLite included), so the thread's CPU time is the booking's work,
	// which a loaded machine disturbs far less than its wall time.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var book, bookCPU latencies // the successful Book call alone
	var booked int64            // the write statements of the timed part
	var rows int64              // the rows they wrote, their triggers' included
	for b.Loop() {
		// Choosing the patient and readying them are no part of the
		// booking: outside ns/op as they are outside p50/p99, and their
		// statements are not counted in statements/op.
		b.StopTimer()
		pid, doc := patient(), docs[rng.IntN(len(docs))]
		if prepare != nil {
			prepare(pid)
		}
		prepared, written := db.Statements(), db.RowsWritten()
		b.StartTimer()
		l.time(func() {
			for {
				slots, err := svc.FindFreeSlots(ctx, doc, day.String())
				if err != nil {
					b.Fatal(err)
				}
				for _, sl := range slots[:min(3, len(slots))] {
					start, startCPU := time.Now(), threadCPU()
					_, err = svc.Book(ctx, app.AppointmentCreate{PatientID: pid, DoctorID: doc, Start: sl.Start, Reason: "Benchmark"})
					took, tookCPU := time.Since(start), threadCPU()-startCPU
					if app.ErrorCode(err) == app.ECONFLICT {
						refused++ // the patient is busy then: a desk would pick another slot
						continue
					} else if err != nil {
						b.Fatal(err)
					}
					book, bookCPU = append(book, took), append(bookCPU, tookCPU)
					return
				}
				if day = day.AddDays(1); day.String() > app.DayOf(time.Now(), loc).AddDays(app.MaxBookAheadDays-1).String() {
					b.Fatal("no free slot left in the next two years")
				}
			}
		})
		booked += db.Statements() - prepared
		b.StopTimer()
		rows += db.RowsWritten() - written
		b.StartTimer()
	}
	l.report(b)
	if s := sortedCopy(book); len(s) > 0 {
		b.ReportMetric(pctMS(s, 0.50), "book-p50-ms")
		b.ReportMetric(pctMS(s, 0.99), "book-p99-ms")
		b.ReportMetric(pctMS(sortedCopy(bookCPU), 0.50), "book-cpu-p50-ms")
	}
	b.ReportMetric(float64(booked)/float64(max(1, len(l))), "statements/op")
	b.ReportMetric(float64(rows)/float64(max(1, len(l))), "rows/op")
	b.ReportMetric(float64(len(l))/b.Elapsed().Seconds(), "ops/s")
	b.ReportMetric(float64(refused), "patient-conflicts")
	b.ReportMetric(float64(countMessages()-messagesBefore)/float64(max(1, len(l))), "messages/op")
}

package data_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hms/app"
	"hms/data"
	"hms/data/sync/hlc"
)

// BenchmarkReadsWhileWriting is the p99 of what people wait for while the
// desk is busy writing: each timed operation is a patient search (a name
// prefix, two words of a name, a record number or a phone fragment, in
// turn) followed by a doctor's day, both through the services as reception,
// while one goroutine writes without pause, in turn:
//   - an invoice issued and paid in full (billing, as BenchmarkIssueAndPay);
//   - an appointment booked in a free slot (reception);
//   - a sync pull applying 50 patients' rows: DB.ApplyRemote, the
//     transaction the sync engine applies a pulled batch in, updating the
//     rows' address and phone as a pulled edit does (search index, seal
//     and history triggers fire; no server is involved).
//
// DESIGN.md's targets: search p99 ≤ 5 ms, the doctor's day p99 ≤ 2 ms.
// Reported: search-p50/p99-ms, day-p50/p99-ms, and the writer's work done
// while the reads were timed (payments, bookings, pulled-rows), so a run
// where the writer stalled shows it; reader-reopens, the read connections
// closed and opened again meanwhile (each new one parses the schema and
// compiles its statements inside a read); and search-cpu and day-cpu
// p50/p99, the CPU the reads' thread spent, so that a tail made of waiting
// is told from one made of work. The writer starts before the timer and
// stops after the last read; the counts are of the timed stretch.
func BenchmarkReadsWhileWriting(b *testing.B) {
	db, svc, billing, patientID, item := benchBilling(b)
	_, _, reception, docs, loc := benchAppointmentsOn(b, db)
	var maxSeq int64
	if err := db.ReadDB().QueryRow(`SELECT max(activity_seq) FROM patients`).Scan(&maxSeq); err != nil {
		b.Fatal(err)
	}

	// The writer.
	var payments, bookings, pulled atomic.Int64
	var counting atomic.Bool
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		rng := rand.New(rand.NewPCG(5, 6))
		patient := func() string {
			var id string
			if err := db.ReadDB().QueryRow(`SELECT id FROM patients WHERE activity_seq >= ? AND deleted_at IS NULL
				ORDER BY activity_seq LIMIT 1`, 1+rng.Int64N(maxSeq)).Scan(&id); err != nil {
				b.Error(err)
			}
			return id
		}
		day := app.DayOf(time.Now(), loc).AddDays(21)
		for round := 0; ; round++ {
			select {
			case <-stop:
				return
			default:
			}
			switch round % 3 {
			case 0:
				d, err := svc.Billing.CreateDraftInvoice(billing, app.DraftInvoice{PatientID: patientID,
					Lines: []app.LineInput{{PriceItemID: item.ID, Quantity: 1}, {Description: "Dressing", Quantity: 1, UnitPrice: 700}}})
				if err != nil {
					b.Error(err)
					return
				}
				inv, err := svc.Billing.IssueInvoice(billing, d.ID)
				if err != nil {
					b.Error(err)
					return
				}
				if _, err := svc.Billing.TakePayment(billing, app.PaymentInput{Method: app.PayCash, Amount: inv.Balance,
					Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: inv.Balance}}}); err != nil {
					b.Error(err)
					return
				}
				if counting.Load() {
					payments.Add(1)
				}
			case 1:
				doc := docs[rng.IntN(len(docs))]
				booked := false
				for tries := 0; !booked && tries < 30; tries++ {
					slots, err := svc.Appointments.FindFreeSlots(reception, doc, day.String())
					if err != nil {
						b.Error(err)
						return
					}
					for _, sl := range slots[:min(3, len(slots))] {
						_, err := svc.Appointments.Book(reception, app.AppointmentCreate{PatientID: patient(), DoctorID: doc,
							Start: sl.Start, Reason: "Load benchmark"})
						if app.ErrorCode(err) == app.ECONFLICT {
							continue // that patient is busy then
						} else if err != nil {
							b.Error(err)
							return
						}
						booked = true
						break
					}
					if !booked {
						day = day.AddDays(1)
					}
				}
				if booked && counting.Load() {
					bookings.Add(1)
				}
			case 2:
				ids := make([]string, 50)
				for i := range ids {
					ids[i] = patient()
				}
				err := db.ApplyRemote(context.Background(), hlc.Timestamp{}, func(tx *data.Tx) error {
					for i, id := range ids {
						if _, err := tx.Exec(`UPDATE patients SET address = ?, phone = ?, updated_at = ? WHERE id = ?`,
							fmt.Sprintf("%d Pulled Street", round+i), fmt.Sprintf("+30 697 %07d", rng.IntN(1e7)),
							time.Now().UTC().Format(time.RFC3339Nano), id); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Error(err)
					return
				}
				if counting.Load() {
					pulled.Add(int64(len(ids)))
				}
			}
		}
	})

	queries := []string{"mar", "maria gar", "P-D1-00042", "697 12"}
	rng := rand.New(rand.NewPCG(1, 2))
	today := app.DayOf(time.Now(), loc)
	var search, dayLat, searchCPU, dayCPU latencies
	closedBefore := db.ReadDB().Stats().MaxIdleClosed
	// The reads run on this goroutine's thread (the driver's calls into
	// SQLite included), so the thread's CPU time is a read's work; a read
	// whose wall time is far above it waited (for the processor, a lock or
	// the disk) rather than worked.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	timeCPU := func(l *latencies, f func()) {
		start := threadCPU()
		f()
		*l = append(*l, threadCPU()-start)
	}
	counting.Store(true)
	b.ResetTimer()
	for b.Loop() {
		q := queries[len(search)%len(queries)]
		timeCPU(&searchCPU, func() {
			search.time(func() {
				if _, err := svc.Patients.FindPatients(reception, app.PatientFilter{Query: q, Limit: 50}); err != nil {
					b.Fatal(err)
				}
			})
		})
		day := today.AddDays(56 - rng.IntN(5*365)).String()
		doc := docs[rng.IntN(len(docs))]
		timeCPU(&dayCPU, func() {
			dayLat.time(func() {
				if _, err := svc.Appointments.DoctorDay(reception, doc, day); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
	b.StopTimer()
	counting.Store(false)
	close(stop)
	wg.Wait()
	report := func(l latencies, name string) {
		s := sortedCopy(l)
		b.ReportMetric(pctMS(s, 0.50), name+"-p50-ms")
		b.ReportMetric(pctMS(s, 0.99), name+"-p99-ms")
	}
	report(search, "search")
	report(dayLat, "day")
	report(searchCPU, "search-cpu")
	report(dayCPU, "day-cpu")
	b.ReportMetric(float64(payments.Load()), "payments")
	b.ReportMetric(float64(bookings.Load()), "bookings")
	b.ReportMetric(float64(pulled.Load()), "pulled-rows")
	// Read connections closed for want of an idle place while the reads
	// were timed: each is opened again by a later read, inside its time.
	b.ReportMetric(float64(db.ReadDB().Stats().MaxIdleClosed-closedBefore), "reader-reopens")
	if payments.Load()+bookings.Load()+pulled.Load() == 0 && b.N > 100 {
		b.Error("the writer wrote nothing while the reads were timed")
	}
}

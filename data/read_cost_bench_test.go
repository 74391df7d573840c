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
	"hms/data/datatest"
	"hms/data/sync/hlc"
)

// BenchmarkReadAfterCommit is what one read costs its own thread when
// another connection has committed just before it, as happens to every
// read while the desk writes (BenchmarkReadsWhileWriting): SQLite then
// drops the read connection's whole page cache (WAL mode), and the read
// fetches each page it needs again. Each of the searches of
// BenchmarkReadsWhileWriting and the doctor's day runs alone, after a
// one-row commit from another connection ("after-commit") or with none
// since the last read ("no-commit"), so the figures hold on a loaded
// machine: the reads' thread CPU (cpu-us/op) and the read system calls it
// made (preads/op, /proc/thread-self/io's syscr: about one a page fetched
// again, since the pages are in the operating system's cache).
func BenchmarkReadAfterCommit(b *testing.B) {
	db, appts, reception, docs, loc := benchAppointmentsOn(b, benchDB(b))
	patients := db.Services().Patients
	raw := datatest.RawDB(b, db)
	if _, err := raw.Exec(`CREATE TABLE IF NOT EXISTS bench_commits (n INTEGER)`); err != nil {
		b.Fatal(err)
	}
	today := app.DayOf(time.Now(), loc)
	search := func(q string) func() error {
		return func() error {
			_, err := patients.FindPatients(reception, app.PatientFilter{Query: q, Limit: 50})
			return err
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	reads := []struct {
		name string
		read func() error
	}{
		{"search-mar", search("mar")},
		{"search-maria-gar", search("maria gar")},
		{"search-P-D1-00042", search("P-D1-00042")},
		{"search-697-12", search("697 12")},
		{"day", func() error {
			_, err := appts.DoctorDay(reception, docs[rng.IntN(len(docs))], today.AddDays(56-rng.IntN(5*365)).String())
			return err
		}},
	}
	for _, commit := range []bool{true, false} {
		for _, r := range reads {
			name := "no-commit/" + r.name
			if commit {
				name = "after-commit/" + r.name
			}
			b.Run(name, func(b *testing.B) {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				io := newThreadIO()
				defer io.close()
				if err := r.read(); err != nil { // statements compiled
					b.Fatal(err)
				}
				var cpu time.Duration
				var preads int64
				n := 0
				for b.Loop() {
					if commit {
						b.StopTimer()
						if _, err := raw.Exec(`INSERT INTO bench_commits (n) VALUES (?)`, n); err != nil {
							b.Fatal(err)
						}
						b.StartTimer()
					}
					syscr0 := io.syscr()
					cpu0 := threadCPU()
					if err := r.read(); err != nil {
						b.Fatal(err)
					}
					cpu += threadCPU() - cpu0
					preads += io.syscr() - syscr0 - 1 // less the read of the counter itself
					n++
				}
				b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-us/op")
				b.ReportMetric(float64(preads)/float64(n), "preads/op")
			})
		}
	}
}

// BenchmarkPatientWrites is what the writes to patients cost that keep the
// search's rows (patient_list, migration 0218) and indexes: a pulled batch
// updating 50 patients' address and phone as BenchmarkReadsWhileWriting's
// writer does ("pull-50"), and a patient's activity moving them to the top
// of the list ("activity", the UPDATE patientEvent makes), each alone: the
// writer thread's CPU (cpu-us/op) and the pages its commit appended to the
// WAL (wal-pages/op).
func BenchmarkPatientWrites(b *testing.B) {
	db := benchDB(b)
	var maxSeq int64
	if err := db.ReadDB().QueryRow(`SELECT max(activity_seq) FROM patients`).Scan(&maxSeq); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	patient := func() string {
		var id string
		if err := db.ReadDB().QueryRow(`SELECT id FROM patients WHERE activity_seq >= ? AND deleted_at IS NULL
			ORDER BY activity_seq LIMIT 1`, 1+rng.Int64N(maxSeq)).Scan(&id); err != nil {
			b.Fatal(err)
		}
		return id
	}
	writes := []struct {
		name  string
		write func(ids []string) error
		rows  int
	}{
		{"pull-50", func(ids []string) error {
			return db.ApplyRemote(context.Background(), hlc.Timestamp{}, func(tx *data.Tx) error {
				for i, id := range ids {
					if _, err := tx.Exec(`UPDATE patients SET address = ?, phone = ?, updated_at = ? WHERE id = ?`,
						fmt.Sprintf("%d Pulled Street", i), fmt.Sprintf("+30 697 %07d", rng.IntN(1e7)),
						time.Now().UTC().Format(time.RFC3339Nano), id); err != nil {
						return err
					}
				}
				return nil
			})
		}, 50},
		{"activity", func(ids []string) error {
			return db.ApplyRemote(context.Background(), hlc.Timestamp{}, func(tx *data.Tx) error {
				_, err := tx.Exec(`UPDATE patients SET last_activity_at = ?, activity_seq = (SELECT max(activity_seq) + 1 FROM patients)
					WHERE id = ?`, time.Now().UTC().Format(time.RFC3339Nano), ids[0])
				return err
			})
		}, 1},
	}
	for _, w := range writes {
		b.Run(w.name, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			wal := newWALPages(b, db)
			var cpu time.Duration
			pages, n := 0, 0
			for b.Loop() {
				b.StopTimer()
				ids := make([]string, w.rows)
				for i := range ids {
					ids[i] = patient()
				}
				wal.since(b)
				b.StartTimer()
				cpu0 := threadCPU()
				if err := w.write(ids); err != nil {
					b.Fatal(err)
				}
				cpu += threadCPU() - cpu0
				pages += wal.since(b)
				n++
			}
			b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-us/op")
			b.ReportMetric(float64(pages)/float64(n), "wal-pages/op")
		})
	}
}

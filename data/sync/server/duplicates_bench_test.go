package server_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"hms/data/sync/hlc"
	"hms/data/sync/server"
	"hms/data/sync/server/servertest"
)

// BenchmarkDuplicateCheck measures registering patients on a server that
// holds 100,000 of them: the time of a push per patient it registers,
// which includes the duplicate patient check (the trigger on the change
// log, server migration 0004). The clinic is written behind the code's
// back; the figures are taken first with the tables never analysed (and
// autovacuum off for them, on this benchmark's own database), then, on a
// new connection, after hms server prune has analysed them (the goal: under
// 1 ms a registration). Each batch registers 100 patients, one in ten
// named as a patient of the clinic registered on another desk.
func BenchmarkDuplicateCheck(b *testing.B) {
	const clinic, batch = 100_000, 100
	u := newServer(b)
	seed, _ := enroll(b, u)
	servertest.Exec(b, u, `DO $$
		DECLARE t text;
		BEGIN
			FOR t IN SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
				JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'sync' AND c.relkind = 'r'
			LOOP
				EXECUTE 'ALTER TABLE ' || t || ' SET (autovacuum_enabled = off)';
			END LOOP;
		END $$`)
	servertest.Exec(b, u, `
		INSERT INTO sync.rows (entity, row_id, data, field_hlc)
		SELECT 'patients', 'seed-' || g, jsonb_build_object('id', 'seed-' || g, 'given_name', 'Given' || g,
			'family_name', 'Family' || (g % 7919), 'birth_date', (date '1940-01-01' + (g % 25000))::text,
			'mrn', 'P-D1-' || g, 'created_at', '2026-01-01T00:00:00.000Z'), '{}'
		FROM generate_series(1, $1::int) g`, clinic)
	servertest.Exec(b, u, `ALTER TABLE sync.change_log DISABLE TRIGGER change_log_patient_duplicates`)
	servertest.Exec(b, u, `
		INSERT INTO sync.change_log (entity, row_id, origin_site, hlc, row_snapshot, field_hlc)
		SELECT entity, row_id, $1::uuid, $2, data, '{}' FROM sync.rows WHERE entity = 'patients'`,
		seed.id, seed.clock.Now().String())
	servertest.Exec(b, u, `ALTER TABLE sync.change_log ENABLE TRIGGER change_log_patient_duplicates`)
	servertest.Exec(b, u, `
		INSERT INTO sync.patient_registrations (row_id, identity, desk, registered_at)
		SELECT row_id, sync.patient_identity(data), 'D1', data->>'created_at' FROM sync.rows WHERE entity = 'patients'`)

	n := 0
	register := func(d *site) time.Duration {
		var ops []hlc.Op
		for i := range batch {
			n++
			given, family, born := fmt.Sprintf("New%d", n), fmt.Sprintf("Family%d", n%7919), "1980-05-05"
			if i%10 == 0 { // the same person as a patient of the clinic
				g := 1 + n*7%clinic
				given, family = fmt.Sprintf("Given%d", g), fmt.Sprintf("Family%d", g%7919)
				born = time.Date(1940, 1, 1+g%25000, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
			}
			ops = append(ops, d.op("patients", fmt.Sprintf("new-%d", n), hlc.KindInsert,
				fmt.Sprintf(`{"given_name": %q, "family_name": %q, "birth_date": %q, "mrn": "P-D2-%d", "created_at": "2026-06-01T00:00:00.000Z"}`,
					given, family, born, n)))
		}
		start := time.Now()
		for _, r := range d.push(ops...) {
			if r.Status != server.Applied {
				b.Fatalf("registration %s: %+v", r.OpID, r)
			}
		}
		return time.Since(start) / batch
	}
	ms := func(ds []time.Duration, p float64) float64 {
		ds = slices.Sorted(slices.Values(ds))
		return float64(ds[min(len(ds)-1, int(float64(len(ds))*p))]) / float64(time.Millisecond)
	}

	before, _ := enroll(b, u)
	var unanalysed []time.Duration
	for range 2 {
		unanalysed = append(unanalysed, register(before))
	}
	if _, err := server.Prune(ctx, u, server.TombstoneAge, server.OpsAge); err != nil {
		b.Fatal(err)
	}
	after, _ := enroll(b, u)
	var analysed []time.Duration
	b.ResetTimer()
	for b.Loop() {
		analysed = append(analysed, register(after))
	}
	b.StopTimer()
	flagged := servertest.QueryInt(b, u, `SELECT count(*) FROM sync.rows WHERE entity = 'patient_duplicates'`)
	if flagged == 0 {
		b.Fatal("no registration was flagged as a possible duplicate")
	}
	b.ReportMetric(ms(unanalysed, 0.5), "unanalysed-p50-ms/registration")
	b.ReportMetric(ms(analysed, 0.5), "p50-ms/registration")
	b.ReportMetric(ms(analysed, 0.99), "p99-ms/registration")
}

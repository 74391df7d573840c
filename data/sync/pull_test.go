package sync_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hms/app"
	"hms/data"
	"hms/data/sync"
	"hms/data/sync/server"
	"hms/data/sync/server/servertest"
)

// demoDesk is the clinic's first desk, full of demo data written without
// the outbox: its enrollment must upload it all as a snapshot.
func demoDesk(t testing.TB, patients int) *data.DB {
	t.Helper()
	db := MustOpenDB(t, nil)
	if err := data.GenerateDemo(context.Background(), db, data.DemoOptions{Patients: patients, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	return db
}

func mustSync(t testing.TB, db *data.DB) *app.SyncReport {
	t.Helper()
	rep, err := engine(db).SyncNow(context.Background())
	if err != nil {
		t.Fatalf("sync %s: %v", db.Path(), err)
	}
	return rep
}

// tableRows reads a synced table as the desks share it: every column but
// the desk's own, ordered by key.
func tableRows(t testing.TB, db *data.DB, entity string) [][]any {
	t.Helper()
	raw := rawDB(t, db)
	rows, err := raw.Query(`SELECT name FROM pragma_table_info(?) ORDER BY cid`, entity)
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for rows.Next() {
		var c string
		rows.Scan(&c)
		if !slices.Contains(syncLocalColumns(entity), c) {
			cols = append(cols, `"`+c+`"`)
		}
	}
	rows.Close()
	keys := syncKey(entity)
	return queryRows(t, db, `SELECT `+strings.Join(cols, ", ")+` FROM "`+entity+`" ORDER BY `+strings.Join(keys, ", "))
}

// queryRows reads every row a query gives, as comparable values.
func queryRows(t testing.TB, db *data.DB, q string) [][]any {
	t.Helper()
	rows, err := rawDB(t, db).Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		out = append(out, vals)
	}
	return out
}

// sameClinic fails unless the desks hold the same rows in every synced
// table.
func sameClinic(t testing.TB, desks ...*data.DB) {
	t.Helper()
	for _, entity := range syncOrder() {
		want := tableRows(t, desks[0], entity)
		for _, d := range desks[1:] {
			got := tableRows(t, d, entity)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s differs: %d rows on the first desk, %d on %s", entity, len(want), len(got), d.Path())
				for i := range min(len(got), len(want)) {
					if !reflect.DeepEqual(got[i], want[i]) {
						t.Errorf("first difference:\n  %v\n  %v", want[i], got[i])
						break
					}
				}
			}
		}
	}
}

func count(t testing.TB, db *data.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := rawDB(t, db).QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The clinic's first desk uploads everything it has, demo data included;
// a new desk downloads the clinic whole, report files and receipts with
// their bytes; from then on a change on one shows on the other, with no
// echo back.
func TestPullDownloadsTheClinic(t *testing.T) {
	t.Parallel()
	u := newSyncServer(t)
	first := demoDesk(t, 40)
	mustEnroll(t, first, u)
	if rep := mustSync(t, first); rep.Pushed == 0 || rep.Rejected != 0 || rep.Conflicts != 0 || rep.AuditPushed == 0 {
		t.Fatalf("the first desk's upload: %+v", rep)
	}
	// The server keeps the desk's audit log, row for row, hashes included.
	var lastHash string
	rawDB(t, first).QueryRow(`SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&lastHash)
	if n, local := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.audit_log`), count(t, first, `SELECT count(*) FROM audit_log`); int(n) != local ||
		servertest.QueryInt(t, u, `SELECT count(*) FROM sync.audit_log WHERE hash = $1`, lastHash) != 1 {
		t.Fatalf("the server holds %d audit rows of the desk's %d", n, local)
	}
	// A new desk has no clinic and nobody to log in as: it may join its
	// clinic's server all the same (a desk with a clinic needs an admin).
	second := MustOpenDB(t, nil)
	if st, err := services(second).Sync.EnrollDesk(anon, deskURL(t, second, u)); err != nil || st.DeskCode != "D2" {
		t.Fatalf("second desk %+v, %v", st, err)
	}
	// Until it has the whole log: a round pulls only what lies below the
	// oldest transaction open on the server's cluster (any database's).
	rep := syncAllReport(t, u, second)
	if rep.Pulled == 0 || rep.PullConflicts != 0 {
		t.Fatalf("the new desk's download: %+v", rep)
	}
	sameClinic(t, first, second)
	if n := count(t, second, `SELECT count(*) FROM outbox`); n != 0 {
		t.Fatalf("applying pulled rows queued %d of them to send back", n)
	}
	// The dashboard's summaries, derived on each desk, agree once read.
	month, err := app.PeriodContaining(app.PeriodMonth, app.DayOf(time.Now(), time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []*data.DB{first, second} {
		if _, err := services(d).Dashboard.Dashboard(system, month); err != nil {
			t.Fatal(err)
		}
	}
	for table, key := range map[string]string{"dash_patients": "day", "dash_appointments": "day, doctor_id, status",
		"dash_revenue": "day, doctor_id, kind, code", "dash_invoices": "day", "dash_payments": "day, method", "dash_allocated": "id"} {
		// The triggers keep a day whose figures went back to zero; a
		// rebuild has no row for it. Both mean the same.
		var measures []string
		for _, c := range queryRows(t, first, `SELECT name FROM pragma_table_info('`+table+`') WHERE pk = 0`) {
			measures = append(measures, fmt.Sprint(c[0])+" = 0")
		}
		q := `SELECT * FROM ` + table + ` WHERE NOT (` + strings.Join(measures, " AND ") + `) ORDER BY ` + key
		if a, b := queryRows(t, first, q), queryRows(t, second, q); !reflect.DeepEqual(a, b) {
			t.Errorf("%s: %d rows on the first desk, %d on the second, or their figures differ", table, len(a), len(b))
		}
	}
	if n := count(t, second, `SELECT count(*) FROM report_files WHERE length(content) > 100`); n == 0 ||
		n != count(t, first, `SELECT count(*) FROM report_files`) {
		t.Fatalf("%d report files arrived with their content", n)
	}

	// The downloaded desk is a working desk: its people log in, its
	// searches find the clinic's patients.
	svc := services(second)
	sess, err := svc.Users.Login(anon, "admin", "demo admin password")
	if err != nil {
		t.Fatalf("logging in on the new desk: %v", err)
	}
	admin := as(sess.Caller())
	var name string
	rawDB(t, first).QueryRow(`SELECT family_name FROM patients ORDER BY rowid LIMIT 1`).Scan(&name)
	page, err := svc.Patients.FindPatients(admin, app.PatientFilter{Query: name})
	if err != nil || len(page.Patients) == 0 {
		t.Fatalf("searching the new desk for %q: %v, %v", name, page, err)
	}

	// A change on either desk reaches the other.
	p := page.Patients[0]
	phone := "+30 210 555 0199"
	if _, err := svc.Patients.UpdatePatient(admin, p.ID, app.PatientUpdate{Phone: &phone}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, second)
	syncUntilCaughtUp(t, u, first)
	sameClinic(t, first, second)
	if n := count(t, first, `SELECT count(*) FROM patients WHERE id = ? AND phone_digits LIKE '%5550199%'`, p.ID); n != 1 {
		t.Fatal("the first desk's search keys did not follow the pulled phone number")
	}
	if n := count(t, first, `SELECT count(*) FROM outbox`); n != 0 {
		t.Fatalf("%d pulled changes echoed into the first desk's outbox", n)
	}
}

// twoDesks is a clinic of two enrolled desks in sync, the second
// downloaded from the first.
func twoDesks(t testing.TB) (u string, first *clinic, second *data.DB) {
	t.Helper()
	u = newSyncServer(t)
	first = mustSetup(t)
	mustEnroll(t, first.db, u)
	mustSync(t, first.db)
	second = MustOpenDB(t, nil)
	mustEnroll(t, second, u)
	syncUntilCaughtUp(t, u, second)
	return u, first, second
}

// Edits of different fields of one patient on two desks offline both
// survive; the same field edited on both keeps the newer, and the older
// goes to review on the desk that made it.
func TestPullMergesPerField(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
	p := newPatient(t, first.svc, "Merge")
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second)

	// Offline on both: the first changes the phone, then the second the
	// email; both change the address, the second one later.
	update := func(svc app.Services, u app.PatientUpdate) {
		if _, err := svc.Patients.UpdatePatient(system, p.ID, u); err != nil {
			t.Fatal(err)
		}
	}
	str := func(s string) *string { return &s }
	update(first.svc, app.PatientUpdate{Phone: str("+30 210 555 0111"), Address: str("1 First Street")})
	// The second desk took in the first's clock when it pulled last, so its
	// edit is the newer one.
	update(services(second), app.PatientUpdate{Email: str("merge@example.org"), Address: str("2 Second Street")})

	mustSync(t, second)
	syncUntilCaughtUp(t, u, first.db) // its address loses to the newer one
	syncUntilCaughtUp(t, u, second)
	sameClinic(t, first.db, second)
	got, err := services(second).Patients.FindPatientByID(system, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Phone != "+30 210 555 0111" || got.Email != "merge@example.org" || got.Address != "2 Second Street" {
		t.Fatalf("merged record: phone %q email %q address %q", got.Phone, got.Email, got.Address)
	}
	if n := count(t, first.db, `SELECT count(*) FROM conflicts WHERE entity = 'patients' AND field = 'address'
		AND lost_value = '"1 First Street"' AND resolved_at IS NULL`); n != 1 {
		t.Fatalf("%d conflicts keep the address that lost", n)
	}
}

// Two desks book the same doctor's same time offline: after sync exactly
// one booking is confirmed, the other is 'conflict' on every desk, listed
// for reception, and nothing is dropped.
func TestPullDoubleBooking(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
	doctor := first.users[app.RoleDoctor]
	a := newPatient(t, first.svc, "Early")
	b := newPatient(t, first.svc, "Late")
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second)

	start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	book := func(svc app.Services, patient string) *app.Appointment {
		ap, err := svc.Appointments.Book(system, app.AppointmentCreate{PatientID: patient, DoctorID: doctor.ID, Start: start,
			Minutes: 30, Reason: "Check-up", OverrideReason: "sync test"})
		if err != nil {
			t.Fatal(err)
		}
		return ap
	}
	one := book(first.svc, a.ID)
	two := book(services(second), b.ID)
	mustSync(t, first.db)
	rep := mustSync(t, second)
	if rep.Conflicts != 1 {
		t.Fatalf("the later booking's push: %+v", rep)
	}
	// The conflict names the rule that decided it: the doctor's time went
	// to the booking that reached the server first.
	if rules := queryStrings(t, second, `SELECT rule FROM conflicts WHERE row_id = ?`, two.ID); !slices.Equal(rules, []string{data.RuleSlotTaken}) {
		t.Fatalf("the later booking's conflict: %q", rules)
	}
	// The server's decision reaches both desks through the log, which a
	// round pulls only below the oldest transaction open on the cluster.
	syncUntilCaughtUp(t, u, first.db)
	syncUntilCaughtUp(t, u, second)
	sameClinic(t, first.db, second)
	for _, d := range []*data.DB{first.db, second} {
		var s1, s2 string
		raw := rawDB(t, d)
		raw.QueryRow(`SELECT status FROM appointments WHERE id = ?`, one.ID).Scan(&s1)
		raw.QueryRow(`SELECT status FROM appointments WHERE id = ?`, two.ID).Scan(&s2)
		if s1 != "confirmed" || s2 != "conflict" {
			t.Fatalf("on %s: first booking %s, second %s", d.Path(), s1, s2)
		}
	}
	// Reception's board lists the loser first, with its patient.
	board, err := services(second).Appointments.ReceptionBoard(system, start.Format("2006-01-02"))
	if err != nil {
		t.Fatal(err)
	}
	var conflicted []string
	for _, ap := range board.Conflicts {
		conflicted = append(conflicted, ap.PatientID)
	}
	if !slices.Equal(conflicted, []string{b.ID}) {
		t.Fatalf("the day lists conflicts for %v", conflicted)
	}
}

// Receipt and invoice numbers of two desks never collide, and each desk's
// series has no gaps.
func TestPullNumberSeries(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
	p := newPatient(t, first.svc, "Billing")
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second) // a round pulls only below the oldest transaction open on the cluster
	for i := range 3 {
		for _, svc := range []app.Services{first.svc, services(second)} {
			payInvoice(t, svc, p.ID, fmt.Sprintf("Visit %d", i))
		}
	}
	syncAll(t, first.db, second)
	sameClinic(t, first.db, second)
	for _, q := range []string{`SELECT number FROM invoices`, `SELECT receipt_number AS number FROM payments`} {
		rows, err := rawDB(t, second).Query(q + ` ORDER BY number`)
		if err != nil {
			t.Fatal(err)
		}
		var nums []string
		for rows.Next() {
			var n string
			rows.Scan(&n)
			nums = append(nums, n)
		}
		rows.Close()
		if len(nums) != 6 || len(slices.Compact(slices.Clone(nums))) != 6 {
			t.Fatalf("%s: %v", q, nums)
		}
		for _, desk := range []string{"D1", "D2"} {
			var mine []string
			for _, n := range nums {
				if strings.Contains(n, "-"+desk+"-") {
					mine = append(mine, n)
				}
			}
			if len(mine) != 3 || !strings.HasSuffix(mine[0], "000001") || !strings.HasSuffix(mine[2], "000003") {
				t.Fatalf("%s series of %s: %v", q, desk, mine)
			}
		}
	}
}

// payInvoice issues an invoice of one line and pays it in cash.
func payInvoice(t testing.TB, svc app.Services, patientID, what string) {
	t.Helper()
	inv, err := svc.Billing.CreateDraftInvoice(system, app.DraftInvoice{PatientID: patientID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Billing.AddLine(system, inv.ID, app.LineInput{Description: what, Kind: app.PriceOther, Quantity: 1, UnitPrice: 2500}); err != nil {
		t.Fatal(err)
	}
	if inv, err = svc.Billing.IssueInvoice(system, inv.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Billing.TakePayment(system, app.PaymentInput{Method: app.PayCash, Amount: inv.Balance,
		Tendered: inv.Balance, Allocations: []app.Allocation{{InvoiceID: inv.ID, Amount: inv.Balance}}}); err != nil {
		t.Fatal(err)
	}
}

// A wrong password, a server that is down, a server of a newer schema:
// each a clear status, nothing lost, and sync resumes once it is fixed.
func TestSyncFailuresAndRecovery(t *testing.T) {
	t.Parallel()
	u, first, _ := twoDesks(t)
	db := first.db
	newPatient(t, first.svc, "Waiting")
	check := func(name, wantMsg string) {
		t.Helper()
		_, err := engine(db).SyncNow(context.Background())
		if err == nil || !strings.Contains(app.ErrorMessage(err), wantMsg) {
			t.Fatalf("%s: %v", name, err)
		}
		st, err := engine(db).SyncStatus(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Pending == 0 || st.FailingSince.IsZero() || !strings.Contains(st.LastSyncError, wantMsg) {
			t.Fatalf("%s: status %+v", name, st)
		}
	}
	raw := rawDB(t, db)
	setURL := func(s string) {
		if _, err := raw.Exec(`UPDATE sync_meta SET server_url = ?`, s); err != nil {
			t.Fatal(err)
		}
	}
	// The server is down (nothing listens on the port).
	setURL("postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	check("server down", "cannot be reached")
	setURL(deskURL(t, db, u))

	// The server runs a newer schema.
	servertest.Exec(t, u, `UPDATE sync.meta SET schema_version = $1, min_client_schema = $1`, server.SchemaVersion()+1)
	check("newer server", "newer version")
	servertest.Exec(t, u, `UPDATE sync.meta SET schema_version = $1, min_client_schema = 1`, server.SchemaVersion())

	// The desk's login refused. Trust authentication accepts any password
	// on this server, so the refusal is checked where the server can
	// refuse: a login that may not log in.
	role := pgx.Identifier{deskLogin(t, db, u)}.Sanitize()
	servertest.Exec(t, u, `ALTER ROLE `+role+` NOLOGIN`)
	check("refused login", "refused the user name or password")
	servertest.Exec(t, u, `ALTER ROLE `+role+` LOGIN`)

	// Fixed: the queued change goes, and the status clears.
	rep := mustSync(t, db)
	if rep.Pushed == 0 {
		t.Fatalf("after recovery: %+v", rep)
	}
	st, err := engine(db).SyncStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending != 0 || !st.FailingSince.IsZero() || st.LastSyncError != "" || st.LastSyncedAt.IsZero() {
		t.Fatalf("after recovery: %+v", st)
	}
}

// pointAt moves a desk to another server address behind its back, as
// when the clinic's server is restored or replaced at the same address.
func pointAt(t testing.TB, db *data.DB, u string) {
	t.Helper()
	if _, err := rawDB(t, db).Exec(`UPDATE sync_meta SET server_url = ?`, deskURL(t, db, u)); err != nil {
		t.Fatal(err)
	}
}

// A server restored from an older dump keeps its epoch but lacks what it
// acknowledged since: the desks push those operations again, by the same
// ids and clock readings, pull the log again, and end up agreeing with
// nothing lost.
func TestSyncServerRestored(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
	early := newPatient(t, first.svc, "Early")
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second) // a round pulls only below the oldest transaction open on the cluster
	dump := servertest.Copy(t, u)

	// After the dump: changes on both desks, all acknowledged.
	late := newPatient(t, first.svc, "Late")
	email := "late@example.org"
	if _, err := services(second).Patients.UpdatePatient(system, early.ID, app.PatientUpdate{Email: &email}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, first.db)
	mustSync(t, second)
	mustSync(t, first.db)

	// The server comes back from the dump.
	pointAt(t, first.db, dump)
	pointAt(t, second, dump)
	rep := mustSync(t, first.db)
	if rep.Repushed == 0 {
		t.Fatalf("the first desk pushed nothing again: %+v", rep)
	}
	syncAll(t, second, first.db)
	sameClinic(t, first.db, second)
	for _, d := range []*data.DB{first.db, second} {
		if n := count(t, d, `SELECT count(*) FROM patients WHERE id = ?`, late.ID); n != 1 {
			t.Fatalf("%s lost the patient registered after the dump", d.Path())
		}
		if n := count(t, d, `SELECT count(*) FROM patients WHERE id = ? AND email = ?`, early.ID, email); n != 1 {
			t.Fatalf("%s lost the edit made after the dump", d.Path())
		}
	}
	if n := servertest.QueryInt(t, dump, `SELECT count(*) FROM sync.rows WHERE entity = 'patients' AND row_id = $1
		AND data->>'email' = $2`, early.ID, email); n != 1 {
		t.Fatal("the restored server did not get the edit back")
	}
}

// A server replaced by a new, empty one (another epoch): the first desk
// to reach it uploads everything it has, the others push theirs again;
// each keeps its desk code and number series.
func TestSyncServerReplaced(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
	p := newPatient(t, first.svc, "Before")
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second) // a round pulls only below the oldest transaction open on the cluster
	// The new server's administrator gives the desks their logins again
	// (restored with the old server's roles: bound as they are).
	fresh := newSyncServer(t)
	for _, d := range []*data.DB{first.db, second} {
		if l, err := sync.AddDesk(context.Background(), fresh, deskLogin(t, d, fresh)); err != nil || l.Password != "" {
			t.Fatalf("binding the desk's login on the new server: %+v, %v", l, err)
		}
	}
	pointAt(t, second, fresh)
	pointAt(t, first.db, fresh)
	mustSync(t, second) // the new server is empty: this desk uploads all
	syncAll(t, first.db, second)
	sameClinic(t, first.db, second)
	for _, d := range []*data.DB{first.db, second} {
		st, err := engine(d).SyncStatus(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Pending != 0 || st.LastSyncError != "" {
			t.Fatalf("%s after rejoining: %+v", d.Path(), st)
		}
	}
	if after := newPatient(t, first.svc, "After"); after.MRN != "P-D1-000003" && !strings.HasPrefix(after.MRN, "P-D1-") {
		t.Fatalf("the first desk numbers %s on the new server", after.MRN)
	}
	if n := count(t, second, `SELECT count(*) FROM patients WHERE id = ?`, p.ID); n != 1 {
		t.Fatal("the patient is gone")
	}
	// The new server holds the clinic's trust root again, from a desk that
	// rejoined it, so that another desk can join.
	if n := servertest.QueryInt(t, fresh, `SELECT count(*) FROM sync.trust_root`); n != 1 {
		t.Fatal("the new server holds no trust root")
	}
	third := MustOpenDB(t, nil)
	mustEnroll(t, third, fresh)
	if rep := mustSync(t, third); rep.PullConflicts != 0 {
		t.Fatalf("a desk joining the new server: %+v", rep)
	}
}

// TestPulledChangesAudited: what a desk applies from the server is in its
// own audit log, one row per applied batch, listing by origin desk each
// change's entity, row and fields, marked received (the sync system, not
// a person of this desk); hms verify passes on both desks.
func TestPulledChangesAudited(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
	p := newPatient(t, first.svc, "Arrives")
	mustSync(t, first.db)
	phone := "+30 210 555 0199"
	if _, err := first.svc.Patients.UpdatePatient(system, p.ID, app.PatientUpdate{Phone: &phone}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, first.db)
	syncUntilCaughtUp(t, u, second)

	rows := queryStrings(t, second, `SELECT username || '|' || detail FROM audit_log WHERE action = ? ORDER BY seq`, sync.ActionReceived)
	all := strings.Join(rows, "\n")
	for _, w := range []string{"from desk " + first.db.SiteID(), "patients " + p.ID + " (new or whole row)", "patients " + p.ID + " (phone)"} {
		if !strings.Contains(all, w) {
			t.Errorf("the received rows lack %q:\n%s", w, all)
		}
	}
	if strings.Contains(all, "from desk "+second.SiteID()) {
		t.Errorf("the desk's own changes listed as received:\n%s", all)
	}
	for _, d := range []*data.DB{first.db, second} {
		if rep, err := d.Verify(anon); err != nil || !rep.AuditOK {
			t.Fatalf("verify %s: %+v, %v", d.Path(), rep, err)
		}
	}
	// The first desk receives nothing of its own back.
	if n := queryStrings(t, first.db, `SELECT detail FROM audit_log WHERE action = ? AND detail LIKE ?`,
		sync.ActionReceived, "%"+first.db.SiteID()+"%"); len(n) != 0 {
		t.Errorf("the first desk logged its own changes as received: %v", n)
	}
}

package sync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"hms/app"
	"hms/data"
	"hms/data/datatest"
	"hms/data/sync"
	"hms/data/sync/hlc"
	"hms/data/sync/server/servertest"
)

// forger is someone who holds one desk's server login and pushes changes
// through plain SQL (sync.push), as that desk: the server takes them, as
// it takes any desk's own edits; every desk must refuse those that grant
// power without a trusted administrator's signature.
type forger struct {
	t    *testing.T
	conn *pgx.Conn
	site string
	seq  int64
	key  *app.SigningKey // the forger's own key
}

func newForger(t *testing.T, u string, desk *data.DB) *forger {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), deskURL(t, desk, u))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	k, err := app.NewSigningKey("")
	if err != nil {
		t.Fatal(err)
	}
	return &forger{t: t, conn: conn, site: desk.SiteID(), seq: 1 << 40, key: k}
}

// push pushes one forged operation and returns the server's decision.
func (f *forger) push(entity, rowID string, kind hlc.Kind, payload map[string]any) string {
	f.t.Helper()
	return f.pushAt(entity, rowID, kind, payload, f.now())
}

// pushAt pushes one forged operation with the clock reading at.
func (f *forger) pushAt(entity, rowID string, kind hlc.Kind, payload map[string]any, at hlc.Timestamp) string {
	f.t.Helper()
	f.seq++
	body, _ := json.Marshal(payload)
	ops, _ := json.Marshal([]map[string]any{{"seq": f.seq, "id": uuid.Must(uuid.NewV7()).String(), "entity": entity,
		"row_id": rowID, "kind": kind, "payload": json.RawMessage(body), "hlc": at.String()}})
	var res string
	if err := f.conn.QueryRow(context.Background(), `SELECT sync.push($1, $2::jsonb)::text`, f.site, string(ops)).Scan(&res); err != nil {
		return "refused by the server: " + err.Error()
	}
	return "taken by the server: " + res
}

func (f *forger) now() hlc.Timestamp {
	return hlc.Timestamp{Wall: time.Now().UnixMilli() + 1000, Site: f.site}
}

// powerOf reads a row's power fields on a desk, as a signer signs them.
func powerOf(t *testing.T, db *data.DB, entity, id string) map[string]*string {
	t.Helper()
	f, _, found, err := data.PowerRow(context.Background(), db.ReadDB(), entity, id)
	if err != nil || !found {
		t.Fatalf("%s %s: found %v, %v", entity, id, found, err)
	}
	return f
}

func ptr(s string) *string { return &s }

func userCol(t *testing.T, db *data.DB, id, col string) string {
	t.Helper()
	var v string
	if err := rawDB(t, db).QueryRow(`SELECT CAST(`+col+` AS TEXT) FROM users WHERE id = ?`, id).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestPowerNeedsAdminSignature: an administrator's changes of accounts
// reach the other desk and work there; the same kind of change forged by
// a desk's server login (plain SQL, as that desk) is refused on every
// desk, kept for review, counted as an alert and audited, and changes
// nothing. The test lists each attempt and its outcome.
func TestPowerNeedsAdminSignature(t *testing.T) {
	t.Parallel()
	u, first, second := twoDesks(t)
	ctx := context.Background()
	if st, _ := engine(second).SyncStatus(ctx); st.Unsigned != 0 || st.TrustRoot == "" {
		t.Fatalf("the downloaded desk: %d refused, trust root %q", st.Unsigned, st.TrustRoot)
	}
	if a, b := count(t, first.db, `SELECT count(*) FROM users`), count(t, second, `SELECT count(*) FROM users`); a != b {
		t.Fatalf("the second desk took %d accounts of %d", b, a)
	}

	// A legitimate administrator on the first desk creates an account and
	// changes its role: it reaches the second desk and works there.
	admin := first.ctx(app.RoleAdmin)
	nu, err := first.svc.Users.CreateUser(admin, app.UserCreate{Username: "nurse.new", FullName: "New Nurse",
		Role: app.RoleNurse, Password: "a long nurse password 1"})
	if err != nil {
		t.Fatal(err)
	}
	nurseSigned := map[string]any{}
	for _, c := range []string{"role", "password_hash", "must_change_password", "sign_key", "sealed_sign_key", "power_sig"} {
		nurseSigned[c] = userCol(t, first.db, nu.ID, c)
	}
	if _, err := first.svc.Users.ChangeRole(admin, nu.ID, app.RoleDoctor, nil); err != nil {
		t.Fatal(err)
	}
	admin2, err := first.svc.Users.CreateUser(admin, app.UserCreate{Username: "admin.two", FullName: "Second Admin",
		Role: app.RoleAdmin, Password: "a long admin password 2"})
	if err != nil {
		t.Fatal(err)
	}
	syncUntilCaughtUp(t, u, first.db)
	if rep := syncAllReport(t, u, second); rep.PullConflicts != 0 {
		for _, r := range queryRows(t, second, `SELECT entity, row_id, rule FROM conflicts`) {
			t.Log(r...)
		}
		t.Fatalf("the administrator's changes were refused on the second desk: %+v", rep)
	}
	sess, err := services(second).Users.Login(anon, "nurse.new", "a long nurse password 1")
	if err != nil || sess.User.Role != app.RoleDoctor {
		t.Fatalf("the new account on the second desk: %+v, %v", sess, err)
	}
	if n := count(t, second, `SELECT count(*) FROM audit_log WHERE action = ? AND detail LIKE '%signed by admin%'`, sync.ActionReceived); n == 0 {
		t.Error("the received changes do not name the administrator who signed them")
	}
	// The new user changes their own password on the second desk, signed
	// with their own key: the first desk takes it. Then the administrator
	// resets it on the first (the account gets a new key): the second
	// takes that.
	if err := services(second).Users.ChangePassword(as(sess.Caller()), "a long nurse password 1", "their own new password 2"); err != nil {
		t.Fatal(err)
	}
	syncUntilCaughtUp(t, u, second)
	if rep := syncAllReport(t, u, first.db); rep.PullConflicts != 0 {
		t.Fatalf("the user's own password change was refused: %+v", rep)
	}
	if _, err := services(first.db).Users.Login(anon, "nurse.new", "their own new password 2"); err != nil {
		t.Fatalf("the own password change did not reach the first desk: %v", err)
	}
	oldKey := userCol(t, first.db, nu.ID, "sign_key")
	if _, err := first.svc.Users.ResetPassword(admin, nu.ID, "a password the admin set 3"); err != nil {
		t.Fatal(err)
	}
	syncUntilCaughtUp(t, u, first.db)
	if rep := syncAllReport(t, u, second); rep.PullConflicts != 0 {
		t.Fatalf("the administrator's password reset was refused: %+v", rep)
	}
	if k := userCol(t, second, nu.ID, "sign_key"); k == oldKey || k != userCol(t, first.db, nu.ID, "sign_key") {
		t.Fatal("the reset did not give the account a new key on both desks")
	}
	if _, err := services(second).Users.Login(anon, "nurse.new", "a password the admin set 3"); err != nil {
		t.Fatalf("the reset password on the second desk: %v", err)
	}
	// The second administrator's key, as a thief of their password
	// would have it; then the first administrator revokes them.
	admin2Key := datatest.Signer(t, first.db, admin2, "a long admin password 2")
	if _, err := first.svc.Users.DeactivateUser(admin, admin2.ID, nil); err != nil {
		t.Fatal(err)
	}
	syncUntilCaughtUp(t, u, first.db)
	syncUntilCaughtUp(t, u, second)
	if st := userCol(t, second, admin2.ID, "status"); st != "deactivated" {
		t.Fatalf("the revocation reached the second desk as %q", st)
	}

	// The administrator purges a patient registered in error: the purge's
	// signed record goes first, and the second desk deletes the record too.
	// Another patient is the forger's target below.
	mistake := newPatient(t, first.svc, "Mistake")
	victim := newPatient(t, first.svc, "Victim")
	syncUntilCaughtUp(t, u, first.db)
	syncUntilCaughtUp(t, u, second)
	if n := count(t, second, `SELECT count(*) FROM patients WHERE id IN (?, ?)`, mistake.ID, victim.ID); n != 2 {
		t.Fatalf("the second desk has %d of the two patients", n)
	}
	if err := first.svc.Patients.PurgePatient(admin, mistake.ID, mistake.MRN); err != nil {
		t.Fatal(err)
	}
	syncUntilCaughtUp(t, u, first.db)
	if rep := syncAllReport(t, u, second); rep.PullConflicts != 0 {
		t.Fatalf("the administrator's purge was refused on the second desk: %+v", rep)
	}
	if n := count(t, second, `SELECT count(*) FROM patients WHERE id = ?`, mistake.ID); n != 0 {
		t.Fatal("the purge did not reach the second desk")
	}
	if n := count(t, second, `SELECT count(*) FROM patient_purges WHERE purged_patient = ? AND power_sig <> ''`, mistake.ID); n != 1 {
		t.Fatalf("the second desk holds %d signed records of the purge", n)
	}

	// The administrator adds a price, links a doctor's consultation to it
	// and adds a drug: all three reach the second desk, signed.
	doc := first.users[app.RoleDoctor]
	if _, err := first.svc.Billing.CreatePriceItem(admin, app.PriceItemInput{Code: "SIGNED", Name: "Signed consultation",
		Kind: app.PriceConsultation, Price: 7000}); err != nil {
		t.Fatal(err)
	}
	if _, err := first.svc.Appointments.SetDoctorProfile(admin, app.DoctorProfile{UserID: doc.ID, ConsultationCode: "SIGNED"}); err != nil {
		t.Fatal(err)
	}
	if _, err := first.svc.Drugs.ImportLocalDrugs(admin, []app.LocalDrugRow{{Line: 2, LocalDrug: app.LocalDrug{
		Kind: app.LocalBrand, Name: "Signedamox", Substances: []string{"amoxicillin"}}}}); err != nil {
		t.Fatal(err)
	}
	syncUntilCaughtUp(t, u, first.db)
	if rep := syncAllReport(t, u, second); rep.PullConflicts != 0 {
		for _, r := range queryRows(t, second, `SELECT entity, row_id, rule FROM conflicts`) {
			t.Log(r...)
		}
		t.Fatalf("the administrator's price, fee or drug was refused on the second desk: %+v", rep)
	}
	for _, q := range []string{`SELECT count(*) FROM price_items WHERE code = 'SIGNED' AND power_sig <> ''`,
		`SELECT count(*) FROM doctor_consultation_items WHERE price_code = 'SIGNED' AND power_sig <> ''`,
		`SELECT count(*) FROM local_drugs WHERE name = 'Signedamox' AND power_sig <> ''`} {
		if n := count(t, second, q); n != 1 {
			t.Fatalf("%s on the second desk: %d", q, n)
		}
	}
	if n := count(t, second, `SELECT count(*) FROM audit_log WHERE action = ? AND detail LIKE '%price_items%signed by admin%'`,
		sync.ActionReceived); n == 0 {
		t.Error("the received price does not name the administrator who signed it")
	}

	if st, _ := engine(first.db).SyncStatus(ctx); st.Unsigned != 0 {
		for _, r := range queryRows(t, first.db, `SELECT entity, row_id, rule, lost_value FROM conflicts`) {
			t.Log(r...)
		}
		t.Fatalf("the first desk refused %d of its own administrator's changes", st.Unsigned)
	}
	// The attacks, with the second desk's login.
	f := newForger(t, u, second)
	adm, rec, pending := first.users[app.RoleAdmin], first.users[app.RoleReception], first.pending
	hash, _ := app.HashPassword("mallory's own password", cheapHash)
	sealed, _ := app.SealSigningKey(f.key, "mallory's own password", cheapHash)
	signed := func(k *app.SigningKey, entity, id string, change map[string]string) map[string]any {
		fields := powerOf(t, second, entity, id)
		payload := map[string]any{}
		for n, v := range change {
			fields[n] = ptr(v)
			payload[n] = v
		}
		payload["power_sig"] = k.SignPower(entity, id, f.now().String(), fields)
		return payload
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	now0 := now
	var lastPurge string
	// purgeID is a new purge record's id, which purgeRow (evaluated after
	// it, left to right) gives its row.
	purgeID := func() string { lastPurge = uuid.Must(uuid.NewV7()).String(); return lastPurge }
	purgeRow := func(p *app.Patient, k *app.SigningKey) map[string]any {
		row := map[string]any{"id": lastPurge, "purged_patient": p.ID, "mrn": p.MRN, "purged_by": "admin",
			"created_at": time.Now().UTC().Format(time.RFC3339Nano), "updated_at": time.Now().UTC().Format(time.RFC3339Nano),
			"power_sig": ""}
		if k != nil {
			row["power_sig"] = k.SignPower("patient_purges", lastPurge, f.now().String(),
				map[string]*string{"purged_patient": &p.ID, "mrn": &p.MRN})
		}
		return row
	}
	// catalogue is a new row of a signed catalogue (price list, fee,
	// drugs), signed with k when k is not nil, as the forger pushes it.
	catalogue := func(entity string, k *app.SigningKey, row map[string]any) (string, map[string]any) {
		id := uuid.Must(uuid.NewV7()).String()
		row["id"], row["created_at"], row["updated_at"], row["deleted_at"], row["power_sig"] = id, now0, now0, nil, ""
		if k != nil {
			b, _ := json.Marshal(row)
			fields, _, err := data.PowerFieldsOf(entity, b)
			if err != nil {
				t.Fatal(err)
			}
			row["power_sig"] = k.SignPower(entity, id, f.now().String(), fields)
		}
		return id, row
	}
	cheapPrice := func(k *app.SigningKey, version int) (string, map[string]any) {
		return catalogue("price_items", k, map[string]any{"code": "SIGNED", "version": version, "name": "Signed consultation",
			"kind": "consultation", "price": 1, "tax_rate": 0, "doctor_id": nil, "specialization": "", "active": 1,
			"valid_from": now0, "created_by": "admin"})
	}
	cheapFee := func(k *app.SigningKey) (string, map[string]any) {
		return catalogue("doctor_consultation_items", k, map[string]any{"user_id": doc.ID, "price_code": "FREE",
			"recorded_by": adm.ID, "recorded_by_name": "Ada Admin"})
	}
	fakeDrug := func(k *app.SigningKey) (string, map[string]any) {
		return catalogue("local_drugs", k, map[string]any{"kind": "brand", "name": "Malloramox", "substances": "amoxicillin",
			"classes": "", "forms": "", "created_by": adm.ID, "created_by_name": "Ada Admin"})
	}
	type forged struct {
		id  string
		row map[string]any
	}
	pack := func(id string, row map[string]any) forged { return forged{id, row} }
	prices := []forged{pack(cheapPrice(nil, 2)), pack(cheapPrice(f.key, 3)), pack(cheapPrice(admin2Key, 4))}
	fees := []forged{pack(cheapFee(nil)), pack(cheapFee(f.key)), pack(cheapFee(admin2Key))}
	drugs := []forged{pack(fakeDrug(nil)), pack(fakeDrug(f.key)), pack(fakeDrug(admin2Key))}
	mallory := uuid.Must(uuid.NewV7()).String()
	malloryRow := map[string]string{"username": "mallory", "role": "admin", "status": "active", "password_hash": hash,
		"must_change_password": "0", "sign_key": f.key.Public(), "sealed_sign_key": sealed}
	malloryFields := map[string]*string{}
	for n, v := range malloryRow {
		malloryFields[n] = ptr(v)
	}
	// Field by field (power_sigs): a change of the receptionist's role
	// pushed with a signature of its own for the field, at the change's
	// own clock reading (fieldAttack). The administrator's key stands for
	// a signature the administrator made for another row, field or value,
	// moved here; the forger's own, for one forged.
	adminKey := datatest.Signer(t, first.db, adm, adminPassword)
	roleOf := func(k *app.SigningKey, row, field, value string) func(string) string {
		return func(at string) string { return k.SignPowerField("users", row, field, &value, at) }
	}
	claimed := func(at string) string { // names the administrator's key, made with the forger's
		s := f.key.SignPowerField("users", rec.ID, "role", ptr("admin"), at)
		return strings.Replace(s, f.key.Public(), adminKey.Public(), 1)
	}
	nurseRoleSig := ""
	rawDB(t, first.db).QueryRow(`SELECT sig FROM power_sigs WHERE id = ?`, app.PowerSigID("users", nu.ID, "role")).Scan(&nurseRoleSig)
	if nurseRoleSig == "" {
		t.Fatal("the administrator's change of nurse.new's role has no signature of its field")
	}
	fieldAttacks := []struct {
		what, role string
		sig        func(at string) string
	}{
		{"signed with the forger's own key", "admin", roleOf(f.key, rec.ID, "role", "admin")},
		{"a signature naming the administrator's key, made with the forger's", "admin", claimed},
		{"the administrator's signature of another account's role, moved to it", "admin", roleOf(adminKey, nu.ID, "role", "admin")},
		{"the administrator's signature of its status, moved to its role", "admin", roleOf(adminKey, rec.ID, "status", "admin")},
		{"the administrator's signature of another value of its role (doctor)", "admin", roleOf(adminKey, rec.ID, "role", "doctor")},
		{"the administrator's signature of nurse.new's role (doctor), sent again for it", "doctor",
			func(string) string { return nurseRoleSig }},
	}
	attempts := []struct {
		what         string
		entity, id   string
		kind         hlc.Kind
		payload      map[string]any
		refusedWhere bool // refused on the desks (the server takes it as the desk's edit)
	}{
		{"give the administrator another password hash", "users", adm.ID, hlc.KindUpdate,
			map[string]any{"password_hash": hash}, true},
		{"insert an active administrator, signed by its own key", "users", mallory, hlc.KindInsert, map[string]any{
			"id": mallory, "username": "mallory", "full_name": "Mallory", "email": "", "phone": "", "role": "admin",
			"status": "active", "password_hash": hash, "must_change_password": 0, "patient_id": nil,
			"created_at": now, "updated_at": now, "deleted_at": nil, "sign_key": f.key.Public(), "sealed_sign_key": sealed,
			"power_sig": f.key.SignPower("users", mallory, f.now().String(), malloryFields)}, true},
		{"make the receptionist an administrator", "users", rec.ID, hlc.KindUpdate, map[string]any{"role": "admin"}, true},
		{"approve the pending registration", "users", pending.ID, hlc.KindUpdate, map[string]any{"status": "active"}, true},
		{"deactivate the administrator", "users", adm.ID, hlc.KindUpdate, map[string]any{"status": "deactivated"}, true},
		{"change a setting", "settings", "clinic_name", hlc.KindUpdate, map[string]any{"value": "Mallory's Clinic"}, true},
		{"make the receptionist an administrator, signed with the forger's own key", "users", rec.ID, hlc.KindUpdate,
			signed(f.key, "users", rec.ID, map[string]string{"role": "admin"}), true},
		{"make the receptionist an administrator, signed by the revoked administrator's key", "users", rec.ID, hlc.KindUpdate,
			signed(admin2Key, "users", rec.ID, map[string]string{"role": "admin"}), true},
		{"give the receptionist's account the forger's key, signed by it", "users", rec.ID, hlc.KindUpdate,
			signed(f.key, "users", rec.ID, map[string]string{"sign_key": f.key.Public(), "sealed_sign_key": sealed}), true},
		{"send the administrator's earlier signed state again (nurse.new back to nurse)", "users", nu.ID, hlc.KindUpdate,
			nurseSigned, true},
		{"delete the administrator's account by tombstone", "users", adm.ID, hlc.KindDelete, map[string]any{}, true},
		{"delete a patient's record by tombstone (a purge without its signed record)", "patients", victim.ID,
			hlc.KindDelete, map[string]any{}, true},
		{"record a purge of the patient, unsigned", "patient_purges", purgeID(), hlc.KindInsert,
			purgeRow(victim, nil), true},
		{"record a purge of the patient, signed with the forger's own key", "patient_purges", purgeID(), hlc.KindInsert,
			purgeRow(victim, f.key), true},
		{"record a purge of the patient, signed by the revoked administrator's key", "patient_purges", purgeID(), hlc.KindInsert,
			purgeRow(victim, admin2Key), true},
		{"lower a price to 1, unsigned", "price_items", prices[0].id, hlc.KindInsert, prices[0].row, true},
		{"lower a price to 1, signed with the forger's own key", "price_items", prices[1].id, hlc.KindInsert, prices[1].row, true},
		{"lower a price to 1, signed by the revoked administrator's key", "price_items", prices[2].id, hlc.KindInsert,
			prices[2].row, true},
		{"bill a doctor's consultations with another item, unsigned", "doctor_consultation_items", fees[0].id, hlc.KindInsert,
			fees[0].row, true},
		{"bill a doctor's consultations with another item, signed with the forger's own key", "doctor_consultation_items",
			fees[1].id, hlc.KindInsert, fees[1].row, true},
		{"bill a doctor's consultations with another item, signed by the revoked administrator's key",
			"doctor_consultation_items", fees[2].id, hlc.KindInsert, fees[2].row, true},
		{"add a drug to the catalogue, unsigned", "local_drugs", drugs[0].id, hlc.KindInsert, drugs[0].row, true},
		{"add a drug to the catalogue, signed with the forger's own key", "local_drugs", drugs[1].id, hlc.KindInsert,
			drugs[1].row, true},
		{"add a drug to the catalogue, signed by the revoked administrator's key", "local_drugs", drugs[2].id, hlc.KindInsert,
			drugs[2].row, true},
	}
	// The field-signed attacks: each pushes the field's signature (sigOf)
	// before its change.
	sigOf := map[string]func(at string) string{}
	for _, a := range fieldAttacks {
		what := "make the receptionist " + a.role + ", its role signed field by field: " + a.what
		sigOf[what] = a.sig
		attempts = append(attempts, attempts[0])
		last := &attempts[len(attempts)-1]
		last.what, last.id, last.payload = what, rec.ID, map[string]any{"role": a.role}
	}
	before := map[string]string{}
	for _, d := range []*data.DB{first.db, second} {
		for _, id := range []string{adm.ID, rec.ID, pending.ID, nu.ID} {
			before[d.Path()+id] = userCol(t, d, id, "role") + "/" + userCol(t, d, id, "status") + "/" + userCol(t, d, id, "password_hash")
		}
	}
	clinicName := func(d *data.DB) string {
		var v string
		rawDB(t, d).QueryRow(`SELECT value FROM settings WHERE key = 'clinic_name'`).Scan(&v)
		return v
	}
	name := clinicName(first.db)
	refusedBefore := map[*data.DB]int{}
	for _, d := range []*data.DB{first.db, second} {
		refusedBefore[d] = count(t, d, `SELECT count(*) FROM audit_log WHERE action = ?`, sync.ActionRefused)
	}
	// Each attempt is pushed, and both desks sync, in turn: each desk's
	// decision about it is its own.
	for _, a := range attempts {
		var out string
		if sig := sigOf[a.what]; sig != nil {
			// The field's signature first, then the change at the
			// signature's clock reading, as a desk pushes them.
			at := f.now()
			sigID := app.PowerSigID("users", a.id, "role")
			out = "signature " + f.pushAt("power_sigs", sigID, hlc.KindInsert, map[string]any{"id": sigID, "entity": "users",
				"row_id": a.id, "field": "role", "sig": sig(at.String()), "updated_at": now0}, at) + "; change "
			out += f.pushAt(a.entity, a.id, a.kind, a.payload, at)
		} else {
			out = f.push(a.entity, a.id, a.kind, a.payload)
		}
		for i, d := range []*data.DB{first.db, second} {
			desk := []string{"first desk", "second desk (whose login was used)"}[i]
			n := count(t, d, `SELECT count(*) FROM conflicts WHERE rule LIKE ?`, sync.RuleUnsignedPower+"%")
			syncUntilCaughtUp(t, u, d)
			var rule string
			if count(t, d, `SELECT count(*) FROM conflicts WHERE rule LIKE ?`, sync.RuleUnsignedPower+"%") == n+1 {
				rawDB(t, d).QueryRow(`SELECT rule FROM conflicts WHERE rule LIKE ? ORDER BY rowid DESC LIMIT 1`, sync.RuleUnsignedPower+"%").Scan(&rule)
				out += "\n\t" + desk + ": refused, " + strings.TrimPrefix(rule, sync.RuleUnsignedPower)
			} else {
				out += "\n\t" + desk + ": NOT REFUSED"
				t.Errorf("%s: not refused on %s", a.what, d.Path())
			}
		}
		t.Logf("%s:\n\t%s", a.what, out)
	}

	for _, d := range []*data.DB{first.db, second} {
		st, err := engine(d).SyncStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		refused := count(t, d, `SELECT count(*) FROM audit_log WHERE action = ?`, sync.ActionRefused) - refusedBefore[d]
		t.Logf("desk %s: %d changes refused and audited, %d waiting for an administrator (alert), %d conflicts open",
			d.SiteID()[:8], refused, st.Unsigned, st.Conflicts)
		if refused != len(attempts) || st.Unsigned != refused {
			t.Errorf("desk %s: %d refusals audited, %d in review", d.Path(), refused, st.Unsigned)
		}
		for _, id := range []string{adm.ID, rec.ID, pending.ID, nu.ID} {
			if got := userCol(t, d, id, "role") + "/" + userCol(t, d, id, "status") + "/" + userCol(t, d, id, "password_hash"); got != before[d.Path()+id] {
				t.Errorf("desk %s: account %s changed to %s", d.Path(), id, got)
			}
		}
		if n := count(t, d, `SELECT count(*) FROM users WHERE username = 'mallory'`); n != 0 {
			t.Errorf("desk %s took the forged administrator", d.Path())
		}
		if n := count(t, d, `SELECT count(*) FROM patients WHERE id = ?`, victim.ID); n != 1 {
			t.Errorf("desk %s: the forged purge deleted the patient", d.Path())
		}
		if n := count(t, d, `SELECT count(*) FROM patient_purges WHERE purged_patient = ?`, victim.ID); n != 0 {
			t.Errorf("desk %s took %d forged purge records", d.Path(), n)
		}
		if n := count(t, d, `SELECT count(*) FROM price_items WHERE code = 'SIGNED'`); n != 1 {
			t.Errorf("desk %s took %d forged versions of the price", d.Path(), n-1)
		}
		if n := count(t, d, `SELECT count(*) FROM doctor_consultation_items WHERE price_code = 'FREE'`); n != 0 {
			t.Errorf("desk %s took %d forged consultation items", d.Path(), n)
		}
		if n := count(t, d, `SELECT count(*) FROM local_drugs WHERE name = 'Malloramox'`); n != 0 {
			t.Errorf("desk %s took %d forged drugs", d.Path(), n)
		}
		if got := clinicName(d); got != name {
			t.Errorf("desk %s: clinic name %q", d.Path(), got)
		}
		if _, err := services(d).Users.Login(anon, "admin", adminPassword); err != nil {
			t.Errorf("desk %s: the administrator cannot log in: %v", d.Path(), err)
		}
		if _, err := services(d).Users.Login(anon, "mallory", "mallory's own password"); err == nil {
			t.Errorf("desk %s: the forged administrator logs in", d.Path())
		}
		rep, err := d.Verify(ctx)
		if err != nil || !rep.OK() {
			t.Errorf("desk %s: hms verify: %+v, %v", d.Path(), rep, err)
		}
		// The refusals are listed for review with what was refused.
		cs, err := services(d).Sync.ListConflicts(as(callerOf(first.users[app.RoleAdmin])), false)
		if err != nil {
			t.Fatal(err)
		}
		listed := 0
		for _, c := range cs {
			if strings.HasPrefix(c.Rule, sync.RuleUnsignedPower) {
				listed++
			}
		}
		if listed != st.Unsigned {
			t.Errorf("desk %s: %d refusals listed of %d", d.Path(), listed, st.Unsigned)
		}
	}
}

// TestUpgradedClinicGetsTrustRoot: a clinic of two desks that synced before
// signing keys (no keys, no signatures, no trust root anywhere) is
// updated in place: it keeps syncing; the first administrator who logs in
// makes their key, their desk gives the server the clinic's root, the
// other desk takes the key as the account's first, and the
// administrator's signed changes reach it; a desk joining afterwards
// downloads everything with nothing refused.
func TestUpgradedClinicGetsTrustRoot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := newSyncServer(t)
	first := mustSetup(t)
	asBefore := func(db *data.DB, keys bool) {
		t.Helper()
		qs := []string{`DELETE FROM trust_keys`, `DELETE FROM trust_baseline`, `UPDATE sync_meta SET trust_root = NULL`}
		if keys {
			qs = append(qs, `UPDATE users SET sign_key = '', sealed_sign_key = '', power_sig = ''`, `UPDATE settings SET power_sig = ''`)
		}
		if err := db.WriteSyncState(ctx, "test.as_before", func(tx *data.Tx) error {
			for _, q := range qs {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	asBefore(first.db, true)
	mustEnroll(t, first.db, u)
	syncUntilCaughtUp(t, u, first.db)
	second := MustOpenDB(t, nil)
	mustEnroll(t, second, u)
	syncUntilCaughtUp(t, u, second)
	servertest.Exec(t, u, `DELETE FROM sync.trust_root`)
	asBefore(first.db, false)
	asBefore(second, false)
	trustRoot := func(db *data.DB) string {
		st, err := engine(db).SyncStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st.TrustRoot
	}

	// Updated, nobody logged in yet: the desks sync, and wait to give the
	// server a root until an administrator has a key.
	p := newPatient(t, first.svc, "Upgrade")
	syncUntilCaughtUp(t, u, first.db)
	syncUntilCaughtUp(t, u, second)
	if n := count(t, second, `SELECT count(*) FROM patients WHERE id = ?`, p.ID); n != 1 {
		t.Fatal("the updated desks stopped syncing")
	}
	if trustRoot(first.db) != "" || servertest.QueryInt(t, u, `SELECT count(*) FROM sync.trust_root`) != 0 {
		t.Fatal("a trust root without an administrator's key")
	}
	sess, err := services(first.db).Users.Login(anon, "admin", adminPassword)
	if err != nil || sess.Signer == nil {
		t.Fatalf("the administrator's login: %+v, %v", sess, err)
	}
	syncUntilCaughtUp(t, u, first.db)
	root := trustRoot(first.db)
	if root == "" || servertest.QueryInt(t, u, `SELECT count(*) FROM sync.trust_root`) != 1 {
		t.Fatalf("no trust root after the administrator's login: %q", root)
	}
	if rep := syncAllReport(t, u, second); rep.PullConflicts != 0 || trustRoot(second) != root {
		t.Fatalf("the second desk: %+v, root %q (want %q)", rep, trustRoot(second), root)
	}
	adminID := first.users[app.RoleAdmin].ID
	if userCol(t, second, adminID, "sign_key") != sess.Signer.Public() {
		t.Fatal("the second desk did not take the administrator's first key")
	}
	doc := first.users[app.RoleDoctor]
	if _, err := first.svc.Users.ChangeRole(as(sess.Caller()), doc.ID, app.RoleNurse, nil); err != nil {
		t.Fatal(err)
	}
	syncUntilCaughtUp(t, u, first.db)
	if rep := syncAllReport(t, u, second); rep.PullConflicts != 0 || userCol(t, second, doc.ID, "role") != "nurse" {
		t.Fatalf("the administrator's signed change on the updated desk: %+v", rep)
	}
	third := MustOpenDB(t, nil)
	if st, err := engine(third).EnrollDesk(app.WithTrustPin(system, root), deskURL(t, third, u)); err != nil || st.TrustRoot != root {
		t.Fatalf("a desk joining the updated clinic: %+v, %v", st, err)
	}
	if rep := syncAllReport(t, u, third); rep.PullConflicts != 0 {
		for _, r := range queryRows(t, third, `SELECT entity, row_id, rule, lost_value, lost_hlc FROM conflicts`) {
			t.Log(r...)
		}
		for _, r := range queryRows(t, first.db, `SELECT id, username, role, status, sign_key, power_sig FROM users`) {
			t.Log(r...)
		}
		for _, r := range queryRows(t, third, `SELECT entity, row_id, digest FROM trust_baseline`) {
			t.Log(r...)
		}
		t.Fatalf("the joining desk refused: %+v", rep)
	}
	sameClinic(t, first.db, second, third)
	for _, d := range []*data.DB{first.db, second, third} {
		if rep, err := d.Verify(ctx); err != nil || !rep.OK() {
			t.Errorf("hms verify on %s: %+v, %v", d.Path(), rep, err)
		}
	}
}

// syncAllReport syncs db until it has pulled the whole of the server's log
// (a round pulls only below the oldest transaction running on the server,
// and tests of other packages share it), adding up what the rounds
// reported.
func syncAllReport(t testing.TB, u string, db *data.DB) app.SyncReport {
	t.Helper()
	var sum app.SyncReport
	// The log's last entry in the pull's order, (txid, seq): a lower txid
	// may commit after a higher one, so the highest seq is not always last.
	var lastTx, lastSeq int64
	servertest.QueryRow(t, u, `SELECT coalesce(max(txid::text::bigint), 0),
		coalesce((SELECT max(seq) FROM sync.change_log WHERE txid = (SELECT max(txid) FROM sync.change_log)), 0)
		FROM sync.change_log`, nil, &lastTx, &lastSeq)
	for deadline := time.Now().Add(30 * time.Second); ; {
		rep := mustSync(t, db)
		sum.Pulled += rep.Pulled
		sum.PullConflicts += rep.PullConflicts
		var tx, seq int64
		rawDB(t, db).QueryRow(`SELECT pull_txid, pull_seq FROM sync_meta`).Scan(&tx, &seq)
		if tx > lastTx || tx == lastTx && seq >= lastSeq || time.Now().After(deadline) {
			return sum
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// syncUntilCaughtUp is syncAllReport when the report is not needed.
func syncUntilCaughtUp(t testing.TB, u string, db *data.DB) {
	t.Helper()
	syncAllReport(t, u, db)
}

// TestTakingBackAnAccountFieldSigns: two administrators change one
// account's role on two desks offline; the later wins and the earlier is
// kept for review on its desk. The administrator who takes the earlier
// role back there signs the account as it then is, so the other desk takes
// it (not refused as a change whose signature does not match its fields).
func TestTakingBackAnAccountFieldSigns(t *testing.T) {
	t.Parallel()
	_, first, second := twoDesks(t)
	admin := first.ctx(app.RoleAdmin)
	nu, err := first.svc.Users.CreateUser(admin, app.UserCreate{Username: "nurse.taken", FullName: "Taken Back",
		Role: app.RoleNurse, Password: "a long nurse password 4"})
	if err != nil {
		t.Fatal(err)
	}
	syncAll(t, first.db, second)
	if _, err := first.svc.Users.ChangeRole(admin, nu.ID, app.RoleDoctor, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := services(second).Users.ChangeRole(admin, nu.ID, app.RoleBilling, nil); err != nil {
		t.Fatal(err)
	}
	syncAll(t, first.db, second)
	var lost *app.Conflict
	cs, err := services(first.db).Sync.ListConflicts(admin, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.RowID == nu.ID && c.Field == "role" {
			lost = c
		}
	}
	if lost == nil {
		t.Fatalf("no review item for the role that lost on the first desk: %+v", cs)
	}
	if _, err := services(first.db).Sync.ResolveConflict(admin, lost.ID, app.ResolutionTake); err != nil {
		t.Fatal(err)
	}
	syncAll(t, first.db, second)
	for i, d := range []*data.DB{first.db, second} {
		if r := userCol(t, d, nu.ID, "role"); r != string(app.RoleDoctor) {
			t.Errorf("desk %d: role %s, want the role taken back", i, r)
		}
		if st, _ := engine(d).SyncStatus(anon); st.Unsigned != 0 {
			for _, r := range queryRows(t, d, `SELECT entity, row_id, rule FROM conflicts WHERE rule LIKE 'refused:%'`) {
				t.Log(r...)
			}
			t.Errorf("desk %d refused %d change(s)", i, st.Unsigned)
		}
	}
	f := powerOf(t, second, "users", nu.ID)
	sig, err := app.ParsePowerSig(userCol(t, second, nu.ID, "power_sig"))
	if err != nil || sig == nil || !sig.Verify("users", nu.ID, f) || sig.Key != userCol(t, second, first.users[app.RoleAdmin].ID, "sign_key") {
		t.Errorf("the account is not signed by the administrator who took the role back: %+v, %v", sig, err)
	}
}

// TestLegacyCatalogueVouchedForJoiningDesk: price list, fee and drug rows
// written before they were signed (the desk's migration lists them in
// trust_legacy) are vouched for by the administrator's next login on a
// desk that syncs, in a signed trust extension; a desk joining the clinic
// afterwards reads it before its first pull and takes those rows, while an
// unsigned row it does not list, and an extension signed by a desk login's
// own key, are refused there.
func TestLegacyCatalogueVouchedForJoiningDesk(t *testing.T) {
	t.Parallel()
	u := newSyncServer(t)
	first := mustSetup(t)
	mustEnroll(t, first.db, u)
	mustSync(t, first.db)

	// Two unsigned price rows, as a desk before signing wrote them: the
	// desk is made to look unenrolled while they are written.
	epoch := ""
	rawDB(t, first.db).QueryRow(`SELECT server_epoch FROM sync_meta WHERE id = 1`).Scan(&epoch)
	setEpoch := func(v any) {
		if _, err := rawDB(t, first.db).Exec(`UPDATE sync_meta SET server_epoch = ? WHERE id = 1`, v); err != nil {
			t.Fatal(err)
		}
	}
	setEpoch(nil)
	keyless := callerOf(first.users[app.RoleAdmin])
	keyless.Signer = nil // as before keys
	legacy, err := first.svc.Billing.CreatePriceItem(as(keyless), app.PriceItemInput{Code: "OLDFEE", Name: "Old consultation",
		Kind: app.PriceConsultation, Price: 4000})
	if err != nil {
		t.Fatal(err)
	}
	later, err := first.svc.Billing.CreatePriceItem(as(keyless), app.PriceItemInput{Code: "LATER", Name: "Unsigned later",
		Kind: app.PriceOther, Price: 1})
	if err != nil {
		t.Fatal(err)
	}
	setEpoch(epoch)
	for _, p := range []*app.PriceItem{legacy, later} {
		if n := count(t, first.db, `SELECT count(*) FROM price_items WHERE id = ? AND power_sig = ''`, p.ID); n != 1 {
			t.Fatalf("price %s is not unsigned", p.Code)
		}
	}
	// Only the first was there when the desk was updated.
	if _, err := rawDB(t, first.db).Exec(`INSERT INTO trust_legacy (entity, row_id) VALUES ('price_items', ?)`, legacy.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := services(first.db).Users.Login(anon, "admin", adminPassword); err != nil {
		t.Fatal(err)
	}
	if n := count(t, first.db, `SELECT count(*) FROM trust_extensions WHERE power_sig <> '' AND entries LIKE ?`, "%"+legacy.ID+"%"); n != 1 {
		t.Fatalf("the administrator's login made %d signed extensions listing the old price", n)
	}
	if n := count(t, first.db, `SELECT count(*) FROM trust_legacy WHERE extension_id IS NULL`); n != 0 {
		t.Fatalf("%d old rows left unvouched", n)
	}
	if _, err := services(first.db).Users.Login(anon, "admin", adminPassword); err != nil {
		t.Fatal(err)
	}
	if n := count(t, first.db, `SELECT count(*) FROM trust_extensions`); n != 1 {
		t.Fatalf("a second login made another extension: %d", n)
	}
	// A desk login forges an extension for the later row, signed by its
	// own key.
	f := newForger(t, u, first.db)
	digest := data.PowerDigest("price_items", later.ID, powerOf(t, first.db, "price_items", later.ID))
	entries, _ := json.Marshal([]map[string]string{{"entity": "price_items", "row": later.ID, "digest": digest}})
	xid := uuid.Must(uuid.NewV7()).String()
	now := time.Now().UTC().Format(time.RFC3339Nano)
	t.Log("forged extension:", f.push("trust_extensions", xid, hlc.KindInsert, map[string]any{"id": xid, "entries": string(entries),
		"signed_by": "admin", "created_at": now, "updated_at": now, "deleted_at": nil,
		"power_sig": f.key.SignPower("trust_extensions", xid, f.now().String(), map[string]*string{"entries": ptr(string(entries))})}))
	syncUntilCaughtUp(t, u, first.db)

	third := MustOpenDB(t, nil)
	mustEnroll(t, third, u)
	if n := count(t, third, `SELECT count(*) FROM trust_baseline WHERE entity = 'price_items' AND row_id = ?`, legacy.ID); n != 1 {
		t.Fatal("the joining desk did not take the signed extension at its enrollment")
	}
	if n := count(t, third, `SELECT count(*) FROM trust_baseline WHERE row_id = ?`, later.ID); n != 0 {
		t.Fatal("the joining desk took the forged extension")
	}
	syncUntilCaughtUp(t, u, third)
	if n := count(t, third, `SELECT count(*) FROM price_items WHERE id = ?`, legacy.ID); n != 1 {
		for _, r := range queryRows(t, third, `SELECT entity, row_id, rule FROM conflicts`) {
			t.Log(r...)
		}
		t.Fatal("the joining desk refused the old price its clinic vouched for")
	}
	refused := map[string]bool{}
	for _, r := range queryRows(t, third, `SELECT entity || ' ' || row_id FROM conflicts WHERE rule LIKE 'refused: grants power%'`) {
		refused[fmt.Sprint(r[0])] = true
	}
	if len(refused) != 2 || !refused["price_items "+later.ID] || !refused["trust_extensions "+xid] {
		t.Fatalf("the joining desk refused %v, want the later unsigned price and the forged extension", refused)
	}
	if n := count(t, third, `SELECT count(*) FROM price_items WHERE id = ?`, later.ID); n != 0 {
		t.Fatal("the joining desk took the unsigned later price")
	}
	if n := count(t, third, `SELECT count(*) FROM audit_log WHERE action = ?`, sync.ActionRefused); n != 2 {
		t.Fatalf("the joining desk audited %d refusals", n)
	}
}

// TestFirstKeyWindowBounded: an account made before signing keys takes its
// first key, signed only by that key, on the other desks only within the
// fourteen days after the update that bounded it (sync_meta.
// first_keys_until); after it, the key is refused there like an unsigned
// power change, so a desk login can no longer give a keyless
// administrator a key of its own.
func TestFirstKeyWindowBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u, first, second := twoDesks(t)
	rec, bil := first.users[app.RoleReception], first.users[app.RoleBilling]
	// Both desks have every entry of the log before the accounts lose their
	// keys behind sync's back: a pull holds entries back while any older
	// transaction of the server is open (another database's, too), and an
	// entry pulled late (the first desk's own, of the accounts with their
	// keys) would give a key back, so that the login below makes none.
	syncUntilCaughtUp(t, u, first.db)
	syncUntilCaughtUp(t, u, second)
	for _, d := range []*data.DB{first.db, second} {
		if err := d.WriteSyncState(ctx, "test.keyless", func(tx *data.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE users SET sign_key = '', sealed_sign_key = '', power_sig = '' WHERE id IN (?, ?)`,
				rec.ID, bil.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	setWindow := func(d *data.DB, until time.Time) {
		if err := d.WriteSyncState(ctx, "test.window", func(tx *data.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE sync_meta SET first_keys_until = ? WHERE id = 1`, until.UTC().Format(data.TimeLayout))
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	// The window closed on the second desk: the receptionist's first key,
	// made at their login on the first, is refused there.
	setWindow(second, second.Now().Add(-time.Hour))
	if _, err := services(first.db).Users.Login(anon, rec.Username, "a long staff password "+string(app.RoleReception)); err != nil {
		t.Fatal(err)
	}
	key := userCol(t, first.db, rec.ID, "sign_key")
	if key == "" {
		t.Fatal("the login made no key")
	}
	syncUntilCaughtUp(t, u, first.db)
	syncUntilCaughtUp(t, u, second)
	if got := userCol(t, second, rec.ID, "sign_key"); got != "" {
		for _, r := range queryRows(t, second, `SELECT first_keys_until FROM sync_meta`) {
			t.Log(r...)
		}
		for _, r := range queryRows(t, second, `SELECT action, detail FROM audit_log WHERE action LIKE 'sync.%' ORDER BY seq DESC LIMIT 3`) {
			t.Log(r...)
		}
		t.Fatal("the second desk took a first key after its window closed")
	}
	var rule string
	rawDB(t, second).QueryRow(`SELECT rule FROM conflicts WHERE row_id = ? AND rule LIKE 'refused: grants power%'`, rec.ID).Scan(&rule)
	if !strings.Contains(rule, "fourteen days") {
		t.Fatalf("the refusal: %q", rule)
	}
	if st, _ := engine(second).SyncStatus(ctx); st.Unsigned != 1 {
		t.Fatalf("the second desk's alert counts %d refusals", st.Unsigned)
	}
	// Within the window, the same kind of key is taken.
	setWindow(second, second.Now().Add(time.Hour))
	if _, err := services(first.db).Users.Login(anon, bil.Username, "a long staff password "+string(app.RoleBilling)); err != nil {
		t.Fatal(err)
	}
	syncUntilCaughtUp(t, u, first.db)
	syncUntilCaughtUp(t, u, second)
	if got := userCol(t, second, bil.ID, "sign_key"); got == "" || got != userCol(t, first.db, bil.ID, "sign_key") {
		for _, r := range queryRows(t, second, `SELECT entity, row_id, rule FROM conflicts WHERE resolved_at IS NULL`) {
			t.Log(r...)
		}
		t.Fatal("the second desk did not take a first key within its window")
	}
	if st, _ := engine(second).SyncStatus(ctx); st.Unsigned != 1 {
		t.Fatalf("the second desk's alert counts %d refusals", st.Unsigned)
	}
}

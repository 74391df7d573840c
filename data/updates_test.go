package data_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hms/app"
	upd "hms/app/update"
	"hms/data"
)

// updateRelease publishes HMS version as a signed release in a fresh
// folder: a Windows installer and a Debian package.
func updateRelease(t *testing.T, priv ed25519.PrivateKey, version string) string {
	t.Helper()
	dir := t.TempDir()
	m := upd.Manifest{Version: version, Notes: "Settings → Updates."}
	for _, f := range []struct{ name, goos string }{{"HMS-Setup-" + version + ".exe", "windows"}, {"hms_" + version + "_amd64.deb", "linux"}} {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, []byte("the package "+f.name), 0o644); err != nil {
			t.Fatal(err)
		}
		e, err := upd.FileEntry(p, f.goos, "amd64")
		if err != nil {
			t.Fatal(err)
		}
		m.Files = append(m.Files, e)
	}
	b, err := upd.Sign(m, priv)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, upd.ManifestName), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

type updateDesk struct {
	svc     *data.UpdateService
	started []string
	dir     string
}

func newUpdateDesk(t *testing.T, db *data.DB, key ed25519.PublicKey, goos string) *updateDesk {
	d := &updateDesk{dir: t.TempDir()}
	d.svc = db.UpdateService(data.UpdateOptions{
		Client: &upd.Client{Key: key, Current: "1.0.0", GOOS: goos, GOARCH: "amd64"},
		Dir:    d.dir,
		Start: func(_ context.Context, path string) error {
			d.started = append(d.started, path)
			return nil
		},
	})
	return d
}

func auditCountOf(t *testing.T, db *data.DB, action, outcome string) int {
	t.Helper()
	var n int
	if err := rawDB(t, db).QueryRow(`SELECT count(*) FROM audit_log WHERE action = ? AND outcome = ?`, action, outcome).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestUpdateEndToEnd: an administrator points the desk at a release folder,
// sees the newer release with its notes, and installs it: the package is
// downloaded and checked, the database backed up, the installer started
// (the runner swapped), each step audited.
func TestUpdateEndToEnd(t *testing.T) {
	c := mustSetup(t)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	rel := updateRelease(t, priv, "1.1.0")
	d := newUpdateDesk(t, c.db, pub, "windows")
	admin := c.ctx(app.RoleAdmin)

	st, err := d.svc.UpdateState(admin)
	if err != nil || !st.Enabled || st.Version != "1.0.0" || st.Location != "" {
		t.Fatalf("state %+v, %v", st, err)
	}
	if _, err := d.svc.CheckForUpdate(admin); code(err) != app.EINVALID {
		t.Errorf("check without a location: %v", err)
	}
	if _, err := d.svc.SetUpdateLocation(admin, "releases"); code(err) != app.EINVALID || app.ErrorField(err) != "location" {
		t.Errorf("a relative folder: %v", err)
	}
	if st, err = d.svc.SetUpdateLocation(admin, " "+rel+" "); err != nil || st.Location != rel {
		t.Fatalf("set location: %+v, %v", st, err)
	}
	o, err := d.svc.CheckForUpdate(admin)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Available || o.Version != "1.1.0" || o.Package != "HMS-Setup-1.1.0.exe" || o.Notes != "Settings → Updates." {
		t.Fatalf("offer %+v", o)
	}
	if _, err := d.svc.InstallUpdate(admin, "1.2.0"); code(err) != app.ECONFLICT {
		t.Errorf("a version the location does not offer: %v", err)
	}
	res, err := d.svc.InstallUpdate(admin, "1.1.0")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(d.dir, "HMS-Setup-1.1.0.exe"); res.Package != want || len(d.started) != 1 || d.started[0] != want || !res.Quit {
		t.Fatalf("result %+v, started %v", res, d.started)
	}
	if b, _ := os.ReadFile(res.Package); string(b) != "the package HMS-Setup-1.1.0.exe" {
		t.Errorf("package %q", b)
	}
	// The backup is a whole database.
	var n int
	if err := openPlain(t, res.Backup).QueryRow(`SELECT count(*) FROM users`).Scan(&n); err != nil || n == 0 {
		t.Errorf("backup %s: %d users, %v", res.Backup, n, err)
	}
	for _, a := range []string{"update.location", "update.check", "update.install"} {
		if auditCountOf(t, c.db, a, "ok") == 0 {
			t.Errorf("no audit row %s", a)
		}
	}

	// On Linux the folder with the package is opened instead.
	lin := newUpdateDesk(t, c.db, pub, "linux")
	res, err = lin.svc.InstallUpdate(admin, "1.1.0")
	if err != nil || res.Quit || len(lin.started) != 1 || lin.started[0] != lin.dir {
		t.Fatalf("linux: %+v, %v, started %v", res, err, lin.started)
	}
}

// TestUpdateRefusals: a tampered manifest, a tampered package and a manifest
// signed with another key are refused, nothing is started and no backup
// made; a build without a key checks nothing; an open visit holds the
// update back.
func TestUpdateRefusals(t *testing.T) {
	a := mustAppointments(t)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	admin := a.ctx(app.RoleAdmin)
	backups := func() []string {
		m, _ := filepath.Glob(a.db.Path() + ".before-*")
		return m
	}

	t.Run("tampered manifest", func(t *testing.T) {
		rel := updateRelease(t, priv, "1.1.0")
		p := filepath.Join(rel, upd.ManifestName)
		b, _ := os.ReadFile(p)
		os.WriteFile(p, []byte(strings.Replace(string(b), "Settings", "settings", 1)), 0o644)
		d := newUpdateDesk(t, a.db, pub, "windows")
		d.svc.SetUpdateLocation(admin, rel)
		_, err := d.svc.CheckForUpdate(admin)
		wantErr(t, err, app.ECONFLICT, "", "signature does not match")
		_, err = d.svc.InstallUpdate(admin, "1.1.0")
		wantErr(t, err, app.ECONFLICT, "", "signature does not match")
		if len(d.started) != 0 || len(backups()) != 0 {
			t.Errorf("started %v, backups %v", d.started, backups())
		}
	})
	t.Run("tampered package", func(t *testing.T) {
		rel := updateRelease(t, priv, "1.1.0")
		os.WriteFile(filepath.Join(rel, "HMS-Setup-1.1.0.exe"), []byte("the package HMS-Setup-1.1.0.exX"), 0o644)
		d := newUpdateDesk(t, a.db, pub, "windows")
		d.svc.SetUpdateLocation(admin, rel)
		if _, err := d.svc.CheckForUpdate(admin); err != nil {
			t.Fatal(err) // the manifest itself is fine
		}
		_, err := d.svc.InstallUpdate(admin, "1.1.0")
		wantErr(t, err, app.ECONFLICT, "", "does not match the signed release manifest")
		if left, _ := os.ReadDir(d.dir); len(d.started) != 0 || len(backups()) != 0 || len(left) != 0 {
			t.Errorf("started %v, backups %v, left %v", d.started, backups(), left)
		}
	})
	t.Run("wrong key", func(t *testing.T) {
		_, other, _ := ed25519.GenerateKey(rand.Reader)
		rel := updateRelease(t, other, "1.1.0")
		d := newUpdateDesk(t, a.db, pub, "windows")
		d.svc.SetUpdateLocation(admin, rel)
		_, err := d.svc.InstallUpdate(admin, "1.1.0")
		wantErr(t, err, app.ECONFLICT, "", "signature does not match")
		if len(d.started) != 0 {
			t.Errorf("started %v", d.started)
		}
	})
	t.Run("no key", func(t *testing.T) {
		d := newUpdateDesk(t, a.db, nil, "windows")
		st, err := d.svc.UpdateState(admin)
		if err != nil || st.Enabled {
			t.Fatalf("state %+v, %v", st, err)
		}
		_, err = d.svc.CheckForUpdate(admin)
		wantErr(t, err, app.EINVALID, "", "has no release key")
	})
	t.Run("visit started", func(t *testing.T) {
		// A doctor's visit under way, without a check-in, on a desk of its own.
		b := mustAppointments(t)
		rel := updateRelease(t, priv, "1.1.0")
		d := newUpdateDesk(t, b.db, pub, "windows")
		d.svc.SetUpdateLocation(b.ctx(app.RoleAdmin), rel)
		v, err := b.svc.Visits.StartVisit(b.ctx(app.RoleDoctor), app.VisitStart{PatientID: b.patient})
		if err != nil {
			t.Fatal(err)
		}
		_, err = d.svc.InstallUpdate(b.ctx(app.RoleAdmin), "1.1.0")
		wantErr(t, err, app.ECONFLICT, "", "A visit is open")
		if msg := app.ErrorMessage(err); !strings.Contains(msg, v.DoctorName) {
			t.Errorf("the message does not name the doctor %q: %s", v.DoctorName, msg)
		}
		if len(d.started) != 0 {
			t.Errorf("started %v", d.started)
		}
	})
	t.Run("open visit", func(t *testing.T) {
		rel := updateRelease(t, priv, "1.1.0")
		d := newUpdateDesk(t, a.db, pub, "windows")
		d.svc.SetUpdateLocation(admin, rel)
		ap := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor, Start: a.at(today, "15:00")})
		if _, err := a.svc.Appointments.CheckIn(a.ctx(app.RoleNurse), ap.ID); err != nil {
			t.Fatal(err)
		}
		_, err := d.svc.InstallUpdate(admin, "1.1.0")
		wantErr(t, err, app.ECONFLICT, "", "A visit is open")
		if len(d.started) != 0 || len(backups()) != 0 {
			t.Errorf("started %v, backups %v", d.started, backups())
		}
	})
	if n := auditCountOf(t, a.db, "update.install", "ok"); n != 0 {
		t.Errorf("%d refused installs audited as done", n)
	}
}

// TestUpdateAccess: only administrators see or change updates; every
// method refuses the other roles, and the refusal is audited.
func TestUpdateAccess(t *testing.T) {
	c := mustSetup(t)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	rel := updateRelease(t, priv, "1.1.0")
	d := newUpdateDesk(t, c.db, pub, "windows")
	if _, err := d.svc.SetUpdateLocation(c.ctx(app.RoleAdmin), rel); err != nil {
		t.Fatal(err)
	}
	for _, r := range []app.Role{app.RoleDoctor, app.RoleNurse, app.RoleReception, app.RoleBilling, app.RolePatient} {
		ctx := c.ctx(r)
		if _, err := d.svc.UpdateState(ctx); code(err) != app.EUNAUTHORIZED {
			t.Errorf("%s UpdateState: %v", r, err)
		}
		if _, err := d.svc.SetUpdateLocation(ctx, t.TempDir()); code(err) != app.EUNAUTHORIZED {
			t.Errorf("%s SetUpdateLocation: %v", r, err)
		}
		if _, err := d.svc.CheckForUpdate(ctx); code(err) != app.EUNAUTHORIZED {
			t.Errorf("%s CheckForUpdate: %v", r, err)
		}
		if _, err := d.svc.InstallUpdate(ctx, "1.1.0"); code(err) != app.EUNAUTHORIZED {
			t.Errorf("%s InstallUpdate: %v", r, err)
		}
	}
	if _, err := d.svc.InstallUpdate(context.Background(), "1.1.0"); code(err) != app.EUNAUTHORIZED {
		t.Errorf("no caller: %v", err)
	}
	if len(d.started) != 0 {
		t.Errorf("started %v", d.started)
	}
	if n := auditCountOf(t, c.db, "update.install", "denied"); n < 5 {
		t.Errorf("%d denied installs audited", n)
	}
}

package sync_test

import (
	"path/filepath"
	"testing"
	"time"

	"hms/app"
	"hms/data"
	"hms/data/datatest"
	"hms/data/sync/hlc"
)

// A clock incident re-dates an edit made over a value its staff never saw
// after that value's reading all the same. Desk C's staff open a record;
// desk A edits its address, and C's sync brings the address while the
// form is open; C's clock jumps an hour ahead, C's staff save their
// address over A's (the form's copy, Was, shows the one before A's), and
// C's clock moves again before C reconnects, so the jump measured is
// larger than the one the edit was stamped with: less that jump the edit's
// reading falls before A's. C's edit replaced A's value, so it is the
// later on every desk: it wins, A's value is kept for review on all three
// desks, and the history shows the edit when it was made (issue #21:
// notSeen took A's reading out of the edit's base, newestSeen no longer
// held the re-dated edit after it, and A's value won with C's kept for
// review). A forged copy (the form opened after the sync, claiming an
// address the record never held) merges the same way: the reading stays
// right after A's, no later and no earlier.
func TestClockIncidentRedatesAfterWhatTheEditReplacedUnseen(t *testing.T) {
	t.Parallel()
	for _, forged := range []bool{false, true} {
		name := "form opened before the sync"
		if forged {
			name = "forged copy"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u, a, b := twoDesks(t)
			clk := &jumpClock{}
			c, err := data.Open(filepath.Join(t.TempDir(), "hms.db"), data.Options{HashParams: datatest.CheapHash, Now: clk.Now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			mustEnroll(t, c, u)
			syncUntilCaughtUp(t, u, c)
			p := newPatient(t, a.svc, "Redate Unseen")
			syncAll(t, a.db, b, c)

			var opened *app.Patient
			open := func() {
				if opened, err = services(c).Patients.FindPatientByID(system, p.ID); err != nil {
					t.Fatal(err)
				}
			}
			if !forged {
				open() // the form on C shows the address as it was
			}
			editField(t, a.db, p.ID, "address", "1 A Street")
			mustSync(t, a.db)
			syncUntilCaughtUp(t, u, c) // C's sync brings A's address while the form is open
			if n := count(t, c, `SELECT count(*) FROM patients WHERE id = ? AND address = '1 A Street'`, p.ID); n != 1 {
				t.Fatal("C did not take A's address")
			}
			if forged {
				open()
				opened.Address = "never held"
			}
			var fromA string
			if err := rawDB(t, c).QueryRow(`SELECT hlc FROM field_clock WHERE entity = 'patients' AND row_id = ? AND field = 'address'`,
				p.ID).Scan(&fromA); err != nil {
				t.Fatal(err)
			}
			readingA, err := hlc.Parse(fromA)
			if err != nil {
				t.Fatal(err)
			}

			clk.set(time.Hour)
			made := time.Now()
			addr := "2 C Street"
			if _, err := services(c).Patients.UpdatePatient(system, p.ID, app.PatientUpdate{Address: &addr, Was: opened}); err != nil {
				t.Fatal(err)
			}
			clk.set(time.Hour + 30*time.Second)
			syncUntilCaughtUp(t, u, c)
			syncAll(t, a.db, b, c)
			sameClinic(t, a.db, b, c)

			admin := callerOf(a.users[app.RoleAdmin])
			for i, d := range []*data.DB{a.db, b, c} {
				if n := count(t, d, `SELECT count(*) FROM patients WHERE id = ? AND address = ?`, p.ID, addr); n != 1 {
					t.Errorf("desk %d: C's address, which replaced A's, did not win", i)
				}
				if got := openLosses(t, d, admin, p.ID, "address"); len(got) != 1 || got[`"1 A Street"`] != `"`+addr+`"` {
					t.Errorf("desk %d keeps for review %v, want A's address lost to C's", i, got)
				}
				// The winning reading is right after A's: the edit went
				// no earlier than the value it replaced, nor later than
				// that needs.
				var won string
				if err := rawDB(t, d).QueryRow(`SELECT hlc FROM field_clock WHERE entity = 'patients' AND row_id = ? AND field = 'address'`,
					p.ID).Scan(&won); err != nil {
					t.Fatal(err)
				}
				if w, err := hlc.Parse(won); err != nil || !readingA.Before(w) || w.Wall != readingA.Wall {
					t.Errorf("desk %d: the address's reading is %s, want right after A's %s", i, won, fromA)
				}
				// The history shows when C's edit was made, not an hour later.
				var at string
				if err := rawDB(t, d).QueryRow(`SELECT at FROM patient_changes WHERE patient_id = ? AND new_value = ?`,
					p.ID, addr).Scan(&at); err != nil {
					t.Fatalf("desk %d: the history of C's edit: %v", i, err)
				}
				if when, _ := time.Parse(data.TimeLayout, at); when.Sub(made) < -time.Minute || when.Sub(made) > time.Minute {
					t.Errorf("desk %d: the history shows C's edit at %s, %s from when it was made", i, at, when.Sub(made).Round(time.Second))
				}
			}
			// Nothing of what the desk keeps for the re-dating is left once
			// the server took the edit.
			if n := count(t, c, `SELECT count(*) FROM outbox`); n != 0 {
				t.Errorf("%d operations still queued on C", n)
			}
		})
	}
}

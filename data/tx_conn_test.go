package data_test

import (
	"context"
	"testing"

	"hms/app"
	"hms/data"
)

// TestWriteCancelledLeavesNoTransaction: inTx begins and ends its
// transaction with statements on the writer connection (not a sql.Tx), so
// every way out must end it, or the next write would find the connection
// still inside a transaction and fail. A context cancelled before the
// write, or in the middle of it, rolls the write back and the next write
// goes through.
func TestWriteCancelledLeavesNoTransaction(t *testing.T) {
	t.Parallel()
	c := mustSetup(t)
	admin := c.ctx(app.RoleAdmin)
	pt, err := c.svc.Patients.CreatePatient(admin, app.PatientCreate{GivenName: "Νίκος", FamilyName: "Ζαφειρίου",
		Sex: app.SexMale, BirthDate: "1971-06-02", Phone: "+30 210 555 0100"})
	if err != nil {
		t.Fatal(err)
	}
	phone := func() string {
		t.Helper()
		p, err := c.svc.Patients.FindPatientByID(admin, pt.ID)
		if err != nil {
			t.Fatal(err)
		}
		return p.Phone
	}
	before := phone()
	for _, tc := range []struct {
		name string
		run  func(ctx context.Context, cancel func()) error
	}{
		{"cancelled before", func(ctx context.Context, cancel func()) error {
			cancel()
			return c.db.WriteInTx(ctx, func(tx *data.Tx) error {
				_, err := tx.Exec(`UPDATE patients SET phone = '+30 210 000 0001' WHERE id = ?`, pt.ID)
				return err
			})
		}},
		{"cancelled during", func(ctx context.Context, cancel func()) error {
			return c.db.WriteInTx(ctx, func(tx *data.Tx) error {
				if _, err := tx.Exec(`UPDATE patients SET phone = '+30 210 000 0002' WHERE id = ?`, pt.ID); err != nil {
					return err
				}
				cancel()
				_, err := tx.Exec(`UPDATE patients SET phone = '+30 210 000 0003' WHERE id = ?`, pt.ID)
				return err
			})
		}},
		{"cancelled after the work", func(ctx context.Context, cancel func()) error {
			return c.db.WriteInTx(ctx, func(tx *data.Tx) error {
				_, err := tx.Exec(`UPDATE patients SET phone = '+30 210 000 0004' WHERE id = ?`, pt.ID)
				cancel()
				return err
			})
		}},
		{"failed", func(ctx context.Context, cancel func()) error {
			return c.db.WriteInTx(ctx, func(tx *data.Tx) error {
				if _, err := tx.Exec(`UPDATE patients SET phone = '+30 210 000 0005' WHERE id = ?`, pt.ID); err != nil {
					return err
				}
				return app.Errorf(app.EINVALID, "injected")
			})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(admin)
			defer cancel()
			if err := tc.run(ctx, cancel); err == nil {
				t.Fatal("the write succeeded")
			}
			if got := phone(); got != before {
				t.Fatalf("the phone is %q after a write that failed (was %q)", got, before)
			}
			// The next write on the writer connection goes through.
			if err := c.db.WriteInTx(admin, func(tx *data.Tx) error {
				_, err := tx.Exec(`UPDATE patients SET phone = phone WHERE id = ?`, pt.ID)
				return err
			}); err != nil {
				t.Fatalf("the next write: %v", err)
			}
		})
	}
}

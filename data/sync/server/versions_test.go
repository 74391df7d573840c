package server_test

import (
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestDeskVersions: each desk reports the version it runs; every enrolled
// desk reads the clinic's list; a desk cannot report for another.
func TestDeskVersions(t *testing.T) {
	t.Parallel()
	u := newServer(t)
	a, _ := enroll(t, u)
	b, _ := enroll(t, u)
	if err := a.client.ReportVersion(ctx, a.id, "1.2.0"); err != nil {
		t.Fatal(err)
	}
	if err := b.client.ReportVersion(ctx, b.id, "1.1.0"); err != nil {
		t.Fatal(err)
	}
	vs, err := b.client.DeskVersions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].DeskCode != "D1" || vs[0].AppVersion != "1.2.0" || vs[1].DeskCode != "D2" || vs[1].AppVersion != "1.1.0" {
		t.Fatalf("versions %+v", vs)
	}
	if vs[0].VersionAt.IsZero() || vs[0].LastSeen.IsZero() || vs[0].Revoked {
		t.Errorf("desk D1 %+v", vs[0])
	}
	// A reporting for B is refused; B's version stays.
	err = a.client.ReportVersion(ctx, b.id, "6.6.6")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "HM004" {
		t.Errorf("A reporting for B: %v", err)
	}
	if err := a.client.ReportVersion(ctx, a.id, string(make([]byte, 101))); err == nil {
		t.Error("a 101-character version was taken")
	}
	vs, _ = a.client.DeskVersions(ctx)
	if len(vs) != 2 || vs[1].AppVersion != "1.1.0" {
		t.Errorf("after the refusals: %+v", vs)
	}
}

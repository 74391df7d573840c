package server

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"hms/data/sync/server/servertest"
)

// TestInitGivesEnrolledDesksLogins: a server whose desks enrolled with the
// shared login of old (schema 6) is migrated by Init, which gives each
// enrolled desk a login of its own, bound to it, and says so once with
// its password. The desk enrolls again with it (same site, same code) and
// syncs on; the shared login can act as no desk any more.
func TestInitGivesEnrolledDesksLogins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := servertest.NewDatabase(t)
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE SCHEMA sync; CREATE TABLE sync.schema_migrations (
		version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.version <= 6 {
			if err := applyMigration(ctx, conn, m); err != nil {
				t.Fatal(err)
			}
		}
	}
	sites := []string{uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()}
	for _, s := range sites {
		if _, err := conn.Exec(ctx, `SELECT sync.enroll($1, 'old')`, s); err != nil {
			t.Fatal(err)
		}
	}

	res, err := Init(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if res.From != 6 || len(res.NewLogins) != 2 {
		t.Fatalf("init: %+v", res)
	}
	var db string
	conn.QueryRow(ctx, `SELECT current_database()`).Scan(&db)
	for i, l := range res.NewLogins {
		code := []string{"D1", "D2"}[i]
		if l.DeskCode != code || l.Name != LegacyLoginName(db, code) || l.Password == "" {
			t.Fatalf("login %d: %+v", i, l)
		}
		c, err := Dial(ctx, servertest.AsLogin(t, u, l.Name))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		if got, err := c.Enroll(ctx, sites[i], "new"); err != nil || got != code {
			t.Fatalf("desk %s enrolling again with its login: %s, %v", code, got, err)
		}
		if _, err := c.Push(ctx, sites[1-i], nil); !errors.Is(err, ErrNotThisDesk) {
			t.Fatalf("desk %s pushing as the other: %v", code, err)
		}
		if _, err := c.Push(ctx, sites[i], nil); err != nil {
			t.Fatalf("desk %s pushing: %v", code, err)
		}
	}
	// The shared login of old acts as no desk.
	old, err := Dial(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close(ctx)
	if _, err := old.Push(ctx, sites[0], nil); !errors.Is(err, ErrNoDesk) {
		t.Fatalf("the shared login pushing: %v", err)
	}
	// Once is enough: a second Init makes no more.
	if again, err := Init(ctx, u); err != nil || len(again.NewLogins) != 0 {
		t.Fatalf("init again: %+v, %v", again, err)
	}
}

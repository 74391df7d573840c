package server

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"hms/data/sync/hlc"
)

// pushAs pushes ops as site on c and returns the results.
func pushAs(t *testing.T, c *pgx.Conn, site string, ops ...map[string]any) []map[string]any {
	t.Helper()
	body, err := json.Marshal(ops)
	if err != nil {
		t.Fatal(err)
	}
	var reply []map[string]any
	if err := c.QueryRow(context.Background(), `SELECT sync.push_as($1, $2::jsonb)`, site, string(body)).Scan(&reply); err != nil {
		t.Fatal(err)
	}
	return reply
}

// TestOpIDsAreTheDesks: an operation's id belongs to the desk that pushed
// it. Desk B sending desk A's id (with other content) gets a refusal that
// says why, not A's stored result, and its row is not made silently; B
// cannot touch A's quarantined operation: neither count an attempt of it
// nor take it out of the quarantine by sending its id with a sane
// reading. On 0102 B got A's result back, bumped A's attempts and deleted
// A's quarantine row.
func TestOpIDsAreTheDesks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := migratedTo(t, SchemaVersion())
	var a, b string
	var ca, cb *hlc.Clock
	for i, s := range []*string{&a, &b} {
		*s = uuid.Must(uuid.NewV7()).String()
		if _, err := c.Exec(ctx, `INSERT INTO sync.sites (site_id, desk_code) VALUES ($1, $2)`, *s, fmt.Sprintf("D%d", i+1)); err != nil {
			t.Fatal(err)
		}
	}
	ca = hlc.NewClock(a, hlc.Timestamp{}, time.Now)
	cb = hlc.NewClock(b, hlc.Timestamp{}, time.Now)
	op := func(id string, seq int, reading hlc.Timestamp, row, value string) map[string]any {
		return map[string]any{"seq": seq, "id": id, "entity": "settings", "row_id": row, "kind": "insert",
			"hlc": reading.String(), "payload": map[string]any{"key": row, "value": value}}
	}
	applied, held := uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()
	ahead := ca.Now()
	ahead.Wall += (time.Hour).Milliseconds()
	got := pushAs(t, c, a, op(applied, 1, ca.Now(), "a.setting", "A's"), op(held, 2, ahead, "a.later", "A's"))
	if got[0]["status"] != "applied" || got[1]["status"] != "quarantined" {
		t.Fatalf("desk A's push: %v", got)
	}
	quarantine := func() (site string, attempts int) {
		t.Helper()
		if err := c.QueryRow(ctx, `SELECT site_id::text, attempts FROM sync.quarantine WHERE op_id = $1`, held).
			Scan(&site, &attempts); err != nil {
			t.Fatalf("desk A's held operation: %v", err)
		}
		return site, attempts
	}
	_, attempts := quarantine()

	// B sends A's ids: one decided, one held (too far ahead itself), and
	// the held one again with a sane reading.
	bAhead := cb.Now()
	bAhead.Wall += (time.Hour).Milliseconds()
	got = pushAs(t, c, b, op(applied, 1, cb.Now(), "b.setting", "B's"), op(held, 2, bAhead, "b.later", "B's"),
		op(uuid.Must(uuid.NewV7()).String(), 3, bAhead, "b.own", "B's")) // (B's own, held: B has a quarantine)
	if got[2]["status"] != "quarantined" {
		t.Fatalf("desk B's own operation too far ahead: %v", got[2])
	}
	for i, r := range got[:2] {
		if r["status"] != "rejected" || r["reason"] != "the operation's id was used by another desk" {
			t.Errorf("desk B sending desk A's id %d: %v, want a refusal saying why", i, r)
		}
		if _, ok := r["log_seq"]; ok {
			t.Errorf("desk B got desk A's result: %v", r)
		}
	}
	if site, n := quarantine(); site != a || n != attempts {
		t.Errorf("desk A's held operation is %s's with %d attempts, was A's with %d", site, n, attempts)
	}
	got = pushAs(t, c, b, op(held, 4, cb.Now(), "b.later", "B's"))
	if got[0]["status"] != "applied" {
		t.Errorf("desk B's operation: %v", got[0])
	}
	if site, _ := quarantine(); site != a {
		t.Errorf("desk A's held operation is now %s's", site)
	}
	var rows int
	if err := c.QueryRow(ctx, `SELECT count(*) FROM sync.rows WHERE row_id = 'b.setting'`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 0 {
		t.Errorf("desk B's refused operation made its row")
	}
	// A's own operation sent again still gets A's result.
	got = pushAs(t, c, a, op(applied, 1, ca.Now(), "a.setting", "A's"))
	if got[0]["status"] != "applied" || got[0]["log_seq"] == nil {
		t.Errorf("desk A sending its own operation again: %v", got[0])
	}
}

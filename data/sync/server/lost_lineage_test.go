package server

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"hms/data/sync/hlc"
)

// TestLostChangeEntryCarriesLineage: the log's entry for a change that
// lost whole (nothing of it won) is the row as it stands, with its field
// clocks; it must carry the row's lineages too ("_seen"), as an entry of a
// change that won does. Without them a desk that takes a field's value
// from that entry keeps it with no lineage, and its next edit of the field
// sends a base of one reading, which this function reads as a lineage cut
// short (having seen every reading up to it): an older edit pushed after
// it then loses with no review item on any desk (issue #21; the desk
// keeps the lineage it held itself where it can, data/sync/pull.go
// lineageOf).
func TestLostChangeEntryCarriesLineage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	conn := migratedTo(t, 1<<30)
	a, b := uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()
	for i, id := range []string{a, b} {
		if _, err := conn.Exec(ctx, `INSERT INTO sync.sites (site_id, desk_code) VALUES ($1, $2)`, id, []string{"D1", "D2"}[i]); err != nil {
			t.Fatal(err)
		}
	}
	clockA, clockB := hlc.NewClock(a, hlc.Timestamp{}, time.Now), hlc.NewClock(b, hlc.Timestamp{}, time.Now)
	row := uuid.Must(uuid.NewV7()).String()
	made := clockA.Now().String()
	time.Sleep(2 * time.Millisecond)
	older := clockB.Now().String() // B's edit, made before A's and pushed after it
	time.Sleep(2 * time.Millisecond)
	newer := clockA.Now().String()
	push := func(site string, seq int64, kind, reading string, payload, base map[string]any) string {
		t.Helper()
		op := map[string]any{"seq": seq, "id": uuid.Must(uuid.NewV7()).String(), "entity": "patients", "row_id": row,
			"kind": kind, "hlc": reading, "payload": payload}
		if base != nil {
			op["base"] = base
		}
		body, err := json.Marshal([]any{op})
		if err != nil {
			t.Fatal(err)
		}
		var reply []map[string]any
		if err := conn.QueryRow(ctx, `SELECT sync.push_as($1, $2::jsonb)`, site, string(body)).Scan(&reply); err != nil {
			t.Fatal(err)
		}
		s, _ := reply[0]["status"].(string)
		return s
	}
	push(a, 1, "insert", made, map[string]any{"given_name": "Lineage", "phone": "0"}, nil)
	push(a, 2, "update", newer, map[string]any{"phone": "1"}, map[string]any{"phone": []string{""}})
	if got := push(b, 1, "update", older, map[string]any{"phone": "2"}, map[string]any{"phone": []string{""}}); got != "conflict" {
		t.Fatalf("B's older edit: %s, want conflict", got)
	}
	var set map[string]json.RawMessage
	if err := conn.QueryRow(ctx, `SELECT server_set FROM sync.change_log WHERE row_id = $1 ORDER BY seq DESC LIMIT 1`, row).
		Scan(&set); err != nil {
		t.Fatal(err)
	}
	if _, ok := set["_lost"]; !ok {
		t.Fatalf("the entry of B's lost edit names nothing lost: %s", set)
	}
	var seen map[string][]string
	if err := json.Unmarshal(set["_seen"], &seen); err != nil || len(seen["phone"]) != 1 || seen["phone"][0] != "" {
		t.Errorf("the entry of B's lost edit carries the phone's lineage %v (%v), want [\"\"]: A's value as it stands", seen, err)
	}
}

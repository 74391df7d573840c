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

// TestOwnValueSupersededIsLost: a desk's edit that overwrites the desk's
// own value without naming it, descending from another desk's later value,
// makes that own value lose, named in the entry's "_lost" (server
// migration 0122). A's a1 lost to B's b1 on the first server; A took b1
// and edited again (a2, base b1). A server restored from a dump older than
// all three takes a1, then a2 over it: before 0122 it took A's own value
// as seen and logged nothing, and a desk that had not pulled a1's loss
// from the first server never kept it for review (simulation seeds 626,
// 715, 748). An edit that names the own value it overwrites (a3), or that
// names only older readings (a4: a re-dated or uploaded own value), still
// loses nothing.
func TestOwnValueSupersededIsLost(t *testing.T) {
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
	reading := func(c *hlc.Clock) string {
		time.Sleep(2 * time.Millisecond)
		return c.Now().String()
	}
	made, a1, b1 := reading(clockA), reading(clockA), reading(clockB)
	a2, a3, a4 := reading(clockA), reading(clockA), reading(clockA)
	seq := int64(0)
	push := func(h, phone string, base []string) map[string]json.RawMessage {
		t.Helper()
		seq++
		op := map[string]any{"seq": seq, "id": uuid.Must(uuid.NewV7()).String(), "entity": "patients", "row_id": row,
			"kind": "update", "hlc": h, "payload": map[string]any{"phone": phone}, "base": map[string]any{"phone": base}}
		if base == nil {
			op["kind"], op["payload"] = "insert", map[string]any{"given_name": "Own", "phone": phone}
			delete(op, "base")
		}
		body, err := json.Marshal([]any{op})
		if err != nil {
			t.Fatal(err)
		}
		var reply []map[string]any
		if err := conn.QueryRow(ctx, `SELECT sync.push_as($1, $2::jsonb)`, a, string(body)).Scan(&reply); err != nil {
			t.Fatal(err)
		}
		if s, _ := reply[0]["status"].(string); s != "applied" {
			t.Fatalf("A's edit to %s: %v, want applied", phone, reply[0])
		}
		var set map[string]json.RawMessage
		if err := conn.QueryRow(ctx, `SELECT server_set FROM sync.change_log WHERE row_id = $1 ORDER BY seq DESC LIMIT 1`, row).
			Scan(&set); err != nil {
			t.Fatal(err)
		}
		return set
	}
	push(made, "0", nil)
	push(a1, "1", []string{""})
	var lost []map[string]any
	set := push(a2, "2", []string{b1, ""})
	if err := json.Unmarshal(set["_lost"], &lost); err != nil || len(lost) != 1 {
		t.Fatalf("A's edit over its own value it did not see names lost %s (%v), want A's first phone", set["_lost"], err)
	}
	if l := lost[0]; l["field"] != "phone" || l["value"] != "1" || l["hlc"] != a1 || l["won_value"] != "2" || l["won_hlc"] != a2 {
		t.Errorf("lost %v, want phone 1 at %s lost to 2 at %s", lost[0], a1, a2)
	}
	if set := push(a3, "3", []string{a2, b1, ""}); set["_lost"] != nil {
		t.Errorf("A's edit that saw its own value names lost %s", set["_lost"])
	}
	if set := push(a4, "4", []string{""}); set["_lost"] != nil {
		t.Errorf("A's edit over its own value, naming only older readings, names lost %s", set["_lost"])
	}
}

package sync_test

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"hms/data"
)

// TestServerKnowsEverySyncedTable: the server's registry of entities
// (sync.entities, its migrations) holds exactly the tables the desk syncs
// (data.SyncedTables), and a table the server keeps append-only is one the
// desk writes once too: the server takes an operation only on an entity it
// knows, and would refuse a desk's table it lacks.
func TestServerKnowsEverySyncedTable(t *testing.T) {
	u := newSyncServer(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT entity, mode FROM sync.entities ORDER BY entity`)
	if err != nil {
		t.Fatal(err)
	}
	modes := map[string]string{}
	for rows.Next() {
		var entity, mode string
		if err := rows.Scan(&entity, &mode); err != nil {
			t.Fatal(err)
		}
		modes[entity] = mode
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var desk []string
	for _, st := range data.SyncedTables() {
		desk = append(desk, st.Name)
		mode, ok := modes[st.Name]
		switch {
		case !ok:
			t.Errorf("the desk syncs %s, which the server's sync.entities lacks: add it in a server migration", st.Name)
		case mode == "append" && !st.Append:
			t.Errorf("the server keeps %s append-only, but the desk changes its rows", st.Name)
		}
	}
	for entity := range modes {
		if !slices.Contains(desk, entity) {
			t.Errorf("the server knows the entity %s, which no desk syncs (data/synctables.go)", entity)
		}
	}
}

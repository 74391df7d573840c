package sync_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	stdsync "sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"hms/data/sync/hlc"
	"hms/data/sync/server"
	"hms/data/sync/server/servertest"
)

// uuid4 is a random UUID in its text form.
func uuid4() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// A pull never skips a change, however the writers' transactions
// interleave: several desks push at once, each holding its transaction
// open for a random time after sync.push (so changes commit out of seq
// order, and some roll back), while a reader pulls in a loop and moves its
// cursor (txid, seq) as a desk does. In the end the reader has had every
// change of the log exactly once, in (txid, seq) order, and none that
// rolled back.
func TestPullNeverSkipsOutOfOrderCommits(t *testing.T) {
	t.Parallel()
	u := newSyncServer(t)
	ctx := context.Background()
	const writers, rounds = 6, 40
	sites := make([]string, writers+1)
	urls := make([]string, writers+1) // each desk's own login
	for i := range sites {
		sites[i] = uuid4()
		urls[i] = deskURL(t, nil, u+"#"+sites[i])
		c, err := server.Dial(ctx, urls[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Enroll(ctx, sites[i], "test"); err != nil {
			t.Fatal(err)
		}
		c.Close(ctx)
	}
	reader := sites[writers]

	stop := make(chan struct{})
	var wg stdsync.WaitGroup
	errs := make(chan error, writers+1)
	rolledBack := make(chan string, writers*rounds*4)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := mrand.New(mrand.NewPCG(uint64(w), 7))
			conn, err := pgx.Connect(ctx, urls[w])
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close(ctx)
			var logical uint16
			for r := range rounds {
				tx, err := conn.Begin(ctx)
				if err != nil {
					errs <- err
					return
				}
				var ops []map[string]any
				n := 1 + rng.IntN(4)
				for i := range n {
					logical++
					key := fmt.Sprintf("w%d.r%d.%d", w, r, i)
					ops = append(ops, map[string]any{"seq": r*10 + i + 1, "id": uuid4(), "entity": "settings", "row_id": key,
						"kind": "insert", "payload": map[string]any{"key": key, "value": "v", "updated_at": "2026-11-26T00:00:00.000Z"},
						"hlc": hlc.Timestamp{Wall: time.Now().UnixMilli(), Logical: logical, Site: sites[w]}.String()})
				}
				body, _ := json.Marshal(ops)
				if _, err := tx.Exec(ctx, `SELECT sync.push($1, $2::jsonb)`, sites[w], string(body)); err != nil {
					errs <- err
					return
				}
				time.Sleep(time.Duration(rng.IntN(30)) * time.Millisecond)
				if rng.IntN(8) == 0 {
					for _, op := range ops {
						rolledBack <- op["row_id"].(string)
					}
					err = tx.Rollback(ctx)
				} else {
					err = tx.Commit(ctx)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}

	type pos struct {
		tx  uint64
		seq int64
	}
	var got []pos
	var gotRows []string
	outOfOrder := 0
	c, err := server.Dial(ctx, urls[writers])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	pull := func() int {
		var cur pos
		if len(got) > 0 {
			cur = got[len(got)-1]
		}
		changes, err := c.Pull(ctx, reader, cur.tx, cur.seq, 50)
		if err != nil {
			t.Fatal(err)
		}
		var maxSeq int64
		for _, p := range got {
			maxSeq = max(maxSeq, p.seq)
		}
		for _, ch := range changes {
			if ch.Seq < maxSeq {
				outOfOrder++ // a plain seq cursor would have skipped it
			}
			got = append(got, pos{ch.TxID, ch.Seq})
			gotRows = append(gotRows, ch.RowID)
		}
		return len(changes)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
loop:
	for {
		select {
		case <-done:
			break loop
		case err := <-errs:
			close(stop)
			t.Fatal(err)
		default:
		}
		pull()
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	// Every writer is done; a transaction of another test on the same
	// PostgreSQL server may still hold the horizon back for a moment.
	logged := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.change_log`)
	for deadline := time.Now().Add(20 * time.Second); int64(len(got)) < logged && time.Now().Before(deadline); {
		if pull() == 0 {
			time.Sleep(5 * time.Millisecond)
		}
	}

	// Every change of the log, exactly once, in order.
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT txid::text::bigint, seq FROM sync.change_log ORDER BY txid, seq`)
	if err != nil {
		t.Fatal(err)
	}
	var want []pos
	for rows.Next() {
		var p pos
		var tx int64
		if err := rows.Scan(&tx, &p.seq); err != nil {
			t.Fatal(err)
		}
		p.tx = uint64(tx)
		want = append(want, p)
	}
	rows.Close()
	if len(want) == 0 {
		t.Fatal("nothing was logged")
	}
	if len(got) != len(want) {
		t.Errorf("the reader pulled %d changes, the log has %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Fatalf("change %d: pulled %v, the log has %v", i, got[i], want[i])
		}
	}
	close(rolledBack)
	gone := map[string]bool{}
	for k := range rolledBack {
		gone[k] = true
	}
	for _, r := range gotRows {
		if gone[r] {
			t.Errorf("the reader pulled %s, whose transaction rolled back", r)
		}
	}
	if n := servertest.QueryInt(t, u, `SELECT count(*) FROM sync.change_log`); int(n) != len(want) {
		t.Fatalf("log changed under the test: %d", n)
	}
	t.Logf("%d changes pulled in order; %d of them committed after a change of a higher seq had been pulled", len(got), outOfOrder)
}

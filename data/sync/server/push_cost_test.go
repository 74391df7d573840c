package server

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"hms/data/sync/hlc"
	"hms/data/sync/server/servertest"
)

// BenchmarkPushAsCost measures what sync.push_as costs the server per
// operation, by measures the machine's load does not change: the server's
// CPU time (its backend's /proc/PID/schedstat), the shared buffers the
// push touched (EXPLAIN (ANALYZE, BUFFERS) around the call) and the
// statements it ran (auto_explain's nested statements, sent to this
// session only). Each iteration pushes what one round of BenchmarkSyncPush
// does (5,000 operations in batches of PushBatch: a new setting and an
// edit of it, as the desk queues them) to the schema named, so the old
// function and the new one are measured alike: schema 11 is the server of
// the commit before the trust work (7ceb6db), 93 the last before this
// one's, and the newest this program's.
func BenchmarkPushAsCost(b *testing.B) {
	versions := []int{11, 93, SchemaVersion()}
	if env := os.Getenv("HMS_PUSH_SCHEMAS"); env != "" { // others to compare, e.g. 13,14
		versions = nil
		for _, f := range strings.Split(env, ",") {
			v, err := strconv.Atoi(f)
			if err != nil {
				b.Fatalf("HMS_PUSH_SCHEMAS: %v", err)
			}
			versions = append(versions, v)
		}
	}
	for _, v := range versions {
		b.Run(fmt.Sprintf("schema=%d", v), func(b *testing.B) { pushAsCost(b, v) })
	}
}

func pushAsCost(b *testing.B, upTo int) {
	ctx := context.Background()
	u := servertest.NewDatabase(b)
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	ms, err := migrations()
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range ms {
		if m.version <= upTo {
			if _, err := conn.Exec(ctx, m.body); err != nil {
				b.Fatalf("%s: %v", m.name, err)
			}
		}
	}
	if upTo >= 15 { // hms server init analyzes since 0015, the tables empty here
		if err := analyze(ctx, conn); err != nil {
			b.Fatal(err)
		}
	}
	site := uuid.Must(uuid.NewV7()).String()
	if _, err := conn.Exec(ctx, `INSERT INTO sync.sites (site_id, desk_code) VALUES ($1, 'D1')`, site); err != nil {
		b.Fatal(err)
	}
	var pid int
	if err := conn.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		b.Fatal(err)
	}
	clock := hlc.NewClock(site, hlc.Timestamp{}, time.Now)
	var seq, rows int64
	// batch is what a desk sends for n/2 settings written in one
	// transaction: each inserted, then edited.
	batch := func(n int) string {
		reading := clock.Now().String()
		ops := make([]map[string]any, 0, n)
		for range n / 2 {
			rows++
			row := fmt.Sprintf("bench.%d", rows)
			seq++
			ops = append(ops, map[string]any{"seq": seq, "id": uuid.Must(uuid.NewV7()).String(), "entity": "settings",
				"row_id": row, "kind": "insert", "hlc": reading,
				"payload": map[string]any{"key": row, "value": "v", "updated_at": "2026-11-26T00:00:00.000Z"}})
			seq++
			ops = append(ops, map[string]any{"seq": seq, "id": uuid.Must(uuid.NewV7()).String(), "entity": "settings",
				"row_id": row, "kind": "update", "hlc": reading,
				"payload": map[string]any{"value": "w"}, "base": map[string]any{"value": []string{reading}}})
		}
		body, err := json.Marshal(ops)
		if err != nil {
			b.Fatal(err)
		}
		return string(body)
	}
	push := func(body string) (hit, read, dirtied float64) {
		var plan string
		if err := conn.QueryRow(ctx, `EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) SELECT sync.push_as($1, $2::jsonb)`,
			site, body).Scan(&plan); err != nil {
			b.Fatal(err)
		}
		var p []struct {
			Plan struct {
				Hit     float64 `json:"Shared Hit Blocks"`
				Read    float64 `json:"Shared Read Blocks"`
				Dirtied float64 `json:"Shared Dirtied Blocks"`
			}
		}
		if err := json.Unmarshal([]byte(plan), &p); err != nil || len(p) != 1 {
			b.Fatalf("plan %s: %v", plan, err)
		}
		return p[0].Plan.Hit, p[0].Plan.Read, p[0].Plan.Dirtied
	}
	const perRound, perBatch = 5000, 1000
	var ops, cpu, hit, read, dirtied float64
	if out := os.Getenv("HMS_PUSH_PERF"); out != "" { // a profile of the server's side: perf record -p
		rec := exec.Command("perf", "record", "-g", "-o", fmt.Sprintf("%s.%d", out, upTo), "-p", strconv.Itoa(pid))
		if err := rec.Start(); err != nil {
			b.Fatal(err)
		}
		time.Sleep(time.Second)
		defer func() { rec.Process.Signal(os.Interrupt); rec.Wait() }()
	}
	b.ResetTimer()
	for b.Loop() {
		for range perRound / perBatch {
			body := batch(perBatch)
			before := backendCPU(b, pid)
			h, r, d := push(body)
			cpu += float64(backendCPU(b, pid) - before)
			hit, read, dirtied, ops = hit+h, read+r, dirtied+d, ops+perBatch
		}
	}
	b.StopTimer()
	b.ReportMetric(cpu/ops/1e3, "cpu-µs/op")
	b.ReportMetric(hit/ops, "hit/op")
	b.ReportMetric(read/ops, "read/op")
	b.ReportMetric(dirtied/ops, "dirtied/op")

	// The statements one more batch runs, each counted once by
	// auto_explain (the plan of every statement the executor runs,
	// nested ones included, sent to this session as a notice).
	var stmts int
	cfg := conn.Config()
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		if strings.HasPrefix(n.Message, "duration:") {
			stmts++
		}
	}
	counted, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer counted.Close(ctx)
	if _, err := counted.Exec(ctx, `LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0;
		SET auto_explain.log_nested_statements = on; SET auto_explain.log_level = notice;
		SET client_min_messages = notice`); err != nil {
		b.Fatal(err)
	}
	if _, err := counted.Exec(ctx, `SELECT sync.push_as($1, $2::jsonb)`, site, batch(perBatch)); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(stmts)/perBatch, "stmts/op")
}

// backendCPU is the CPU time, in nanoseconds, the server process pid has
// run (the first field of /proc/PID/schedstat); the benchmark skips where
// the server is not on this machine.
func backendCPU(b *testing.B, pid int) int64 {
	s, err := os.ReadFile(fmt.Sprintf("/proc/%d/schedstat", pid))
	if err != nil {
		b.Skipf("the server's CPU time: %v", err)
	}
	n, err := strconv.ParseInt(strings.Fields(string(s))[0], 10, 64)
	if err != nil {
		b.Fatal(err)
	}
	return n
}

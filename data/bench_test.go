package data_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"hms/app"
	"hms/data"
)

// benchPatients is the size of the benchmark database: HMS_BENCH_PATIENTS,
// default 1,000,000, as DESIGN.md's budgets assume.
func benchPatients() int {
	if n, err := strconv.Atoi(os.Getenv("HMS_BENCH_PATIENTS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// benchDB returns a copy of the scaled demo database, building the cached
// original (outside the repository) the first time.
func benchDB(b *testing.B) *data.DB {
	b.Helper()
	n := benchPatients()
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "hms-bench")
	// The cache is named after the schema, so a changed migration builds a
	// new one (delete the folder after changing the demo generator). Each
	// entry is a folder with the database and its audit key.
	entry := filepath.Join(dir, fmt.Sprintf("demo-%d-%s", n, data.SchemaFingerprint()))
	orig := filepath.Join(entry, "demo.db")
	if _, err := os.Stat(orig); err != nil {
		// Built in a folder of its own, then renamed whole: renaming onto
		// a folder that is there already fails, so of two runs building at
		// once the first keeps its database and key together, and the
		// other's build is dropped.
		build := fmt.Sprintf("%s.building-%d", entry, os.Getpid())
		os.RemoveAll(build)
		if err := os.MkdirAll(build, 0o700); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if !migrateCachedBench(b, dir, n, build) {
			db, err := data.Open(filepath.Join(build, "demo.db"), data.Options{HashParams: cheapHash})
			if err != nil {
				b.Fatal(err)
			}
			if err := data.GenerateDemo(context.Background(), db, data.DemoOptions{Patients: n, Seed: 1}); err != nil {
				b.Fatal(err)
			}
			if err := db.Close(); err != nil {
				b.Fatal(err)
			}
			b.Logf("built the %d-patient demo database in %s", n, time.Since(start).Round(time.Second))
		}
		if err := os.Rename(build, entry); err != nil {
			os.RemoveAll(build)
		}
	}
	work := filepath.Join(b.TempDir(), "bench.db")
	for _, pair := range [][2]string{{orig, work}, {data.DefaultAuditKeyPath(orig), data.DefaultAuditKeyPath(work)}} {
		// Flushed to disk, so that the write-back of a gigabyte copy does
		// not land in the timed fsyncs of the benchmark that follows.
		if err := data.CopyFile(pair[0], pair[1]); err != nil {
			b.Fatal(err)
		}
	}
	opt := data.Options{HashParams: cheapHash}
	if v := os.Getenv("HMS_BENCH_CHECKPOINT"); v != "" {
		// The background checkpoint's period (checkpoint.go), to measure
		// what the checkpoints cost the writes' and reads' tails.
		if opt.CheckpointEvery, err = time.ParseDuration(v); err != nil {
			b.Fatalf("HMS_BENCH_CHECKPOINT: %v", err)
		}
		b.Logf("background checkpoint every %s", opt.CheckpointEvery)
	}
	db, err := data.Open(work, opt)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// migrateCachedBench copies into folder build the newest cached benchmark
// database of n patients made for another schema, and lets data.Open bring
// it up to this one, so that a new migration does not cost a rebuild of
// the million-patient database (30–50 minutes). It says so in the log, and
// reports false when there is none to take or HMS_BENCH_FRESH is set (a
// build from scratch then follows). A cached database with a migration this
// schema lacks (another branch's), or that does not open, is passed over
// for the next newest.
func migrateCachedBench(b *testing.B, dir string, n int, build string) bool {
	b.Helper()
	if os.Getenv("HMS_BENCH_FRESH") != "" {
		b.Logf("HMS_BENCH_FRESH is set: building the %d-patient database from scratch", n)
		return false
	}
	entries, _ := filepath.Glob(filepath.Join(dir, fmt.Sprintf("demo-%d-*", n)))
	type cached struct {
		path string
		mod  time.Time
	}
	var found []cached
	for _, e := range entries {
		if strings.Contains(filepath.Base(e), ".building-") {
			continue
		}
		if st, err := os.Stat(filepath.Join(e, "demo.db")); err == nil {
			found = append(found, cached{e, st.ModTime()})
		}
	}
	slices.SortFunc(found, func(a, b cached) int { return b.mod.Compare(a.mod) })
	path := filepath.Join(build, "demo.db")
	for _, c := range found {
		start := time.Now()
		src := filepath.Join(c.path, "demo.db")
		if foreign, err := data.ForeignMigrations(src); err != nil || len(foreign) > 0 {
			b.Logf("cached %s not taken: migrations this schema lacks %v (%v)", filepath.Base(c.path), foreign, err)
			continue
		}
		if err := data.CopyFile(src, path); err != nil {
			b.Fatal(err)
		}
		if err := data.CopyFile(data.DefaultAuditKeyPath(src), data.DefaultAuditKeyPath(path)); err != nil {
			b.Fatal(err)
		}
		db, err := data.Open(path, data.Options{HashParams: cheapHash})
		if err == nil {
			err = db.Close()
		}
		if err != nil {
			b.Logf("cached %s does not open with this schema (%v); trying another", filepath.Base(c.path), err)
			os.Remove(path)
			os.Remove(data.DefaultAuditKeyPath(path))
			continue
		}
		b.Logf("reused the cached %s, migrated to schema %s in %s (HMS_BENCH_FRESH=1 builds from scratch)",
			filepath.Base(c.path), data.SchemaFingerprint(), time.Since(start).Round(time.Second))
		return true
	}
	return false
}

// walPages counts the pages each committed write transaction appends to
// the WAL (frames, read from the WAL index after each commit): a figure the
// machine's load does not change.
type walPages struct {
	// shm is the WAL index, open for the benchmark (closed with it): an
	// open and a close per commit cost the timed operations about 0.1 ms
	// of an issue-and-pay's CPU (two commits).
	shm    *os.File
	frames uint32
	salt   uint64
	// most is the most frames the WAL held after a commit: how far the
	// background checkpoints let it grow.
	most uint32
	// restarts counts the times the WAL started again from its beginning;
	// growing the commits that wrote past the WAL file's end (past the most
	// frames it held before), out of commits.
	restarts, growing, commits int
}

func newWALPages(b *testing.B, db *data.DB) *walPages {
	shm, err := db.OpenWALIndex()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { shm.Close() })
	w := &walPages{shm: shm}
	w.since(b)
	w.restarts, w.growing, w.commits = 0, 0, 0
	return w
}

// report reports the WAL's largest size in pages, how often it started
// again from its beginning, and the share of commits that grew its file.
func (w *walPages) report(b *testing.B) {
	b.ReportMetric(float64(w.most), "wal-max-pages")
	b.ReportMetric(float64(w.restarts), "wal-restarts")
	b.ReportMetric(float64(w.growing)/float64(max(1, w.commits)), "wal-growing-share")
}

// since returns the frames appended since the last call. A WAL started
// again from its beginning (a new salt) holds only frames written since:
// the restart happens as a write transaction begins.
func (w *walPages) since(b *testing.B) int {
	frames, salt, err := data.ReadWALIndex(w.shm)
	if err != nil {
		b.Fatal(err)
	}
	n := int(frames) - int(w.frames)
	if salt != w.salt {
		n = int(frames)
		w.restarts++
	}
	w.commits++
	if frames > w.most {
		w.growing++
	}
	w.frames, w.salt, w.most = frames, salt, max(w.most, frames)
	return n
}

// latencies collects one duration per operation and reports p50 and p99.
type latencies []time.Duration

func (l *latencies) time(f func()) {
	start := time.Now()
	f()
	*l = append(*l, time.Since(start))
}

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	s := sortedCopy(l)
	b.ReportMetric(pctMS(s, 0.50), "p50-ms")
	b.ReportMetric(pctMS(s, 0.99), "p99-ms")
}

// sortedCopy is l sorted, shortest first.
func sortedCopy(l latencies) latencies {
	s := slices.Clone(l)
	slices.Sort(s)
	return s
}

// pctMS is the p-th quantile (0.99: p99) of sorted latencies s in ms.
func pctMS(s latencies, p float64) float64 {
	if len(s) == 0 {
		return 0
	}
	return float64(s[min(len(s)-1, int(float64(len(s))*p))].Microseconds()) / 1000
}

// BenchmarkOpenToLogin is the data side of a cold start: open the database,
// check whether it needs setup, read the settings the login window shows.
func BenchmarkOpenToLogin(b *testing.B) {
	db := benchDB(b)
	path := db.Path()
	db.Close()
	var l latencies
	for b.Loop() {
		l.time(func() {
			db, err := data.Open(path, data.Options{HashParams: cheapHash})
			if err != nil {
				b.Fatal(err)
			}
			svc := db.Services()
			if _, err := svc.Settings.NeedsSetup(anon); err != nil {
				b.Fatal(err)
			}
			if _, err := svc.Settings.GetSettings(anon); err != nil {
				b.Fatal(err)
			}
			db.Close()
		})
	}
	l.report(b)
}

// BenchmarkAuditedWrite is one committed write with its audit row
// (synchronous=FULL): an admin unlocking an account.
func BenchmarkAuditedWrite(b *testing.B) {
	db := benchDB(b)
	svc := db.Services()
	s, err := svc.Users.Login(anon, "admin", data.DemoCredentials[0].Password)
	if err != nil {
		b.Fatal(err)
	}
	ctx := app.NewContextWithCaller(context.Background(), s.Caller())
	nurse, err := svc.Users.FindUserByUsername(ctx, "nurse.joy")
	if err != nil {
		b.Fatal(err)
	}
	var l latencies
	for b.Loop() {
		l.time(func() {
			if _, err := svc.Users.UnlockUser(ctx, nurse.ID); err != nil {
				b.Fatal(err)
			}
		})
	}
	l.report(b)
	b.ReportMetric(float64(len(l))/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkPasswordHash is one argon2id hash with DESIGN.md's parameters
// (m=64 MiB, t=3, p=1): the cost of every login.
func BenchmarkPasswordHash(b *testing.B) {
	var l latencies
	for b.Loop() {
		l.time(func() {
			if _, err := app.HashPassword("a benchmark password", app.DefaultHashParams); err != nil {
				b.Fatal(err)
			}
		})
	}
	l.report(b)
}

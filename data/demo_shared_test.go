package data_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"hms/data"
	"hms/data/datatest"
)

// sharedDemoOptions is the demo the tests of the demo's content and the
// query-plan tests read: made once per test binary (sharedDemo), where
// each of those tests made one of its own before (2,000 to 3,000 patients,
// each seconds of work, a minute under -race).
var sharedDemoOptions = data.DemoOptions{Patients: 2000, Seed: 6}

// demoFiles are the shared demo's database file and its audit key, made
// on the tests' clock (datatest.NewFakeClock's time).
var demoFiles struct {
	once    sync.Once
	db, key []byte
	err     error
}

// sharedDemo opens a copy of the shared demo database on clock (a new
// FakeClock when nil), which the test may change as it likes; it is
// closed when the test ends.
func sharedDemo(tb testing.TB, clock *fakeClock) *data.DB {
	tb.Helper()
	demoFiles.once.Do(func() {
		dir, err := os.MkdirTemp("", "hms-demo-")
		if err != nil {
			demoFiles.err = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "demo.db")
		db, err := data.Open(path, data.Options{HashParams: datatest.CheapHash, Now: newFakeClock().Now})
		if err != nil {
			demoFiles.err = err
			return
		}
		demoFiles.err = data.GenerateDemo(context.Background(), db, sharedDemoOptions)
		if err := db.Close(); demoFiles.err == nil {
			demoFiles.err = err
		}
		if demoFiles.err != nil {
			return
		}
		if _, err := os.Stat(path + "-wal"); err == nil {
			demoFiles.err = fmt.Errorf("the demo's WAL was left beside it")
			return
		}
		if demoFiles.db, demoFiles.err = os.ReadFile(path); demoFiles.err != nil {
			return
		}
		demoFiles.key, demoFiles.err = os.ReadFile(data.DefaultAuditKeyPath(path))
	})
	if demoFiles.err != nil {
		tb.Fatal(demoFiles.err)
	}
	if clock == nil {
		clock = newFakeClock()
	}
	path := filepath.Join(tb.TempDir(), "hms.db")
	if err := os.WriteFile(path, demoFiles.db, 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(data.DefaultAuditKeyPath(path), demoFiles.key, 0o600); err != nil {
		tb.Fatal(err)
	}
	db, err := data.Open(path, data.Options{HashParams: datatest.CheapHash, Now: clock.Now})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

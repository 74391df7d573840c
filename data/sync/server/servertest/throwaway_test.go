package servertest

import (
	"os"
	"strings"
	"testing"
)

// TestThrowawayServer: with HMS_TEST_PG unset, the server tests get a
// throwaway PostgreSQL of their own when the server programs are installed,
// and a database on it works like one on the shared server.
func TestThrowawayServer(t *testing.T) {
	if _, err := serverBinDir(); err != nil {
		unavailable(t, err.Error())
	}
	t.Setenv(EnvURL, "")
	base, why := BaseURL()
	if base == "" {
		t.Fatal(why)
	}
	if !strings.HasPrefix(base, "postgres://postgres@127.0.0.1:") || base == os.Getenv(EnvURL) {
		t.Fatalf("throwaway server at %q", base)
	}
	db := NewDatabase(t)
	Exec(t, db, `CREATE TABLE t (n int)`)
	Exec(t, db, `INSERT INTO t VALUES (1), (2)`)
	if n := QueryInt(t, db, `SELECT sum(n) FROM t`); n != 3 {
		t.Fatalf("sum %d", n)
	}
	// A second call in the same process reuses the server.
	if again, _ := BaseURL(); again != base {
		t.Fatalf("a second server: %s then %s", base, again)
	}
	if n := QueryInt(t, base, `SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'`); n < 1 {
		t.Fatalf("client backends %d", n)
	}
}

// TestSkipNoted: a skipped server test writes its reason to the file
// HMS_TEST_SKIPS names, for make test's summary line.
func TestSkipNoted(t *testing.T) {
	name := t.TempDir() + "/skips"
	t.Setenv(EnvSkips, name)
	noteSkip("no server here")
	noteSkip("still none")
	b, err := os.ReadFile(name)
	if err != nil || string(b) != "no server here\nstill none\n" {
		t.Fatalf("%q %v", b, err)
	}
}

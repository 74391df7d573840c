// Package servertest gives tests a PostgreSQL database of their own, on the
// server HMS_TEST_PG names (SYNC.md, tests): each call creates a database
// with a unique name and drops it when the test ends, so tests run in
// parallel without seeing each other. Without HMS_TEST_PG, or when the
// server does not answer, the test skips and says why; with
// HMS_REQUIRE_TOOLS=1 (CI) it fails instead.
package servertest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the environment variable that gives the test server, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable. Its user must
// be allowed to create databases.
const EnvURL = "HMS_TEST_PG"

// NewDatabase creates an empty database for the test and returns its URL.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	base, why := BaseURL()
	if base == "" {
		unavailable(tb, why)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		unavailable(tb, "the PostgreSQL server "+redacted(base)+" does not answer: "+err.Error())
	}
	defer admin.Close(context.Background())
	b := make([]byte, 8)
	rand.Read(b)
	name := "hms_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		tb.Fatalf("create the test database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("drop the test database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop the test database %s: %v", name, err)
		}
		dropLogins(tb, conn, name+"_")
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s: %v", EnvURL, err)
	}
	u.Path = "/" + name
	return u.String()
}

// Exec runs SQL on the database at dbURL, as a test's way to look at or
// change the server behind the code's back.
func Exec(tb testing.TB, dbURL, sql string, args ...any) {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
}

// QueryInt returns the one integer the query gives.
func QueryInt(tb testing.TB, dbURL, sql string, args ...any) int64 {
	tb.Helper()
	var n int64
	QueryRow(tb, dbURL, sql, args, &n)
	return n
}

// QueryRow scans the query's one row into dest.
func QueryRow(tb testing.TB, dbURL, sql string, args []any, dest ...any) {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, sql, args...).Scan(dest...); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
}

// LoginPrefix is what the name of every login a test makes for the
// database at dbURL starts with: roles belong to the whole cluster, so
// each test database's are its own by name, and go when it does.
func LoginPrefix(tb testing.TB, dbURL string) string {
	tb.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	return strings.TrimPrefix(u.Path, "/") + "_"
}

// AsLogin is dbURL with login as its user: a desk's connection.
func AsLogin(tb testing.TB, dbURL, login string) string {
	tb.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	u.User = url.User(login)
	return u.String()
}

// dropLogins ends the sessions of the roles named prefix… and drops them.
func dropLogins(tb testing.TB, conn *pgx.Conn, prefix string) {
	ctx := context.Background()
	rows, err := conn.Query(ctx, `SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1)`, prefix)
	if err != nil {
		tb.Errorf("list the test logins: %v", err)
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		tb.Errorf("list the test logins: %v", err)
		return
	}
	for _, n := range names {
		conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, n)
		if _, err := conn.Exec(ctx, "DROP ROLE IF EXISTS "+pgx.Identifier{n}.Sanitize()); err != nil {
			tb.Errorf("drop the test login %s: %v", n, err)
		}
	}
}

func unavailable(tb testing.TB, why string) {
	tb.Helper()
	if os.Getenv("HMS_REQUIRE_TOOLS") == "1" {
		tb.Fatal(why)
	}
	noteSkip(why)
	tb.Skip(why)
}

// redacted is a server URL without its password, for messages.
func redacted(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return EnvURL
	}
	return u.Redacted()
}

// Copy makes a copy of the database at dbURL as it stands now, as a dump
// would keep it, and returns the copy's URL; it is dropped when the test
// ends. Nobody may be connected to dbURL meanwhile.
func Copy(tb testing.TB, dbURL string) string {
	tb.Helper()
	base, why := BaseURL()
	if base == "" {
		tb.Fatal(why)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	from := strings.TrimPrefix(u.Path, "/")
	b := make([]byte, 8)
	rand.Read(b)
	name := "hms_test_" + hex.EncodeToString(b)
	// A benchmark's clinic of 100,000 patients takes more than a few
	// seconds to copy on a busy machine.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{from}.Sanitize()); err != nil {
		tb.Fatalf("copy the test database %s: %v", from, err)
	}
	tb.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), base)
		if err != nil {
			tb.Errorf("drop the copy %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	})
	u.Path = "/" + name
	return u.String()
}

package servertest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// A throwaway PostgreSQL server for machines where HMS_TEST_PG is not set:
// when the PostgreSQL server programs are installed (initdb, postgres; on
// Debian the postgresql package, `make test-deps`), the first test that
// needs a server in a test process makes a cluster in a temporary folder,
// starts it on a free port of 127.0.0.1 with trust authentication, and the
// operating system stops it when the test process ends. initdb refuses to
// run as root, so under root the cluster belongs to an unprivileged
// account (postgres when it exists, else nobody).
//
// EnvSkips names a file each skipped server test appends its reason to, so
// that `make test` can end with one line saying what did not run and why.
const EnvSkips = "HMS_TEST_SKIPS"

var throwaway struct {
	once sync.Once
	url  string
	err  error
}

// BaseURL is the server tests create their databases on: HMS_TEST_PG, or
// else a throwaway server of this test process. ok is false, with the
// reason, when there is neither.
func BaseURL() (url string, why string) {
	if u := os.Getenv(EnvURL); u != "" {
		return u, ""
	}
	throwaway.once.Do(func() { throwaway.url, throwaway.err = startThrowaway() })
	if throwaway.err != nil {
		return "", EnvURL + " is not set and no throwaway PostgreSQL could be started (" + throwaway.err.Error() +
			"): skipping a sync test that needs PostgreSQL; install the server programs with `make test-deps` or set " + EnvURL
	}
	return throwaway.url, ""
}

// serverBinDir finds the folder of initdb and postgres: on the PATH, or in
// Debian's /usr/lib/postgresql/<version>/bin (the newest version).
func serverBinDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := os.Stat(filepath.Join(filepath.Dir(p), "postgres")); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("the PostgreSQL server programs (initdb, postgres) are not installed")
}

func pgVersion(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// freePort asks the system for a free TCP port on 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startThrowaway() (string, error) {
	bin, err := serverBinDir()
	if err != nil {
		return "", err
	}
	removeStaleClusters()
	dir, err := os.MkdirTemp("", fmt.Sprintf("hms-pgtest-%d-", os.Getpid()))
	if err != nil {
		return "", err
	}
	owner, err := clusterOwner(dir)
	if err != nil {
		return "", err
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
		"--encoding=UTF8", "--no-locale", "--no-sync")
	initdb.SysProcAttr = owner.attr(false)
	if out, err := initdb.CombinedOutput(); err != nil {
		return "", fmt.Errorf("initdb: %v: %s", err, strings.TrimSpace(lastLines(string(out), 3)))
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	srv := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-k", dir, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers=64MB")
	log, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return "", err
	}
	srv.Stdout, srv.Stderr = log, log
	srv.SysProcAttr = owner.attr(true)
	if err := startTied(srv); err != nil {
		return "", fmt.Errorf("start postgres: %w", err)
	}
	url := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, url)
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return url, nil
		}
		if srv.ProcessState != nil || time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			return "", fmt.Errorf("postgres did not answer on port %d: %v: %s", port, err, strings.TrimSpace(lastLines(string(b), 3)))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// removeStaleClusters removes the folders of throwaway clusters whose test
// process has ended.
func removeStaleClusters() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "hms-pgtest-*"))
	for _, d := range dirs {
		pid, err := strconv.Atoi(strings.Split(strings.TrimPrefix(filepath.Base(d), "hms-pgtest-"), "-")[0])
		if err != nil || processAlive(pid) {
			continue
		}
		os.RemoveAll(d)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " / ")
}

// noteSkip appends why to the file EnvSkips names, when it is set.
func noteSkip(why string) {
	name := os.Getenv(EnvSkips)
	if name == "" {
		return
	}
	f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintln(f, why)
}

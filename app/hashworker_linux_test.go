package app

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

// niceOf is the nice value of each thread of process pid, from
// /proc/PID/task/TID/stat (the 19th field).
func niceOf(t *testing.T, pid int) map[string]int {
	return statOf(t, pid, 19)
}

// policyOf is the scheduling policy of each thread of process pid (the
// 41st field; 5 is SCHED_IDLE).
func policyOf(t *testing.T, pid int) map[string]int {
	return statOf(t, pid, 41)
}

// statOf is field (counted from 1, as proc(5) does) of each thread's
// /proc/PID/task/TID/stat, as a number.
func statOf(t *testing.T, pid, field int) map[string]int {
	t.Helper()
	tasks, err := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/stat")
	if err != nil || len(tasks) == 0 {
		t.Fatalf("the threads of %d: %v", pid, err)
	}
	nice := map[string]int{}
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // a thread that ended meanwhile
		}
		// The command name, in parentheses, may hold spaces.
		fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		// fields[0] is the third field (the state).
		n, err := strconv.Atoi(fields[field-3])
		if err != nil {
			t.Fatalf("%s: %q", f, b)
		}
		nice[f] = n
	}
	return nice
}

// TestHashRunsAtLowestPriority: a key is derived by the worker, and every
// thread of the worker runs at nice 19, so that a payment's thread gets
// the CPU first; this process's threads keep their priority once the
// worker ended (the one that started it is kept until then).
func TestHashRunsAtLowestPriority(t *testing.T) {
	before := niceOf(t, os.Getpid())
	base := before[fmt.Sprintf("/proc/%d/task/%d/stat", os.Getpid(), os.Getpid())]
	_, served, _ := HashWorkerStatus()
	if _, err := HashPassword("a password for the worker", HashParams{Memory: 8 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}); err != nil {
		t.Fatal(err)
	}
	pid, after, _ := HashWorkerStatus()
	if pid == 0 || after != served+1 {
		t.Fatalf("the key was not made by the worker (pid %d, %d keys made)", pid, after-served)
	}
	for task, n := range niceOf(t, pid) {
		if n != 19 {
			t.Errorf("the worker's thread %s runs at nice %d, not 19", task, n)
		}
	}
	for task, p := range policyOf(t, pid) {
		if p != 5 {
			t.Errorf("the worker's thread %s has scheduling policy %d, not SCHED_IDLE (5)", task, p)
		}
	}

	// The thread that started the worker is kept while it runs (its
	// death kills the worker, Pdeathsig) and ends with it; the others keep
	// their priority.
	worker.mu.Lock()
	p := worker.proc
	worker.mu.Unlock()
	if p == nil {
		t.Fatal("no worker runs")
	}
	worker.stop(p, nil)
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var changed []string
		for task, n := range niceOf(t, os.Getpid()) {
			// A new thread has the process's nice value (19 when the test
			// itself runs under nice 19: SCHED_IDLE below still tells).
			if was, ok := before[task]; (ok && n != was) || (!ok && n != base) {
				changed = append(changed, fmt.Sprintf("%s went from nice %d to %d", task, was, n))
			}
		}
		for task, p := range policyOf(t, os.Getpid()) {
			if p == 5 {
				changed = append(changed, task+" runs under SCHED_IDLE")
			}
		}
		if len(changed) == 0 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("this process's threads: %s", strings.Join(changed, ", "))
		}
	}
}

// withWorker runs f with a worker of its own, started with command, and
// stops it after.
func withWorker(t testing.TB, command func() *exec.Cmd, f func(w *hashWorker)) {
	saved := worker
	w := &hashWorker{start: startLowPriority, command: command}
	worker = w
	defer func() {
		worker = saved
		w.mu.Lock()
		p := w.proc
		w.mu.Unlock()
		if p != nil {
			w.stop(p, nil)
		}
	}()
	f(w)
}

// TestHashWorkerFailures: a worker that cannot start, is killed while
// idle or while it hashes: the key is made here, right, and no login
// fails; another start is tried after hashWorkerRetry.
func TestHashWorkerFailures(t *testing.T) {
	pw, salt := []byte("a long good password"), []byte("0123456789abcdef")
	want := argon2.IDKey(pw, salt, 3, 64*1024, 1, 32)
	check := func(what string, w *hashWorker, served, inlined uint64) {
		t.Helper()
		if key := deriveKey(pw, salt, 3, 64*1024, 1, 32); !bytes.Equal(key, want) {
			t.Fatalf("%s: key %x, want %x", what, key, want)
		}
		if s, i := w.served.Load(), w.inlined.Load(); s != served || i != inlined {
			t.Fatalf("%s: %d keys by the worker and %d here, want %d and %d", what, s, i, served, inlined)
		}
	}
	t.Run("cannot start", func(t *testing.T) {
		withWorker(t, func() *exec.Cmd { return exec.Command(filepath.Join(t.TempDir(), "no such program")) }, func(w *hashWorker) {
			check("no program", w, 0, 1)
			check("the next, within hashWorkerRetry", w, 0, 2)
			w.mu.Lock()
			w.retryAt, w.command = time.Time{}, workerCommand
			w.mu.Unlock()
			check("after hashWorkerRetry", w, 1, 2)
		})
	})
	t.Run("killed while idle", func(t *testing.T) {
		withWorker(t, workerCommand, func(w *hashWorker) {
			check("first", w, 1, 0)
			pid, _, _ := HashWorkerStatus()
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond)
			check("after the kill", w, 1, 1)
		})
	})
	t.Run("killed while hashing", func(t *testing.T) {
		withWorker(t, workerCommand, func(w *hashWorker) {
			check("first", w, 1, 0)
			pid, _, _ := HashWorkerStatus()
			go func() {
				time.Sleep(30 * time.Millisecond)
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}()
			check("killed", w, 1, 1)
		})
	})
	t.Run("dies on bad input", func(t *testing.T) {
		// A worker that answers garbage is stopped, and the key made here.
		withWorker(t, func() *exec.Cmd { return exec.Command("/bin/sh", "-c", "head -c 40 /dev/urandom; sleep 5") }, func(w *hashWorker) {
			check("garbage", w, 0, 1)
		})
	})
}

// processState is the state of process pid from /proc/PID/stat ('T':
// stopped).
func processState(t *testing.T, pid int) byte {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))[0][0]
}

// waitState waits up to two seconds for process pid to be stopped
// (stopped true) or not: signals are delivered after kill returns.
func waitState(t *testing.T, pid int, stopped bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); (processState(t, pid) == 'T') != stopped; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the worker's state is %c, want stopped %v", processState(t, pid), stopped)
		}
	}
}

// TestPauseHashing: PauseHashing stops the worker while a derivation is
// under way and its function continues it (called twice: once); a pause
// never undone is undone after maxHashPause; the next pause comes no
// sooner than the last one lasted; with no derivation waiting nothing is
// stopped; and the key is right.
func TestPauseHashing(t *testing.T) {
	withWorker(t, workerCommand, func(w *hashWorker) {
		w.signal = signalWorker
		pw, salt := []byte("a password to pause"), []byte("0123456789abcdef")
		// No derivation yet: nothing to stop.
		if _, err := HashPassword("start the worker", HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}); err != nil {
			t.Fatal(err)
		}
		pid, _, _ := HashWorkerStatus()
		resume := PauseHashing()
		if _, pauses, stopped := HashWorkerPauses(); pauses != 0 || stopped {
			t.Fatalf("a pause with no derivation waiting: %d on, stopped %v", pauses, stopped)
		}
		resume()

		done := make(chan []byte, 1)
		go func() { done <- deriveKey(pw, salt, 12, 64*1024, 1, 32) }()
		for waiting, _, _ := HashWorkerPauses(); waiting == 0; waiting, _, _ = HashWorkerPauses() {
			time.Sleep(time.Millisecond)
		}
		resume = PauseHashing()
		if _, pauses, stopped := HashWorkerPauses(); pauses != 1 || !stopped {
			t.Fatalf("during a pause: %d on, stopped %v", pauses, stopped)
		}
		waitState(t, pid, true)
		resume()
		resume()
		if _, pauses, stopped := HashWorkerPauses(); pauses != 0 || stopped {
			t.Fatalf("after the pause: %d on, stopped %v", pauses, stopped)
		}
		w.mu.Lock()
		next := w.proc.nextPause
		w.mu.Unlock()
		waitState(t, pid, false)

		// Too soon after the last pause: the worker keeps running.
		resume = PauseHashing()
		if _, pauses, stopped := HashWorkerPauses(); time.Now().Before(next) && (pauses != 1 || stopped) {
			t.Fatalf("a pause right after another: %d on, stopped %v", pauses, stopped)
		}
		resume()
		time.Sleep(time.Until(next))

		// A pause left on: the worker is continued after maxHashPause.
		time.Sleep(maxHashPause)
		start := time.Now()
		_ = PauseHashing()
		waitState(t, pid, true)
		waitState(t, pid, false)
		if took := time.Since(start); took < maxHashPause {
			t.Fatalf("a pause left on was undone after %v, before maxHashPause", took)
		}
		if _, pauses, stopped := HashWorkerPauses(); pauses != 1 || stopped {
			t.Fatalf("a pause left on, after maxHashPause: %d on, stopped %v", pauses, stopped)
		}
		if key := <-done; !bytes.Equal(key, argon2.IDKey(pw, salt, 12, 64*1024, 1, 32)) {
			t.Fatalf("the paused derivation's key %x is wrong", key)
		}
	})
}

// BenchmarkPauseHashing: what PauseHashing and its resume add to a write
// transaction, with no derivation waiting (nothing-ms: a lock) and with
// one under way (stop-ms: SIGSTOP and SIGCONT sent; the next pause is let
// through at once for the measurement).
func BenchmarkPauseHashing(b *testing.B) {
	var idle, busy latencies
	withWorker(b, workerCommand, func(w *hashWorker) {
		w.signal = signalWorker
		if _, err := HashPassword("start the worker", HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			start := time.Now()
			PauseHashing()()
			idle = append(idle, time.Since(start))
		}
		done := make(chan []byte, 1)
		go func() { done <- deriveKey([]byte("pw"), []byte("0123456789abcdef"), 30, 64*1024, 1, 32) }()
		for waiting, _, _ := HashWorkerPauses(); waiting == 0; waiting, _, _ = HashWorkerPauses() {
			time.Sleep(time.Millisecond)
		}
		for range 2000 {
			w.mu.Lock()
			w.proc.nextPause = time.Time{}
			w.mu.Unlock()
			start := time.Now()
			PauseHashing()()
			busy = append(busy, time.Since(start))
		}
		<-done
	})
	b.ReportMetric(idle.quantile(0.5), "nothing-p50-ms")
	b.ReportMetric(busy.quantile(0.5), "stop-p50-ms")
	b.ReportMetric(busy.quantile(0.99), "stop-p99-ms")
}

type latencies []time.Duration

func (l latencies) quantile(q float64) float64 {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	return float64(s[min(len(s)-1, int(float64(len(s))*q))].Nanoseconds()) / 1e6
}

// TestWorkerEndsWithTheDesk: a desk killed while its worker is stopped by
// a pause leaves no worker behind (without Pdeathsig it stays stopped for
// ever: checked by hand, a stopped orphan is not continued). The desk is
// this test binary run again (TestHelperDeskWithPausedWorker), killed
// with SIGKILL once it says its worker is stopped.
func TestWorkerEndsWithTheDesk(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperDeskWithPausedWorker$")
	cmd.Env = append(os.Environ(), "HMS_TEST_PAUSED_DESK=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	var pid int
	if _, err := fmt.Fscan(out, &pid); err != nil || pid == 0 {
		cmd.Process.Kill()
		t.Fatalf("the desk's worker: %d, %v", pid, err)
	}
	waitState(t, pid, true)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil || strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))[0] == "Z" {
			return // gone, or ended and waiting for init to reap it
		}
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the worker %d outlived its killed desk (state %s)", pid, strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))[0])
		}
	}
}

// TestHelperDeskWithPausedWorker is TestWorkerEndsWithTheDesk's desk: it
// starts a long derivation, pauses its worker, prints the worker's pid
// and keeps the pause on (maxHashPause ignored) until it is killed.
func TestHelperDeskWithPausedWorker(t *testing.T) {
	if os.Getenv("HMS_TEST_PAUSED_DESK") != "1" {
		t.Skip("run by TestWorkerEndsWithTheDesk")
	}
	go deriveKey([]byte("pw"), []byte("0123456789abcdef"), 1000, 64*1024, 1, 32)
	for waiting, _, _ := HashWorkerPauses(); waiting == 0; waiting, _, _ = HashWorkerPauses() {
		time.Sleep(time.Millisecond)
	}
	pid, _, _ := HashWorkerStatus()
	if err := signalWorker(worker.proc.cmd.Process, true); err != nil {
		t.Fatal(err)
	}
	fmt.Println(pid)
	time.Sleep(time.Minute)
}

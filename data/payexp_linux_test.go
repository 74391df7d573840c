package data_test

import (
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"hms/app"
)

// payExperiment is one of the ways tried to keep the payments' p99 while
// logins hash (issue 14), chosen by HMS_BENCH_PAY_EXP for payWhile:
//
//   - "" (none): as the desk runs;
//   - "pause": the hashing worker is stopped (SIGSTOP) for each timed
//     payment and continued after it (SIGCONT): what pausing the hashes
//     for the payments' transactions could at best bring;
//   - "pin": the payments' thread kept on CPU 0 and every thread of the
//     worker on CPU 1, so the hashes never run on the payment's CPU;
//   - "serial": the others' calls made one at a time (for logins: one
//     password hash at a time, as a queue in the worker would).
type payExperiment struct {
	b    *testing.B
	kind string
	pid  int
}

func startPayExperiment(b *testing.B) *payExperiment {
	e := &payExperiment{b: b, kind: os.Getenv("HMS_BENCH_PAY_EXP")}
	e.pid, _, _ = app.HashWorkerStatus()
	switch e.kind {
	case "", "serial":
	case "pause":
		if e.pid == 0 {
			b.Fatal("pause: no hashing worker runs")
		}
	case "pin":
		if e.pid == 0 {
			b.Fatal("pin: no hashing worker runs")
		}
		var cpu0, cpu1 unix.CPUSet
		cpu0.Set(0)
		cpu1.Set(1)
		if err := unix.SchedSetaffinity(0, &cpu0); err != nil {
			b.Fatal(err)
		}
		tasks, err := os.ReadDir("/proc/" + strconv.Itoa(e.pid) + "/task")
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range tasks {
			tid, _ := strconv.Atoi(t.Name())
			if err := unix.SchedSetaffinity(tid, &cpu1); err != nil {
				b.Fatal(err)
			}
		}
	default:
		b.Fatalf("HMS_BENCH_PAY_EXP=%q: not one of pause, pin, serial", e.kind)
	}
	if e.kind != "" {
		b.Logf("experiment %s (worker %d)", e.kind, e.pid)
	}
	return e
}

func (e *payExperiment) serial() bool { return e.kind == "serial" }

func (e *payExperiment) before() {
	if e.kind == "pause" {
		_ = syscall.Kill(e.pid, syscall.SIGSTOP)
	}
}

func (e *payExperiment) after() {
	if e.kind == "pause" {
		_ = syscall.Kill(e.pid, syscall.SIGCONT)
	}
}

func (e *payExperiment) done() {
	switch e.kind {
	case "pause":
		_ = syscall.Kill(e.pid, syscall.SIGCONT)
	case "pin":
		var all unix.CPUSet
		for i := range runtime.NumCPU() {
			all.Set(i)
		}
		_ = unix.SchedSetaffinity(0, &all)
	}
}

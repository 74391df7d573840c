package app

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// workerCommand is the hashing worker's command: this executable, as the
// kernel still has it open (/proc/self/exe works after the file was
// replaced by an update), with the marker in its environment. Its errors
// go where this process's do.
func workerCommand() *exec.Cmd {
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = []string{os.Args[0]}
	cmd.Env = append(os.Environ(), hashWorkerEnv+"="+hashWorkerMarker)
	cmd.Stderr = os.Stderr
	return cmd
}

// startLowPriority starts cmd at nice 19. Linux keeps a nice value per
// thread, and a new process and each of its threads inherit the value of
// the thread that made them: so cmd is started from an OS thread of its
// own whose nice value is 19 first, and every thread of the worker runs
// at 19 (a nice value set on the worker after it started would reach only
// the thread it was set on). The worker stays in the desk's session, so
// its autogroup: 19 is lowest against the desk's own threads, a payment's
// included. Go does not end the process's main thread but parks it for
// good, so that one is never used: it is held while another goroutine
// starts cmd.
//
// The worker gets SIGKILL when that thread ends (Pdeathsig), which the
// kernel also does when the desk's process ends in any way: a worker
// stopped by a pause (PauseHashing) when the desk is killed would
// otherwise stay stopped for ever, holding its memory and the desk's
// standard error. So the thread is kept, blocked and doing nothing else,
// until ended is closed (the worker ended and was waited for); without
// privileges it could not take its priority back anyway, and it ends then.
func startLowPriority(cmd *exec.Cmd, ended <-chan struct{}) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if syscall.Gettid() == syscall.Getpid() {
			done <- startLowPriority(cmd, ended)
			runtime.UnlockOSThread()
			return
		}
		// Never unlocked: the thread ends with the goroutine.
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 19); err != nil {
			done <- fmt.Errorf("lowering the priority: %w", err)
			return
		}
		// SCHED_IDLE on top: the worker runs only on a CPU nothing else
		// wants, and a woken desk thread takes the CPU from it at once (a
		// nice value only shares the CPU out by weight). Inherited like the
		// nice value; needs no privilege. A kernel without it keeps nice 19.
		idle := unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_IDLE, Nice: 19}
		_ = unix.SchedSetAttr(0, &idle, 0)
		if cmd.SysProcAttr == nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{}
		}
		cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
		err := cmd.Start()
		done <- err
		if err == nil {
			<-ended
		}
	}()
	return <-done
}

// startedByDesk says why this process, with the worker's marker in its
// environment, is not a hashing worker the desk started (nil when it is):
// the desk starts the worker as its child, from its own executable
// (/proc/self/exe), with pipes for its standard input and output. So its
// parent's executable is this one (the same file, even one an update has
// replaced since), and both are pipes: a shell, a launcher or another
// program that sets the variable is not the parent, and a terminal or a
// file is not a pipe.
func startedByDesk() error {
	for _, f := range []*os.File{os.Stdin, os.Stdout} {
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		if fi.Mode()&os.ModeNamedPipe == 0 {
			return fmt.Errorf("its %s is not a pipe", map[*os.File]string{os.Stdin: "standard input", os.Stdout: "standard output"}[f])
		}
	}
	self, err := os.Stat("/proc/self/exe")
	if err != nil {
		return err
	}
	parent, err := os.Stat(fmt.Sprintf("/proc/%d/exe", os.Getppid()))
	if err != nil || !os.SameFile(self, parent) {
		return errors.New("its parent is not this program")
	}
	return nil
}

// signalWorker stops (SIGSTOP) or continues (SIGCONT) the worker's
// process, all its threads (PauseHashing).
func signalWorker(p *os.Process, stop bool) error {
	if stop {
		return p.Signal(syscall.SIGSTOP)
	}
	return p.Signal(syscall.SIGCONT)
}

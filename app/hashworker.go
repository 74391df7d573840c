package app

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
)

// Password hashing in a worker process.
//
// A login's argon2id derivation (170 ms of CPU with DefaultHashParams)
// competed with the desk's other work for the CPU and stalled a payment
// being taken at the same time. Where the operating system allows it
// (Linux, hashworker_linux.go), every derivation is made in one
// long-lived hashing worker instead: the same executable started again
// with hashWorkerEnv set, at the lowest priority (nice 19) for all its
// threads, fed requests over its standard input and answering on its
// standard output. The worker is started at the first derivation and ends
// when the desk does (its standard input closes). The init function below
// makes any executable that imports this package a worker when the marker
// is set (the desk and the test binaries alike), before its main runs.
//
// The password and the salt go to the worker over a pipe between the desk
// and its own child: never on disk, in the command line or the
// environment. docs/ARCHITECTURE.md describes the design and its threat
// model.
//
// The worker never fails a hash: if it cannot be started, dies or stops
// answering, the derivation is made in this process at normal priority
// (logged once when that starts; another start is tried after
// hashWorkerRetry).

// hashWorkerEnv is the environment variable that makes an executable
// importing this package serve as the hashing worker; hashWorkerMarker is
// its value.
const (
	hashWorkerEnv    = "HMS_HASH_WORKER"
	hashWorkerMarker = "argon2id-1"
)

// The limits of one request, which no real derivation comes near: the
// worker refuses a larger one (and the desk then derives it itself).
const (
	maxWorkerPassword = 64 << 10
	maxWorkerSalt     = 4 << 10
	maxWorkerKey      = 4 << 10
)

// hashWorkerRetry is how long after the worker failed to start or died
// the desk derives keys itself before trying to start another.
const hashWorkerRetry = time.Minute

// hashWorkerTimeout is how long a derivation waits for the worker's
// answer before the worker is taken for hung (it is stopped and the
// derivation made here). A hash at nice 19 on a busy computer waits for
// CPU that nothing else wants, so this is generous.
const hashWorkerTimeout = 2 * time.Minute

// hashIdle is how long no derivation must have run before argon2id's
// working memory is handed back to the system (idleRelease).
const hashIdle = 2 * time.Second

func init() {
	if os.Getenv(hashWorkerEnv) != hashWorkerMarker {
		return
	}
	// Only the desk starts a worker: its own executable, as its child,
	// with pipes for standard input and output (startedByDesk). Started
	// any other way (the variable set by hand, or left in a launcher's
	// environment) it serves nothing, reads nothing, and says why.
	if err := startedByDesk(); err != nil {
		fmt.Fprintf(os.Stderr, "hms: %s is set, but this process was not started by HMS as its password hashing worker (%v): "+
			"unset %s and start HMS again.\n", hashWorkerEnv, err, hashWorkerEnv)
		os.Exit(2)
	}
	// Anything else this process prints must not reach the desk as an
	// answer.
	out := os.Stdout
	os.Stdout = os.Stderr
	if err := serveHashes(os.Stdin, out); err != nil {
		fmt.Fprintln(os.Stderr, "hms hashing worker:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// hashRequest is one derivation: argon2.IDKey's arguments.
type hashRequest struct {
	id       uint64
	time     uint32
	memory   uint32
	threads  uint8
	keyLen   uint32
	password []byte
	salt     []byte
}

// A request on the pipe, integers little-endian: id (8 bytes), time (4),
// memory (4), threads (1), key length (4), password length (4), password,
// salt length (4), salt. An answer: id (8), key length (4), key; a key
// length of 0 is a request the worker refused.

func writeHashRequest(w io.Writer, r hashRequest) error {
	b := make([]byte, 0, 33+len(r.password)+len(r.salt))
	b = binary.LittleEndian.AppendUint64(b, r.id)
	b = binary.LittleEndian.AppendUint32(b, r.time)
	b = binary.LittleEndian.AppendUint32(b, r.memory)
	b = append(b, r.threads)
	b = binary.LittleEndian.AppendUint32(b, r.keyLen)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(r.password)))
	b = append(b, r.password...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(r.salt)))
	b = append(b, r.salt...)
	_, err := w.Write(b)
	clear(b)
	return err
}

// readBytes reads a length-prefixed field of at most limit bytes.
func readBytes(r io.Reader, limit int) ([]byte, error) {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, err
	}
	size := binary.LittleEndian.Uint32(n[:])
	if size > uint32(limit) {
		return nil, fmt.Errorf("a field of %d bytes, more than %d", size, limit)
	}
	b := make([]byte, size)
	_, err := io.ReadFull(r, b)
	return b, err
}

func readHashRequest(r io.Reader) (hashRequest, error) {
	var h [21]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return hashRequest{}, err
	}
	req := hashRequest{id: binary.LittleEndian.Uint64(h[0:]), time: binary.LittleEndian.Uint32(h[8:]),
		memory: binary.LittleEndian.Uint32(h[12:]), threads: h[16], keyLen: binary.LittleEndian.Uint32(h[17:])}
	var err error
	if req.password, err = readBytes(r, maxWorkerPassword); err != nil {
		return req, err
	}
	req.salt, err = readBytes(r, maxWorkerSalt)
	return req, err
}

func writeHashAnswer(w io.Writer, id uint64, key []byte) error {
	b := binary.LittleEndian.AppendUint64(make([]byte, 0, 12+len(key)), id)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(key)))
	b = append(b, key...)
	_, err := w.Write(b)
	clear(b)
	return err
}

func readHashAnswer(r io.Reader) (uint64, []byte, error) {
	var id [8]byte
	if _, err := io.ReadFull(r, id[:]); err != nil {
		return 0, nil, err
	}
	key, err := readBytes(r, maxWorkerKey)
	return binary.LittleEndian.Uint64(id[:]), key, err
}

// serveHashes is the worker: it reads requests from in until it closes,
// derives each on a goroutine of its own and writes the answers to out,
// in the order they are ready. A request argon2 refuses (it panics on a
// time or thread count of 0) is answered with an empty key.
func serveHashes(in io.Reader, out io.Writer) error {
	r := bufio.NewReader(in)
	var mu sync.Mutex
	var wg sync.WaitGroup
	var werr error
	release := &idleRelease{}
	for {
		req, err := readHashRequest(r)
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return fmt.Errorf("reading a request: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			release.start()
			var key []byte
			func() {
				defer func() { _ = recover() }()
				if req.keyLen > 0 && req.keyLen <= maxWorkerKey {
					key = argon2.IDKey(req.password, req.salt, req.time, req.memory, req.threads, req.keyLen)
				}
			}()
			clear(req.password)
			release.done(req.memory)
			mu.Lock()
			defer mu.Unlock()
			if werr == nil {
				werr = writeHashAnswer(out, req.id, key)
			}
		}()
	}
	wg.Wait()
	return nil
}

// idleRelease hands argon2id's working memory (64 MiB with the default
// parameters) back to the system once no derivation has run for hashIdle.
// That memory is garbage once a key is made, but Go's scavenger returns
// such memory only over minutes, so after a login a process's resident
// memory stayed 64 MiB higher. It is handed back once hashing is idle,
// not after each derivation: that forces a full garbage collection and
// returns every free page, work that a run of logins would repeat for
// nothing. Derivations with less than 16 MiB (tests' parameters) are not
// counted.
type idleRelease struct {
	mu      sync.Mutex
	running int
	timer   *time.Timer
}

func (r *idleRelease) start() {
	r.mu.Lock()
	r.running++
	r.mu.Unlock()
}

func (r *idleRelease) done(memoryKiB uint32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.running--
	if memoryKiB < 16*1024 {
		return
	}
	if r.timer == nil {
		r.timer = time.AfterFunc(hashIdle, func() {
			r.mu.Lock()
			idle := r.running == 0
			r.mu.Unlock()
			if idle {
				debug.FreeOSMemory()
			}
		})
		return
	}
	r.timer.Reset(hashIdle)
}

// hashWorker is the desk's side of the worker: at most one process at a
// time (proc), started at the first derivation.
type hashWorker struct {
	// start starts cmd as the worker at the lowest priority, nil where
	// there is no worker (hashworker_other.go); ended is closed once the
	// worker has ended and been waited for.
	start func(cmd *exec.Cmd, ended <-chan struct{}) error
	// command is the worker's command (tests change it).
	command func() *exec.Cmd
	// signal stops (stop true) or continues the worker's process, nil
	// where the worker cannot be paused (PauseHashing does nothing).
	signal func(p *os.Process, stop bool) error

	mu      sync.Mutex
	proc    *workerProc // nil: none running
	retryAt time.Time   // no start before this after a failure
	inline  bool        // derivations are made here (logged once)
	nextID  uint64
	served  atomic.Uint64 // keys the worker made
	inlined atomic.Uint64 // keys made in this process
	release idleRelease   // for the keys made in this process
}

// workerProc is one worker process and its requests waiting for answers.
type workerProc struct {
	cmd     *exec.Cmd
	in      *os.File
	pending map[uint64]chan []byte // nil once the process is gone
	ended   chan struct{}          // closed once it ended and was waited for

	// Pausing (PauseHashing), with the worker's mu held: pauses is how
	// many pauses are on, stopped whether the process is stopped now
	// (SIGSTOP sent, no SIGCONT since), undo the timer that continues it
	// after maxHashPause whatever the pauses, and nextPause the earliest
	// a new pause may stop it.
	pauses    int
	stopped   bool
	stoppedAt time.Time
	undo      *time.Timer
	nextPause time.Time
}

var worker = &hashWorker{start: startLowPriority, command: workerCommand, signal: signalWorker}

// HashWorkerStatus reports the hashing worker's process id (0 when none
// runs), how many keys it made and how many were made in this process
// instead. For tests and diagnostics.
func HashWorkerStatus() (pid int, served, inProcess uint64) {
	worker.mu.Lock()
	if worker.proc != nil {
		pid = worker.proc.cmd.Process.Pid
	}
	worker.mu.Unlock()
	return pid, worker.served.Load(), worker.inlined.Load()
}

// deriveKey is argon2.IDKey(password, salt, time, memory, threads,
// keyLen), made by the hashing worker when there is one, else here.
func deriveKey(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	if key := worker.derive(hashRequest{time: time, memory: memory, threads: threads, keyLen: keyLen,
		password: password, salt: salt}); key != nil {
		worker.served.Add(1)
		return key
	}
	worker.inlined.Add(1)
	worker.release.start()
	defer worker.release.done(memory)
	return argon2.IDKey(password, salt, time, memory, threads, keyLen)
}

// derive has the worker make the key, starting it if needed; nil when
// there is no worker or it failed (the caller derives the key itself).
func (w *hashWorker) derive(req hashRequest) []byte {
	if w.start == nil || len(req.password) > maxWorkerPassword || len(req.salt) > maxWorkerSalt ||
		req.keyLen == 0 || req.keyLen > maxWorkerKey {
		return nil
	}
	w.mu.Lock()
	if w.proc == nil && !w.startLocked() {
		w.mu.Unlock()
		return nil
	}
	p := w.proc
	w.nextID++
	req.id = w.nextID
	answer := make(chan []byte, 1)
	p.pending[req.id] = answer
	// The pipe takes a request whole (far below its buffer) while the
	// worker reads; a worker that stopped reading fails the write once
	// the pipe is full, or the wait for the answer below.
	err := p.in.SetWriteDeadline(time.Now().Add(hashWorkerTimeout))
	if err == nil {
		err = writeHashRequest(p.in, req)
	}
	w.mu.Unlock()
	if err != nil {
		w.stop(p, fmt.Errorf("sending a request: %w", err))
		return nil
	}
	t := time.NewTimer(hashWorkerTimeout)
	defer t.Stop()
	select {
	case key := <-answer:
		if len(key) == 0 {
			return nil
		}
		return key
	case <-t.C:
		w.stop(p, fmt.Errorf("no answer in %v", hashWorkerTimeout))
		return nil
	}
}

// startLocked starts a worker, with w.mu held; false when it cannot (the
// failure is logged when derivations start being made here).
func (w *hashWorker) startLocked() bool {
	if time.Now().Before(w.retryAt) {
		return false
	}
	cmd := w.command()
	// The request pipe is made here, not by cmd.StdinPipe, so that a
	// write to it can have a deadline: a worker that stopped reading
	// fails the write instead of holding w.mu.
	childIn, in, err := os.Pipe()
	if err != nil {
		w.failedLocked(fmt.Errorf("starting it: %w", err))
		return false
	}
	cmd.Stdin = childIn
	ended := make(chan struct{})
	out, err := cmd.StdoutPipe()
	if err == nil {
		err = w.start(cmd, ended)
	}
	childIn.Close()
	if err != nil {
		in.Close()
		w.failedLocked(fmt.Errorf("starting it: %w", err))
		return false
	}
	p := &workerProc{cmd: cmd, in: in, pending: map[uint64]chan []byte{}, ended: ended}
	w.proc = p
	if w.inline {
		w.inline = false
		slog.Info("password hashing runs in its low-priority worker process again", "pid", cmd.Process.Pid)
	}
	go w.read(p, out)
	return true
}

// failedLocked notes that the worker failed, with w.mu held: derivations
// are made here until hashWorkerRetry has passed, which is logged once.
func (w *hashWorker) failedLocked(err error) {
	w.retryAt = time.Now().Add(hashWorkerRetry)
	if !w.inline {
		w.inline = true
		slog.Warn("the password hashing worker failed; passwords are hashed in this process at normal priority",
			"err", err)
	}
}

// read delivers p's answers until its output closes, then ends p.
func (w *hashWorker) read(p *workerProc, out io.Reader) {
	r := bufio.NewReader(out)
	for {
		id, key, err := readHashAnswer(r)
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = errors.New("it ended")
			}
			w.stop(p, err)
			return
		}
		w.mu.Lock()
		if answer, ok := p.pending[id]; ok {
			delete(p.pending, id)
			answer <- key
		}
		w.mu.Unlock()
	}
}

// stop ends p, if it still runs, for err (nil: on purpose, not a
// failure): its waiting derivations get no answer (and are made here).
func (w *hashWorker) stop(p *workerProc, err error) {
	w.mu.Lock()
	if p.pending == nil {
		w.mu.Unlock()
		return
	}
	for _, answer := range p.pending {
		answer <- nil
	}
	p.pending = nil
	if w.proc == p {
		w.proc = nil
		if err != nil {
			w.failedLocked(err)
		}
	}
	w.mu.Unlock()
	p.in.Close()
	_ = p.cmd.Process.Kill()
	go func() {
		_ = p.cmd.Wait()
		close(p.ended)
	}()
}

// maxHashPause is the longest a pause keeps the worker stopped: a longer
// write continues it anyway. After a pause, the worker runs at least as
// long as that pause lasted before the next one stops it, so hashing
// keeps at least half of the time left over by the desk even under a
// stream of writes, and a login waits at most about twice as long.
const maxHashPause = 25 * time.Millisecond

// PauseHashing stops the hashing worker's derivations, if any are under
// way, until the returned function is called (once or more; it must be,
// on every path: a deferred call) or maxHashPause has passed, whichever
// comes first. A write transaction is run under it (data), so that the
// argon2id passes do not fill the caches and the memory bus that the
// write needs on the other CPU. A stopped worker holds nothing the desk
// waits for but its answers: requests go into the pipe's buffer, and a
// hung worker is still found by hashWorkerTimeout. Does nothing (and
// costs a lock) when no derivation waits, where there is no worker, or
// too soon after the last pause.
func PauseHashing() (resume func()) {
	return worker.pause()
}

func nothing() {}

func (w *hashWorker) pause() func() {
	if w.signal == nil {
		return nothing
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.proc
	if p == nil || len(p.pending) == 0 {
		return nothing
	}
	p.pauses++
	if !p.stopped && p.pauses == 1 && !time.Now().Before(p.nextPause) {
		if err := w.signal(p.cmd.Process, true); err == nil {
			p.stopped, p.stoppedAt = true, time.Now()
			if p.undo == nil {
				p.undo = time.AfterFunc(maxHashPause, func() { w.continueWorker(p) })
			} else {
				p.undo.Reset(maxHashPause)
			}
		}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			w.mu.Lock()
			defer w.mu.Unlock()
			p.pauses--
			if p.pauses == 0 {
				w.continueLocked(p)
			}
		})
	}
}

// continueWorker continues p when a pause has lasted maxHashPause.
func (w *hashWorker) continueWorker(p *workerProc) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.continueLocked(p)
}

// continueLocked continues p if it is stopped, with w.mu held.
func (w *hashWorker) continueLocked(p *workerProc) {
	if !p.stopped {
		return
	}
	p.stopped = false
	p.undo.Stop()
	now := time.Now()
	p.nextPause = now.Add(now.Sub(p.stoppedAt))
	if p.pending != nil {
		// A worker stopped for good (stop) was killed: SIGKILL ends a
		// stopped process too.
		_ = w.signal(p.cmd.Process, false)
	}
}

// HashWorkerPauses reports how many derivations wait for the hashing
// worker's answer, how many pauses (PauseHashing) are on, and whether the
// worker is stopped now. For tests: after every write, no pause is on
// and the worker runs.
func HashWorkerPauses() (waiting, pauses int, stopped bool) {
	worker.mu.Lock()
	defer worker.mu.Unlock()
	if p := worker.proc; p != nil {
		return len(p.pending), p.pauses, p.stopped
	}
	return 0, 0, false
}

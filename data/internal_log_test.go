package data

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	stdsync "sync"
	"testing"

	"github.com/mattn/go-sqlite3"
)

// logRecorder keeps the level of each record logged with a given action.
type logRecorder struct {
	action string
	mu     *stdsync.Mutex
	levels *[]slog.Level
}

func (h logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h logRecorder) WithGroup(string) slog.Handler            { return h }
func (h logRecorder) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "action" && a.Value.String() == h.action {
			h.mu.Lock()
			*h.levels = append(*h.levels, r.Level)
			h.mu.Unlock()
		}
		return true
	})
	return nil
}

// A cancelled context (the app closing, a sync stopped) is no fault of the
// program: it is not logged as an internal error, which tells an
// administrator reading the log something broke (a stopped sync round did,
// and the ERROR line failed a test watching the log beside it). A fault
// is, still.
func TestInternalErrorNotForACancelledContext(t *testing.T) {
	var levels []slog.Level
	prev := slog.Default()
	slog.SetDefault(slog.New(logRecorder{action: "test.internal", mu: &stdsync.Mutex{}, levels: &levels}))
	defer slog.SetDefault(prev)

	err := internal("test.internal", fmt.Errorf("read: %w", context.Canceled))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("the cancellation is not passed on: %v", err)
	}
	for _, l := range levels {
		if l >= slog.LevelWarn {
			t.Errorf("a cancelled context logged at %s", l)
		}
	}
	levels = nil
	_ = internal("test.internal", errors.New("disk I/O error"))
	if len(levels) != 1 || levels[0] != slog.LevelError {
		t.Errorf("a fault logged at %v, want one ERROR", levels)
	}
}

// fault tells SQLite failing (a full or failing disk, a damaged file) from
// a row its constraints or triggers refuse: a pull that applies a batch
// again one by one logs the first as an internal error still.
func TestFaultIsNotARefusal(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"a trigger's refusal", fmt.Errorf("payments x: %w", sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintTrigger}), false},
		{"a foreign key", sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintForeignKey}, false},
		{"the apply's own refusal", errors.New(`this version of hms does not sync "x": update it`), false},
		{"a failing disk", fmt.Errorf("x: %w", sqlite3.Error{Code: sqlite3.ErrIoErr}), true},
		{"a full disk", sqlite3.Error{Code: sqlite3.ErrFull}, true},
		{"a damaged file", sqlite3.Error{Code: sqlite3.ErrCorrupt}, true},
	} {
		if got := fault(c.err); got != c.want {
			t.Errorf("%s: fault = %v, want %v", c.name, got, c.want)
		}
	}
}

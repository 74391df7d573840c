package data

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	stdsync "sync"
	"testing"
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

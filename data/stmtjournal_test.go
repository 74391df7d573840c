package data_test

import (
	"runtime"
	"testing"

	"hms/data"
)

// TestStatementJournalInMemory: the larger in-memory statement journal
// (stmtjournal.go) took effect. It fails when SQLite was initialised before
// the setting, or when the weak link to sqlite3_config found nothing.
func TestStatementJournalInMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("checked where the benchmarks run")
	}
	if rc := data.StmtJournalSpillRC(); rc != 0 {
		t.Fatalf("sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL) returned %d, want 0", rc)
	}
}

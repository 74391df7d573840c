//go:build linux && cgo

package data

/*
// sqlite3_config is go-sqlite3's copy of SQLite, linked into the same
// program; declared weak so that cgo's own link of this package alone,
// which does not have it, succeeds.
extern int sqlite3_config(int, ...) __attribute__((weak));

// SQLITE_CONFIG_STMTJRNL_SPILL, sqlite3.h.
#define HMS_CONFIG_STMTJRNL_SPILL 26

static int hms_stmt_journal_spill(int bytes) {
	if (!sqlite3_config) return -1;
	return sqlite3_config(HMS_CONFIG_STMTJRNL_SPILL, bytes);
}
*/
import "C"

func init() {
	stmtJournalSpillRC = int(C.hms_stmt_journal_spill(C.int(stmtJournalSpill)))
}

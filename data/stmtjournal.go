package data

// stmtJournalSpill is how large a statement journal grows in memory before
// SQLite moves it to a temporary file. In a transaction of several
// statements, SQLite keeps, for each statement that may fail halfway (one
// with triggers or constraints), the pages it changes, to undo that
// statement alone. SQLite's default of 64 KiB is 16 pages: an invoice's
// issue (the invoice, its indexes, the summaries, the outbox row and its
// indexes, all in the one UPDATE's triggers) or a payment went past it
// about once per issue-and-pay: a temporary file was created and written,
// and its inode's allocation and release went into the file system's
// journal that the commit's sync then wrote as well (docs/ARCHITECTURE.md,
// "The cost of a payment"). SQLite allocates the in-memory journal in one piece
// of this size, so it stays below glibc's mmap threshold (128 KiB; fixed,
// since malloc_linux.go sets the trim threshold): a larger one would be
// mapped and unmapped for every statement.
const stmtJournalSpill = 120 << 10

// stmtJournalSpillRC is what setting stmtJournalSpill returned: 0 when it
// took effect, -1 when the build has no cgo access to SQLite's
// configuration.
var stmtJournalSpillRC = -1

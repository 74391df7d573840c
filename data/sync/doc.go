// Package sync holds the desk's side of syncing several desks of a clinic
// through a shared PostgreSQL database (SYNC.md): the hybrid logical clock
// that orders every change, and the outbox operations a desk queues for
// the server.
//
// # What is built
//
// The clock. Clock is a hybrid logical clock (Kulkarni et al., 2014). A
// Timestamp is a physical part in milliseconds, a 16-bit logical counter
// and the site (desk) that issued it; timestamps are totally ordered by
// (Wall, Logical, Site), which is the "last writer by (HLC, site_id)" of
// SYNC.md's conflict rules. Their text form,
//
//	2026-11-26T09:00:00.007Z-002A-<site id>
//
// sorts in the same order, so SQL compares them as strings (field_clock,
// sync_meta.last_hlc). Readings never go backwards: not when the wall
// clock does, not across restarts (the caller persists the last reading
// and resumes from it), not when a counter overflows (it carries into the
// next millisecond). The physical part is the local clock plus an offset
// to the server's time that a handshake measures (SetOffset). Update takes
// in a remote timestamp and refuses one more than DefaultMaxDrift (the
// server's own limit) ahead of physical time, so one desk with a wrong
// clock cannot drag the others into the future.
//
// The outbox (package data, migration 0008_sync.sql). Every change to a
// synced table writes its outbox row in the same transaction, through
// SQLite triggers on the table, so no code path can change a synced row
// without it. The write helper (data's Tx) takes one clock reading per
// transaction and leaves it in sync_meta.tx_hlc while the transaction
// runs; the triggers stamp their rows with it and write nothing while it
// is NULL. The value lives in a table rather than in an application-
// defined SQL function because a trigger that names a function fails on
// every connection that lacks it (the sqlite3 shell, a repair tool,
// tests), whereas a NULL column just means "not through the helper": those
// writes are not queued. The helper clears it before committing, so it is
// NULL outside its transactions, and it rolls back with everything else.
//
// Every reading that stamps the outbox is persisted with it
// (sync_meta.last_hlc), and each transaction, holding the write lock,
// takes in the persisted reading (Witness): so the clock resumes above it
// after a restart, and two programs writing one database (a command-line
// subcommand beside the desk's window), each with a clock of its own,
// still stamp in commit order.
//
// An operation (Op) is an insert with the row's synced columns, an update
// with the columns that changed, or a delete. Blobs (report files, receipt
// PDFs) never change and stay in their tables; the push reads them. Each
// operation has a UUIDv7 (op_id), for the server's exactly-once
// bookkeeping, and a seq that is never reused.
//
// Which tables sync is decided in one place, the migration, and checked by
// data's TestEveryTableSyncsOrSaysWhy: every table is either synced, with
// an outbox trigger for each change its schema allows, or listed as local
// with the reason, so a new table cannot be forgotten. Local are the desk's
// own state (number series, the sync tables, the audit chain's head), the
// derived tables (search indexes, dashboard summaries) and the audit log,
// which syncs without the outbox: it is append-only and each row names its
// site and carries its local seq, so the push sends it from the table
// after sync_meta.audit_pushed_seq.
//
// Field clocks. For the editable records (patients, users, doctors'
// profiles, settings) the update triggers also set field_clock for each
// changed field: the reading that last set it, for last-writer-wins per
// field. A field without a row still holds the value its record was
// created with, which is older than any change to it from anywhere, since
// a desk changes a record only after taking it in (and its clock with it).
// Settings are keyed by name, not by UUID, so two desks can create the
// same one: theirs are clocked from the insert.
//
// No echo. data.DB.ApplyRemote applies pulled rows in a transaction that
// writes no outbox rows, after the clock has taken in the newest pulled
// reading and persisted it. The demo generator writes without the outbox
// too: a demo desk is not enrolled, and a clinic's first desk uploads what
// it has as a snapshot, not as a queue of operations.
//
// # The server, enrollment and push
//
// Package data/sync/server holds the server's schema (embedded, versioned
// migrations applied by `hms server init`), the functions desks call
// (sync.handshake, sync.enroll, sync.push; the role hms_desk may call
// those and nothing else), and the desk's client for them. Rows are kept
// generically for now, one JSON document per (entity, row_id) with a clock
// reading per field (sync.rows), which is enough to merge editable
// records per field and to keep append-only rows exactly once; the change
// log carries each change's snapshot and field clocks for pull. Enrolling
// (data.DB.Enroll) gives the desk its code for number series; pushing
// (data.DB.PushOnce) sends the outbox in seq order, in batches, exactly
// once by op_id, and stores the server's decisions and the losers
// (conflicts) in one SQLite transaction per batch.
//
// # What remains
//
//   - Pull: change_log rows after (pull_txid, pull_seq), applied through
//     ApplyRemote with the newest HLC of the batch, moving the cursor in the
//     same transaction; every pulled change's HLC must reach the clock
//     (Update) so that the field-clock rule above holds. Applying a row
//     recomputes the desk's own columns (search keys, activity order,
//     copies of patients' names), uses ON CONFLICT DO UPDATE (never INSERT
//     OR REPLACE, which skips the dashboard summaries' delete triggers), and
//     sets field_clock for the fields it wins, writing the losers to
//     conflicts once.
//   - Typed server tables and the appointments' exclusion constraint, so
//     that the server decides double bookings.
//   - The audit log after sync_meta.audit_pushed_seq, and report files.
//   - A snapshot upload for the first desk (after which its outbox so far
//     can be discarded: until then an unenrolled desk's outbox only grows)
//     and a download for new desks; refusing to enroll a second desk that
//     already numbered records with the default desk code.
//   - Detecting a server restored from a dump (it keeps its epoch), and
//     re-syncing after an epoch change.
//   - Per-desk server logins (all desks share the hms_desk role today).
//   - The status bar, Settings → Sync, the conflicts screen, a retry timer,
//     LISTEN wake-ups, and the seeded simulation of SYNC.md.
package sync

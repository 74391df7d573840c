package data

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"hms/app"
	"hms/data/sync/hlc"
)

// What the sync engine (package data/sync) needs of the desk's database,
// beside the outbox (outbox.go), the list of synced tables
// (synctables.go), the number series (series.go) and the review of
// conflicts (sync_conflicts.go): the engine pushes the outbox, pulls and
// applies the other desks' changes, and keeps its bookkeeping (sync_meta,
// outbox_sent, pushed_rows, conflicts) through these. Nothing in this
// package knows the engine.

// ReadDB is the pool of read-only connections.
func (db *DB) ReadDB() *sql.DB { return db.r }

// Now is the time by the database's clock (Options.Now).
func (db *DB) Now() time.Time { return db.now() }

// DefaultDeskCode is the code the desk numbers with until it enrolls with
// a sync server (Options.DeskCode; D1 when not set).
func (db *DB) DefaultDeskCode() string { return db.defaultDesk }

// DeriveKey returns a key for purpose, derived from the desk's audit key,
// which is kept outside the database file: the sync engine seals the
// server's password with one.
func (db *DB) DeriveKey(purpose string) []byte {
	m := hmac.New(sha256.New, db.key)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// Queued receives a signal after a commit that queued outbox rows, for
// the sync loop to push them. It holds one signal at most: a loop that
// was busy meanwhile finds one, however many commits there were.
func (db *DB) Queued() <-chan struct{} { return db.queued.get() }

// signal is a channel that holds one wake-up at most.
type signal struct {
	once sync.Once
	ch   chan struct{}
}

func (s *signal) get() chan struct{} {
	s.once.Do(func() { s.ch = make(chan struct{}, 1) })
	return s.ch
}

// changed signals Queued: a commit queued outbox rows (Tx).
func (db *DB) changed() {
	select {
	case db.queued.get() <- struct{}{}:
	default:
	}
}

// Write runs fn in a write transaction as the caller in ctx, as a service
// method's: fn records what it did with Tx.Audit, a write without an
// audit row is refused, and a permission denial is audited. action names
// the method for the audit log.
func (db *DB) Write(ctx context.Context, action string, fn func(tx *Tx) error) error {
	return db.write(ctx, action, fn)
}

// WriteSyncState runs fn in a write transaction of the sync engine's own
// bookkeeping (sync_meta, outbox_sent, pushed_rows, conflicts): it writes
// no audit row and no outbox rows.
func (db *DB) WriteSyncState(ctx context.Context, action string, fn func(tx *Tx) error) error {
	return db.inTx(withoutOutbox(ctx), app.Caller{}, action, fn)
}

// SetDeskCode sets the code the desk numbers with outside a write
// transaction (to put back the one the database has after a failed
// enrollment): it holds the one writer connection, so that no transaction
// numbers meanwhile.
func (db *DB) SetDeskCode(ctx context.Context, code string) error {
	conn, err := db.w.Conn(context.WithoutCancel(ctx))
	if err != nil {
		return internal("sync.enroll", err)
	}
	db.desk = code
	return conn.Close()
}

// MayEnroll lets administrators enroll the desk with a sync server (or
// test one), and anyone a desk that has no clinic yet (no account, no
// settings): a new desk joins its clinic's server and downloads the
// clinic, accounts included, before anyone can log in on it. A refusal is
// audited as action.
func (db *DB) MayEnroll(ctx context.Context, action string) error {
	caller, _ := app.CallerFromContext(ctx)
	if caller.Role != "" && app.Can(caller.Role, app.PermManageSettings) {
		return nil
	}
	var users, settings int
	if err := db.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM settings)`).
		Scan(&users, &settings); err != nil {
		return internal(action, err)
	}
	if caller.Role == "" && users == 0 && settings == 0 {
		return nil
	}
	return db.auditDenial(ctx, action, "sync_meta", db.siteID, "", string(app.PermManageSettings))
}

// Internal maps an unexpected error of action to EINTERNAL (ECONFLICT when
// the database is busy), logging the detail that must not reach a user's
// screen, as the services do.
func Internal(action string, err error) error { return internal(action, err) }

// Context is the context the transaction runs in.
func (tx *Tx) Context() context.Context { return tx.ctx }

// HLC is the clock reading that stamps the transaction's outbox rows;
// zero when it writes none.
func (tx *Tx) HLC() hlc.Timestamp { return tx.hlc }

// Prepared returns q prepared once per transaction, for a statement run
// many times in it; the transaction closes it.
func (tx *Tx) Prepared(q string) (*sql.Stmt, error) { return tx.stmt(q) }

// DeskCode is the code the desk numbers with.
func (tx *Tx) DeskCode() string { return tx.db.desk }

// SetDeskCode sets the code the desk numbers with from this transaction
// on (enrollment). Number series read it in write transactions, which run
// one at a time on the one writer connection: setting it in one, before
// it commits, orders it with every one of them. When the transaction
// fails, DB.SetDeskCode puts back the code the database still has.
func (tx *Tx) SetDeskCode(code string) { tx.db.desk = code }

// DeriveLocal adds to vals the desk's own columns that follow from them, as the
// services compute them: search keys, the activity order of a new
// patient, the copies of a patient's name in a new appointment. local is
// the row as the desk has it (nil for a new row); vals holds the columns
// that change.
func (tx *Tx) DeriveLocal(entity string, vals, local map[string]any) error {
	get := func(n string) string {
		if v, ok := vals[n]; ok {
			s, _ := v.(string)
			return s
		}
		s, _ := asText(local[n])
		return s
	}
	changed := func(ns ...string) bool {
		for _, n := range ns {
			if _, ok := vals[n]; ok {
				return true
			}
		}
		return false
	}
	switch entity {
	case "patients":
		if local == nil || changed("given_name", "family_name", "phone") {
			if local != nil {
				var err error
				if local, err = tx.fillLocal(entity, vals, local, "given_name", "family_name", "phone"); err != nil {
					return err
				}
			}
			vals["search_name"], vals["phone_digits"] = patientSearchFields(get("given_name"), get("family_name"), get("phone"))
		}
		if local == nil {
			var seq int64
			if err := tx.queryRowInBatch(`SELECT coalesce(max(activity_seq), 0) + 1 FROM patients`).Scan(&seq); err != nil {
				return err
			}
			vals["activity_seq"], vals["last_activity_at"] = seq, get("created_at")
		}
	case "doctor_profiles":
		if changed("specialization") {
			vals["search_specialization"] = app.FoldForSearch(get("specialization"))
		}
	case "price_items":
		if changed("name") {
			vals["search_name"] = foldSearch(get("name"))
		}
	case "appointments":
		if local == nil {
			var name, mrn string
			err := tx.queryRowInBatch(`SELECT trim(given_name || ' ' || family_name), mrn FROM patients WHERE id = ?`,
				get("patient_id")).Scan(&name, &mrn)
			if err == nil {
				vals["patient_name"], vals["patient_mrn"] = name, mrn
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
	}
	return nil
}

// fillLocal returns local with the named columns read from the desk's row when
// neither vals nor local has them.
func (tx *Tx) fillLocal(entity string, vals, local map[string]any, names ...string) (map[string]any, error) {
	out := maps.Clone(local)
	for _, n := range names {
		if _, ok := vals[n]; ok {
			continue
		}
		if _, ok := out[n]; ok {
			continue
		}
		id, _ := asText(local["id"])
		if id == "" {
			if v, ok := vals["id"].(string); ok {
				id = v
			}
		}
		var v any
		if err := tx.queryRowInBatch(`SELECT `+QuoteIdent(n)+` FROM `+QuoteIdent(entity)+` WHERE id = ?`, id).Scan(&v); err != nil &&
			!errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		out[n] = v
	}
	return out, nil
}

// IndexPatients writes the search rows of patients that a pull inserted
// while the search trigger stood aside (migration 0012), as the trigger
// patients_search_insert writes them, in one statement per index: the
// index then writes one segment for them all.
func (tx *Tx) IndexPatients(ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	// In the order of their rowids, which the index appends cheaply; a
	// patient whose insert was rolled back is simply not found.
	for _, q := range []string{
		`INSERT INTO patient_name_fts (rowid, name) SELECT activity_seq, search_name FROM patients
			WHERE id IN (SELECT value FROM json_each(?)) ORDER BY activity_seq`,
		`INSERT INTO patient_number_fts (rowid, digits) SELECT activity_seq, phone_digits || ' ' || substr(mrn, -6) FROM patients
			WHERE id IN (SELECT value FROM json_each(?)) ORDER BY activity_seq`,
	} {
		if _, err := tx.ExecContext(tx.ctx, q, string(list)); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
	}
	return nil
}

// RebuildDashboard has the dashboard's summaries rebuilt when they are
// next read: rows arrived past the steps their triggers count (an invoice
// issued already, from a snapshot). dashboardZone rebuilds them when the
// zone they were built for is not the clinic's.
func (tx *Tx) RebuildDashboard() error {
	_, err := tx.ExecContext(tx.ctx, `UPDATE dashboard_state SET zone = '' WHERE id = 1`)
	return err
}

// asText is a column value as text, when it is text.
func asText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	}
	return "", false
}

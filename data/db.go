// Package data implements HMS desktop's services on a local SQLite database:
// embedded migrations, one transaction helper that writes the audit row of
// every change, the hash-chained audit log, backup, restore and verify.
package data

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/mattn/go-sqlite3"

	"hms/app"
	"hms/data/sync/hlc"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ApplicationID marks a SQLite file as an HMS database ('HMS1').
const ApplicationID = 1213026097

// TimeLayout is how timestamps are stored: UTC, RFC 3339, milliseconds.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// Options tune a database. Zero values mean the defaults.
type Options struct {
	// AuditKeyPath is the file holding the audit chain's HMAC key; default
	// beside the database, named after it with ".audit-key".
	AuditKeyPath string
	// HashParams are the argon2id parameters for new password hashes.
	HashParams app.HashParams
	// Now is the clock; default time.Now.
	Now func() time.Time
	// DeskCode names this desk in number series, e.g. D1 (default),
	// until it enrolls with a sync server, which gives it its code.
	DeskCode string
	// MessageTransport sends the test message of Settings → Messages;
	// nil: this desk cannot send one.
	MessageTransport app.MessageTransport
	// CheckpointEvery is how often the background checkpoint runs
	// (checkpoint.go); default checkpointEvery. Benchmarks vary it.
	CheckpointEvery time.Duration
	// WALRestartPages is how large the WAL may grow before the background
	// checkpoint makes it start again from its beginning (checkpoint.go);
	// default walRestartPages. Tests lower it.
	WALRestartPages int
}

// DB is an open HMS database: one writer connection (transactions begin
// IMMEDIATE) and a pool of readers, both in WAL mode with synchronous=FULL.
type DB struct {
	path string
	// clockIncident is set by a handshake's ResyncClock that handled a
	// clock incident, and taken by the SetClockOffset that follows it: the
	// offset measured then is the wrong clock's, not the desk's usual one
	// (sync_meta.clock_usual_ms).
	clockIncident atomic.Bool
	w             *sql.DB
	r             *sql.DB
	ckpt          *checkpointer
	now           func() time.Time
	hash          app.HashParams
	key           []byte
	// transport sends test messages (Options.MessageTransport).
	transport app.MessageTransport
	keyPath   string // the audit key's file
	// hashing admits the password checks run at once: argon2id takes a
	// core for its whole run, so at most all cores but one hash, and the
	// desk's other work (a payment at the till) keeps a core.
	hashing chan struct{} // taken with startHashing, given back with hashDone
	onHash  func()        // tests: called as each password hash starts
	siteID  string
	desk    string     // read by write transactions only, set by enrollment (Tx.SetDeskCode)
	clock   *hlc.Clock // stamps the outbox (outbox.go)
	queued  signal     // a commit queued outbox rows (syncstore.go)

	defaultDesk string // Options.DeskCode, the code of a desk not enrolled

	// statements counts the statements write transactions sent (Tx),
	// BEGIN and COMMIT included; the benchmarks report it per operation.
	statements  atomic.Int64
	onStatement func(q string) // tests: called with each statement counted
	// onTx (tests, benchmarks) is called once per write transaction, as
	// it gives the writer connection back, with what it did (txDone);
	// with onTxSyncLevel, txDone.SyncLevel is read (a statement more).
	onTx          func(txDone)
	onTxSyncLevel bool
	// Commits made without a sync of their own (unsyncedCommit): lazy
	// counts them, each adding one once committed; synced is the count
	// the last successful SyncLog covers. lazy > synced: one may not be
	// on the disk yet.
	lazy, synced atomic.Uint64
	// syncWAL (tests) replaces the WAL file's fsync in SyncLog.
	syncWAL func(f *os.File) error
	// noHashPause (benchmarks) makes write transactions leave password
	// hashes under way running (app.PauseHashing not called), to measure
	// what the pause brings.
	noHashPause atomic.Bool

	sealMu   sync.Mutex
	sealTabs map[string]*sealedTable // the audited tables' columns (seal.go)

	// msgSettings is the message settings last parsed, keyed by their
	// stored text (messages.go, cachedMessageSettings).
	msgSettings atomic.Pointer[parsedMessageSettings]
	// resealFrom are the audited tables this open's migrations gave new
	// columns, with their sealed columns before (reseal.go).
	resealFrom map[string][]string
}

// DefaultAuditKeyPath is where the audit key of the database at dbPath lives.
func DefaultAuditKeyPath(dbPath string) string { return dbPath + ".audit-key" }

// busyTimeoutMS is how long a connection waits for a lock (ms).
const busyTimeoutMS = 5000

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_foreign_keys", "1")
	q.Set("_busy_timeout", strconv.Itoa(busyTimeoutMS))
	q.Set("_stmt_cache_size", "64") // hot queries are prepared once per connection
	if readOnly {
		q.Set("_query_only", "1")
		q.Set("_txlock", "deferred")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path, applies pending
// migrations, and loads the audit key, creating it on first run.
func Open(path string, opt Options) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("open database: no path given")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	keyPath := opt.AuditKeyPath
	if keyPath == "" {
		keyPath = DefaultAuditKeyPath(path)
	}
	if err := RecoverRestore(path, keyPath); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db := &DB{path: path, keyPath: keyPath, now: opt.Now, hash: opt.HashParams, desk: opt.DeskCode,
		transport: opt.MessageTransport, hashing: make(chan struct{}, hashPlaces())}
	if db.now == nil {
		db.now = time.Now
	}
	if db.hash == (app.HashParams{}) {
		db.hash = app.DefaultHashParams
	}
	if db.desk == "" {
		db.desk = "D1"
	}
	db.defaultDesk = db.desk
	if err := createOwnerOnly(path); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	var err error
	if db.w, err = sql.Open(driverName, dsn(path, false)); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db.w.SetMaxOpenConns(1) // one writer: transactions queue here instead of spinning on SQLITE_BUSY
	db.w.SetConnMaxIdleTime(0)
	if err := db.w.Ping(); err != nil {
		db.w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := db.migrate(); err != nil {
		db.w.Close()
		return nil, err
	}
	if err := db.seedCodes(); err != nil {
		db.w.Close()
		return nil, fmt.Errorf("open database: the starter code list: %w", err)
	}
	if db.r, err = sql.Open(driverName, dsn(path, true)); err != nil {
		db.w.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	db.r.SetMaxOpenConns(8)
	if err := db.loadIdentity(); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.loadAuditKey(keyPath); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.writeBaseline(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.writeReseal(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	if _, err := db.matchFreeTextAllergies(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	// Files an older version made readable by others become the user's.
	if err := ownerOnlyFiles(path, path+"-wal", path+"-shm", keyPath); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	if db.ckpt, err = startCheckpointer(path, db.w, opt.CheckpointEvery, opt.WALRestartPages); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// NewSchemaFile creates a database at path with the schema alone: every
// embedded migration applied and the starter code list, as Open's first
// steps leave a new file, but no desk identity, audit key or audit row,
// which Open makes when it next opens the file or a copy of it. Tests copy
// one such file for each database they open instead of migrating each
// anew (datatest.MustOpenDB): the same bytes Open would have written, at a
// fraction of the cost.
func NewSchemaFile(path string) error {
	if err := createOwnerOnly(path); err != nil {
		return fmt.Errorf("schema file: %w", err)
	}
	w, err := sql.Open(driverName, dsn(path, false))
	if err != nil {
		return fmt.Errorf("schema file: %w", err)
	}
	defer w.Close()
	w.SetMaxOpenConns(1)
	db := &DB{path: path, w: w}
	embedded := 0
	all, err := migrations()
	if err != nil {
		return fmt.Errorf("schema file: %w", err)
	}
	for _, m := range all[:len(all)-len(testMigrations)] {
		embedded = max(embedded, m.version)
	}
	if err := db.migrateUpTo(embedded); err != nil {
		return err
	}
	if err := db.seedCodes(); err != nil {
		return fmt.Errorf("schema file: the starter code list: %w", err)
	}
	// Closing the last connection checkpoints the WAL into the file and
	// removes it: the file alone is the database.
	return w.Close()
}

// Close closes both connection pools.
func (db *DB) Close() error {
	var errs []error
	if db.ckpt != nil {
		db.ckpt.halt()
	}
	if db.r != nil {
		errs = append(errs, db.r.Close())
	}
	if db.w != nil {
		errs = append(errs, db.w.Close())
	}
	if db.ckpt != nil {
		// Last, so the final checkpoint finds no other connection open.
		errs = append(errs, db.ckpt.stop())
	}
	return errors.Join(errs...)
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// SiteID is this desk's UUID.
func (db *DB) SiteID() string { return db.siteID }

// Services returns the app services this database implements.
func (db *DB) Services() app.Services {
	return app.Services{
		Users:        &UserService{db: db},
		Settings:     &SettingsService{db: db},
		Audit:        &AuditService{db: db},
		Patients:     &PatientService{db: db},
		Clinical:     &ClinicalService{db: db},
		Attachments:  &AttachmentService{db: db},
		Appointments: &AppointmentService{db: db},
		Queue:        &QueueService{db: db},
		Billing:      &BillingService{db: db},
		Dashboard:    &DashboardService{db: db},
		Drafts:       &DraftService{db: db},
		Drugs:        &DrugService{db: db},
		Diagnoses:    &DiagnosisService{db: db},
		Visits:       &VisitService{db: db},
		Printing:     &PrintingService{db: db},
		Backups:      &BackupService{db: db},
		Messages:     &MessageService{db: db},
		// Sync is the sync engine's (package data/sync, with this
		// package's Conflicts), which main wires.
	}
}

// migrate applies, in order, each embedded migration not applied yet, each
// in its own transaction.
func (db *DB) migrate() error { return db.migrateUpTo(math.MaxInt) }

// migration is one schema step: migrations/NNNN_name.sql.
type migration struct {
	version    int
	base, body string
}

// testMigrations come after the embedded ones; only tests set them, to
// stand for a future migration (a column added to an audited table).
var testMigrations []migration

// migrations lists the embedded migrations, then testMigrations, in order.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []migration
	for _, name := range names {
		base := filepath.Base(name)
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("bad migration name %s", base)
		}
		body, err := migrationFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version, base, string(body)})
	}
	return append(out, testMigrations...), nil
}

// migrateUpTo applies the migrations up to version upTo. When one is
// applied to a database whose records are sealed, the sealed columns of
// the audited tables before and after are compared: a table that gained
// columns is resealed once the audit key is loaded (reseal.go).
func (db *DB) migrateUpTo(upTo int) error {
	if _, err := db.w.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	all, err := migrations()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var applied int
	if err := db.w.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&applied); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var before map[string][]string
	for _, m := range all {
		if m.version > upTo {
			break
		}
		var done bool
		if err := db.w.QueryRow(`SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?)`, m.version).Scan(&done); err != nil {
			return fmt.Errorf("migrate %s: %w", m.base, err)
		}
		if done {
			continue
		}
		if before == nil && applied > 0 {
			if before, err = sealedColumnsBefore(db.w); err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
		}
		if err := db.applyMigration(m); err != nil {
			return err
		}
	}
	if len(before) > 0 {
		after, err := sealedColumnsNow(db.w)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		var refused []string
		db.resealFrom, refused = resealPlan(before, after)
		for _, r := range refused {
			slog.Warn("reseal", "problem", r)
		}
		for table, old := range db.resealFrom {
			if old != nil {
				continue
			}
			// A table the migrations created is sealed only when they wrote rows into it.
			var rows bool
			if err := db.w.QueryRow(`SELECT EXISTS (SELECT 1 FROM "` + table + `")`).Scan(&rows); err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			if !rows {
				delete(db.resealFrom, table)
			}
		}
	}
	return nil
}

func (db *DB) applyMigration(m migration) error {
	tx, err := db.w.Begin()
	if err != nil {
		return fmt.Errorf("migrate %s: %w", m.base, err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(m.body); err != nil {
		return fmt.Errorf("migrate %s: %w", m.base, err)
	}
	if after := migrationAfter[m.version]; after != nil {
		if err := after(tx); err != nil {
			return fmt.Errorf("migrate %s: %w", m.base, err)
		}
	}
	if _, err := tx.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.base, formatTime(time.Now())); err != nil {
		return fmt.Errorf("migrate %s: %w", m.base, err)
	}
	return tx.Commit()
}

// SchemaVersion is the newest migration the code knows.
func SchemaVersion() int {
	all, _ := migrations()
	v := 0
	for _, m := range all {
		v = max(v, m.version)
	}
	return v
}

// SchemaFingerprint is a short hash of every migration's text, which
// changes whenever the schema does.
func SchemaFingerprint() string {
	h := sha256.New()
	names, _ := fs.Glob(migrationFS, "migrations/*.sql")
	sort.Strings(names)
	for _, n := range names {
		b, _ := migrationFS.ReadFile(n)
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// loadIdentity reads the desk's site id, creating it on first open, and
// its desk code once enrolled, and resumes its clock.
func (db *DB) loadIdentity() error {
	id, err := uuid.NewV7()
	if err != nil {
		return fmt.Errorf("site id: %w", err)
	}
	// A desk made new opens the window in which it takes an account's first
	// signing key signed only by itself (migration 0070, docs/SYNC-DESIGN.md)
	// for the same fourteen days as a desk updated in place: it may join a
	// clinic whose accounts were made before keys.
	if _, err := db.w.Exec(`INSERT INTO sync_meta (id, site_id, first_keys_until) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING`,
		id.String(), formatTime(db.now().Add(14*24*time.Hour))); err != nil {
		return fmt.Errorf("site id: %w", err)
	}
	var desk sql.NullString
	var lastHLC string
	var offsetMS int64
	if err := db.w.QueryRow(`SELECT site_id, desk_code, `+persistedHLC+`, clock_offset_ms FROM sync_meta WHERE id = 1`).
		Scan(&db.siteID, &desk, &lastHLC, &offsetMS); err != nil {
		return fmt.Errorf("site id: %w", err)
	}
	if desk.Valid {
		db.desk = desk.String
	}
	return db.startClock(lastHLC, offsetMS)
}

// loadAuditKey reads the HMAC key of the audit chain from its file. The
// first time, it creates a random key; but a database that already has
// audit rows and no key file is refused, since a new key would break the
// chain for good.
func (db *DB) loadAuditKey(path string) error {
	key, err := readAuditKey(path) // from the file, or the credential store it names (keystore.go)
	if err == nil {
		db.key = key
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("audit key: %w", err)
	}
	var rows int64
	if err := db.w.QueryRow(`SELECT count(*) FROM audit_log`).Scan(&rows); err != nil {
		return fmt.Errorf("audit key: %w", err)
	}
	if rows > 0 {
		return app.Errorf(app.EINTERNAL,
			"The audit key file %s is missing, but the database has an audit log: restore the key file from your backup.", path)
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("audit key: %w", err)
	}
	if err := os.WriteFile(path, []byte(encodeKey(key)), 0o600); err != nil {
		return fmt.Errorf("audit key: %w", err)
	}
	db.key = key
	return nil
}

func encodeKey(k []byte) string { return fmt.Sprintf("hms-audit-key-v1 %x\n", k) }

func decodeKey(b []byte) ([]byte, error) {
	var hexKey string
	if _, err := fmt.Sscanf(strings.TrimSpace(string(b)), "hms-audit-key-v1 %x", &hexKey); err != nil {
		// Sscanf with %x into a string decodes hex; fall through on failure.
		return nil, fmt.Errorf("not an HMS audit key file")
	}
	if len(hexKey) < 16 {
		return nil, fmt.Errorf("the key is too short")
	}
	return []byte(hexKey), nil
}

func formatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// parseTime reads a time stored as TimeLayout; the zero time for anything
// else, as time.Parse's error gives. A list reads several on every row (a
// page of search results two hundred), so the stored form is read by hand,
// in a fifth of time.Parse's time, and anything unusual is left to
// time.Parse.
func parseTime(s string) time.Time {
	if t, ok := parseStoredTime(s); ok {
		return t
	}
	t, _ := time.Parse(TimeLayout, s)
	return t
}

var daysInMonth = [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// parseStoredTime reads exactly TimeLayout ("2006-01-02T15:04:05.000Z")
// with every field in range; ok is false for anything else.
func parseStoredTime(s string) (t time.Time, ok bool) {
	if len(s) != len(TimeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
		s[19] != '.' || s[23] != 'Z' {
		return time.Time{}, false
	}
	digits := func(from, to int) int {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := digits(0, 4), digits(5, 7), digits(8, 10)
	hour, minute, sec, milli := digits(11, 13), digits(14, 16), digits(17, 19), digits(20, 23)
	if year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
		sec < 0 || sec > 59 || milli < 0 {
		return time.Time{}, false
	}
	last := daysInMonth[month]
	if month == 2 && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		last = 29
	}
	if day > last {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, milli*int(time.Millisecond), time.UTC), true
}

func parseNullTime(s sql.NullString) time.Time {
	if !s.Valid {
		return time.Time{}
	}
	return parseTime(s.String)
}

// newIDAt returns a UUIDv7 for a record created at t (demo data made now
// for the past), its random bits from rng.
func newIDAt(t time.Time, rng interface{ Uint64() uint64 }) string {
	var u uuid.UUID
	ms := uint64(t.UnixMilli())
	for i := 0; i < 6; i++ {
		u[i] = byte(ms >> (40 - 8*i))
	}
	r1, r2 := rng.Uint64(), rng.Uint64()
	for i := 6; i < 16; i++ {
		if i < 8 {
			u[i] = byte(r1 >> (8 * i))
		} else {
			u[i] = byte(r2 >> (8 * (i - 8)))
		}
	}
	u[6] = (u[6] & 0x0f) | 0x70 // version 7
	u[8] = (u[8] & 0x3f) | 0x80 // RFC 4122 variant
	return u.String()
}

func newID() string {
	id, err := uuid.NewV7()
	if err != nil {
		panic(fmt.Sprintf("uuid: %v", err)) // only fails when the system's randomness does
	}
	return id.String()
}

// sqliteCode returns the extended error code of a SQLite error, or 0.
func sqliteCode(err error) sqlite3.ErrNoExtended {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode
	}
	return 0
}

// isUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUniqueViolation(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.ErrConstraintUnique || c == sqlite3.ErrConstraintPrimaryKey
}

// hashAside runs f, the argon2id work of a password check, a new password
// or a sealed key, in a hashing place (startHashing): at most all cores
// but one hash at once. The key derivations themselves are made where app
// makes them: on Linux in its hashing worker process at the lowest
// priority (app/hashworker.go), so that a login's 170 ms of hashing takes
// only CPU that the desk's other work (a payment at the till) leaves.
func (db *DB) hashAside(f func()) {
	db.startHashing()
	defer db.hashDone()
	f()
}

// startHashing takes a hashing place, waiting for one.
func (db *DB) startHashing() {
	db.hashing <- struct{}{}
	if db.onHash != nil {
		db.onHash()
	}
}

// hashDone gives a hashing place back.
func (db *DB) hashDone() {
	<-db.hashing
}

// hashPlaces is how many password hashes may run at once: all cores but
// one, counted as the fewer of the machine's CPUs and GOMAXPROCS.
func hashPlaces() int {
	return max(1, min(runtime.NumCPU(), runtime.GOMAXPROCS(0))-1)
}

package data

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mattn/go-sqlite3"

	"hms/app"
)

// Row seals (docs/AUDIT.md, "Row seals"): every audited table's triggers
// call hms_seal(entity, row key) for each record a statement touches. The
// function, registered on HMS's own connections only, records the key in
// the connection's touched set; the write transaction then hashes each
// touched record as it is at commit and appends one audit_seal row per
// record under the transaction's last audit row, whose seal column is the
// hash over them.

// deletedSeal is the seal of a record its write deleted.
const deletedSeal = "deleted"

// sealKey is one touched record.
type sealKey struct{ entity, rowID string }

// touched is the set of records the current transaction of one connection
// touched, in the order first touched; and the outbox's clock reading of
// that transaction, which hms_tx_hlc returns (outbox.go).
type touched struct {
	mu   sync.Mutex
	seen map[sealKey]struct{}
	keys []sealKey
	hlc  atomic.Pointer[string]
}

// setReading makes s the reading hms_tx_hlc returns on this connection;
// "" makes it return NULL.
func (t *touched) setReading(s string) {
	if s == "" {
		t.hlc.Store(nil)
		return
	}
	t.hlc.Store(&s)
}

// reading is hms_tx_hlc: the reading of the connection's transaction
// under way, or NULL (nil) when none is set.
func (t *touched) reading() any {
	if p := t.hlc.Load(); p != nil {
		return *p
	}
	return nil
}

func (t *touched) add(entity, rowID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := sealKey{entity, rowID}
	if _, ok := t.seen[k]; ok {
		return
	}
	if t.seen == nil {
		t.seen = map[sealKey]struct{}{}
	}
	t.seen[k] = struct{}{}
	t.keys = append(t.keys, k)
}

// take returns the touched records and empties the set.
func (t *touched) take() []sealKey {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := t.keys
	t.keys, t.seen = nil, nil
	return out
}

// touchedSets maps each HMS connection to its touched set.
var touchedSets sync.Map // *sqlite3.SQLiteConn -> *touched

// registerSealFunc gives a new connection its touched set, hms_seal and
// hms_tx_hlc (the outbox's clock reading, outbox.go).
func registerSealFunc(c *sqlite3.SQLiteConn) error {
	t := &touched{}
	touchedSets.Store(c, t)
	if err := c.RegisterFunc("hms_tx_hlc", t.reading, false); err != nil {
		return err
	}
	return c.RegisterFunc("hms_seal", func(entity, rowID string) int64 {
		t.add(entity, rowID)
		return 0
	}, false)
}

// touchedOf returns the touched set of a database/sql connection of
// HMS's driver.
func touchedOf(ctx context.Context, conn *sql.Conn) (*touched, error) {
	var t *touched
	err := conn.Raw(func(dc any) error {
		c, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("not a sqlite3 connection: %T", dc)
		}
		v, ok := touchedSets.Load(c)
		if !ok {
			return fmt.Errorf("connection without hms_seal")
		}
		t = v.(*touched)
		return nil
	})
	return t, err
}

// sealedTable is how one audited table's records are read for sealing.
type sealedTable struct {
	name    string
	keyExpr string   // the record's key as audit_seal.row_id, an SQL expression
	cols    []string // the sealed columns, in the schema's order
	byKey   string   // SELECT cols FROM t WHERE each key column = ?
	split   func(rowID string) ([]any, bool)
	all     string // SELECT key, cols FROM t ORDER BY key
	// keyCol is the quoted key column of a table keyed by one column
	// ("" otherwise), and list the quoted sealed columns (readTouched).
	keyCol, list string
}

// auditedLocalTables are the tables that do not sync whose rows are
// sealed all the same: what waits for a person's review (desk migration
// 0214) decides records (taking a lost value writes it over the record),
// and the desk's backup settings (0215) decide which backups the clinic
// keeps and who can open them; so a row of them made, changed or removed
// outside the app is reported like a record's.
//
// A billing conflict's claim (desk migration 0223) is the desk's
// bookkeeping of its claim on the server, not a decision: it is not
// sealed.
var auditedLocalTables = []SyncedTable{{Name: "conflicts"}, {Name: "billing_conflicts", Local: []string{"claim"}}, {Name: "desk_backup"}}

// auditedTableList is how each audited table is sealed: the synced tables,
// then auditedLocalTables.
func auditedTableList() []SyncedTable {
	return append(slices.Clone(syncedTables), auditedLocalTables...)
}

// AuditedTables are the tables whose records are sealed: the synced
// tables, and the review's (auditedLocalTables).
func AuditedTables() []string {
	var out []string
	for _, t := range auditedTableList() {
		out = append(out, t.Name)
	}
	return out
}

// sealedTables reads, once per database, the audited tables' columns.
func (db *DB) sealedTables(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) (map[string]*sealedTable, error) {
	db.sealMu.Lock()
	defer db.sealMu.Unlock()
	if db.sealTabs != nil {
		return db.sealTabs, nil
	}
	out := map[string]*sealedTable{}
	for _, st := range auditedTableList() {
		cols, err := sealedColumns(ctx, q, st)
		if err != nil {
			return nil, err
		}
		if len(cols) == 0 {
			return nil, fmt.Errorf("audited table %s has no columns", st.Name)
		}
		keyCols := st.KeyColumns()
		keyExpr := strings.Join(keyCols, " || '/' || ")
		quoted := make([]string, len(cols))
		for i, c := range cols {
			quoted[i] = `"` + c + `"`
		}
		list := strings.Join(quoted, ", ")
		out[st.Name] = &sealedTable{
			name: st.Name, keyExpr: keyExpr, cols: cols,
			byKey: `SELECT ` + list + ` FROM ` + st.Name + ` WHERE ` + keyExpr + ` = ?`,
			all:   `SELECT ` + keyExpr + `, ` + list + ` FROM ` + st.Name + ` ORDER BY ` + keyExpr,
		}
		out[st.Name].byKey = `SELECT ` + list + ` FROM ` + st.Name + ` WHERE ` + st.KeyWhere()
		out[st.Name].split = st.SplitRowID
		if len(keyCols) == 1 {
			out[st.Name].keyCol, out[st.Name].list = QuoteIdent(keyCols[0]), list
		}
	}
	db.sealTabs = out
	return out, nil
}

// sealedColumns are the columns of st's records that seals cover: all but
// the desk's own bookkeeping (SyncedTable.Local), in the schema's order;
// none when the table does not exist.
func sealedColumns(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, st SyncedTable) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, st.Name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		if !slices.Contains(st.Local, c) {
			cols = append(cols, c)
		}
	}
	return cols, rows.Err()
}

// rowHash is the SHA-256 of a record's canonical form: the table's name,
// then each sealed column's name and typed, length-prefixed value.
func rowHash(table string, cols []string, vals []any) string {
	h := sha256.New()
	buf := make([]byte, 0, 1024)
	put := func(tag byte, b string) {
		buf = append(buf, tag)
		buf = binary.AppendUvarint(buf, uint64(len(b)))
		buf = append(buf, b...)
	}
	putBytes := func(tag byte, b []byte) {
		buf = append(buf, tag)
		buf = binary.AppendUvarint(buf, uint64(len(b)))
		buf = append(buf, b...)
	}
	var num [32]byte
	put('T', table)
	for i, c := range cols {
		put('c', c)
		switch v := vals[i].(type) {
		case nil:
			put('n', "")
		case int64:
			putBytes('i', strconv.AppendInt(num[:0], v, 10))
		case float64:
			putBytes('f', strconv.AppendFloat(num[:0], v, 'g', -1, 64))
		case string:
			put('t', v)
		case []byte:
			putBytes('b', v)
		case bool: // not in STRICT tables; kept total
			if v {
				put('i', "1")
			} else {
				put('i', "0")
			}
		default:
			putBytes('?', fmt.Appendf(nil, "%v", v))
		}
		if len(buf) > 1<<16 {
			h.Write(buf)
			buf = buf[:0]
		}
	}
	h.Write(buf)
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

// scanRow scans n columns into fresh values.
func scanRow(sc interface{ Scan(...any) error }, n int) ([]any, error) {
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	return vals, sc.Scan(ptrs...)
}

// sealDigest is the hash over an audit row's seal rows, in order; "" when
// it has none.
type sealDigest struct {
	h hash.Hash
	n int64
}

func (d *sealDigest) add(entity, rowID, rowHash string) {
	if d.h == nil {
		d.h = sha256.New()
	}
	buf := make([]byte, 0, len(entity)+len(rowID)+len(rowHash)+66)
	for _, f := range [...]string{entity, rowID, rowHash} {
		buf = appendField(buf, f) // "%d:%s|"
	}
	d.h.Write(buf)
	d.n++
}

func (d *sealDigest) sum() string {
	if d.h == nil {
		return ""
	}
	return hex.EncodeToString(d.h.Sum(nil))
}

// sealTouched hashes each touched record as it is now and appends its seal
// row under audit row seq. The records of one table touched together (a
// booking's messages) are read by as few statements as sealBatches make
// up (readTouched); a record those do not find is read by its key alone,
// as every record was before, so that only what is there is sealed as
// there.
func (tx *Tx) sealTouched(keys []sealKey, seq int64, d *sealDigest) error {
	if len(keys) == 0 {
		return nil
	}
	tabs, err := tx.db.sealedTables(tx.ctx, tx.conn)
	if err != nil {
		return err
	}
	found, err := tx.readTouched(tabs, keys)
	if err != nil {
		return err
	}
	seals := make([]sealRow, 0, len(keys))
	for _, k := range keys {
		st, ok := tabs[k.entity]
		if !ok {
			return fmt.Errorf("seal: unknown table %s", k.entity)
		}
		if h, ok := found[k]; ok {
			seals = append(seals, sealRow{k.entity, k.rowID, h})
			continue
		}
		h := deletedSeal
		keyVals, ok := st.split(k.rowID)
		if !ok {
			return fmt.Errorf("seal %s: bad key %q", k.entity, k.rowID)
		}
		vals, err := scanRow(tx.QueryRowContext(tx.ctx, st.byKey, keyVals...), len(st.cols))
		switch {
		case err == sql.ErrNoRows:
		case err != nil:
			return fmt.Errorf("seal %s %s: %w", k.entity, k.rowID, err)
		default:
			h = rowHash(st.name, st.cols, vals)
		}
		seals = append(seals, sealRow{k.entity, k.rowID, h})
	}
	return tx.insertSeals(seq, seals, d)
}

// readTouched hashes the touched records of each table keyed by one
// column of which two or more were touched, reading them by
// "key IN (...)" with as many keys as one of sealBatches' sizes (the last
// key repeated to fill it); the result holds the records found, by key.
// The others are left to the caller.
func (tx *Tx) readTouched(tabs map[string]*sealedTable, keys []sealKey) (map[sealKey]string, error) {
	byTable := map[string][]string{}
	var order []string
	for _, k := range keys {
		st, ok := tabs[k.entity]
		if !ok || st.keyCol == "" {
			continue
		}
		if _, ok := byTable[k.entity]; !ok {
			order = append(order, k.entity)
		}
		byTable[k.entity] = append(byTable[k.entity], k.rowID)
	}
	var found map[sealKey]string
	for _, name := range order {
		ids := byTable[name]
		if len(ids) < 2 {
			continue
		}
		st := tabs[name]
		for len(ids) > 1 {
			// The smallest batch that takes them all (up to the largest),
			// the last key repeated to fill it: few statement texts.
			n := sealBatches[0]
			for _, b := range sealBatches {
				if b >= len(ids) && b > 1 {
					n = b
				}
			}
			take := min(n, len(ids))
			args := make([]any, n)
			for i := range args {
				args[i] = ids[min(i, take-1)]
			}
			rows, err := tx.QueryContext(tx.ctx, `SELECT `+st.keyCol+`, `+st.list+` FROM `+st.name+` WHERE `+st.keyCol+
				` IN (`+strings.TrimSuffix(strings.Repeat("?, ", n), ", ")+`)`, args...)
			if err != nil {
				return nil, fmt.Errorf("seal %s: %w", name, err)
			}
			for rows.Next() {
				vals, err := scanRow(rows, len(st.cols)+1)
				if err != nil {
					rows.Close()
					return nil, fmt.Errorf("seal %s: %w", name, err)
				}
				id, ok := vals[0].(string)
				if !ok {
					continue // read by its key alone
				}
				if found == nil {
					found = map[sealKey]string{}
				}
				found[sealKey{name, id}] = rowHash(st.name, st.cols, vals[1:])
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, fmt.Errorf("seal %s: %w", name, err)
			}
			ids = ids[take:]
		}
	}
	return found, nil
}

// sealRow is one audit_seal row of the audit row being written.
type sealRow struct{ entity, rowID, hash string }

// sealBatches are the numbers of rows one INSERT into audit_seal takes,
// largest first: a transaction's seals go in as few statements as these
// sizes make up, and only these few statement texts take places in the
// connection's statement cache.
var sealBatches = []int{16, 8, 4, 2, 1}

// insertSeals appends seals under audit row seq, in order, in as few
// statements as sealBatches allow.
func (tx *Tx) insertSeals(seq int64, seals []sealRow, d *sealDigest) error {
	for len(seals) > 0 {
		n := 1
		for _, b := range sealBatches {
			if b <= len(seals) {
				n = b
				break
			}
		}
		args := make([]any, 0, 4*n)
		for _, r := range seals[:n] {
			args = append(args, seq, r.entity, r.rowID, r.hash)
		}
		if _, err := tx.exec(`INSERT INTO audit_seal (seq, entity, row_id, hash) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", n), ", "), args...); err != nil {
			return fmt.Errorf("seal: %w", err)
		}
		for _, r := range seals[:n] {
			d.add(r.entity, r.rowID, r.hash)
		}
		seals = seals[n:]
	}
	return nil
}

func (tx *Tx) addSeal(seq int64, entity, rowID, h string, d *sealDigest) error {
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO audit_seal (seq, entity, row_id, hash) VALUES (?, ?, ?, ?)`,
		seq, entity, rowID, h); err != nil {
		return fmt.Errorf("seal: %w", err)
	}
	d.add(entity, rowID, h)
	return nil
}

// sealAll seals every record of every audited table under audit row seq:
// the baseline.
func (tx *Tx) sealAll(seq int64, d *sealDigest) error {
	tabs, err := tx.db.sealedTables(tx.ctx, tx.conn)
	if err != nil {
		return err
	}
	for _, name := range AuditedTables() {
		st := tabs[name]
		rows, err := tx.QueryContext(tx.ctx, st.all)
		if err != nil {
			return err
		}
		for rows.Next() {
			vals, err := scanRow(rows, len(st.cols)+1)
			if err != nil {
				rows.Close()
				return err
			}
			key := fmt.Sprint(vals[0])
			if err := tx.addSeal(seq, name, key, rowHash(name, st.cols, vals[1:]), d); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// baselineAction names the audit row that seals the records present when
// seals began.
const baselineAction = "audit.baseline"

// baselineCountSQL counts the baseline's audit rows. The action is written
// out: the index audit_log_rare_action holds only a few actions' rows, and
// SQLite uses it only when it sees which (TestIndexesTheQueriesUse).
const baselineCountSQL = `SELECT count(*) FROM audit_log WHERE action = '` + baselineAction + `'`

// sealCaller is who the audit rows of sealing itself name.
var sealCaller = app.Caller{Username: "hms"}

// writeBaseline seals, once, every record present when the database first
// opens with seals: one audit row, audit.baseline, for them all. A new
// database gets it too, so that its log is never empty.
func (db *DB) writeBaseline(ctx context.Context) error {
	var n int
	if err := db.w.QueryRowContext(ctx, baselineCountSQL).Scan(&n); err != nil {
		return fmt.Errorf("audit baseline: %w", err)
	}
	if n > 0 {
		return nil
	}
	err := db.inTx(ctx, sealCaller, baselineAction, func(tx *Tx) error {
		tx.sealAllRows = true
		tx.Audit(baselineAction, "", "", "", "every record present when row seals began")
		return nil
	})
	if err != nil {
		return fmt.Errorf("audit baseline: %w", err)
	}
	return nil
}

// maxRowProblems caps the rows one verify lists; the counts are complete.
const maxRowProblems = 100

// verifySeals walks each audited table once, in key order, beside its
// records' seals in the same order, and reports each record whose content
// differs from its latest seal, that has no seal, or whose seal says it
// exists but it does not. The seals are read once, from their index
// (row_id, entity, seq, hash; migration 0175), in its order: one table's
// seals come in its key order, interleaved with the other tables', so
// every table's walk is open at once and each advances as its seals come. The problems are listed table by table, in
// AuditedTables' order, as when each table was walked alone.
func (db *DB) verifySeals(ctx context.Context, tx *sql.Tx) (checked int64, problems []string, err error) {
	tabs, err := db.sealedTables(ctx, tx)
	if err != nil {
		return 0, nil, err
	}
	names := AuditedTables()
	walks := make(map[string]*tableWalk, len(names))
	for _, name := range names {
		walks[name] = &tableWalk{st: tabs[name], tx: tx, ctx: ctx}
	}
	defer func() {
		for _, w := range walks {
			w.close()
		}
	}()
	seals, err := tx.QueryContext(ctx, verifySealsSQL)
	if err != nil {
		return 0, nil, err
	}
	defer seals.Close()
	// Each record's latest seal is the last of its run in this order.
	var cur *latestSeal
	var curEntity string
	flush := func() error {
		if cur == nil {
			return nil
		}
		w, ok := walks[curEntity]
		if !ok {
			return nil // a table no longer audited
		}
		return w.seal(cur)
	}
	for seals.Next() {
		var s latestSeal
		var entity string
		if err := seals.Scan(&s.rowID, &entity, &s.seq, &s.hash); err != nil {
			return 0, nil, err
		}
		if cur != nil && (s.rowID != cur.rowID || entity != curEntity) {
			if err := flush(); err != nil {
				return 0, nil, err
			}
		}
		cur, curEntity = &s, entity
	}
	if err := seals.Err(); err != nil {
		return 0, nil, err
	}
	if err := flush(); err != nil {
		return 0, nil, err
	}
	total := 0
	for _, name := range names {
		w := walks[name]
		if err := w.finish(); err != nil {
			return checked + w.n, problems, err
		}
		checked += w.n
		total += w.total
		for _, p := range w.problems {
			if len(problems) < maxRowProblems {
				problems = append(problems, p)
			}
		}
	}
	if total > len(problems) {
		problems = append(problems, fmt.Sprintf("… and %d more", total-len(problems)))
	}
	return checked, problems, nil
}

// verifySealsSQL reads every seal in the order of the seals' index
// (TestIndexesTheQueriesUse).
const verifySealsSQL = `SELECT row_id, entity, seq, hash FROM audit_seal ORDER BY row_id, entity, seq`

type latestSeal struct {
	rowID, hash string
	seq         int64
}

// tableWalk is one audited table's records read in key order (opened at
// its first seal), compared with its records' latest seals as they come.
type tableWalk struct {
	st       *sealedTable
	tx       *sql.Tx
	ctx      context.Context
	rows     *sql.Rows
	done     bool   // no more records
	key      string // the record read and not yet matched, when have
	vals     []any
	have     bool
	n        int64 // records read
	total    int   // problems found
	problems []string
}

func (w *tableWalk) report(format string, args ...any) {
	w.total++
	if len(w.problems) < maxRowProblems {
		w.problems = append(w.problems, fmt.Sprintf(format, args...))
	}
}

// next reads the table's next record into w.key and w.vals; w.have is
// false at its end.
func (w *tableWalk) next() error {
	w.have = false
	if w.done {
		return nil
	}
	if w.rows == nil {
		rows, err := w.tx.QueryContext(w.ctx, w.st.all)
		if err != nil {
			return err
		}
		w.rows = rows
	}
	if !w.rows.Next() {
		w.done = true
		err := w.rows.Err()
		w.close()
		return err
	}
	vals, err := scanRow(w.rows, len(w.st.cols)+1)
	if err != nil {
		return err
	}
	w.n++
	w.key, w.vals, w.have = fmt.Sprint(vals[0]), vals[1:], true
	return nil
}

// seal compares the record s seals, the records before it in key order
// having no seal (added outside the app).
func (w *tableWalk) seal(s *latestSeal) error {
	if !w.have {
		if err := w.next(); err != nil {
			return err
		}
	}
	for w.have && w.key < s.rowID {
		w.report("%s %s was added outside the app: no audited write made it", w.st.name, w.key)
		if err := w.next(); err != nil {
			return err
		}
	}
	if !w.have || w.key != s.rowID {
		if s.hash != deletedSeal {
			w.report("%s %s%s was deleted outside the app: audit row %d sealed it and no audited write deleted it",
				w.st.name, s.rowID, w.whose(s.seq), s.seq)
		}
		return nil
	}
	switch {
	case s.hash == deletedSeal:
		w.report("%s %s%s was put back outside the app: audit row %d deleted it", w.st.name, w.key, w.whose(s.seq), s.seq)
	case s.hash != rowHash(w.st.name, w.st.cols, w.vals):
		w.report("%s %s%s was altered outside the app: it differs from its last audited write (audit row %d)",
			w.st.name, w.key, w.whose(s.seq), s.seq)
	}
	return w.next()
}

// whose names the patient whose record the audit row seq wrote, as
// " (patient MRN Name)", so that an administrator told of a record altered
// outside the app can find it; "" when the row names no patient on this
// desk. The name is the record's as it is now, which may be the altered
// one.
func (w *tableWalk) whose(seq int64) string {
	if w.total >= maxRowProblems {
		return "" // not reported
	}
	var mrn, name string
	if err := w.tx.QueryRowContext(w.ctx, `SELECT p.mrn, p.given_name || ' ' || p.family_name
		FROM audit_log a JOIN patients p ON p.id = a.patient_id WHERE a.seq = ? AND a.patient_id <> ''`, seq).Scan(&mrn, &name); err != nil {
		return ""
	}
	return fmt.Sprintf(" (patient %s %s)", mrn, name)
}

// finish reports the records after the last seal: none has one.
func (w *tableWalk) finish() error {
	if !w.have {
		if err := w.next(); err != nil {
			return err
		}
	}
	for w.have {
		w.report("%s %s was added outside the app: no audited write made it", w.st.name, w.key)
		if err := w.next(); err != nil {
			return err
		}
	}
	return nil
}

func (w *tableWalk) close() {
	if w.rows != nil {
		w.rows.Close()
		w.rows = nil
	}
}

package data

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"hms/app"
)

// Power signatures (docs/SYNC-DESIGN.md, "Power comes only from the people
// who hold it"): the service methods that change an account's power
// fields or a setting sign the row with the caller's key (app.Caller's
// Signer, an administrator's unsealed at the login), or, for a user's own
// password, with the user's own key; data/sync verifies the signature on
// every desk that pulls the change.

// querier reads inside or outside a transaction.
type powerQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// PowerRow reads the power fields (app.PowerFields) of entity's row rowID
// as text, and its stored signature; found is false when there is no row.
func PowerRow(ctx context.Context, q powerQuerier, entity, rowID string) (fields map[string]*string, sig string, found bool, err error) {
	names := app.PowerFields[entity]
	key := "id"
	if entity == "settings" {
		key = "key"
	}
	cols := make([]string, len(names))
	for i, n := range names {
		cols[i] = "CAST(" + n + " AS TEXT)"
	}
	vals := make([]sql.NullString, len(names))
	dest := make([]any, 0, len(names)+1)
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	dest = append(dest, &sig)
	err = q.QueryRowContext(ctx, `SELECT `+strings.Join(cols, ", ")+`, power_sig FROM `+entity+` WHERE `+key+` = ?`, rowID).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", false, nil
	} else if err != nil {
		return nil, "", false, err
	}
	fields = make(map[string]*string, len(names))
	for i, n := range names {
		if vals[i].Valid {
			s := vals[i].String
			fields[n] = &s
		}
	}
	return fields, sig, true, nil
}

// PowerFieldsOf reads the power fields of entity from a pulled row's JSON
// (the server's row), as PowerRow reads them from the desk's.
func PowerFieldsOf(entity string, row json.RawMessage) (fields map[string]*string, sig string, err error) {
	dec := json.NewDecoder(strings.NewReader(string(row)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, "", err
	}
	fields = map[string]*string{}
	for _, n := range app.PowerFields[entity] {
		switch v := m[n].(type) {
		case nil:
		case string:
			fields[n] = &v
		case json.Number:
			s := v.String()
			fields[n] = &s
		case bool:
			s := "0"
			if v {
				s = "1"
			}
			fields[n] = &s
		default:
			return nil, "", fmt.Errorf("field %s: unexpected %T", n, v)
		}
	}
	sig, _ = m["power_sig"].(string)
	return fields, sig, nil
}

// PowerDigest is the digest of a row's power fields that a clinic's trust
// root lists for the rows its first desk had (the baseline).
func PowerDigest(entity, rowID string, fields map[string]*string) string {
	names := app.PowerFields[entity]
	vals := make([]*string, len(names))
	for i, n := range names {
		vals[i] = fields[n]
	}
	b, _ := json.Marshal([]any{entity, rowID, names, vals})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// enrolled reports whether the desk syncs with a server.
func (tx *Tx) enrolled() (bool, error) {
	var epoch sql.NullString
	err := tx.QueryRowContext(tx.ctx, `SELECT server_epoch FROM sync_meta WHERE id = 1`).Scan(&epoch)
	return epoch.Valid, err
}

// errNeedsSigner is the refusal of a power change on a desk that syncs
// when nobody's key can sign it.
func errNeedsSigner() error {
	return app.Errorf(app.EUNAUTHORIZED, "This desk syncs with the clinic's other desks, which take a change to accounts or settings only when an administrator signs it: log in as an administrator (on the command line, give --admin USERNAME and the password when asked).")
}

// signPower signs the power fields of entity's row rowID as they now are
// with k, in the transaction's clock reading. Without a key, a desk that
// syncs refuses the change (the other desks would refuse it); one that
// does not leaves the row unsigned: the clinic's trust root takes it as
// it is when the desk enrolls as the clinic's first.
func (tx *Tx) signPower(entity, rowID string, k *app.SigningKey) error {
	key := "id"
	if entity == "settings" {
		key = "key"
	}
	if k == nil {
		on, err := tx.enrolled()
		if err != nil {
			return err
		}
		if on {
			return errNeedsSigner()
		}
		_, err = tx.ExecContext(tx.ctx, `UPDATE `+entity+` SET power_sig = '' WHERE `+key+` = ? AND power_sig <> ''`, rowID)
		return err
	}
	fields, _, found, err := PowerRow(tx.ctx, tx, entity, rowID)
	if err != nil || !found {
		return err
	}
	sig := k.SignPower(entity, rowID, tx.hlc.String(), fields)
	if _, err = tx.ExecContext(tx.ctx, `UPDATE `+entity+` SET power_sig = ? WHERE `+key+` = ?`, sig, rowID); err != nil {
		return err
	}
	if app.FieldSigned[entity] {
		return tx.signPowerFields(entity, rowID, fields, k)
	}
	return nil
}

// signPowerFields signs, field by field (power_sigs), the power fields of
// entity's row rowID that this transaction set: each with its value and
// the transaction's clock reading, which the row's field clock then holds
// on every desk (the outbox carries it). A row this transaction inserted
// has every power field signed so, as the server clocks every field of an
// insert with its reading. The row's whole signature (power_sig) is kept
// too, for a desk that joins and for desks of earlier versions; the
// per-field ones are what lets two administrators' changes of different
// fields, merged by the server field by field, both verify on every desk
// (docs/SYNC-DESIGN.md). The signatures' outbox operations go before the
// row's own of this transaction, so that a desk pulling the log never
// gets the change before its signatures, wherever a batch ends.
func (tx *Tx) signPowerFields(entity, rowID string, fields map[string]*string, k *app.SigningKey) error {
	if tx.hlc.IsZero() {
		return nil // no outbox: nothing travels, nothing to sign for
	}
	at := tx.hlc.String()
	var inserted int
	if err := tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM outbox WHERE entity = ? AND row_id = ? AND kind = 'insert' AND hlc = ?`,
		entity, rowID, at).Scan(&inserted); err != nil {
		return err
	}
	names := app.PowerFields[entity]
	if inserted == 0 {
		rows, err := tx.QueryContext(tx.ctx, `SELECT field FROM field_clock WHERE entity = ? AND row_id = ? AND hlc = ?`, entity, rowID, at)
		if err != nil {
			return err
		}
		var set []string
		for rows.Next() {
			var f string
			if err := rows.Scan(&f); err != nil {
				rows.Close()
				return err
			}
			if slices.Contains(names, f) {
				set = append(set, f)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		names = set
	}
	if len(names) == 0 {
		return nil
	}
	ts := formatTime(tx.now)
	for _, f := range names {
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO power_sigs (id, entity, row_id, field, sig, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET sig = excluded.sig, updated_at = excluded.updated_at`,
			app.PowerSigID(entity, rowID, f), entity, rowID, f, k.SignPowerField(entity, rowID, f, fields[f], at), ts); err != nil {
			return err
		}
	}
	// The row's operations of this transaction after its signatures'.
	rows, err := tx.QueryContext(tx.ctx, `SELECT seq FROM outbox WHERE entity = ? AND row_id = ? AND hlc = ? ORDER BY seq`, entity, rowID, at)
	if err != nil {
		return err
	}
	var seqs []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		seqs = append(seqs, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, n := range seqs {
		if _, err := tx.ExecContext(tx.ctx, `UPDATE outbox SET seq = (SELECT max(seq) + 1 FROM outbox) WHERE seq = ?`, n); err != nil {
			return err
		}
	}
	return nil
}

// powerSignature is the signature of a new row's power fields, fields,
// with k in the transaction's clock reading, for a row written once (a
// trigger refuses its update, so it is signed before it is inserted).
// Without a key, a desk that syncs refuses the change and one that does
// not leaves it unsigned, as signPower.
func (tx *Tx) powerSignature(entity, rowID string, fields map[string]*string, k *app.SigningKey) (string, error) {
	if k == nil {
		on, err := tx.enrolled()
		if err != nil {
			return "", err
		}
		if on {
			return "", errNeedsSigner()
		}
		return "", nil
	}
	return k.SignPower(entity, rowID, tx.hlc.String(), fields), nil
}

// textp is a power field's value as text.
func textp(s string) *string { return &s }

// credentials are what a new password makes of an account: its hash, and
// the account's new signing key sealed with it. Both cost an argon2id run,
// so they are made before the write transaction that stores them
// (newCredentials), never inside it: the database's write lock is not held
// while a password is hashed.
type credentials struct {
	id     string // the account's
	hash   string
	key    *app.SigningKey
	sealed string
}

// newCredentials hashes password for the account id and makes the
// account's signing key, sealed with it, outside any transaction, taking a
// hashing place as a login does.
func (db *DB) newCredentials(id, password string) (*credentials, error) {
	k, err := app.NewSigningKey(id)
	if err != nil {
		return nil, err
	}
	var hash, sealed string
	db.hashAside(func() {
		if hash, err = app.HashPassword(password, db.hash); err != nil {
			return
		}
		sealed, err = app.SealSigningKey(k, password, db.hash)
	})
	if err != nil {
		return nil, err
	}
	return &credentials{id: id, hash: hash, key: k, sealed: sealed}, nil
}

// errCredentialsStale is a write that finds the account no longer as its
// credentials were made for (checked again inside the transaction).
func errCredentialsStale() error {
	return app.Errorf(app.ECONFLICT, "The account was changed a moment ago; try again.")
}

// TrustKey adds a key this desk trusts to sign power (the clinic's trust
// root), naming where it came from.
func (tx *Tx) TrustKey(public, source string) error {
	_, err := tx.ExecContext(tx.ctx, `INSERT INTO trust_keys (fingerprint, public_key, source, added_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (fingerprint) DO NOTHING`, app.KeyFingerprint(public), public, source, formatTime(tx.now))
	return err
}

// KeyTrusted reports whether public may sign power on this desk: it is an
// active administrator's key here, or in the trust root and not the key
// of an account that is no longer an active administrator (revoked by a
// signed change of that account).
func KeyTrusted(ctx context.Context, q powerQuerier, public string) (trusted bool, who string, err error) {
	var role, status, username string
	var deleted sql.NullString
	err = q.QueryRowContext(ctx, `SELECT role, status, username, deleted_at FROM users WHERE sign_key = ? ORDER BY updated_at DESC LIMIT 1`, public).
		Scan(&role, &status, &username, &deleted)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return false, "", err
	default:
		return role == string(app.RoleAdmin) && status == string(app.StatusActive) && !deleted.Valid, username, nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM trust_keys WHERE fingerprint = ? AND public_key = ?`,
		app.KeyFingerprint(public), public).Scan(&n); err != nil {
		return false, "", err
	}
	return n > 0, "clinic root key " + app.KeyFingerprint(public), nil
}

// vouchLegacy has administrator k vouch, in a signed extension of the
// clinic's trust root (trust_extensions), for the price list, fee and drug
// rows this desk had when it began signing them (trust_legacy): written
// once and unsigned, they could never be signed, and a desk joining the
// clinic later would refuse them. Only on a desk that syncs (a desk that
// does not lists them in the root it gives the clinic when it enrolls as
// its first), once: the rows are marked with the extension.
func (tx *Tx) vouchLegacy(k *app.SigningKey, who app.Caller) error {
	if k == nil {
		return nil
	}
	if on, err := tx.enrolled(); err != nil || !on {
		return err
	}
	rows, err := tx.QueryContext(tx.ctx, `SELECT entity, row_id FROM trust_legacy WHERE extension_id IS NULL ORDER BY entity, row_id`)
	if err != nil {
		return err
	}
	type entry struct {
		Entity string `json:"entity"`
		Row    string `json:"row"`
		Digest string `json:"digest"`
	}
	var list []entry
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.Entity, &e.Row); err != nil {
			rows.Close()
			return err
		}
		list = append(list, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(list) == 0 {
		return err
	}
	for i := range list {
		f, _, found, err := PowerRow(tx.ctx, tx, list[i].Entity, list[i].Row)
		if err != nil {
			return err
		}
		if found {
			list[i].Digest = PowerDigest(list[i].Entity, list[i].Row, f)
		}
	}
	if list = slices.DeleteFunc(list, func(e entry) bool { return e.Digest == "" }); len(list) == 0 {
		return nil
	}
	b, err := json.Marshal(list)
	if err != nil {
		return err
	}
	id, entries := newID(), string(b)
	sig := k.SignPower("trust_extensions", id, tx.hlc.String(), map[string]*string{"entries": &entries})
	ts := formatTime(tx.now)
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO trust_extensions (id, entries, signed_by, created_at, updated_at, power_sig)
		VALUES (?, ?, ?, ?, ?, ?)`, id, entries, who.Username, ts, ts, sig); err != nil {
		return err
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE trust_legacy SET extension_id = ? WHERE extension_id IS NULL`, id); err != nil {
		return err
	}
	tx.AuditAs(who, "sync.trust_extension", "trust_extensions", id, app.OutcomeOK,
		fmt.Sprintf("vouched, signed, for %d price list, fee and drug rows made before they were signed", len(list)))
	return nil
}

// SignatureField reports whether field of entity is a power signature (a
// row's power_sig, or a per-field signature's row): a signature that lost
// to a newer one is not kept for review, as it cannot be taken back alone
// (it follows the fields it signs, whose own review is kept). Two
// administrators who change different fields of one account on two desks
// apart both sign it: the server keeps one of the two whole signatures,
// and nothing of either change was lost.
func SignatureField(entity, field string) bool {
	if entity == "power_sigs" {
		return true
	}
	_, power := app.PowerFields[entity]
	return power && field == "power_sig"
}

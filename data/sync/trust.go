package sync

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"hms/app"
	"hms/data"
	"hms/data/sync/server"
)

// trustRoot is the clinic's trust root (docs/SYNC-DESIGN.md): the public
// keys of the first desk's active administrators and the digest of the
// power fields of every account and setting it had when it enrolled. A
// desk joining the clinic trusts those keys, and takes those rows
// unsigned as they were; everything since is signed.
type trustRoot struct {
	Keys     []string      `json:"keys"`
	Baseline []baselineRow `json:"baseline"`
}

type baselineRow struct {
	Entity string `json:"entity"`
	Row    string `json:"row"`
	Digest string `json:"digest"`
}

// normalize sorts the root, so that its fingerprint does not depend on
// the order the server keeps it in.
func (r *trustRoot) normalize() {
	slices.Sort(r.Keys)
	r.Keys = slices.Compact(r.Keys)
	slices.SortFunc(r.Baseline, func(a, b baselineRow) int {
		return strings.Compare(a.Entity+"\x00"+a.Row, b.Entity+"\x00"+b.Row)
	})
}

// fingerprint is what a person compares: SHA-256 of the normalized root,
// its first 16 bytes in groups of four hex digits.
func (r trustRoot) fingerprint() (string, []byte) {
	r.normalize()
	b, _ := json.Marshal(r)
	sum := sha256.Sum256(b)
	h := hex.EncodeToString(sum[:16])
	var parts []string
	for i := 0; i < len(h); i += 4 {
		parts = append(parts, h[i:i+4])
	}
	return strings.Join(parts, "-"), b
}

// localRoot is this desk's root as it stands: its active administrators'
// keys (and the root keys it trusts) and its accounts and settings.
func (e *Engine) localRoot(ctx context.Context) (trustRoot, error) {
	var r trustRoot
	rows, err := e.r.QueryContext(ctx, `SELECT sign_key FROM users WHERE role = 'admin' AND status = 'active'
		AND deleted_at IS NULL AND sign_key <> '' UNION SELECT public_key FROM trust_keys`)
	if err != nil {
		return r, err
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return r, err
		}
		r.Keys = append(r.Keys, k)
	}
	rows.Close()
	for _, q := range []struct{ entity, sql string }{{"users", `SELECT id FROM users`}, {"settings", `SELECT key FROM settings`},
		{"patient_purges", `SELECT id FROM patient_purges`}, {"price_items", `SELECT id FROM price_items`},
		{"doctor_consultation_items", `SELECT id FROM doctor_consultation_items`}, {"local_drugs", `SELECT id FROM local_drugs`}} {
		ids, err := e.r.QueryContext(ctx, q.sql)
		if err != nil {
			return r, err
		}
		var all []string
		for ids.Next() {
			var id string
			if err := ids.Scan(&id); err != nil {
				ids.Close()
				return r, err
			}
			all = append(all, id)
		}
		ids.Close()
		for _, id := range all {
			f, _, _, err := data.PowerRow(ctx, e.r, q.entity, id)
			if err != nil {
				return r, err
			}
			r.Baseline = append(r.Baseline, baselineRow{q.entity, id, data.PowerDigest(q.entity, id, f)})
		}
	}
	r.normalize()
	return r, nil
}

// offerLocalRoot offers this desk's root to the server, which keeps the
// first it is offered; it returns the fingerprint the server holds.
func (e *Engine) offerLocalRoot(ctx context.Context, c *server.Client) (root trustRoot, fp string, err error) {
	if root, err = e.localRoot(ctx); err != nil {
		return root, "", internal("sync.trust_root", err)
	}
	ours, b := root.fingerprint()
	if fp, err = c.OfferTrustRoot(ctx, e.siteID, b, ours); err != nil {
		return root, "", serverError(err)
	}
	if fp != ours {
		return root, fp, nil
	}
	return root, fp, nil
}

// serverRoot reads the root the server holds and checks it against its
// fingerprint and the one the person enrolling gave (pin, may be empty).
func (e *Engine) serverRoot(ctx context.Context, c *server.Client, pin string) (*trustRoot, string, error) {
	b, fp, err := c.TrustRoot(ctx, e.siteID)
	if err != nil {
		return nil, "", serverError(err)
	}
	if b == nil {
		return nil, "", app.Errorf(app.ECONFLICT, "The sync server holds no trust root for the clinic yet: on one of the clinic's updated desks, log in as an administrator and sync (that gives the server the clinic's administrators' keys), then enroll this desk.")
	}
	var root trustRoot
	if err := json.Unmarshal(b, &root); err != nil {
		return nil, "", internal("sync.trust_root", err)
	}
	got, _ := root.fingerprint()
	if got != fp {
		return nil, "", app.Errorf(app.ECONFLICT, "The sync server's trust root does not match its own fingerprint (%s, computed %s): do not enroll with this server; tell the clinic's administrator.", fp, got)
	}
	if pin != "" && !strings.EqualFold(strings.ReplaceAll(pin, "-", ""), strings.ReplaceAll(got, "-", "")) {
		return nil, "", app.FieldErrorf("trust", "The sync server's trust root has the fingerprint %s, not %s as given: do not enroll with this server; ask the clinic's administrator (hms sync status on an enrolled desk shows the fingerprint).", got, pin)
	}
	return &root, got, nil
}

// takeRoot makes root this desk's trust root, in the enrollment's
// transaction: its keys trusted, its rows vouched for.
func (tx *txn) takeRoot(root *trustRoot, fp, source string) error {
	for _, k := range root.Keys {
		if err := tx.TrustKey(k, source); err != nil {
			return err
		}
	}
	for _, b := range root.Baseline {
		if _, err := tx.exec(`INSERT INTO trust_baseline (entity, row_id, digest) VALUES (?, ?, ?)
			ON CONFLICT (entity, row_id) DO UPDATE SET digest = excluded.digest`, b.Entity, b.Row, b.Digest); err != nil {
			return err
		}
	}
	_, err := tx.exec(`UPDATE sync_meta SET trust_root = ? WHERE id = 1`, fp)
	return err
}

// takeExtensions takes, in the enrollment's transaction after its root,
// the signed extensions of the root the server holds (trust_extensions):
// each whose signature verifies by a key this desk trusts now (the root's)
// vouches for the rows it lists, as the root's baseline does. One signed
// by another key is left to the pull, which verifies it like any power
// row and, applied, vouches for its rows from then on. It returns how many
// it took.
func (tx *txn) takeExtensions(exts []server.TrustExtension) (int, error) {
	n := 0
	for _, x := range exts {
		fields, sigText, err := data.PowerFieldsOf("trust_extensions", x.Data)
		if err != nil {
			continue
		}
		sig, err := app.ParsePowerSig(sigText)
		if err != nil || sig == nil || !sig.Verify("trust_extensions", x.RowID, fields) {
			continue
		}
		if ok, _, err := data.KeyTrusted(tx.ctx, tx, sig.Key); err != nil {
			return n, err
		} else if !ok {
			continue
		}
		var rows []baselineRow
		if err := json.Unmarshal([]byte(text(fields["entries"])), &rows); err != nil {
			continue
		}
		for _, b := range rows {
			if _, err := tx.exec(`INSERT INTO trust_baseline (entity, row_id, digest) VALUES (?, ?, ?)
				ON CONFLICT (entity, row_id) DO NOTHING`, b.Entity, b.Row, b.Digest); err != nil {
				return n, err
			}
		}
		n++
	}
	return n, nil
}

// ensureTrustRoot gives the server the clinic's trust root from a desk
// enrolled before roots existed (after an update), once: the first such
// desk's root is the clinic's. The desk itself keeps trusting what it has
// (its own accounts); it records the fingerprint for hms sync status. A
// desk that rejoined a replaced server (rejoined) offers it its root
// again: the new server holds none.
func (e *Engine) ensureTrustRoot(ctx context.Context, c *server.Client, rejoined bool) error {
	var have sql.NullString
	if err := e.r.QueryRowContext(ctx, `SELECT trust_root FROM sync_meta WHERE id = 1`).Scan(&have); err != nil {
		return internal("sync.trust_root", err)
	}
	if have.Valid && !rejoined {
		return nil
	}
	// A root with no administrator's key would leave a joining desk
	// trusting nobody's signature: the desk waits until an administrator
	// has logged in on it since the update (which makes their key).
	if local, err := e.localRoot(ctx); err != nil {
		return internal("sync.trust_root", err)
	} else if len(local.Keys) == 0 {
		b, _, err := c.TrustRoot(ctx, e.siteID)
		if err != nil {
			return serverError(err)
		}
		if b == nil {
			return nil // the next round asks again
		}
	}
	root, fp, err := e.offerLocalRoot(ctx, c)
	if err != nil {
		return err
	}
	ours, _ := root.fingerprint()
	return e.writeState(ctx, "sync.trust_root", func(tx *txn) error {
		if fp == ours {
			for _, k := range root.Keys {
				if err := tx.TrustKey(k, "this desk's administrators when it gave the clinic its trust root"); err != nil {
					return err
				}
			}
		}
		_, err := tx.exec(`UPDATE sync_meta SET trust_root = ? WHERE id = 1`, fp)
		return err
	})
}

// rootSource names where a desk's root keys came from, in trust_keys.
func rootSource(fp string) string { return fmt.Sprintf("the clinic's trust root %s", fp) }

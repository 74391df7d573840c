package sync

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"hms/app"
	"hms/data"
	"hms/data/sync/server"
)

// RuleUnsignedPower is the rule of a pulled change this desk refused
// because it grants power without a signature this desk trusts
// (docs/SYNC-DESIGN.md, "Power comes only from the people who hold it"):
// it is kept in conflicts, unapplied, for an administrator, and audited.
const RuleUnsignedPower = data.RuleUnsignedPower

// ActionRefused is the audit action of such a refusal.
const ActionRefused = "sync.refused"

// verdict is what verifyPower decided about one pulled change.
type powerVerdict struct {
	refused string // why it is refused; empty when it may be applied
	signer  string // who signed it, when a signature was needed
}

// keyFields are the power fields an account's own new key may set alone
// (an account made before signing keys takes its first).
var keyFields = []string{"sign_key", "sealed_sign_key"}

// verifyPower decides, before it is applied, whether a pulled change of
// an entity whose fields grant power (app.PowerFields: accounts,
// settings) may be applied: when it leaves those fields as this desk has
// them, or carries a valid signature of their new values by a key this
// desk trusts (an active administrator's here, or the clinic's trust
// root's), or by the account's own key for its own password and key, and
// is newer than the signature the desk holds; a new account that grants
// nothing (pending, or a patient's own), or a row the clinic's trust root
// vouches for as it was, needs none. Anything else is refused.
func (e *Engine) verifyPower(tx *txn, ch server.Change, batchSigs map[string][]string) (powerVerdict, error) {
	if _, ok := app.PowerFields[ch.Entity]; !ok {
		return powerVerdict{}, nil
	}
	if ch.DeletedHLC != "" {
		return powerVerdict{refused: "deletes the row (no desk deletes accounts or settings)"}, nil
	}
	next, sigText, err := data.PowerFieldsOf(ch.Entity, ch.Data)
	if err != nil {
		return powerVerdict{refused: "its row does not read: " + err.Error()}, nil
	}
	local, localSig, found, err := data.PowerRow(tx.ctx, tx, ch.Entity, ch.RowID)
	if err != nil {
		return powerVerdict{}, err
	}
	if found && app.SamePower(ch.Entity, local, next) {
		return powerVerdict{}, nil
	}
	if found {
		// What applying it would change: a field this desk set later
		// (its clock is newer) keeps the desk's value, as the applier
		// keeps it; an older change of the desk's own that comes back
		// changes nothing.
		eff, err := effectivePower(tx, ch, local, next)
		if err != nil {
			return powerVerdict{}, err
		}
		if app.SamePower(ch.Entity, local, eff) {
			return powerVerdict{}, nil
		}
	}
	var fieldWhy string
	if app.FieldSigned[ch.Entity] {
		v, ok, err := e.verifyFields(tx, ch, local, found, next, batchSigs)
		if err != nil || ok {
			return v, err
		}
		fieldWhy = v.refused
	}
	v, err := e.verifyWhole(tx, ch, local, localSig, found, next, sigText)
	if err == nil && v.refused != "" && fieldWhy != "" {
		v.refused = fieldWhy + "; as a whole, " + v.refused
	}
	return v, err
}

// verifyFields decides a pulled change of an entity signed field by field
// (app.FieldSigned): it may be applied when each power field it changes
// here (each of them, for a row this desk has not got) has a signature of
// its own (power_sigs: this desk's row, or one in the same pulled batch)
// over the entity, the row, the field, the value it brings and the clock
// reading that set it (the change's field clock), by a key this desk
// trusts to sign power, or by the account's own key for its own
// password and key, newer than the reading this desk holds the field at.
// ok is false, with why in refused, when some field has none; the whole
// row's signature is then tried (verifyWhole), as desks of earlier
// versions sign.
func (e *Engine) verifyFields(tx *txn, ch server.Change, local map[string]*string, found bool,
	next map[string]*string, batchSigs map[string][]string) (powerVerdict, bool, error) {
	names := app.PowerFields[ch.Entity]
	var mine map[string]string
	if found {
		eff, err := effectivePower(tx, ch, local, next)
		if err != nil {
			return powerVerdict{}, false, err
		}
		names = app.ChangedPower(ch.Entity, local, eff)
		if mine, err = localClocks(tx, ch.Entity, ch.RowID); err != nil {
			return powerVerdict{}, false, err
		}
	}
	remote, err := ch.FieldClocks()
	if err != nil {
		return powerVerdict{refused: "its field clocks do not read: " + err.Error()}, false, nil
	}
	own := text(local["sign_key"])
	var signers []string
	for _, f := range names {
		at := remote[f]
		if at == "" {
			at = ch.HLC
		}
		id := app.PowerSigID(ch.Entity, ch.RowID, f)
		candidates := slices.Clone(batchSigs[id])
		var held string
		switch err := tx.queryRow(`SELECT sig FROM power_sigs WHERE id = ?`, id).Scan(&held); {
		case err == nil:
			candidates = append(candidates, held)
		case !errors.Is(err, sql.ErrNoRows):
			return powerVerdict{}, false, err
		}
		why := "it is not signed"
		var who string
		for _, c := range candidates {
			sig, perr := app.ParsePowerSig(c)
			switch {
			case perr != nil || sig == nil:
				why = "its signature is damaged"
				continue
			case sig.SignedAt != at:
				why = "its signature is of another clock reading than the field's"
				continue
			case !sig.VerifyField(ch.Entity, ch.RowID, f, next[f]):
				why = "its signature does not match the field's value (or was made for another row or field)"
				continue
			case mine[f] != "" && at <= mine[f]:
				why = "it is signed no later than the value this desk holds (an old signed value sent again)"
				continue
			}
			trusted, name, err := data.KeyTrusted(tx.ctx, tx, sig.Key)
			if err != nil {
				return powerVerdict{}, false, err
			}
			switch {
			case trusted:
				who = name
			case found && own != "" && sig.Key == own && slices.Contains(app.SelfFields, f):
				who = "the account's own key"
			default:
				why = fmt.Sprintf("it is signed by a key this desk does not trust (%s)", app.KeyFingerprint(sig.Key))
				continue
			}
			break
		}
		if who == "" {
			return powerVerdict{refused: "field " + f + ": " + why}, false, nil
		}
		if !slices.Contains(signers, who) {
			signers = append(signers, who)
		}
	}
	if len(names) == 0 {
		return powerVerdict{}, false, nil
	}
	return powerVerdict{signer: strings.Join(signers, ", ") + " (field by field)"}, true, nil
}

// localClocks are this desk's field clocks of a row.
func localClocks(tx *txn, entity, rowID string) (map[string]string, error) {
	rows, err := tx.query(`SELECT field, hlc FROM field_clock WHERE entity = ? AND row_id = ?`, entity, rowID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	mine := map[string]string{}
	for rows.Next() {
		var f, h string
		if err := rows.Scan(&f, &h); err != nil {
			return nil, err
		}
		mine[f] = h
	}
	return mine, rows.Err()
}

// verifyWhole decides a pulled power change by the row's whole signature
// (power_sig), as before signatures field by field.
func (e *Engine) verifyWhole(tx *txn, ch server.Change, local map[string]*string, localSig string, found bool,
	next map[string]*string, sigText string) (powerVerdict, error) {
	sig, perr := app.ParsePowerSig(sigText)
	switch {
	case perr != nil:
		return powerVerdict{refused: "its signature is damaged: " + perr.Error()}, nil
	case sig != nil && sig.Verify(ch.Entity, ch.RowID, next):
		if held, _ := app.ParsePowerSig(localSig); found && held != nil {
			floor, err := heldReading(tx, ch, held)
			if err != nil {
				return powerVerdict{}, err
			}
			if sig.SignedAt <= floor {
				return powerVerdict{refused: "it is signed no later than the state this desk holds (an old signed state sent again)"}, nil
			}
		}
		trusted, who, err := data.KeyTrusted(tx.ctx, tx, sig.Key)
		if err != nil {
			return powerVerdict{}, err
		}
		if trusted {
			return powerVerdict{signer: who}, nil
		}
		if ch.Entity == "users" && found {
			changed := app.ChangedPower("users", local, next)
			own := text(local["sign_key"])
			switch {
			case own != "" && own == sig.Key && subset(changed, app.SelfFields):
				return powerVerdict{signer: "the account's own key"}, nil
			case own == "" && text(next["sign_key"]) == sig.Key && subset(changed, keyFields):
				if open, err := e.firstKeysOpen(tx); err != nil || !open {
					return powerVerdict{refused: firstKeyClosed}, err
				}
				return powerVerdict{signer: "the account's own new key (its first)"}, nil
			}
		}
		if !found {
			if v, ok, err := e.vouched(tx, ch, next); err != nil || ok {
				return v, err
			}
		}
		return powerVerdict{refused: fmt.Sprintf("it is signed by a key this desk does not trust (%s)", app.KeyFingerprint(sig.Key))}, nil
	case sig != nil:
		if !found {
			if v, ok, err := e.vouched(tx, ch, next); err != nil || ok {
				return v, err
			}
		}
		return powerVerdict{refused: "its signature does not match its fields"}, nil
	}
	if !found {
		if v, ok, err := e.vouched(tx, ch, next); err != nil || ok {
			return v, err
		}
	}
	return powerVerdict{refused: "it is not signed"}, nil
}

// heldReading is the clock reading that orders the signed state this desk
// holds for ch's row among the row's signed states: the reading it was
// signed with, or, when this desk holds its signature at an earlier
// reading (field_clock of power_sig), that one. They differ only after a
// clock incident: a desk whose clock was ahead signed with the jumped
// reading, and its change was re-dated to when it was made (data.DB.
// ResyncClock), on that desk and, through the server, on every desk that
// took it. Ordering it by the jumped reading would refuse, as an old state
// sent again, every later signed change of the row until real time passed
// that reading, on the desks that hold it and not on the others: the
// desks would part. The field clock is this desk's own record: a pulled
// change only ever raises it (a field wins only over an older one), and
// only this desk's own clock incident lowers it, so no one else can lower
// this floor to replay an older state (docs/SYNC-DESIGN.md, signed states
// and clock incidents).
func heldReading(tx *txn, ch server.Change, held *app.PowerSig) (string, error) {
	var at string
	err := tx.queryRow(`SELECT hlc FROM field_clock WHERE entity = ? AND row_id = ? AND field = 'power_sig'`,
		ch.Entity, ch.RowID).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return held.SignedAt, nil
	} else if err != nil {
		return "", err
	}
	return min(held.SignedAt, at), nil
}

// vouched is a new row that needs no signature: an account that grants
// nothing, or a row as the clinic's trust root lists it.
func (e *Engine) vouched(tx *txn, ch server.Change, next map[string]*string) (powerVerdict, bool, error) {
	if ch.Entity == "users" && text(next["deleted_at"]) == "" {
		if text(next["status"]) == string(app.StatusPending) && text(next["role"]) != string(app.RoleAdmin) {
			return powerVerdict{signer: "none needed (a staff registration waiting for approval)"}, true, nil
		}
		if text(next["role"]) == string(app.RolePatient) {
			return powerVerdict{signer: "none needed (a patient's own account)"}, true, nil
		}
	}
	var baseline string
	err := tx.queryRow(`SELECT digest FROM trust_baseline WHERE entity = ? AND row_id = ?`, ch.Entity, ch.RowID).Scan(&baseline)
	if errors.Is(err, sql.ErrNoRows) {
		return powerVerdict{}, false, nil
	} else if err != nil {
		return powerVerdict{}, false, err
	}
	if baseline == data.PowerDigest(ch.Entity, ch.RowID, next) {
		return powerVerdict{signer: "none needed (as the clinic's trust root lists it)"}, true, nil
	}
	// An account the root lists without a key, that has taken its first
	// since, signed by it and changed in nothing else: as the desks that
	// had the account take it (verifyPower).
	if ch.Entity == "users" && text(next["sign_key"]) != "" {
		bare := maps.Clone(next)
		bare["sign_key"], bare["sealed_sign_key"] = ptr(""), ptr("")
		sig, _ := app.ParsePowerSig(sigOf(ch))
		if baseline == data.PowerDigest(ch.Entity, ch.RowID, bare) && sig != nil && sig.Key == text(next["sign_key"]) &&
			sig.Verify(ch.Entity, ch.RowID, next) {
			if open, err := e.firstKeysOpen(tx); err != nil || !open {
				return powerVerdict{refused: firstKeyClosed}, true, err
			}
			return powerVerdict{signer: "the account's own new key (its first; the clinic's trust root lists the account)"}, true, nil
		}
	}
	return powerVerdict{}, false, nil
}

// firstKeyClosed is why an account's first key, signed only by itself, is
// refused after the window in which a desk takes such keys.
const firstKeyClosed = "it gives an account made before signing keys its first key, signed only by that key, after the " +
	"fourteen days in which this desk takes such keys (an administrator resets the account's password to give it one)"

// firstKeysOpen reports whether this desk still takes an account's first
// key signed only by itself (sync_meta.first_keys_until, fourteen days
// after the update that bounded it: docs/SYNC-DESIGN.md, "A clinic that
// already syncs").
func (e *Engine) firstKeysOpen(tx *txn) (bool, error) {
	var until sql.NullString
	if err := tx.queryRow(`SELECT first_keys_until FROM sync_meta WHERE id = 1`).Scan(&until); err != nil {
		return false, err
	}
	return until.Valid && formatTime(e.db.Now()) < until.String, nil
}

// sigOf is the power signature a pulled row carries.
func sigOf(ch server.Change) string {
	_, sig, _ := data.PowerFieldsOf(ch.Entity, ch.Data)
	return sig
}

func ptr(s string) *string { return &s }

// refusePower keeps a refused change in conflicts for an administrator
// (rule RuleUnsignedPower, the server's row as the value) and audits it.
func (e *Engine) refusePower(tx *txn, ch server.Change, why, detected string) error {
	site := ch.Origin
	if _, err := tx.ExecContext(tx.ctx, `INSERT INTO conflicts
		(id, entity, row_id, field, rule, lost_value, lost_hlc, lost_site, won_value, won_hlc, won_site, detected_at)
		VALUES (?, ?, ?, '', ?, ?, ?, ?, 'null', '', '', ?)`,
		newID(), ch.Entity, ch.RowID, RuleUnsignedPower+why, jsonText(ch.Data), ch.HLC, site, detected); err != nil {
		return err
	}
	fields, _, err := data.PowerFieldsOf(ch.Entity, ch.Data)
	var names []string
	if _, power := app.PowerFields[ch.Entity]; !power {
		names = []string{"the row"}
	} else if err == nil {
		local, _, _, err := data.PowerRow(tx.ctx, tx, ch.Entity, ch.RowID)
		if err != nil {
			return err
		}
		names = app.ChangedPower(ch.Entity, local, fields)
	}
	tx.AuditAs(app.SystemCaller("sync"), ActionRefused, ch.Entity, ch.RowID, app.OutcomeDenied,
		fmt.Sprintf("refused a change from desk %s of %s %s (%v): %s; kept for an administrator's review, not applied",
			ch.Origin, ch.Entity, ch.RowID, names, why))
	return nil
}

// trustState is the fingerprint of the desk's trust root and how many
// refused power changes wait for review.
func (e *Engine) trustState(ctx context.Context) (string, int, error) {
	var fp sql.NullString
	var n int
	if err := e.r.QueryRowContext(ctx, `SELECT (SELECT trust_root FROM sync_meta WHERE id = 1),
		(SELECT count(*) FROM conflicts WHERE resolved_at IS NULL AND rule LIKE ?)`, RuleUnsignedPower+"%").Scan(&fp, &n); err != nil {
		return "", 0, internal("sync.status", err)
	}
	return fp.String, n, nil
}

// effectivePower is the power fields as applying ch would leave them: each
// the server's value unless this desk's clock of the field is newer.
func effectivePower(tx *txn, ch server.Change, local, next map[string]*string) (map[string]*string, error) {
	remote, err := ch.FieldClocks()
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(`SELECT field, hlc FROM field_clock WHERE entity = ? AND row_id = ?`, ch.Entity, ch.RowID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	mine := map[string]string{}
	for rows.Next() {
		var f, h string
		if err := rows.Scan(&f, &h); err != nil {
			return nil, err
		}
		mine[f] = h
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	eff := make(map[string]*string, len(next))
	for _, f := range app.PowerFields[ch.Entity] {
		r := remote[f]
		if r == "" {
			r = ch.HLC
		}
		if mine[f] > r {
			eff[f] = local[f]
		} else {
			eff[f] = next[f]
		}
	}
	return eff, nil
}

func text(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func subset(names, of []string) bool {
	for _, n := range names {
		if !slices.Contains(of, n) {
			return false
		}
	}
	return true
}

// powerCheck verifies the changes of one pulled batch (verifyPower) in the
// transaction that applies it, keeping those refused in conflicts. The
// entries of one row in the batch (one transaction of a desk makes
// several, each with the row as it stood after it; a desk downloading the
// clinic gets a row's history) are decided together, by the last, against
// the row as this desk has it before the first, and applied or refused
// together: the states between never outlive the transaction.
type powerCheck struct {
	e        *Engine
	tx       *txn
	changes  []server.Change
	detected string
	last     map[string]int           // by rowKey: the row's last entry in the batch
	decided  map[string]*powerVerdict // by rowKey
	refused  map[int]bool             // by the change's place in the batch
	n        int
	refusals int                 // groups refused
	signers  map[string]string   // by signerKey
	sigs     map[string][]string // fieldSigs
}

// fieldSigs are the per-field power signatures the batch brings
// (power_sigs rows), by id, in the batch's order.
func (p *powerCheck) fieldSigs() map[string][]string {
	if p.sigs != nil {
		return p.sigs
	}
	p.sigs = map[string][]string{}
	for _, c := range p.changes {
		if c.Entity != "power_sigs" || c.DeletedHLC != "" {
			continue
		}
		var row struct {
			Sig string `json:"sig"`
		}
		if json.Unmarshal(c.Data, &row) == nil && row.Sig != "" {
			p.sigs[c.RowID] = append(p.sigs[c.RowID], row.Sig)
		}
	}
	return p.sigs
}

func (e *Engine) newPowerCheck(tx *txn, changes []server.Change) *powerCheck {
	return &powerCheck{e: e, tx: tx, changes: changes, detected: formatTime(e.db.Now())}
}

// check reports whether the batch's next change, ch, may be applied; a
// change refused is kept in conflicts and audited.
func (p *powerCheck) check(ch server.Change) (bool, error) {
	i := p.n
	p.n++
	if _, ok := purgeDeletes[ch.Entity]; ok && ch.DeletedHLC != "" {
		return p.checkPurge(i, ch)
	}
	if _, ok := app.PowerFields[ch.Entity]; !ok {
		return true, nil
	}
	if p.last == nil {
		p.last, p.decided = map[string]int{}, map[string]*powerVerdict{}
		for j, c := range p.changes {
			if _, ok := app.PowerFields[c.Entity]; ok {
				p.last[rowKey(c)] = j
			}
		}
	}
	key := rowKey(ch)
	v := p.decided[key]
	if v == nil {
		final := ch
		if j, ok := p.last[key]; ok && j > i {
			final = p.changes[j]
		}
		got, err := p.e.verifyPower(p.tx, final, p.fieldSigs())
		if err != nil {
			return false, err
		}
		v = &got
		p.decided[key] = v
		if v.refused != "" {
			p.refusals++
			if err := p.e.refusePower(p.tx, final, v.refused, p.detected); err != nil {
				return false, err
			}
		}
	}
	if v.refused != "" {
		if p.refused == nil {
			p.refused = map[int]bool{}
		}
		p.refused[i] = true
		return false, nil
	}
	if v.signer != "" {
		if p.signers == nil {
			p.signers = map[string]string{}
		}
		p.signers[signerKey(ch)] = v.signer
	}
	return true, nil
}

// purgeDeletes are the tables of a patient's record that only a purge
// deletes, each with its column naming the patient.
var purgeDeletes = map[string]string{"patients": "id", "patient_events": "patient_id", "patient_changes": "patient_id"}

// checkPurge decides a pulled delete of a row of a patient's record (the
// batch's change i): applied when this desk does not have the row (it
// changes nothing), or holds the record of that patient's purge, signed by
// a trusted administrator (a patient_purges row, verified when it was
// applied, or one earlier in this batch that verified: a purge writes it
// before its deletes, in the same transaction). Anything else deletes a
// patient's record without an administrator's signed purge, which a desk
// login alone could do: refused, kept for review and audited.
func (p *powerCheck) checkPurge(i int, ch server.Change) (bool, error) {
	col := purgeDeletes[ch.Entity]
	var patient string
	err := p.tx.queryRow(`SELECT `+col+` FROM `+ch.Entity+` WHERE id = ?`, ch.RowID).Scan(&patient)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	} else if err != nil {
		return false, err
	}
	var held int
	if err := p.tx.queryRow(`SELECT count(*) FROM patient_purges WHERE purged_patient = ?`, patient).Scan(&held); err != nil {
		return false, err
	}
	signed := held > 0
	for j := 0; j < i && !signed; j++ {
		c := p.changes[j]
		if c.Entity != "patient_purges" || p.refused[j] {
			continue
		}
		if f, _, err := data.PowerFieldsOf(c.Entity, c.Data); err == nil && text(f["purged_patient"]) == patient {
			signed = true
		}
	}
	if signed {
		if p.signers == nil {
			p.signers = map[string]string{}
		}
		p.signers[signerKey(ch)] = "none needed (the patient's purge, signed)"
		return true, nil
	}
	p.refusals++
	if err := p.e.refusePower(p.tx, ch, "deletes a patient's record without an administrator's signed purge", p.detected); err != nil {
		return false, err
	}
	if p.refused == nil {
		p.refused = map[int]bool{}
	}
	p.refused[i] = true
	return false, nil
}

// applied is the batch without the changes refused.
func (p *powerCheck) applied(changes []server.Change) []server.Change {
	if len(p.refused) == 0 {
		return changes
	}
	out := make([]server.Change, 0, len(changes))
	for i, ch := range changes {
		if !p.refused[i] {
			out = append(out, ch)
		}
	}
	return out
}

func rowKey(ch server.Change) string { return ch.Entity + "\x00" + ch.RowID }

func signerKey(ch server.Change) string { return ch.Entity + "\x00" + ch.RowID + "\x00" + ch.HLC }

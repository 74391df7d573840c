package data

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"hms/app"
	"hms/data/sync/hlc"
)

// ResyncClock handles a clock incident, as a handshake with the server
// finds one: this desk's clock jumped ahead while it was offline, and its
// newest reading is more than hlc.DefaultMaxDrift ahead of the server's
// time (offset is the server's time minus this desk's, as just measured).
// Its queued changes stamped from the future would be held by the server
// (quarantined) and, once real time caught up, would win over edits made
// elsewhere meanwhile although they are older; and its clock, which never
// goes backwards, would go on stamping from the future.
//
// The rule (docs/SYNC-DESIGN.md, "Clock incidents"): the jump is the
// change of the offset since the last handshake (the clock is still
// wrong), or else the distance of the newest reading from the server's
// time (it was set right before the desk reconnected: an upper bound). Every
// queued change stamped later than the server's time is given its
// reading less the jump, the time it was made, kept in the order the desk
// made them, after the readings its edits' bases name (the values they
// replaced, seen or not: newestSeen) and otherwise never later than now; the desk's field clocks, the
// readings they name as seen and the bases of its queued edits follow. Then the clock is set back to the
// server's time (hlc.Clock.Reset), the one controlled exception to its
// readings never going backwards, and the incident is written to the
// desk's audit log (action sync.clock). A re-dated change then merges by
// when it was made: one older than an edit made elsewhere loses, and is
// kept for review on every desk. It returns how many changes it re-dated
// and the jump; nothing when there was no incident.
//
// A clock found behind the server's by more than app.MaxClockOffset more
// than at the last handshake (the offset grew: it fell back while the desk
// was offline) is the other incident, handled by resyncBehind.
//
// held tells which of the desk's queued operations (by op_id) the server
// has decided already: a push whose reply was lost. Those keep the reading
// they were decided with, and so, to keep the desk's order, do the ones
// queued before them; nil when there is no server to ask.
func (db *DB) ResyncClock(ctx context.Context, offset time.Duration, held func(opIDs []string) (map[string]bool, error)) (int, error) {
	serverNow := db.now().Add(offset)
	last := db.clock.Last()
	if last.IsZero() || last.Wall <= serverNow.Add(hlc.DefaultMaxDrift).UnixMilli() {
		fell := offset - db.clock.Offset()
		if fell > app.MaxClockOffset {
			return db.resyncBehind(ctx, offset, fell, held)
		}
		if fell < -app.MaxClockOffset {
			// Ahead, with nothing stamped from the future yet: nothing to
			// re-date, but the offset measured is the wrong clock's, not the
			// desk's usual one (SetClockOffset keeps that): a handshake that
			// later finds it still off moves the history of what was made
			// meanwhile (stillOff), and one after the clock is set right
			// re-dates by the offset in use (resyncBehind), the history by
			// none (historyShift). Taken as usual, it made every later
			// handshake find a clock set right "still off" (seed 852).
			db.clockIncident.Store(true)
			return 0, nil
		}
		return 0, db.stillOff(ctx, offset)
	}
	jump := db.clock.Offset() - offset
	if jump < hlc.DefaultMaxDrift {
		jump = time.Duration(last.Wall-serverNow.UnixMilli()) * time.Millisecond
	}
	now := hlc.Timestamp{Wall: serverNow.UnixMilli(), Site: db.siteID}
	var redated int
	var newest hlc.Timestamp
	db.clockIncident.Store(true)
	err := db.WriteSyncState(ctx, "sync.clock", func(tx *Tx) error {
		// The history rows move by how far the clock itself was off, which
		// differs from the readings' jump when the offset in use was an
		// earlier incident's (historyShift). The usual offset is read once.
		unusual, err := tx.historyShift(0, db.clock.Offset())
		if err != nil {
			return err
		}
		shift := -jump + unusual
		// A change whose reading was held above its physical time
		// (clock_pinned: the clock had gone back, or was set right, after
		// it gave a reading from the future) was made at that physical
		// time, not at its reading less the jump; its history rows were
		// written with the clock as it was then, off only by the offset
		// in use less the usual one.
		pinnedShift := unusual
		rows, err := tx.QueryContext(tx.ctx, `SELECT o.hlc, p.physical FROM (SELECT DISTINCT hlc FROM outbox WHERE hlc > ?) o
			LEFT JOIN clock_pinned p ON p.hlc = o.hlc ORDER BY o.hlc`,
			serverNow.Add(app.MaxClockOffset).UTC().Format("2006-01-02T15:04:05.000Z"))
		if err != nil {
			return err
		}
		var stamps []string
		pinned := map[string]int64{}
		for rows.Next() {
			var s string
			var physical sql.NullInt64
			if err := rows.Scan(&s, &physical); err != nil {
				rows.Close()
				return err
			}
			stamps = append(stamps, s)
			if physical.Valid {
				pinned[s] = physical.Int64
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// The newest reading this desk gave before the incident, which the
		// re-dated ones stay after.
		var before string
		if err := tx.QueryRowContext(tx.ctx, `SELECT coalesce(max(hlc), '') FROM (
				SELECT hlc FROM outbox WHERE hlc <= ?1 UNION ALL SELECT hlc FROM outbox_sent WHERE hlc <= ?1)`,
			serverNow.Add(app.MaxClockOffset).UTC().Format("2006-01-02T15:04:05.000Z")).Scan(&before); err != nil {
			return err
		}
		skip, err := tx.decidedUpTo(stamps, held)
		if err != nil {
			return err
		}
		if skip > 0 {
			before = stamps[skip-1]
		}
		prev, _ := hlc.Parse(before)
		later := make(map[string]bool, len(stamps)-skip)
		for _, s := range stamps[skip:] {
			later[s] = true
		}
		for _, s := range stamps[skip:] {
			delete(later, s)
			old, err := hlc.Parse(s)
			if err != nil {
				return err
			}
			t := hlc.Timestamp{Wall: old.Wall - jump.Milliseconds(), Logical: old.Logical, Site: db.siteID}
			moved := shift
			if physical, ok := pinned[s]; ok {
				t, moved = hlc.Timestamp{Wall: physical, Site: db.siteID}, pinnedShift
			}
			if t.Wall > now.Wall {
				t.Wall = now.Wall
			}
			// After what the change's edits replaced too: the readings
			// their bases name and those taken out of them as not seen
			// (another desk's value it replaced, which the server holds;
			// the desk's own earlier ones are re-dated already and prev
			// covers them). Else it would lose to the very value it
			// replaced.
			saw, err := tx.newestSeen(s)
			if err != nil {
				return err
			}
			if prev.Before(saw) {
				prev = saw
			}
			if !prev.Before(t) {
				t = hlc.Timestamp{Wall: prev.Wall, Logical: prev.Logical + 1, Site: db.siteID}
				if prev.Logical == 0xFFFF {
					t = hlc.Timestamp{Wall: prev.Wall + 1, Site: db.siteID}
				}
			}
			for later[t.String()] {
				t = hlc.Timestamp{Wall: t.Wall, Logical: t.Logical + 1, Site: db.siteID} // a reading still to move
			}
			prev, newest = t, t
			k, err := tx.redate(s, t.String(), moved)
			if err != nil {
				return err
			}
			redated += k
		}
		reset := now
		if reset.Before(newest) {
			reset = newest
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE sync_meta SET last_hlc = ?, clock_offset_ms = ? WHERE id = 1`,
			reset.String(), offset.Milliseconds()); err != nil {
			return err
		}
		tx.Audit("sync.clock", "", "", "", fmt.Sprintf(
			"This desk's clock was %s ahead of the sync server's (its newest reading %s, the server's time %s): "+
				"%d queued change(s) stamped from the future were given the time they were made (%s earlier), "+
				"and the clock was set back to the server's time.",
			jump.Round(time.Second), last.Time().Format(time.RFC3339), serverNow.UTC().Format(time.RFC3339),
			redated, jump.Round(time.Second)))
		return nil
	})
	if err != nil {
		return 0, err
	}
	db.clock.SetOffset(offset)
	if newest.Before(now) {
		newest = now
	}
	db.clock.Reset(newest)
	return redated, nil
}

// newestSeen is the newest reading the bases of the queued edits stamped
// s name: the readings of the values they replaced and of those values'
// lineages, and the readings notSeen took out of those bases
// (outbox.unseen: values the edits replaced without their makers seeing
// them), zero when they name none. Those taken out count: the edit
// replaced that value all the same, and re-dated before it would lose to
// it on the server.
func (tx *Tx) newestSeen(s string) (hlc.Timestamp, error) {
	var newest string
	if err := tx.QueryRowContext(tx.ctx, `SELECT coalesce(max(v), '') FROM (
			SELECT j.value AS v FROM outbox o, json_tree(o.base) j
			WHERE o.hlc = ?1 AND o.base <> '' AND json_valid(o.base) AND j.type = 'text'
			UNION ALL
			SELECT j.value FROM outbox o, json_each(o.unseen) j
			WHERE o.hlc = ?1 AND o.unseen <> '' AND json_valid(o.unseen) AND j.type = 'text')`, s).Scan(&newest); err != nil {
		return hlc.Timestamp{}, err
	}
	if newest == "" {
		return hlc.Timestamp{}, nil
	}
	t, err := hlc.Parse(newest)
	if err != nil {
		return hlc.Timestamp{}, nil // not a reading: names nothing to stay after
	}
	return t, nil
}

// redate gives the queued changes stamped from (a reading of this desk) the
// reading to instead: their outbox rows, the desk's field clocks, the
// readings its field values name as seen, the bases of its queued edits
// and the readings taken out of them (outbox.unseen) follow; the history rows they add (patient_changes, patient_events) are
// moved by shift, in the desk and in what the server will get, so that the
// history shows when the change was made. It returns how many outbox rows
// it re-dated. A reading is replaced by one no queued change bears yet
// (the callers re-date in an order that ensures it).
func (tx *Tx) redate(from, to string, shift time.Duration) (int, error) {
	if _, err := tx.shiftHistory(from, shift); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(tx.ctx, `UPDATE outbox SET hlc = ?, last_error = '' WHERE hlc = ?`, to, from)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	if _, err := tx.ExecContext(tx.ctx, `UPDATE field_clock SET hlc = ? WHERE hlc = ?`, to, from); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE outbox SET base = replace(base, ?1, ?2), unseen = replace(unseen, ?1, ?2)
		WHERE instr(base, ?1) > 0 OR instr(unseen, ?1) > 0`, from, to); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE field_clock SET seen = replace(seen, ?, ?) WHERE instr(seen, ?) > 0`,
		from, to, from); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE clock_pinned SET hlc = ? WHERE hlc = ?`, to, from); err != nil {
		return 0, err
	}
	return int(n), nil
}

// resyncBehind handles a clock found to have fallen behind: the handshake
// measured an offset to the server's time larger by fell than the last
// one, so the desk's physical time has been fell behind the real time
// since its clock went back, and is still. Its readings, which never go
// backwards, were held at the newest one it gave (clock_pinned keeps the
// physical time of each such transaction), or followed its clock fell
// late: either way its changes made since lose to edits made elsewhere
// before them.
//
// The rule (docs/SYNC-DESIGN.md, "Clock incidents"): the changes queued
// since the last handshake are taken in the order the desk made them; the
// first one whose physical time is more than a second before that of the
// handshake or of an earlier change (the clock went back) and every later
// one were made after the clock fell back, and each gets its physical time
// plus fell, the time it was made, never later than the server's time now,
// kept in order and after every reading the desk gave before; the history
// rows they add are moved by fell too. Then the clock follows the server's
// time (the new offset), and the incident is written to the audit log
// (sync.clock). A change made after the clock fell back whose physical time
// is still later than every earlier one (the desk made nothing for longer
// than the clock fell back) cannot be told apart and keeps its reading: an
// edit that loses by it is kept for review on every desk like any other.
func (db *DB) resyncBehind(ctx context.Context, offset, fell time.Duration, held func([]string) (map[string]bool, error)) (int, error) {
	serverNow := db.now().Add(offset).UnixMilli()
	var redated int
	var newest hlc.Timestamp
	db.clockIncident.Store(true)
	err := db.WriteSyncState(ctx, "sync.clock", func(tx *Tx) error {
		shift, err := tx.historyShift(fell, db.clock.Offset())
		if err != nil {
			return err
		}
		var checked int64
		if err := tx.QueryRowContext(tx.ctx, `SELECT clock_checked_ms FROM sync_meta WHERE id = 1`).Scan(&checked); err != nil {
			return err
		}
		rows, err := tx.QueryContext(tx.ctx, `SELECT o.hlc, p.physical FROM (SELECT hlc, min(seq) AS seq FROM outbox GROUP BY hlc) o
			LEFT JOIN clock_pinned p ON p.hlc = o.hlc ORDER BY o.seq`)
		if err != nil {
			return err
		}
		type stamp struct {
			old      hlc.Timestamp
			physical int64
		}
		var stamps []stamp
		for rows.Next() {
			var s string
			var physical sql.NullInt64
			if err := rows.Scan(&s, &physical); err != nil {
				rows.Close()
				return err
			}
			t, err := hlc.Parse(s)
			if err != nil {
				rows.Close()
				return err
			}
			st := stamp{old: t, physical: t.Wall}
			if physical.Valid {
				st.physical = physical.Int64
			}
			stamps = append(stamps, st)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// Where the clock went back: the first change made at a physical
		// time before the handshake's or an earlier change's.
		seen, from := checked, len(stamps)
		for i, st := range stamps {
			if st.physical < seen-pinnedAfter.Milliseconds() {
				from = i
				break
			}
			seen = max(seen, st.physical)
		}
		names := make([]string, 0, len(stamps)-from)
		for _, st := range stamps[from:] {
			names = append(names, st.old.String())
		}
		skip, err := tx.decidedUpTo(names, held)
		if err != nil {
			return err
		}
		from += skip
		// A signed change keeps the reading its signature carries, and so
		// does an earlier change of a row it signs (signedStamps).
		later := make([]string, 0, len(stamps)-from)
		for _, st := range stamps[from:] {
			later = append(later, st.old.String())
		}
		kept, err := tx.signedStamps(later)
		if err != nil {
			return err
		}
		type move struct{ from, to hlc.Timestamp }
		var moves []move
		var prev hlc.Timestamp
		if from > 0 {
			prev = stamps[from-1].old
		}
		for _, st := range stamps[from:] {
			if kept[st.old.String()] {
				continue
			}
			t := hlc.Timestamp{Wall: min(st.physical+fell.Milliseconds(), serverNow), Site: db.siteID}
			if t.Before(st.old) {
				t = st.old // never earlier than it was stamped
			}
			if !prev.Before(t) {
				t = hlc.Timestamp{Wall: prev.Wall, Logical: prev.Logical + 1, Site: db.siteID}
				if prev.Logical == 0xFFFF {
					t = hlc.Timestamp{Wall: prev.Wall + 1, Site: db.siteID}
				}
			}
			for kept[t.String()] {
				t = hlc.Timestamp{Wall: t.Wall + 1, Site: db.siteID} // a reading a kept change bears
			}
			prev, newest = t, t
			if t != st.old {
				moves = append(moves, move{st.old, t})
			}
		}
		// Later first: each reading moves later, onto one no change still
		// waiting to move bears.
		for i := len(moves) - 1; i >= 0; i-- {
			n, err := tx.redate(moves[i].from.String(), moves[i].to.String(), shift)
			if err != nil {
				return err
			}
			redated += n
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE sync_meta SET last_hlc = max(last_hlc, ?), clock_offset_ms = ? WHERE id = 1`,
			newest.String(), offset.Milliseconds()); err != nil {
			return err
		}
		tx.Audit("sync.clock", "", "", "", fmt.Sprintf(
			"This desk's clock was %s behind the sync server's (the server's time %s): "+
				"%d queued change(s) made since it fell back were given the time they were made (%s later), "+
				"and the clock follows the server's time again.",
			fell.Round(time.Second), time.UnixMilli(serverNow).UTC().Format(time.RFC3339),
			redated, fell.Round(time.Second)))
		return nil
	})
	if err != nil {
		return 0, err
	}
	db.clock.SetOffset(offset)
	if !newest.IsZero() {
		db.clock.Witness(newest)
	}
	return redated, nil
}

// queuedHistory selects the queued history rows (patient_changes,
// patient_events) stamped from a reading on (the one parameter), but those
// whose reading was held (clock_pinned): stillOff counts them on the read
// connection before it takes the write lock, and moves them in it.
const queuedHistory = `outbox WHERE hlc >= ? AND kind = 'insert'
	AND entity IN ('patient_changes', 'patient_events') AND hlc NOT IN (SELECT hlc FROM clock_pinned)`

// stillOff handles a handshake that finds the clock as far off as the last
// one found it in an incident: the offset it measures is the one in use
// (no new incident), but more than app.MaxClockOffset from the desk's
// usual one. The clock was not set right (or jumped again by as much). The
// readings of the changes made since the last handshake followed the
// server's time (the offset in use corrected them), but their history
// rows (patient_changes, patient_events) were written with the desk's own
// clock: they move by the offset less the usual one, the time they were
// made on the desk's usual clock, in the desk and in what the server will
// get. A change whose reading was held above its physical time
// (clock_pinned) was made while the clock was set right, its history row
// right already, and is left. The usual offset stays the one from before
// the incident (clockIncident): the next handshake with the clock set
// right then finds it fallen behind by the offset in use, and re-dates
// what was made meanwhile (resyncBehind). docs/SYNC-DESIGN.md, "Incidents
// in a row".
func (db *DB) stillOff(ctx context.Context, offset time.Duration) error {
	var usual, checked sql.NullInt64
	if err := db.r.QueryRowContext(ctx, `SELECT clock_usual_ms, clock_checked_ms FROM sync_meta WHERE id = 1`).Scan(&usual, &checked); err != nil {
		return fmt.Errorf("sync clock: %w", err)
	}
	if !usual.Valid || !checked.Valid {
		return nil
	}
	off := offset - time.Duration(usual.Int64)*time.Millisecond
	inUse := offset - db.clock.Offset()
	if off.Abs() <= app.MaxClockOffset || inUse.Abs() > app.MaxClockOffset {
		return nil
	}
	if offset.Abs() <= app.MaxClockOffset {
		// In step with the server's time, as at the last handshake (the
		// offset in use): the clock is right, and the usual offset was the
		// one that was off (the desk was enrolled with its clock wrong, and
		// someone set it right). It becomes the usual one now.
		return nil
	}
	db.clockIncident.Store(true)
	since := time.UnixMilli(checked.Int64).UTC().Format("2006-01-02T15:04:05.000Z")
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM `+queuedHistory, since).Scan(&n); err != nil {
		return fmt.Errorf("sync clock: %w", err)
	}
	if n == 0 {
		return nil
	}
	return db.WriteSyncState(ctx, "sync.clock", func(tx *Tx) error {
		rows, err := tx.QueryContext(tx.ctx, `SELECT DISTINCT hlc FROM `+queuedHistory, since)
		if err != nil {
			return err
		}
		var stamps []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return err
			}
			stamps = append(stamps, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		moved := 0
		for _, s := range stamps {
			k, err := tx.shiftHistory(s, off)
			if err != nil {
				return err
			}
			moved += k
		}
		tx.Audit("sync.clock", "", "", "", fmt.Sprintf(
			"This desk's clock is still %s off the sync server's: the history of %d queued change(s) made meanwhile "+
				"was given the time they were made. Set the computer's clock right.",
			off.Abs().Round(time.Second), moved))
		return nil
	})
}

// historyShift is how far a clock incident moves the history rows of the
// changes it re-dates, given how far it moves their readings (moved: the
// change of the offset to the server's time, or the jump) and the offset in
// use when they were stamped. The readings were the desk's clock corrected
// by that offset; the history rows were written with the clock alone. When
// that offset is the desk's usual one (sync_meta.clock_usual_ms, measured
// by the last handshake that found no incident) both were off alike. When
// it is an earlier incident's, measured while the clock was wrong and in
// use since the clock was set right, the readings were off by it too and
// the history rows were not: they move by moved less (inUse − usual).
func (tx *Tx) historyShift(moved, inUse time.Duration) (time.Duration, error) {
	var usual sql.NullInt64
	if err := tx.QueryRowContext(tx.ctx, `SELECT clock_usual_ms FROM sync_meta WHERE id = 1`).Scan(&usual); err != nil {
		return 0, err
	}
	if !usual.Valid {
		return moved, nil
	}
	return moved + inUse - time.Duration(usual.Int64)*time.Millisecond, nil
}

// decidedUpTo returns how many of stamps (queued readings of this desk, in
// the order it made them) come up to and with the last one of which the
// server has decided an operation already (held, by op_id): a push whose
// reply was lost. Those keep their readings, as the server decided them,
// and so do the ones before them, to keep the desk's order.
func (tx *Tx) decidedUpTo(stamps []string, held func([]string) (map[string]bool, error)) (int, error) {
	if held == nil || len(stamps) == 0 {
		return 0, nil
	}
	index := make(map[string]int, len(stamps))
	for i, s := range stamps {
		index[s] = i
	}
	rows, err := tx.QueryContext(tx.ctx, `SELECT op_id, hlc FROM outbox ORDER BY seq`)
	if err != nil {
		return 0, err
	}
	var ids []string
	stampOf := map[string]int{}
	for rows.Next() {
		var id, s string
		if err := rows.Scan(&id, &s); err != nil {
			rows.Close()
			return 0, err
		}
		if i, ok := index[s]; ok {
			ids = append(ids, id)
			stampOf[id] = i
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	decided, err := held(ids)
	if err != nil {
		return 0, err
	}
	n := 0
	for id := range decided {
		if i, ok := stampOf[id]; ok {
			n = max(n, i+1)
		}
	}
	return n, nil
}

// signedStamps returns which of a clock found behind's queued readings
// (stamps, in the order the desk made them) keep their readings: those of a signed change (a row with a power_sig,
// or a power_sigs row), and of every earlier change of a row such a one
// signs. A signature carries the reading of the transaction that made it,
// and nothing but the signer's key, which the desk does not hold at a
// handshake, can sign it again; the other desks order the row's signed
// states by the signed readings (a state signed no later than the one
// held is refused as one sent again). Re-dated later, a change signed with
// its early reading would win on the server over a state signed between
// the two readings while the desks holding that state refused it: the
// desks parted (docs/SYNC-DESIGN.md, "Clock incidents", signed changes;
// the simulation's seed 65). Kept, it merges by its signed reading: an
// edit it then loses to, or that loses to it, is kept for review on every
// desk. An earlier change of a row it signs keeps its reading too, so that
// it does not come after the signed one.
func (tx *Tx) signedStamps(stamps []string) (map[string]bool, error) {
	kept := map[string]bool{}
	if len(stamps) == 0 {
		return kept, nil
	}
	rows, err := tx.QueryContext(tx.ctx, `SELECT hlc, entity, row_id,
			entity = 'power_sigs' OR json_extract(payload, '$.power_sig') IS NOT NULL
		FROM outbox ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	type change struct {
		stamp, row string
		signed     bool
	}
	var changes []change
	for rows.Next() {
		var c change
		var entity, rowID string
		if err := rows.Scan(&c.stamp, &entity, &rowID, &c.signed); err != nil {
			rows.Close()
			return nil, err
		}
		if entity == "power_sigs" {
			// users/FIELD/ROW signs the field of the row.
			if parts := strings.SplitN(rowID, "/", 3); len(parts) == 3 {
				entity, rowID = parts[0], parts[2]
			}
		}
		c.row = entity + "\x00" + rowID
		changes = append(changes, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	in := make(map[string]bool, len(stamps))
	for _, s := range stamps {
		in[s] = true
	}
	// Later first, a transaction (one reading) at a time: one that signs,
	// or changes a row a kept later one changes, is kept, and so are the
	// rows it changes.
	signedRows := map[string]bool{}
	for end := len(changes); end > 0; {
		start := end - 1
		for start > 0 && changes[start-1].stamp == changes[end-1].stamp {
			start--
		}
		group := changes[start:end]
		end = start
		if !in[group[0].stamp] {
			continue
		}
		for _, c := range group {
			if c.signed || signedRows[c.row] {
				kept[c.stamp] = true
			}
		}
		if kept[group[0].stamp] {
			for _, c := range group {
				signedRows[c.row] = true
			}
		}
	}
	return kept, nil
}

// shiftHistory moves by shift the time of the history rows (patient_changes,
// patient_events) that the queued changes stamped s add, in the desk and in
// their outbox rows (what the server will get). It returns how many it
// moved; a time this desk did not write is left as it is.
func (tx *Tx) shiftHistory(s string, shift time.Duration) (int, error) {
	rows, err := tx.QueryContext(tx.ctx, `SELECT entity, row_id, json_extract(payload, '$.at') FROM outbox
		WHERE hlc = ? AND kind = 'insert' AND entity IN ('patient_changes', 'patient_events')`, s)
	if err != nil {
		return 0, err
	}
	type entry struct{ entity, id, at string }
	var history []entry
	for rows.Next() {
		var e entry
		var at sql.NullString
		if err := rows.Scan(&e.entity, &e.id, &at); err != nil {
			rows.Close()
			return 0, err
		}
		if at.Valid {
			e.at = at.String
			history = append(history, e)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	moved := 0
	for _, e := range history {
		t, err := time.Parse(TimeLayout, e.at)
		if err != nil {
			continue // not a time this desk wrote: left as it is
		}
		at := formatTime(t.Add(shift))
		// entity is one of the two names above.
		if _, err := tx.ExecContext(tx.ctx, `UPDATE `+e.entity+` SET at = ? WHERE id = ?`, at, e.id); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE outbox SET payload = json_set(payload, '$.at', ?)
			WHERE hlc = ? AND entity = ? AND row_id = ? AND kind = 'insert'`, at, s, e.entity, e.id); err != nil {
			return 0, err
		}
		moved++
	}
	return moved, nil
}

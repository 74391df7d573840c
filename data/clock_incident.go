package data

import (
	"context"
	"fmt"
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
// made them and never later than now; the desk's field clocks, the
// readings they name as seen and the bases of its queued edits follow. Then the clock is set back to the
// server's time (hlc.Clock.Reset), the one controlled exception to its
// readings never going backwards, and the incident is written to the
// desk's audit log (action sync.clock). A re-dated change then merges by
// when it was made: one older than an edit made elsewhere loses, and is
// kept for review on every desk. It returns how many changes it re-dated
// and the jump; nothing when there was no incident.
func (db *DB) ResyncClock(ctx context.Context, offset time.Duration) (int, error) {
	serverNow := db.now().Add(offset)
	last := db.clock.Last()
	if last.IsZero() || last.Wall <= serverNow.Add(hlc.DefaultMaxDrift).UnixMilli() {
		return db.clockFellBehind(ctx, offset)
	}
	jump := db.clock.Offset() - offset
	if jump < hlc.DefaultMaxDrift {
		jump = time.Duration(last.Wall-serverNow.UnixMilli()) * time.Millisecond
	}
	now := hlc.Timestamp{Wall: serverNow.UnixMilli(), Site: db.siteID}
	var redated int
	var newest hlc.Timestamp
	err := db.WriteSyncState(ctx, "sync.clock", func(tx *Tx) error {
		rows, err := tx.QueryContext(tx.ctx, `SELECT DISTINCT hlc FROM outbox WHERE hlc > ? ORDER BY hlc`,
			serverNow.Add(app.MaxClockOffset).UTC().Format("2006-01-02T15:04:05.000Z"))
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
		// The newest reading this desk gave before the incident, which the
		// re-dated ones stay after.
		var before string
		if err := tx.QueryRowContext(tx.ctx, `SELECT coalesce(max(hlc), '') FROM (
				SELECT hlc FROM outbox WHERE hlc <= ?1 UNION ALL SELECT hlc FROM outbox_sent WHERE hlc <= ?1)`,
			serverNow.Add(app.MaxClockOffset).UTC().Format("2006-01-02T15:04:05.000Z")).Scan(&before); err != nil {
			return err
		}
		prev, _ := hlc.Parse(before)
		var moves [][2]string
		for _, s := range stamps {
			old, err := hlc.Parse(s)
			if err != nil {
				return err
			}
			t := hlc.Timestamp{Wall: old.Wall - jump.Milliseconds(), Logical: old.Logical, Site: db.siteID}
			if t.Wall > now.Wall {
				t.Wall = now.Wall
			}
			if !prev.Before(t) {
				t = after(prev)
			}
			prev, newest = t, t
			moves = append(moves, [2]string{s, t.String()})
		}
		// Earlier readings: in order, so that no new one meets an old one
		// not moved yet.
		for _, m := range moves {
			k, err := tx.redate(m[0], m[1], -jump)
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

// after is the reading right after t.
func after(t hlc.Timestamp) hlc.Timestamp {
	if t.Logical == 0xFFFF {
		return hlc.Timestamp{Wall: t.Wall + 1, Site: t.Site}
	}
	return hlc.Timestamp{Wall: t.Wall, Logical: t.Logical + 1, Site: t.Site}
}

// redate gives the changes queued with the reading old the reading n: the
// outbox, the field clocks they set, the readings the desk's field values
// and queued edits name as seen, and the time of the patient history rows
// they add, which the desk's wrong clock gave, moved by shift. It returns
// how many queued changes it re-dated.
func (tx *Tx) redate(old, n string, shift time.Duration) (int, error) {
	secs := fmt.Sprintf("%+.3f seconds", shift.Seconds())
	if _, err := tx.ExecContext(tx.ctx, `UPDATE patient_changes SET at = strftime('%Y-%m-%dT%H:%M:%fZ', at, ?)
		WHERE id IN (SELECT row_id FROM outbox WHERE hlc = ? AND entity = 'patient_changes' AND kind = 'insert')`,
		secs, old); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE outbox SET payload = json_set(payload, '$.at',
			strftime('%Y-%m-%dT%H:%M:%fZ', json_extract(payload, '$.at'), ?))
		WHERE hlc = ? AND entity = 'patient_changes' AND kind = 'insert' AND json_type(payload, '$.at') = 'text'`,
		secs, old); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(tx.ctx, `UPDATE outbox SET hlc = ?, last_error = '' WHERE hlc = ?`, n, old)
	if err != nil {
		return 0, err
	}
	k, _ := res.RowsAffected()
	if _, err := tx.ExecContext(tx.ctx, `UPDATE field_clock SET hlc = ? WHERE hlc = ?`, n, old); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE outbox SET base = replace(base, ?, ?) WHERE instr(base, ?) > 0`,
		old, n, old); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE field_clock SET seen = replace(seen, ?, ?) WHERE instr(seen, ?) > 0`,
		old, n, old); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE clock_marks SET hlc = ? WHERE hlc = ?`, n, old); err != nil {
		return 0, err
	}
	return int(k), nil
}

// clockFellBehind handles the other clock incident: this desk's clock fell
// behind since the last handshake (the offset to the server's time grew by
// more than hlc.DefaultMaxDrift). Its changes queued since were stamped
// earlier than they were made (the clock, which never goes backwards,
// stayed at its last reading, then went on from the wrong time), so edits
// made elsewhere meanwhile would win over later ones made here. The
// changes stamped after the clock fell (from the first transaction whose
// local clock, kept in clock_marks, is more than a minute earlier than the
// one before it, or than the last handshake's; failing one, every change
// queued since the last handshake) get the time they were made: their
// local clock plus the new offset, in the order the desk made them and
// never later than now; their patient history rows move by the fall. The
// clock needs no reset: the new offset sets it right, and the re-dated
// readings are later than every earlier one. Audited as sync.clock.
func (db *DB) clockFellBehind(ctx context.Context, offset time.Duration) (int, error) {
	var before, handshake int64
	if err := db.w.QueryRowContext(ctx, `SELECT clock_offset_ms, handshake_clock_ms FROM sync_meta WHERE id = 1`).
		Scan(&before, &handshake); err != nil {
		return 0, err
	}
	fall := offset - time.Duration(before)*time.Millisecond
	if handshake == 0 || fall <= hlc.DefaultMaxDrift {
		return 0, nil
	}
	serverNow := db.now().Add(offset)
	now := hlc.Timestamp{Wall: serverNow.UnixMilli(), Site: db.siteID}
	var redated int
	var newest hlc.Timestamp
	err := db.WriteSyncState(ctx, "sync.clock", func(tx *Tx) error {
		rows, err := tx.QueryContext(tx.ctx, `SELECT m.hlc, m.clock_ms FROM clock_marks m
			WHERE m.hlc IN (SELECT hlc FROM outbox) ORDER BY m.hlc`)
		if err != nil {
			return err
		}
		type mark struct {
			stamp string
			clock int64
		}
		var marks []mark
		for rows.Next() {
			var m mark
			if err := rows.Scan(&m.stamp, &m.clock); err != nil {
				rows.Close()
				return err
			}
			marks = append(marks, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		from, prevClock := 0, handshake
		for i, m := range marks {
			if m.clock < prevClock-app.MaxClockOffset.Milliseconds() {
				from = i
				break
			}
			prevClock = m.clock
		}
		marks = marks[from:]
		if len(marks) == 0 {
			return nil
		}
		prev, err := hlc.Parse(marks[0].stamp)
		if err != nil {
			return err
		}
		var moves [][2]string
		for _, m := range marks {
			t := hlc.Timestamp{Wall: min(m.clock+offset.Milliseconds(), now.Wall), Site: db.siteID}
			if old, err := hlc.Parse(m.stamp); err != nil {
				return err
			} else if !old.Before(t) {
				// Not earlier than when it was made: it stays.
				if prev.Before(old) {
					prev = old
				}
				continue
			}
			if !prev.Before(t) {
				t = after(prev)
			}
			prev, newest = t, t
			moves = append(moves, [2]string{m.stamp, t.String()})
		}
		// Later readings: the newest first, so that no new one meets an
		// old one not moved yet.
		for i := len(moves) - 1; i >= 0; i-- {
			k, err := tx.redate(moves[i][0], moves[i][1], fall)
			if err != nil {
				return err
			}
			redated += k
		}
		if redated == 0 {
			return nil
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE sync_meta SET last_hlc = ? WHERE id = 1 AND last_hlc < ?`,
			newest.String(), newest.String()); err != nil {
			return err
		}
		tx.Audit("sync.clock", "", "", "", fmt.Sprintf(
			"This desk's clock fell %s behind the sync server's since the last sync (the server's time %s): "+
				"%d queued change(s) stamped with the wrong time were given the time they were made.",
			fall.Round(time.Second), serverNow.UTC().Format(time.RFC3339), redated))
		return nil
	})
	if err != nil {
		return 0, err
	}
	if !newest.IsZero() {
		db.clock.Witness(newest)
	}
	return redated, nil
}

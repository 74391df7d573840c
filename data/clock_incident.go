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
		return 0, nil
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
				t = hlc.Timestamp{Wall: prev.Wall, Logical: prev.Logical + 1, Site: db.siteID}
				if prev.Logical == 0xFFFF {
					t = hlc.Timestamp{Wall: prev.Wall + 1, Site: db.siteID}
				}
			}
			prev, newest = t, t
			n := t.String()
			res, err := tx.ExecContext(tx.ctx, `UPDATE outbox SET hlc = ?, last_error = '' WHERE hlc = ?`, n, s)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			redated += int(k)
			if _, err := tx.ExecContext(tx.ctx, `UPDATE field_clock SET hlc = ? WHERE hlc = ?`, n, s); err != nil {
				return err
			}
			if _, err := tx.ExecContext(tx.ctx, `UPDATE outbox SET base = replace(base, ?, ?) WHERE instr(base, ?) > 0`,
				s, n, s); err != nil {
				return err
			}
			if _, err := tx.ExecContext(tx.ctx, `UPDATE field_clock SET seen = replace(seen, ?, ?) WHERE instr(seen, ?) > 0`,
				s, n, s); err != nil {
				return err
			}
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

package sync

import (
	"bytes"
	"encoding/json"
	"fmt"

	"hms/data"
	"hms/data/sync/hlc"
	"hms/data/sync/server"
)

// lostValue is one value a change of the server's log made lose, or that
// lost when it came (server migration 0012, server_set's "_lost"): every
// desk keeps it for review, not only the desk that made it.
type lostValue struct {
	Field    string          `json:"field"`
	Value    json.RawMessage `json:"value"`
	HLC      string          `json:"hlc"`
	WonValue json.RawMessage `json:"won_value"`
	WonHLC   string          `json:"won_hlc"`
	// Rule: the rule that decided, when not the clock's (server.LostField).
	Rule string `json:"rule"`
}

// keepLost writes to conflicts the values ch's entry says lost, once each
// (the desk that pushed the loser has it from its push already).
func (a *applier) keepLost(ch server.Change) error {
	if len(ch.ServerSet) < 10 || !bytes.Contains(ch.ServerSet, []byte(`"_lost"`)) {
		return nil
	}
	var set struct {
		Lost []lostValue `json:"_lost"`
	}
	if err := json.Unmarshal(ch.ServerSet, &set); err != nil {
		return fmt.Errorf("what lost to change %d of %s %s: %w", ch.Seq, ch.Entity, ch.RowID, err)
	}
	detected := formatTime(a.e.db.Now())
	for _, l := range set.Lost {
		if data.UnreviewedField(ch.Entity, l.Field) {
			continue
		}
		lost, err := hlc.Parse(l.HLC)
		if err != nil {
			return fmt.Errorf("what lost to change %d of %s %s: %w", ch.Seq, ch.Entity, ch.RowID, err)
		}
		switch l.Rule {
		case server.RuleLostIssuedLine:
			// A line its invoice was issued with, kept as issued on the
			// server: under the rule the desks keep it by (issued.go).
			if err := a.keepIssued(ch.RowID, l.Field, l.Value, l.HLC, l.WonValue, l.WonHLC); err != nil {
				return err
			}
			continue
		case server.RuleLostIssue:
			// A change of an issued invoice's issue, refused by the server:
			// the first issue holds. This desk's own issue of the draft
			// (queued here) is kept for review, as its push's result keeps
			// it; any other is refused here too (issued.go).
			own, err := a.queuedHere(ch.Entity, ch.RowID, l.HLC, lost.Site)
			if err != nil {
				return err
			}
			if !own {
				if err := a.refuseLostIssue(ch, l, lost.Site, detected); err != nil {
					return err
				}
				continue
			}
			if _, err := a.tx.exec(`INSERT INTO conflicts
				(id, entity, row_id, field, rule, lost_value, lost_hlc, lost_site, won_value, won_hlc, won_site, detected_at)
				SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
				WHERE NOT EXISTS (SELECT 1 FROM conflicts WHERE entity = ? AND row_id = ? AND field = ? AND lost_hlc = ?)`,
				newID(), ch.Entity, ch.RowID, l.Field, data.RuleIssuedFirst, jsonText(l.Value), l.HLC, lost.Site,
				jsonText(l.WonValue), l.WonHLC, hlcSite(l.WonHLC), detected, ch.Entity, ch.RowID, l.Field, l.HLC); err != nil {
				return err
			}
			continue
		}
		won, err := hlc.Parse(l.WonHLC)
		if err != nil {
			return fmt.Errorf("what won in change %d of %s %s: %w", ch.Seq, ch.Entity, ch.RowID, err)
		}
		if _, err := a.tx.exec(`INSERT INTO conflicts
			(id, entity, row_id, field, rule, lost_value, lost_hlc, lost_site, won_value, won_hlc, won_site, detected_at)
			SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
			WHERE NOT EXISTS (SELECT 1 FROM conflicts WHERE entity = ? AND row_id = ? AND field = ? AND lost_hlc = ?)`,
			newID(), ch.Entity, ch.RowID, l.Field, data.RuleFieldLWW, jsonText(l.Value), l.HLC, lost.Site,
			jsonText(l.WonValue), l.WonHLC, won.Site, detected, ch.Entity, ch.RowID, l.Field, l.HLC); err != nil {
			return err
		}
	}
	return nil
}

// clockInserted records the field clocks of a record inserted from a
// change whose fields were set by different readings (server.Change's
// FieldHLC is not empty): it was edited since it was created, and this
// desk's later edits of it must say they saw those edits.
func (a *applier) clockInserted(ch server.Change) error {
	setBy, err := ch.FieldClocks()
	if err != nil {
		return err
	}
	fields := make([]string, 0, len(setBy))
	for f := range setBy {
		fields = append(fields, f)
	}
	return a.setFieldClocks(ch, setBy, fields)
}

// maxLineage is how many readings a field's lineage keeps (desk migration
// 0048): the base of an edit names at most this many.
const maxLineage = 16

// seenOf reads what each field of ch's row saw (server migration 0025,
// server_set's "_seen"): the readings its value descends from, newest
// first, as a JSON array of at most maxLineage readings, which this desk
// keeps in field_clock.seen and sends on as the base of its next edit of
// the field. A field the server names no list for (one set by an older
// desk or server) has none.
func seenOf(ch server.Change) (map[string]string, error) {
	if len(ch.ServerSet) < 10 || !bytes.Contains(ch.ServerSet, []byte(`"_seen"`)) {
		return nil, nil
	}
	var set struct {
		Seen map[string]json.RawMessage `json:"_seen"`
	}
	if err := json.Unmarshal(ch.ServerSet, &set); err != nil {
		return nil, fmt.Errorf("what change %d of %s %s saw: %w", ch.Seq, ch.Entity, ch.RowID, err)
	}
	out := make(map[string]string, len(set.Seen))
	for f, raw := range set.Seen {
		var readings []string
		if json.Unmarshal(raw, &readings) != nil {
			continue // one reading, from an older desk: no list
		}
		if len(readings) > maxLineage {
			readings = readings[:maxLineage]
		}
		b, err := json.Marshal(readings)
		if err != nil {
			return nil, err
		}
		out[f] = string(b)
	}
	return out, nil
}

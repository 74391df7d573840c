-- What an edit saw, named (server migration 0025): an edit's base was the
-- reading of the value it replaced (0031), which the server compared with
-- other desks' readings; a reading of one desk says nothing of what another
-- had seen. Now the base of each field is the list of the readings its
-- value descends from: the reading of the value it replaced, then the
-- readings that value had replaced, newest first, '' for the value the
-- record was created with, at most 16.
--
-- field_clock.seen keeps that list for the field's value, less its own
-- reading: the base of the edit that set it, as this desk made it (the
-- triggers below) or as the server sent it with a pulled change
-- (server_set's "_seen", written by the pull). A value without a list ('[]':
-- taken from an older server, or downloaded after a prune) gives its next
-- edit a list of one reading, cut, which the server reads as 0031's base.
ALTER TABLE field_clock ADD COLUMN seen TEXT NOT NULL DEFAULT '[]';

DROP TRIGGER outbox_edit_base;
CREATE TRIGGER outbox_edit_base AFTER INSERT ON outbox
WHEN new.kind = 'update' AND new.base = ''
    AND new.entity IN ('patients', 'users', 'settings', 'patient_duplicates', 'doctor_profiles')
BEGIN
    UPDATE outbox SET base = (
        SELECT json_group_object(f.key, json(CASE
            WHEN c.hlc IS NULL THEN '[""]'
            WHEN c.seen = '[]' THEN json_array(c.hlc)
            ELSE json_remove('[' || json_quote(c.hlc) || ',' || substr(c.seen, 2), '$[16]') END))
        FROM json_each(new.payload) f
        LEFT JOIN field_clock c ON c.entity = new.entity AND c.row_id = new.row_id AND c.field = f.key
        WHERE f.key NOT IN ('created_at', 'updated_at'))
    WHERE seq = new.seq;
END;

-- A field this desk's change just set (its clock is the transaction's
-- reading) saw what that change's base names; a field a new row or an
-- older version's change set saw nothing this desk can name.
CREATE TRIGGER field_clock_seen_insert AFTER INSERT ON field_clock
WHEN new.hlc = (SELECT tx_hlc FROM sync_meta WHERE id = 1)
BEGIN
    UPDATE field_clock SET seen = coalesce((
        SELECT CASE WHEN json_type(o.base, '$."' || new.field || '"') = 'array'
            THEN json_extract(o.base, '$."' || new.field || '"') END FROM outbox o
        WHERE o.seq = (SELECT max(seq) FROM outbox) AND o.entity = new.entity AND o.row_id = new.row_id
            AND o.kind = 'update' AND json_valid(o.base)), '[]')
    WHERE entity = new.entity AND row_id = new.row_id AND field = new.field;
END;
CREATE TRIGGER field_clock_seen_update AFTER UPDATE OF hlc ON field_clock
WHEN new.hlc = (SELECT tx_hlc FROM sync_meta WHERE id = 1)
BEGIN
    UPDATE field_clock SET seen = coalesce((
        SELECT CASE WHEN json_type(o.base, '$."' || new.field || '"') = 'array'
            THEN json_extract(o.base, '$."' || new.field || '"') END FROM outbox o
        WHERE o.seq = (SELECT max(seq) FROM outbox) AND o.entity = new.entity AND o.row_id = new.row_id
            AND o.kind = 'update' AND json_valid(o.base)), '[]')
    WHERE entity = new.entity AND row_id = new.row_id AND field = new.field;
END;

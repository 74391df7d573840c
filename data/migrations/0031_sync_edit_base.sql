-- What an edit saw (server migration 0012): each queued update of an
-- editable record carries the field clocks this desk held for the fields
-- it changes, as they were just before the change (base: a JSON object of
-- field to reading, '' for a value as the record was created). The server
-- tells by it an edit made without seeing another (a conflict, kept for
-- review on every desk) from one made after it (none). The outbox row is
-- written before the update trigger moves the field's clock, so this
-- trigger still reads the old one. An operation put back in the outbox
-- keeps the base it had (requeueSent copies it), and the acknowledged
-- ones keep theirs, to be pushed again to a restored server as they were.
ALTER TABLE outbox ADD COLUMN base TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox_sent ADD COLUMN base TEXT NOT NULL DEFAULT '';

CREATE TRIGGER outbox_edit_base AFTER INSERT ON outbox
WHEN new.kind = 'update' AND new.base = ''
    AND new.entity IN ('patients', 'users', 'settings', 'patient_duplicates', 'doctor_profiles')
BEGIN
    UPDATE outbox SET base = (
        SELECT json_group_object(f.key, coalesce(c.hlc, ''))
        FROM json_each(new.payload) f
        LEFT JOIN field_clock c ON c.entity = new.entity AND c.row_id = new.row_id AND c.field = f.key
        WHERE f.key NOT IN ('created_at', 'updated_at'))
    WHERE seq = new.seq;
END;

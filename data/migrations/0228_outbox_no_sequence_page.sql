-- Every write that queues changes wrote two b-trees of the outbox it does
-- not need (issue #18, docs/ARCHITECTURE.md, "Pages per commit"): the
-- row of sqlite_sequence (seq was AUTOINCREMENT) and the automatic index
-- of op_id's UNIQUE. The outbox is built again without both, after this
-- file, by data/rebuild.go (the table's own text, edited; every column and
-- row kept, with its seq; indexes and triggers made again as they are).
--
-- op_id: a UUIDv7 made by the column's default, a millisecond's time and
-- 74 random bits, so two the same would take billions of operations in one
-- millisecond; no query of the desk looks an operation up by it, and the
-- server, which decides each operation once by its op id, keeps them
-- unique (sync.applied_ops' and sync.quarantine's primary keys). The
-- desk's UNIQUE only turned a payment away in that case.
--
-- seq: never given twice, since the server and outbox_sent (its primary
-- key) know an operation by it after it leaves the outbox. Without
-- AUTOINCREMENT a new row takes the outbox's highest seq + 1, which is
-- lower than a seq already given once the rows at the top have left (the
-- push's acknowledgment, a snapshot). sync_meta.outbox_seq_floor keeps the
-- highest seq that has left (written by the deletion, not by the writes
-- that queue), and a row the triggers queue at or below it is moved just
-- above it at once, by the trigger that gives an edit its base (one
-- trigger, so the base is written before the row moves). A row put back
-- from outbox_sent (requeueSent: attempts 1) keeps its seq.
ALTER TABLE sync_meta ADD COLUMN outbox_seq_floor INTEGER NOT NULL DEFAULT 0 CHECK (outbox_seq_floor >= 0);

UPDATE sync_meta SET outbox_seq_floor = max(sent_pruned_seq, acked_seq,
    coalesce((SELECT max(seq) FROM outbox_sent), 0),
    coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0))
WHERE id = 1;

DROP TRIGGER outbox_last_hlc;
CREATE TRIGGER outbox_last_hlc AFTER DELETE ON outbox
BEGIN
    UPDATE sync_meta SET last_hlc = max(last_hlc, old.hlc), outbox_seq_floor = max(outbox_seq_floor, old.seq)
    WHERE last_hlc < old.hlc OR outbox_seq_floor < old.seq;
END;

DROP TRIGGER outbox_edit_base;
CREATE TRIGGER outbox_edit_base AFTER INSERT ON outbox
WHEN (new.kind = 'update' AND new.base = ''
        AND new.entity IN ('patients', 'users', 'settings', 'patient_duplicates', 'doctor_profiles', 'invoice_lines', 'invoices'))
    OR (new.attempts = 0 AND new.seq <= (SELECT outbox_seq_floor FROM sync_meta WHERE id = 1))
BEGIN
    UPDATE outbox SET base = (
        SELECT json_group_object(f.key, json(CASE
            WHEN c.hlc IS NULL THEN '[""]'
            WHEN c.seen = '[]' THEN json_array(c.hlc)
            ELSE json_remove('[' || json_quote(c.hlc) || ',' || substr(c.seen, 2), '$[16]') END))
        FROM json_each(new.payload) f
        LEFT JOIN field_clock c ON c.entity = new.entity AND c.row_id = new.row_id AND c.field = f.key
        WHERE f.key NOT IN ('created_at', 'updated_at')
            AND (new.entity <> 'invoices' OR f.key IN ('notes', 'discount_rate', 'discount_amount')))
    WHERE seq = new.seq AND new.kind = 'update' AND new.base = ''
        AND new.entity IN ('patients', 'users', 'settings', 'patient_duplicates', 'doctor_profiles', 'invoice_lines', 'invoices');
    UPDATE outbox SET seq = (SELECT outbox_seq_floor + 1 FROM sync_meta WHERE id = 1)
    WHERE seq = new.seq AND new.attempts = 0 AND new.seq <= (SELECT outbox_seq_floor FROM sync_meta WHERE id = 1);
END;

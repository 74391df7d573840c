-- Pull and the sync loop (sync_pull.go, sync_loop.go).
--
-- sync_meta.applying is 1 while a pull applies the server's rows. The
-- server has decided them already, and they arrive as the server has them
-- now, not as the steps that led there (an invoice arrives issued, then
-- its lines; a payment's allocation after its invoice is paid), so the
-- desk's rules about the order of steps step aside for them: an
-- appointment's status only moves forward (the server keeps that rule,
-- SYNC.md), an issued invoice and its lines do not change, a payment goes
-- to an unpaid invoice. A desk whose own change lost must take the
-- server's value, or it would never agree with the others again. The rules
-- that rows are never changed nor deleted stay: a pull never does either
-- to them.
ALTER TABLE sync_meta ADD COLUMN applying INTEGER NOT NULL DEFAULT 0 CHECK (applying IN (0, 1));
-- How the last rounds went, for the status bar: when a sync last
-- completed, when they began to fail (NULL while they work) and why the
-- last one failed.
ALTER TABLE sync_meta ADD COLUMN last_synced_at TEXT;
ALTER TABLE sync_meta ADD COLUMN failing_since TEXT;
ALTER TABLE sync_meta ADD COLUMN last_sync_error TEXT NOT NULL DEFAULT '';
-- The server's password, when it was given at enrollment: sealed with a key
-- derived from the desk's audit key (AES-GCM), which lives outside this
-- file, so a copy of the database alone does not reveal it.
ALTER TABLE sync_meta ADD COLUMN server_secret BLOB;
-- The highest outbox seq the server has decided: a server that says it
-- holds less was restored from an older dump.
ALTER TABLE sync_meta ADD COLUMN acked_seq INTEGER NOT NULL DEFAULT 0 CHECK (acked_seq >= 0);

-- Operations the server has decided, kept for a while after they leave the
-- outbox: a server restored from a dump older than them has lost them, and
-- the desk pushes them again, by the same op_id and clock reading, so that
-- they merge as they did the first time (sync_loop.go). Kept 180 days.
CREATE TABLE outbox_sent (
    seq      INTEGER PRIMARY KEY,
    op_id    TEXT NOT NULL UNIQUE,
    entity   TEXT NOT NULL,
    row_id   TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('insert', 'update', 'delete')),
    payload  TEXT NOT NULL,
    hlc      TEXT NOT NULL,
    acked_at TEXT NOT NULL
) STRICT;
CREATE INDEX outbox_sent_acked ON outbox_sent (acked_at);
-- The newest seq pruned from outbox_sent: a server that lacks an operation
-- at or below it cannot be made whole from this desk.
ALTER TABLE sync_meta ADD COLUMN sent_pruned_seq INTEGER NOT NULL DEFAULT 0 CHECK (sent_pruned_seq >= 0);

-- Where the server logged this desk's newest change of each row, until the
-- pull reaches it: the row as the server logged it then holds every older
-- change of the row, so the pull skips those (applying one would step the
-- desk's newer value back) and applies the desk's own entry, the server's
-- merge of it.
CREATE TABLE pushed_rows (
    entity TEXT NOT NULL,
    row_id TEXT NOT NULL,
    txid   INTEGER NOT NULL,
    seq    INTEGER NOT NULL,
    PRIMARY KEY (entity, row_id)
) STRICT, WITHOUT ROWID;

-- A pulled row yields to the desk's own changes of it still waiting to be
-- pushed: the pull looks them up by row.
CREATE INDEX outbox_row ON outbox (entity, row_id);

-- What is set once on an appointment (its replacement, its check-in
-- time) is merged on the server like any field: the desk takes the
-- server's value.
DROP TRIGGER appointments_booking_fixed;
CREATE TRIGGER appointments_booking_fixed BEFORE UPDATE ON appointments
WHEN (new.id IS NOT old.id OR new.patient_id IS NOT old.patient_id OR new.doctor_id IS NOT old.doctor_id
    OR new.start_at IS NOT old.start_at OR new.end_at IS NOT old.end_at OR new.created_by IS NOT old.created_by
    OR new.created_at IS NOT old.created_at OR new.rescheduled_from IS NOT old.rescheduled_from
    OR new.override_reason IS NOT old.override_reason OR new.reason IS NOT old.reason
    OR (old.rescheduled_to IS NOT NULL AND new.rescheduled_to IS NOT old.rescheduled_to)
    OR (old.checked_in_at IS NOT NULL AND new.checked_in_at IS NOT old.checked_in_at))
    AND (SELECT applying FROM sync_meta) = 0
BEGIN
    SELECT RAISE(ABORT, 'an appointment''s patient, doctor and time never change: reschedule it instead');
END;

DROP TRIGGER appointments_status_forward;
CREATE TRIGGER appointments_status_forward BEFORE UPDATE OF status ON appointments
WHEN new.status IS NOT old.status AND NOT (
       (old.status = 'pending' AND new.status IN ('confirmed', 'cancelled', 'conflict'))
    OR (old.status = 'confirmed' AND new.status IN ('checked_in', 'cancelled', 'no_show', 'conflict'))
    OR (old.status = 'checked_in' AND new.status IN ('completed', 'cancelled', 'conflict'))
    OR (old.status = 'conflict' AND new.status = 'cancelled'))
    AND (SELECT applying FROM sync_meta) = 0
BEGIN
    SELECT RAISE(ABORT, 'an appointment''s status only moves forward');
END;

DROP TRIGGER invoices_frozen;
CREATE TRIGGER invoices_frozen BEFORE UPDATE ON invoices
WHEN (old.status <> 'draft' AND (
       new.id IS NOT old.id OR new.number IS NOT old.number OR new.patient_id IS NOT old.patient_id
    OR new.patient_name IS NOT old.patient_name OR new.patient_mrn IS NOT old.patient_mrn
    OR new.appointment_id IS NOT old.appointment_id OR new.currency IS NOT old.currency
    OR new.notes IS NOT old.notes OR new.issued_at IS NOT old.issued_at OR new.issued_by IS NOT old.issued_by
    OR new.created_by IS NOT old.created_by OR new.created_at IS NOT old.created_at
    OR new.deleted_at IS NOT old.deleted_at
    OR old.status = 'void'
    OR new.status = 'draft'
    OR (new.status = 'void' AND NOT EXISTS (SELECT 1 FROM credit_notes c WHERE c.invoice_id = old.id))))
    AND (SELECT applying FROM sync_meta) = 0
BEGIN
    SELECT RAISE(ABORT, 'an issued invoice is never changed: void it with a credit note');
END;
DROP TRIGGER invoices_no_delete;
CREATE TRIGGER invoices_no_delete BEFORE DELETE ON invoices
WHEN (old.status <> 'draft')
    AND (SELECT applying FROM sync_meta) = 0
BEGIN
    SELECT RAISE(ABORT, 'an issued invoice is never deleted: void it with a credit note');
END;
DROP TRIGGER invoices_discount_frozen;
CREATE TRIGGER invoices_discount_frozen BEFORE UPDATE OF discount_rate, discount_amount ON invoices
WHEN (old.status <> 'draft'
    AND (new.discount_rate IS NOT old.discount_rate OR new.discount_amount IS NOT old.discount_amount))
    AND (SELECT applying FROM sync_meta) = 0
BEGIN
    SELECT RAISE(ABORT, 'an issued invoice is never changed: void it with a credit note');
END;
DROP TRIGGER invoice_lines_insert_draft;
CREATE TRIGGER invoice_lines_insert_draft BEFORE INSERT ON invoice_lines
WHEN ((SELECT status FROM invoices WHERE id = new.invoice_id) IS NOT 'draft')
    AND (SELECT applying FROM sync_meta) = 0
BEGIN
    SELECT RAISE(ABORT, 'lines are added to draft invoices only');
END;
DROP TRIGGER invoice_lines_update_draft;
CREATE TRIGGER invoice_lines_update_draft BEFORE UPDATE ON invoice_lines
WHEN ((SELECT status FROM invoices WHERE id = old.invoice_id) IS NOT 'draft'
    OR new.invoice_id IS NOT old.invoice_id)
    AND (SELECT applying FROM sync_meta) = 0
BEGIN
    SELECT RAISE(ABORT, 'the lines of an issued invoice are never changed');
END;
DROP TRIGGER invoice_lines_delete_draft;
CREATE TRIGGER invoice_lines_delete_draft BEFORE DELETE ON invoice_lines
WHEN ((SELECT status FROM invoices WHERE id = old.invoice_id) IS NOT 'draft')
    AND (SELECT applying FROM sync_meta) = 0
BEGIN
    SELECT RAISE(ABORT, 'the lines of an issued invoice are never deleted');
END;
DROP TRIGGER payment_allocations_issued;
CREATE TRIGGER payment_allocations_issued BEFORE INSERT ON payment_allocations
WHEN ((SELECT status FROM invoices WHERE id = new.invoice_id) NOT IN ('issued', 'partially_paid'))
    AND (SELECT applying FROM sync_meta) = 0
BEGIN
    SELECT RAISE(ABORT, 'only issued, unpaid invoices take payments');
END;

-- A pull may take an invoice back to a draft for a moment (a restored
-- server's log replayed from its start): its issue time is then the old
-- row's, which the dashboard's count takes back.
DROP TRIGGER dash_invoices_counted;
CREATE TRIGGER dash_invoices_counted AFTER UPDATE OF status ON invoices
WHEN (old.status IN ('draft', 'void')) <> (new.status IN ('draft', 'void'))
BEGIN
    INSERT INTO dash_revenue (day, doctor_id, kind, code, quantity, amount)
    SELECT date(coalesce(new.issued_at, old.issued_at), coalesce((SELECT printf('%+d minutes', z.offset_minutes) FROM dashboard_zone z
            WHERE z.from_at <= coalesce(new.issued_at, old.issued_at) ORDER BY z.from_at DESC LIMIT 1), '+0 minutes')),
        coalesce((SELECT a.doctor_id FROM appointments a WHERE a.id = new.appointment_id),
                 (SELECT p.doctor_id FROM price_items p WHERE p.id = l.price_item_id), ''),
        l.kind, l.code,
        CASE WHEN new.status IN ('draft', 'void') THEN -sum(l.quantity) ELSE sum(l.quantity) END,
        CASE WHEN new.status IN ('draft', 'void') THEN -sum(l.total) ELSE sum(l.total) END
    FROM invoice_lines l WHERE l.invoice_id = new.id
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (day, doctor_id, kind, code) DO UPDATE SET quantity = quantity + excluded.quantity,
        amount = amount + excluded.amount;
    INSERT INTO dash_invoices (day, n, amount)
    SELECT date(coalesce(new.issued_at, old.issued_at), coalesce((SELECT printf('%+d minutes', z.offset_minutes) FROM dashboard_zone z
            WHERE z.from_at <= coalesce(new.issued_at, old.issued_at) ORDER BY z.from_at DESC LIMIT 1), '+0 minutes')),
        CASE WHEN new.status IN ('draft', 'void') THEN -1 ELSE 1 END,
        CASE WHEN new.status IN ('draft', 'void') THEN -1 ELSE 1 END
            * (SELECT coalesce(sum(l.total), 0) FROM invoice_lines l WHERE l.invoice_id = new.id)
    WHERE true
    ON CONFLICT (day) DO UPDATE SET n = n + excluded.n, amount = amount + excluded.amount;
END;

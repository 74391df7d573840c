-- payments.reversal_of was UNIQUE, the column's own constraint, whose
-- automatic index held an entry for every payment, NULL for all but the
-- refunds: one more b-tree, a leaf page of the WAL, in every payment's
-- commit (issue #18, docs/ARCHITECTURE.md, "Pages per commit"). The
-- uniqueness (a payment is refunded once) is now a partial index holding
-- the refunds only, which the lookups of a payment's refund
-- (reversal_of = ?) use as before. SQLite cannot drop a column's
-- constraint, so the table is built again: the rows are kept aside with
-- their rowids (the receipts' "balance after" orders payments by rowid) in
-- a temporary table, so that the table made again takes the pages the old
-- one freed and the file does not grow by a copy that stays free; the
-- table dropped and made again with the same columns in the same
-- order (the seals stay valid), the rows put back, and the indexes and
-- triggers made again as they were. Foreign keys point at payments from
-- payment_allocations, receipts, billing_conflicts and payments itself:
-- checked at the commit (defer_foreign_keys), by which time every row
-- they name is back. No trigger runs for the rows put back (the triggers
-- are made after), so nothing is queued for sync, summed or sealed again.
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE payments_0221 AS SELECT rowid AS row_seq, id, receipt_number, patient_id, patient_name, patient_mrn, method, amount, tendered, change_given, reference, currency, cashier_id, cashier_name, taken_at, reversal_of, reason, created_at, updated_at, deleted_at, server_seq FROM payments;

DROP TABLE payments;

CREATE TABLE payments (
    id             TEXT PRIMARY KEY,
    receipt_number TEXT NOT NULL UNIQUE,
    patient_id     TEXT NOT NULL REFERENCES patients (id),
    patient_name   TEXT NOT NULL,
    patient_mrn    TEXT NOT NULL,
    method         TEXT NOT NULL CHECK (method IN ('cash', 'card', 'bank_transfer', 'insurance', 'other')),
    amount         INTEGER NOT NULL CHECK (amount > 0),
    tendered       INTEGER NOT NULL DEFAULT 0 CHECK (tendered >= 0),
    change_given   INTEGER NOT NULL DEFAULT 0 CHECK (change_given >= 0),
    reference      TEXT NOT NULL DEFAULT '' CHECK (length(reference) <= 100),
    currency       TEXT NOT NULL CHECK (length(currency) = 3),
    cashier_id     TEXT NOT NULL DEFAULT '',
    cashier_name   TEXT NOT NULL DEFAULT '',
    taken_at       TEXT NOT NULL,
    reversal_of    TEXT REFERENCES payments (id),
    reason         TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT,
    server_seq     INTEGER,
    CHECK (reversal_of IS NULL OR length(trim(reason)) > 0),
    CHECK (method = 'cash' OR (tendered = 0 AND change_given = 0)),
    CHECK (method <> 'cash' OR reversal_of IS NOT NULL OR (tendered >= amount AND change_given = tendered - amount))
) STRICT;

-- Made before the rows go back: each row put back looks for the refunds
-- that name it (the foreign key's check), through this index.
CREATE UNIQUE INDEX payments_reversal ON payments (reversal_of) WHERE reversal_of IS NOT NULL;

INSERT INTO payments (rowid, id, receipt_number, patient_id, patient_name, patient_mrn, method, amount, tendered, change_given, reference, currency, cashier_id, cashier_name, taken_at, reversal_of, reason, created_at, updated_at, deleted_at, server_seq)
    SELECT row_seq, id, receipt_number, patient_id, patient_name, patient_mrn, method, amount, tendered, change_given, reference, currency, cashier_id, cashier_name, taken_at, reversal_of, reason, created_at, updated_at, deleted_at, server_seq FROM payments_0221 ORDER BY row_seq;

DROP TABLE payments_0221;

CREATE INDEX payments_cashier ON payments (cashier_id, taken_at, id);

CREATE INDEX payments_patient ON payments (patient_id, taken_at, id);

CREATE INDEX payments_taken ON payments (taken_at, id);

CREATE TRIGGER dash_allocated_refund AFTER INSERT ON payments WHEN new.reversal_of IS NOT NULL
BEGIN
    UPDATE dash_allocated SET amount = amount - (SELECT coalesce(sum(a.amount), 0)
        FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
        WHERE a.payment_id = new.reversal_of AND i.status NOT IN ('draft', 'void'))
    WHERE id = 1;
END;

CREATE TRIGGER dash_payments_insert AFTER INSERT ON payments WHEN new.deleted_at IS NULL
BEGIN
    INSERT INTO dash_payments (day, method, n, taken, refunds, refunded)
    VALUES (date(new.taken_at, coalesce((SELECT printf('%+d minutes', z.offset_minutes) FROM dashboard_zone z
            WHERE z.from_at <= new.taken_at ORDER BY z.from_at DESC LIMIT 1), '+0 minutes')), new.method,
        new.reversal_of IS NULL, iif(new.reversal_of IS NULL, new.amount, 0),
        new.reversal_of IS NOT NULL, iif(new.reversal_of IS NULL, 0, new.amount))
    ON CONFLICT (day, method) DO UPDATE SET n = n + excluded.n, taken = taken + excluded.taken,
        refunds = refunds + excluded.refunds, refunded = refunded + excluded.refunded;
END;

CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
BEGIN
    SELECT RAISE(ABORT, 'a payment is never deleted: refund it with a reversal');
END;

CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments
BEGIN
    SELECT RAISE(ABORT, 'a payment is never changed: refund it with a reversal');
END;

CREATE TRIGGER payments_outbox_insert AFTER INSERT ON payments
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'payments', new.id, 'insert', json_object(
        'id', new.id, 'receipt_number', new.receipt_number, 'patient_id', new.patient_id,
        'patient_name', new.patient_name, 'patient_mrn', new.patient_mrn, 'method', new.method,
        'amount', new.amount, 'tendered', new.tendered, 'change_given', new.change_given,
        'reference', new.reference, 'currency', new.currency, 'cashier_id', new.cashier_id,
        'cashier_name', new.cashier_name, 'taken_at', new.taken_at, 'reversal_of', new.reversal_of,
        'reason', new.reason, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

CREATE TRIGGER seal_payments_del AFTER DELETE ON payments BEGIN SELECT hms_seal('payments', OLD.id); END;

CREATE TRIGGER seal_payments_ins AFTER INSERT ON payments BEGIN SELECT hms_seal('payments', NEW.id); END;

CREATE TRIGGER seal_payments_upd AFTER UPDATE ON payments BEGIN SELECT hms_seal('payments', OLD.id), hms_seal('payments', NEW.id); END;

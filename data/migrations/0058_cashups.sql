-- The cash-up of a desk's day (app.DeskCashUp): the opening float, the cash
-- counted by denomination (counts, a JSON array of [denomination, count]),
-- the note, and, once closed, its number from the desk's CU series and the
-- figures frozen at the close (frozen, JSON) with the payments counted in
-- them (payment_ids, a JSON array). A payment of a closed day that is not
-- among them reached the desk after the close: it is listed as late there
-- and counted in the next day closed. day_start and day_end bound the day
-- in UTC, so that such payments are found without the clinic's time zone.
-- The id is made of the desk and the day, so that two desks saving the
-- same cash-up write one row.
CREATE TABLE cashups (
    id               TEXT PRIMARY KEY,
    desk             TEXT NOT NULL CHECK (length(desk) BETWEEN 1 AND 16),
    day              TEXT NOT NULL CHECK (length(day) = 10),
    currency         TEXT NOT NULL CHECK (length(currency) = 3),
    status           TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    number           TEXT UNIQUE,
    opening_float    INTEGER NOT NULL DEFAULT 0 CHECK (opening_float >= 0),
    counts           TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(counts)),
    counted          INTEGER NOT NULL DEFAULT 0 CHECK (counted >= 0),
    note             TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    frozen           TEXT NOT NULL DEFAULT '',
    payment_ids      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(payment_ids)),
    day_start        TEXT NOT NULL,
    day_end          TEXT NOT NULL,
    closed_at        TEXT,
    closed_by        TEXT NOT NULL DEFAULT '',
    closed_by_name   TEXT NOT NULL DEFAULT '',
    reopened_at      TEXT,
    reopened_by      TEXT NOT NULL DEFAULT '',
    reopened_by_name TEXT NOT NULL DEFAULT '',
    reopen_reason    TEXT NOT NULL DEFAULT '' CHECK (length(reopen_reason) <= 500),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT,
    UNIQUE (desk, day),
    CHECK (status = 'open' OR (number IS NOT NULL AND closed_at IS NOT NULL AND frozen <> ''))
) STRICT;

CREATE INDEX cashups_closed ON cashups (desk, day_start) WHERE status = 'closed';

CREATE TRIGGER cashups_outbox_insert AFTER INSERT ON cashups
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'cashups', new.id, 'insert', json_object(
        'id', new.id, 'desk', new.desk, 'day', new.day, 'currency', new.currency, 'status', new.status, 'number', new.number, 'opening_float', new.opening_float, 'counts', new.counts, 'counted', new.counted, 'note', new.note, 'frozen', new.frozen, 'payment_ids', new.payment_ids, 'day_start', new.day_start, 'day_end', new.day_end, 'closed_at', new.closed_at, 'closed_by', new.closed_by, 'closed_by_name', new.closed_by_name, 'reopened_at', new.reopened_at, 'reopened_by', new.reopened_by, 'reopened_by_name', new.reopened_by_name, 'reopen_reason', new.reopen_reason, 'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;

CREATE TRIGGER cashups_key_fixed BEFORE UPDATE OF id ON cashups WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;

CREATE TRIGGER cashups_outbox_update AFTER UPDATE OF
    desk, day, currency, status, number, opening_float, counts, counted, note, frozen, payment_ids, day_start, day_end, closed_at, closed_by, closed_by_name, reopened_at, reopened_by, reopened_by_name, reopen_reason, created_at, updated_at, deleted_at
ON cashups
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.desk IS NOT new.desk OR old.day IS NOT new.day OR old.currency IS NOT new.currency OR old.status IS NOT new.status OR old.number IS NOT new.number OR old.opening_float IS NOT new.opening_float OR old.counts IS NOT new.counts OR old.counted IS NOT new.counted OR old.note IS NOT new.note OR old.frozen IS NOT new.frozen OR old.payment_ids IS NOT new.payment_ids OR old.day_start IS NOT new.day_start OR old.day_end IS NOT new.day_end OR old.closed_at IS NOT new.closed_at OR old.closed_by IS NOT new.closed_by OR old.closed_by_name IS NOT new.closed_by_name OR old.reopened_at IS NOT new.reopened_at OR old.reopened_by IS NOT new.reopened_by OR old.reopened_by_name IS NOT new.reopened_by_name OR old.reopen_reason IS NOT new.reopen_reason OR old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'cashups', new.id, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
    FROM (SELECT 'desk' AS field, new.desk AS value WHERE old.desk IS NOT new.desk
        UNION ALL SELECT 'day', new.day WHERE old.day IS NOT new.day
        UNION ALL SELECT 'currency', new.currency WHERE old.currency IS NOT new.currency
        UNION ALL SELECT 'status', new.status WHERE old.status IS NOT new.status
        UNION ALL SELECT 'number', new.number WHERE old.number IS NOT new.number
        UNION ALL SELECT 'opening_float', new.opening_float WHERE old.opening_float IS NOT new.opening_float
        UNION ALL SELECT 'counts', new.counts WHERE old.counts IS NOT new.counts
        UNION ALL SELECT 'counted', new.counted WHERE old.counted IS NOT new.counted
        UNION ALL SELECT 'note', new.note WHERE old.note IS NOT new.note
        UNION ALL SELECT 'frozen', new.frozen WHERE old.frozen IS NOT new.frozen
        UNION ALL SELECT 'payment_ids', new.payment_ids WHERE old.payment_ids IS NOT new.payment_ids
        UNION ALL SELECT 'day_start', new.day_start WHERE old.day_start IS NOT new.day_start
        UNION ALL SELECT 'day_end', new.day_end WHERE old.day_end IS NOT new.day_end
        UNION ALL SELECT 'closed_at', new.closed_at WHERE old.closed_at IS NOT new.closed_at
        UNION ALL SELECT 'closed_by', new.closed_by WHERE old.closed_by IS NOT new.closed_by
        UNION ALL SELECT 'closed_by_name', new.closed_by_name WHERE old.closed_by_name IS NOT new.closed_by_name
        UNION ALL SELECT 'reopened_at', new.reopened_at WHERE old.reopened_at IS NOT new.reopened_at
        UNION ALL SELECT 'reopened_by', new.reopened_by WHERE old.reopened_by IS NOT new.reopened_by
        UNION ALL SELECT 'reopened_by_name', new.reopened_by_name WHERE old.reopened_by_name IS NOT new.reopened_by_name
        UNION ALL SELECT 'reopen_reason', new.reopen_reason WHERE old.reopen_reason IS NOT new.reopen_reason
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
END;

CREATE TRIGGER cashups_outbox_delete AFTER DELETE ON cashups
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'cashups', old.id, 'delete', '{}', tx_hlc FROM sync_meta;
END;

CREATE TRIGGER seal_cashups_ins AFTER INSERT ON cashups BEGIN SELECT hms_seal('cashups', NEW.id); END;
CREATE TRIGGER seal_cashups_upd AFTER UPDATE ON cashups BEGIN SELECT hms_seal('cashups', OLD.id), hms_seal('cashups', NEW.id); END;
CREATE TRIGGER seal_cashups_del AFTER DELETE ON cashups BEGIN SELECT hms_seal('cashups', OLD.id); END;

-- The payments each closed cash-up counted, derived from cashups.payment_ids
-- by the triggers below (on this desk's writes and on pulled changes alike),
-- so that a late payment is found by one index probe.
CREATE TABLE cashup_counted (
    payment_id TEXT NOT NULL,
    cashup_id  TEXT NOT NULL,
    PRIMARY KEY (payment_id, cashup_id)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER cashup_counted_insert AFTER INSERT ON cashups
BEGIN
    INSERT OR IGNORE INTO cashup_counted (payment_id, cashup_id)
    SELECT j.value, new.id FROM json_each(new.payment_ids) j WHERE new.deleted_at IS NULL;
END;

CREATE TRIGGER cashup_counted_update AFTER UPDATE OF payment_ids, deleted_at ON cashups
BEGIN
    DELETE FROM cashup_counted WHERE cashup_id = old.id;
    INSERT OR IGNORE INTO cashup_counted (payment_id, cashup_id)
    SELECT j.value, new.id FROM json_each(new.payment_ids) j WHERE new.deleted_at IS NULL;
END;

CREATE TRIGGER cashup_counted_delete AFTER DELETE ON cashups
BEGIN
    DELETE FROM cashup_counted WHERE cashup_id = old.id;
END;

-- The price list, doctors' fees and the drug catalogue are signed by the
-- administrator who writes them (docs/SYNC-DESIGN.md, "Power comes only
-- from the people who hold it"): each row carries power_sig over its power
-- fields (app.PowerFields), made before it is inserted (the rows are
-- written once). A desk applies a pulled row of these only when the
-- signature verifies against a key it trusts, or the clinic vouches for it
-- (trust_baseline).
ALTER TABLE price_items ADD COLUMN power_sig TEXT NOT NULL DEFAULT '';
ALTER TABLE doctor_consultation_items ADD COLUMN power_sig TEXT NOT NULL DEFAULT '';
ALTER TABLE local_drugs ADD COLUMN power_sig TEXT NOT NULL DEFAULT '';

DROP TRIGGER price_items_outbox_insert;
CREATE TRIGGER price_items_outbox_insert AFTER INSERT ON price_items
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'price_items', new.id, 'insert', json_object(
        'id', new.id, 'code', new.code, 'version', new.version, 'name', new.name, 'kind', new.kind,
        'price', new.price, 'tax_rate', new.tax_rate, 'doctor_id', new.doctor_id,
        'specialization', new.specialization, 'active', new.active, 'valid_from', new.valid_from,
        'created_by', new.created_by, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at, 'power_sig', new.power_sig), tx_hlc
    FROM sync_meta;
END;

DROP TRIGGER doctor_consultation_items_outbox_insert;
CREATE TRIGGER doctor_consultation_items_outbox_insert AFTER INSERT ON doctor_consultation_items
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'doctor_consultation_items', new.id, 'insert', json_object(
        'id', new.id, 'user_id', new.user_id, 'price_code', new.price_code,
        'recorded_by', new.recorded_by, 'recorded_by_name', new.recorded_by_name,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at,
        'power_sig', new.power_sig), tx_hlc
    FROM sync_meta;
END;

DROP TRIGGER local_drugs_outbox_insert;
CREATE TRIGGER local_drugs_outbox_insert AFTER INSERT ON local_drugs
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'local_drugs', new.id, 'insert', json_object(
        'id', new.id, 'kind', new.kind, 'name', new.name, 'substances', new.substances,
        'classes', new.classes, 'forms', new.forms, 'created_by', new.created_by,
        'created_by_name', new.created_by_name, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at, 'power_sig', new.power_sig), tx_hlc
    FROM sync_meta;
END;

-- The rows of these tables this desk had when it was updated: unsigned,
-- and written once, so never signable. The desk itself keeps them (it
-- trusts what it has); for a desk joining the clinic later, the first
-- administrator who logs in here while the desk syncs vouches for them in
-- a signed trust extension (below), and extension_id then names it.
CREATE TABLE trust_legacy (
    entity       TEXT NOT NULL,
    row_id       TEXT NOT NULL,
    extension_id TEXT,
    PRIMARY KEY (entity, row_id)
) STRICT;

INSERT INTO trust_legacy (entity, row_id) SELECT 'price_items', id FROM price_items;
INSERT INTO trust_legacy (entity, row_id) SELECT 'doctor_consultation_items', id FROM doctor_consultation_items;
INSERT INTO trust_legacy (entity, row_id) SELECT 'local_drugs', id FROM local_drugs;

-- A signed extension of the clinic's trust root: the rows it lists
-- (entries, JSON: entity, row and the digest of its power fields, as the
-- root's baseline lists rows) are taken unsigned by a desk that trusts the
-- signature, as the root's own baseline is. Written once.
CREATE TABLE trust_extensions (
    id         TEXT PRIMARY KEY,
    entries    TEXT NOT NULL CHECK (json_valid(entries)),
    signed_by  TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    power_sig  TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TRIGGER trust_extensions_no_delete BEFORE DELETE ON trust_extensions
BEGIN
    SELECT RAISE(ABORT, 'a trust extension is never deleted');
END;

CREATE TRIGGER trust_extensions_no_update BEFORE UPDATE ON trust_extensions
BEGIN
    SELECT RAISE(ABORT, 'a trust extension is never changed');
END;

CREATE TRIGGER trust_extensions_outbox_insert AFTER INSERT ON trust_extensions
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'trust_extensions', new.id, 'insert', json_object(
        'id', new.id, 'entries', new.entries, 'signed_by', new.signed_by, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at, 'power_sig', new.power_sig), tx_hlc
    FROM sync_meta;
END;

CREATE TRIGGER seal_trust_extensions_ins AFTER INSERT ON trust_extensions BEGIN SELECT hms_seal('trust_extensions', NEW.id); END;
CREATE TRIGGER seal_trust_extensions_upd AFTER UPDATE ON trust_extensions BEGIN SELECT hms_seal('trust_extensions', OLD.id), hms_seal('trust_extensions', NEW.id); END;
CREATE TRIGGER seal_trust_extensions_del AFTER DELETE ON trust_extensions BEGIN SELECT hms_seal('trust_extensions', OLD.id); END;

-- An extension applied here (its signature verified, or made here) vouches
-- for the rows it lists from then on.
CREATE TRIGGER trust_extensions_vouch AFTER INSERT ON trust_extensions
BEGIN
    INSERT INTO trust_baseline (entity, row_id, digest)
    SELECT json_extract(value, '$.entity'), json_extract(value, '$.row'), json_extract(value, '$.digest')
    FROM json_each(new.entries)
    WHERE true
    ON CONFLICT (entity, row_id) DO NOTHING;
END;

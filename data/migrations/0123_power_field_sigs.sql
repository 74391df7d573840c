-- Per-field power signatures (docs/SYNC-DESIGN.md, "Power comes only from
-- the people who hold it", field by field): each power field of an
-- account that a signed change sets carries its own signature, over the
-- entity, the row, the field, its value, the clock reading that set it
-- and the signer's key, so that two administrators changing different
-- fields of one account on two desks apart both verify after the
-- server's field-by-field merge. One row per (entity, row, field), its id
-- 'entity/field/row_id'; sig is "v1 KEY READING SIGNATURE" as power_sig.
-- It syncs as an editable record: the newest signature of a field wins,
-- as the field's newest value does. A row here grants nothing by itself:
-- a desk applies a change of an account's power field only when its value
-- and clock match a signature it verifies by a key it trusts.
CREATE TABLE power_sigs (
    id         TEXT PRIMARY KEY,
    entity     TEXT NOT NULL,
    row_id     TEXT NOT NULL,
    field      TEXT NOT NULL,
    sig        TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (id = entity || '/' || field || '/' || row_id)
) STRICT;

CREATE TRIGGER power_sigs_id_fixed BEFORE UPDATE OF id, entity, row_id, field ON power_sigs
WHEN new.id IS NOT old.id OR new.entity IS NOT old.entity OR new.row_id IS NOT old.row_id OR new.field IS NOT old.field
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;

CREATE TRIGGER power_sigs_outbox_insert AFTER INSERT ON power_sigs
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'power_sigs', new.id, 'insert', json_object(
        'id', new.id, 'entity', new.entity, 'row_id', new.row_id, 'field', new.field, 'sig', new.sig,
        'updated_at', new.updated_at), tx_hlc
    FROM sync_meta;
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'power_sigs', new.id, 'sig', tx_hlc, site_id FROM sync_meta WHERE true
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;

CREATE TRIGGER power_sigs_outbox_update AFTER UPDATE OF entity, row_id, field, sig, updated_at ON power_sigs
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (old.entity IS NOT new.entity OR old.row_id IS NOT new.row_id OR
        old.field IS NOT new.field OR old.sig IS NOT new.sig OR old.updated_at IS NOT new.updated_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'power_sigs', new.id, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
    FROM (SELECT 'entity' AS field, new.entity AS value WHERE old.entity IS NOT new.entity
        UNION ALL SELECT 'row_id', new.row_id WHERE old.row_id IS NOT new.row_id
        UNION ALL SELECT 'field', new.field WHERE old.field IS NOT new.field
        UNION ALL SELECT 'sig', new.sig WHERE old.sig IS NOT new.sig
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'power_sigs', new.id, f.key, m.tx_hlc, m.site_id
    FROM json_each((SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1)) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;

CREATE TRIGGER power_sigs_outbox_delete AFTER DELETE ON power_sigs
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'power_sigs', old.id, 'delete', '{}', tx_hlc FROM sync_meta;
    DELETE FROM field_clock WHERE entity = 'power_sigs' AND row_id = old.id;
END;

CREATE TRIGGER seal_power_sigs_ins AFTER INSERT ON power_sigs BEGIN SELECT hms_seal('power_sigs', NEW.id); END;
CREATE TRIGGER seal_power_sigs_upd AFTER UPDATE ON power_sigs BEGIN SELECT hms_seal('power_sigs', OLD.id), hms_seal('power_sigs', NEW.id); END;
CREATE TRIGGER seal_power_sigs_del AFTER DELETE ON power_sigs BEGIN SELECT hms_seal('power_sigs', OLD.id); END;

-- An allergy's certainty, beside its reaction and severity (NICE CG183:
-- what is recorded about a drug allergy): confirmed (by a test or a
-- clear reaction on exposure), suspected, or unknown (the allergies
-- recorded before, and those nobody has judged). The outbox triggers
-- carry the new column.
ALTER TABLE allergies ADD COLUMN certainty TEXT NOT NULL DEFAULT 'unknown'
    CHECK (certainty IN ('confirmed', 'suspected', 'unknown'));

DROP TRIGGER allergies_outbox_insert;
DROP TRIGGER allergies_outbox_update;

CREATE TRIGGER allergies_outbox_insert AFTER INSERT ON allergies
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'allergies', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'substance', new.substance,
        'reaction', new.reaction, 'severity', new.severity, 'recorded_by', new.recorded_by,
        'recorded_by_name', new.recorded_by_name, 'removed_by', new.removed_by,
        'removed_reason', new.removed_reason, 'certainty', new.certainty, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;

CREATE TRIGGER allergies_outbox_update AFTER UPDATE OF
    patient_id, substance, reaction, severity, recorded_by, recorded_by_name, removed_by,
    removed_reason, created_at, updated_at, deleted_at, certainty
ON allergies
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.substance IS NOT new.substance OR
        old.reaction IS NOT new.reaction OR old.severity IS NOT new.severity OR
        old.recorded_by IS NOT new.recorded_by OR old.recorded_by_name IS NOT new.recorded_by_name OR
        old.removed_by IS NOT new.removed_by OR old.removed_reason IS NOT new.removed_reason OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.deleted_at IS NOT new.deleted_at OR old.certainty IS NOT new.certainty)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'allergies', new.id, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'substance', new.substance WHERE old.substance IS NOT new.substance
        UNION ALL SELECT 'reaction', new.reaction WHERE old.reaction IS NOT new.reaction
        UNION ALL SELECT 'severity', new.severity WHERE old.severity IS NOT new.severity
        UNION ALL SELECT 'recorded_by', new.recorded_by WHERE old.recorded_by IS NOT new.recorded_by
        UNION ALL SELECT 'recorded_by_name', new.recorded_by_name WHERE old.recorded_by_name IS NOT new.recorded_by_name
        UNION ALL SELECT 'removed_by', new.removed_by WHERE old.removed_by IS NOT new.removed_by
        UNION ALL SELECT 'removed_reason', new.removed_reason WHERE old.removed_reason IS NOT new.removed_reason
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at
        UNION ALL SELECT 'certainty', new.certainty WHERE old.certainty IS NOT new.certainty);
END;

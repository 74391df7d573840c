-- Patients registered twice (SYNC.md: "duplicate patients registered
-- offline: flagged on the server; merging keeps one record and points the
-- other to it").
--
-- Two desks apart from each other cannot see each other's registrations,
-- so the same person may get a record on each. The server flags the pair
-- when the second record reaches it (sync.flag_patient_duplicates): a row
-- here, which syncs to every desk. A person then decides, on any desk, and
-- the decision syncs too: different people, or one patient, whose later
-- record is merged into the earlier one. Merging archives the later record
-- ("merged into P-…"), fills the kept record's empty fields and copies its
-- allergies from it, and points it at the kept one (patients.merged_into);
-- each record's chart links to the other. Nothing is moved or deleted:
-- visits, notes, invoices and payments stay under the record they were
-- written under.
CREATE TABLE patient_duplicates (
    id          TEXT PRIMARY KEY,  -- made by the server from the pair, so a flag made twice is one row
    patient_id  TEXT NOT NULL REFERENCES patients (id), -- the record that reached the server later
    other_id    TEXT NOT NULL REFERENCES patients (id), -- the one it was already holding
    reason      TEXT NOT NULL,
    detected_at TEXT NOT NULL,
    -- '' while open; 'different' (two people) or 'merged' (one patient).
    resolution  TEXT NOT NULL DEFAULT '' CHECK (resolution IN ('', 'different', 'merged')),
    kept_id     TEXT NOT NULL DEFAULT '', -- the record a merge kept
    resolved_at TEXT,
    resolved_by TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL,
    CHECK (patient_id <> other_id)
) STRICT;
CREATE INDEX patient_duplicates_open ON patient_duplicates (detected_at, id) WHERE resolution = '';
CREATE INDEX patient_duplicates_other ON patient_duplicates (other_id);

-- The record a merged record was merged into; '' for every other. The
-- desk's own: derived from patient_duplicates by the triggers below, so a
-- merge decided on any desk points the record here too.
ALTER TABLE patients ADD COLUMN merged_into TEXT NOT NULL DEFAULT '';
CREATE INDEX patients_merged_into ON patients (merged_into) WHERE merged_into <> '';

CREATE TRIGGER patient_duplicates_merged_insert AFTER INSERT ON patient_duplicates
WHEN new.resolution = 'merged' AND new.kept_id <> ''
BEGIN
    UPDATE patients SET merged_into = new.kept_id
    WHERE id IN (new.patient_id, new.other_id) AND id <> new.kept_id;
END;
CREATE TRIGGER patient_duplicates_merged_update AFTER UPDATE OF resolution, kept_id ON patient_duplicates
BEGIN
    UPDATE patients SET merged_into = ''
    WHERE old.kept_id <> '' AND id IN (old.patient_id, old.other_id) AND merged_into = old.kept_id;
    UPDATE patients SET merged_into = new.kept_id
    WHERE new.resolution = 'merged' AND new.kept_id <> '' AND id IN (new.patient_id, new.other_id) AND id <> new.kept_id;
END;

-- Sync: a flag is made by the server and decided on a desk; it is never
-- deleted (a patient who has one cannot be purged either).
CREATE TRIGGER patient_duplicates_outbox_insert AFTER INSERT ON patient_duplicates
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_duplicates', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'other_id', new.other_id, 'reason', new.reason,
        'detected_at', new.detected_at, 'resolution', new.resolution, 'kept_id', new.kept_id,
        'resolved_at', new.resolved_at, 'resolved_by', new.resolved_by, 'updated_at', new.updated_at), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER patient_duplicates_key_fixed BEFORE UPDATE OF id ON patient_duplicates WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;
CREATE TRIGGER patient_duplicates_outbox_update AFTER UPDATE OF
    patient_id, other_id, reason, detected_at, resolution, kept_id, resolved_at, resolved_by, updated_at
ON patient_duplicates
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.other_id IS NOT new.other_id OR
        old.reason IS NOT new.reason OR old.detected_at IS NOT new.detected_at OR
        old.resolution IS NOT new.resolution OR old.kept_id IS NOT new.kept_id OR
        old.resolved_at IS NOT new.resolved_at OR old.resolved_by IS NOT new.resolved_by OR
        old.updated_at IS NOT new.updated_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_duplicates', new.id, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'other_id', new.other_id WHERE old.other_id IS NOT new.other_id
        UNION ALL SELECT 'reason', new.reason WHERE old.reason IS NOT new.reason
        UNION ALL SELECT 'detected_at', new.detected_at WHERE old.detected_at IS NOT new.detected_at
        UNION ALL SELECT 'resolution', new.resolution WHERE old.resolution IS NOT new.resolution
        UNION ALL SELECT 'kept_id', new.kept_id WHERE old.kept_id IS NOT new.kept_id
        UNION ALL SELECT 'resolved_at', new.resolved_at WHERE old.resolved_at IS NOT new.resolved_at
        UNION ALL SELECT 'resolved_by', new.resolved_by WHERE old.resolved_by IS NOT new.resolved_by
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'patient_duplicates', new.id, f.key, m.tx_hlc, m.site_id
    FROM json_each((SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1)) f, sync_meta m
    WHERE f.key NOT IN ('updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;
CREATE TRIGGER patient_duplicates_no_delete BEFORE DELETE ON patient_duplicates
BEGIN
    SELECT RAISE(ABORT, 'a flag of two patient records is decided, never deleted');
END;

-- A patient's language: the language of the messages and documents for
-- them (an i18n code: en, el, es); NULL is the clinic's message language.
-- It syncs like the record's other fields (per field, with its clock): the
-- outbox triggers carry the new column.
ALTER TABLE patients ADD COLUMN language TEXT
    CHECK (language IS NULL OR (length(language) BETWEEN 2 AND 8 AND language = lower(language)));

DROP TRIGGER patients_outbox_insert;
DROP TRIGGER patients_outbox_update;

CREATE TRIGGER patients_outbox_insert AFTER INSERT ON patients
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patients', new.id, 'insert', json_object(
        'id', new.id, 'mrn', new.mrn, 'given_name', new.given_name, 'family_name', new.family_name,
        'sex', new.sex, 'birth_date', new.birth_date, 'phone', new.phone, 'email', new.email,
        'address', new.address, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at, 'national_id', new.national_id,
        'emergency_contact', new.emergency_contact, 'emergency_phone', new.emergency_phone,
        'blood_group', new.blood_group, 'notes', new.notes, 'archive_reason', new.archive_reason,
        'language', new.language), tx_hlc
    FROM sync_meta;
END;

CREATE TRIGGER patients_outbox_update AFTER UPDATE OF
    mrn, given_name, family_name, sex, birth_date, phone, email, address, created_at, updated_at,
    deleted_at, national_id, emergency_contact, emergency_phone, blood_group, notes, archive_reason, language
ON patients
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.mrn IS NOT new.mrn OR old.given_name IS NOT new.given_name OR
        old.family_name IS NOT new.family_name OR old.sex IS NOT new.sex OR
        old.birth_date IS NOT new.birth_date OR old.phone IS NOT new.phone OR old.email IS NOT new.email OR
        old.address IS NOT new.address OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at OR
        old.national_id IS NOT new.national_id OR old.emergency_contact IS NOT new.emergency_contact OR
        old.emergency_phone IS NOT new.emergency_phone OR old.blood_group IS NOT new.blood_group OR
        old.notes IS NOT new.notes OR old.archive_reason IS NOT new.archive_reason OR
        old.language IS NOT new.language)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patients', new.id, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
    FROM (SELECT 'mrn' AS field, new.mrn AS value WHERE old.mrn IS NOT new.mrn
        UNION ALL SELECT 'given_name', new.given_name WHERE old.given_name IS NOT new.given_name
        UNION ALL SELECT 'family_name', new.family_name WHERE old.family_name IS NOT new.family_name
        UNION ALL SELECT 'sex', new.sex WHERE old.sex IS NOT new.sex
        UNION ALL SELECT 'birth_date', new.birth_date WHERE old.birth_date IS NOT new.birth_date
        UNION ALL SELECT 'phone', new.phone WHERE old.phone IS NOT new.phone
        UNION ALL SELECT 'email', new.email WHERE old.email IS NOT new.email
        UNION ALL SELECT 'address', new.address WHERE old.address IS NOT new.address
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at
        UNION ALL SELECT 'national_id', new.national_id WHERE old.national_id IS NOT new.national_id
        UNION ALL SELECT 'emergency_contact', new.emergency_contact WHERE old.emergency_contact IS NOT new.emergency_contact
        UNION ALL SELECT 'emergency_phone', new.emergency_phone WHERE old.emergency_phone IS NOT new.emergency_phone
        UNION ALL SELECT 'blood_group', new.blood_group WHERE old.blood_group IS NOT new.blood_group
        UNION ALL SELECT 'notes', new.notes WHERE old.notes IS NOT new.notes
        UNION ALL SELECT 'archive_reason', new.archive_reason WHERE old.archive_reason IS NOT new.archive_reason
        UNION ALL SELECT 'language', new.language WHERE old.language IS NOT new.language);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'patients', new.id, f.key, m.tx_hlc, m.site_id
    FROM json_each((SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1)) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;

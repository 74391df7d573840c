-- Each account's screen language: the ISO 639-1 code of the language its
-- screens speak ('en', 'el', 'es'), or '' for the clinic's default (the
-- setting screen_language). It syncs like the account's name: it grants no
-- power (app.PowerFields leaves it out), so any desk applies a change of
-- it unsigned, and a user may change their own.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';

DROP TRIGGER users_outbox_insert;
CREATE TRIGGER users_outbox_insert AFTER INSERT ON users
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'users', new.id, 'insert', json_object(
        'id', new.id, 'username', new.username, 'full_name', new.full_name, 'email', new.email,
        'phone', new.phone, 'role', new.role, 'status', new.status,
        'password_hash', new.password_hash, 'must_change_password', new.must_change_password,
        'patient_id', new.patient_id, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at, 'sign_key', new.sign_key, 'sealed_sign_key', new.sealed_sign_key,
        'power_sig', new.power_sig, 'language', new.language), tx_hlc
    FROM sync_meta;
END;

DROP TRIGGER users_outbox_update;
CREATE TRIGGER users_outbox_update AFTER UPDATE OF
    username, full_name, email, phone, role, status, password_hash, must_change_password, patient_id,
    created_at, updated_at, deleted_at, sign_key, sealed_sign_key, power_sig, language
ON users
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.username IS NOT new.username OR old.full_name IS NOT new.full_name OR old.email IS NOT new.email OR
        old.phone IS NOT new.phone OR old.role IS NOT new.role OR old.status IS NOT new.status OR
        old.password_hash IS NOT new.password_hash OR
        old.must_change_password IS NOT new.must_change_password OR old.patient_id IS NOT new.patient_id OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.deleted_at IS NOT new.deleted_at OR old.sign_key IS NOT new.sign_key OR
        old.sealed_sign_key IS NOT new.sealed_sign_key OR old.power_sig IS NOT new.power_sig OR
        old.language IS NOT new.language)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'users', new.id, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
    FROM (SELECT 'username' AS field, new.username AS value WHERE old.username IS NOT new.username
        UNION ALL SELECT 'full_name', new.full_name WHERE old.full_name IS NOT new.full_name
        UNION ALL SELECT 'email', new.email WHERE old.email IS NOT new.email
        UNION ALL SELECT 'phone', new.phone WHERE old.phone IS NOT new.phone
        UNION ALL SELECT 'role', new.role WHERE old.role IS NOT new.role
        UNION ALL SELECT 'status', new.status WHERE old.status IS NOT new.status
        UNION ALL SELECT 'password_hash', new.password_hash WHERE old.password_hash IS NOT new.password_hash
        UNION ALL SELECT 'must_change_password', new.must_change_password WHERE old.must_change_password IS NOT new.must_change_password
        UNION ALL SELECT 'patient_id', new.patient_id WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at
        UNION ALL SELECT 'sign_key', new.sign_key WHERE old.sign_key IS NOT new.sign_key
        UNION ALL SELECT 'sealed_sign_key', new.sealed_sign_key WHERE old.sealed_sign_key IS NOT new.sealed_sign_key
        UNION ALL SELECT 'power_sig', new.power_sig WHERE old.power_sig IS NOT new.power_sig
        UNION ALL SELECT 'language', new.language WHERE old.language IS NOT new.language);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'users', new.id, f.key, m.tx_hlc, m.site_id
    FROM json_each((SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1)) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;

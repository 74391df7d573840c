-- Power comes only from the people who hold it (docs/SYNC-DESIGN.md):
-- every account has an ed25519 signing key, its private half sealed with a
-- key derived from the account's password (sign_key is the public key,
-- sealed_sign_key the sealed private key, both base64, empty for an
-- account made before this version until its next login or password
-- change), and the rows that grant power carry the signature of their
-- power-granting fields (power_sig, empty when unsigned). A desk applies
-- a pulled change of those fields only when the signature verifies against
-- the keys it trusts (data/sync/verify.go).
ALTER TABLE users ADD COLUMN sign_key TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN sealed_sign_key TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN power_sig TEXT NOT NULL DEFAULT '';
ALTER TABLE settings ADD COLUMN power_sig TEXT NOT NULL DEFAULT '';

-- The administrators' keys this desk trusts beyond its own active
-- administrators' rows: the clinic's trust root, fixed when the desk
-- joined (the first administrator of a new clinic; the root the server
-- holds, or the fingerprint given, for a desk joining one). A key of an
-- account that is no longer an active administrator here is not trusted,
-- root or not.
CREATE TABLE trust_keys (
    fingerprint TEXT PRIMARY KEY,
    public_key  TEXT NOT NULL,
    source      TEXT NOT NULL,
    added_at    TEXT NOT NULL
) STRICT;

-- The rows the clinic's first desk had when it enrolled, as the trust root
-- lists them (the digest of each row's power fields): a joining desk takes
-- such a row unsigned, as the root vouches for it.
CREATE TABLE trust_baseline (
    entity TEXT NOT NULL,
    row_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (entity, row_id)
) STRICT;

-- The fingerprint of the clinic's trust root this desk took, shown by hms
-- sync status for a person enrolling another desk to compare.
ALTER TABLE sync_meta ADD COLUMN trust_root TEXT;

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
        'power_sig', new.power_sig), tx_hlc
    FROM sync_meta;
END;

DROP TRIGGER users_outbox_update;
CREATE TRIGGER users_outbox_update AFTER UPDATE OF
    username, full_name, email, phone, role, status, password_hash, must_change_password, patient_id,
    created_at, updated_at, deleted_at, sign_key, sealed_sign_key, power_sig
ON users
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.username IS NOT new.username OR old.full_name IS NOT new.full_name OR old.email IS NOT new.email OR
        old.phone IS NOT new.phone OR old.role IS NOT new.role OR old.status IS NOT new.status OR
        old.password_hash IS NOT new.password_hash OR
        old.must_change_password IS NOT new.must_change_password OR old.patient_id IS NOT new.patient_id OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.deleted_at IS NOT new.deleted_at OR old.sign_key IS NOT new.sign_key OR
        old.sealed_sign_key IS NOT new.sealed_sign_key OR old.power_sig IS NOT new.power_sig)
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
        UNION ALL SELECT 'power_sig', new.power_sig WHERE old.power_sig IS NOT new.power_sig);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'users', new.id, f.key, m.tx_hlc, m.site_id
    FROM json_each((SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1)) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;

DROP TRIGGER settings_outbox_insert;
CREATE TRIGGER settings_outbox_insert AFTER INSERT ON settings
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'settings', new.key, 'insert', json_object(
        'key', new.key, 'value', new.value, 'updated_at', new.updated_at, 'power_sig', new.power_sig), tx_hlc
    FROM sync_meta;
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'settings', new.key, f.field, tx_hlc, site_id FROM sync_meta, (SELECT 'value' AS field UNION ALL SELECT 'power_sig') f
    WHERE true
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;

DROP TRIGGER settings_outbox_update;
CREATE TRIGGER settings_outbox_update AFTER UPDATE OF
    value, updated_at, power_sig
ON settings
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.value IS NOT new.value OR old.updated_at IS NOT new.updated_at OR old.power_sig IS NOT new.power_sig)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'settings', new.key, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
    FROM (SELECT 'value' AS field, new.value AS value WHERE old.value IS NOT new.value
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'power_sig', new.power_sig WHERE old.power_sig IS NOT new.power_sig);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'settings', new.key, f.key, m.tx_hlc, m.site_id
    FROM json_each((SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1)) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;

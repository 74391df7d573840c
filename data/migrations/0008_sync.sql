-- Sync, the desk's side (SYNC.md): the outbox of changes waiting for the
-- server, the desk's sync state, per-field clocks of editable records and
-- the conflicts kept for review.
--
-- Every change to a synced table writes its outbox row through the
-- triggers at the end of this file, in the same transaction as the change,
-- whatever code makes it. The triggers read the transaction's hybrid
-- logical clock reading from sync_meta.tx_hlc, which the write helper
-- (data.DB.write) sets when its transaction begins and clears before it
-- commits. Where it is NULL the triggers write nothing: a write that does
-- not go through the helper (a migration, another program), the rows a
-- pull applies (no echo) and the demo generator.
--
-- What an outbox row carries (payload, a JSON object):
--   insert  every column of the new row but those that are the desk's own
--           (server_seq, search keys, activity order, login counters, local
--           sequence numbers) and blobs: a report file's content and a
--           receipt's PDF never change, so the push reads them from their
--           table instead of copying megabytes into the outbox;
--   update  only the columns that changed, with their new values;
--   delete  nothing ('{}'): the row is gone.
-- Appointments, invoices and payments are commands by construction: an
-- appointment's insert is a booking request and its updates are moves of
-- its status (its patient, doctor and time never change, 0005); an invoice
-- is edited only as a draft, then issued, and afterwards changes only its
-- derived status (0006); a payment is never updated. The server reads the
-- intent from the entity, the kind and the fields.
--
-- The audit log does not go through the outbox: it is append-only, each row
-- names its site and carries its local seq, so the push sends it from the
-- table, after sync_meta.audit_pushed_seq (SYNC.md: unique (site_id,
-- local_seq)).

-- The desk's sync state: one row. It was a key/value table since 0001
-- holding site_id and desk_code; those move into their columns.
ALTER TABLE sync_meta RENAME TO sync_meta_0001;
CREATE TABLE sync_meta (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    site_id          TEXT NOT NULL CHECK (site_id <> ''),
    -- The desk's code in number series, given by enrollment; until then
    -- NULL, and the desk numbers with data.Options.DeskCode.
    desk_code        TEXT CHECK (desk_code <> ''),
    -- The newest hybrid logical clock reading this desk has stamped a
    -- change with or taken in from the server (sync.Timestamp's text, which
    -- sorts in clock order); the clock resumes above it after a restart.
    last_hlc         TEXT NOT NULL DEFAULT '',
    -- The reading of the write transaction in progress; NULL outside one.
    tx_hlc           TEXT,
    -- Server time minus local time, measured at the last handshake.
    clock_offset_ms  INTEGER NOT NULL DEFAULT 0,
    -- The server's epoch as last seen: a different one means the server was
    -- restored or replaced.
    server_epoch     TEXT,
    -- The pull cursor: the last (txid, seq) of the server's change log
    -- applied here.
    pull_txid        INTEGER NOT NULL DEFAULT 0 CHECK (pull_txid >= 0),
    pull_seq         INTEGER NOT NULL DEFAULT 0 CHECK (pull_seq >= 0),
    -- The last audit_log.seq the server has acknowledged.
    audit_pushed_seq INTEGER NOT NULL DEFAULT 0 CHECK (audit_pushed_seq >= 0)
) STRICT;
INSERT INTO sync_meta (id, site_id, desk_code)
SELECT 1, s.value, (SELECT d.value FROM sync_meta_0001 d WHERE d.key = 'desk_code')
FROM sync_meta_0001 s WHERE s.key = 'site_id';
DROP TABLE sync_meta_0001;

-- Changes waiting for the server, oldest first. seq never reuses a number
-- (AUTOINCREMENT), even once acknowledged rows are deleted, so the server
-- can hold a desk's highest seq; op_id identifies the operation for good,
-- so a push repeated after a lost reply, or a seq reused by a desk restored
-- from a backup, is told apart. op_id is a UUIDv7 like every other id: the
-- time (all calls in one statement see the same 'now') then 74 random
-- bits, so that its index grows at one end however long the queue gets.
CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id      TEXT NOT NULL UNIQUE DEFAULT (printf('%08x-%04x-%04x-%04x-%012x',
                   (CAST(unixepoch('subsec') * 1000 AS INTEGER) >> 16) & 0xffffffff,
                   CAST(unixepoch('subsec') * 1000 AS INTEGER) & 0xffff,
                   0x7000 | (random() & 0x0fff), 0x8000 | (random() & 0x3fff), random() & 0xffffffffffff)),
    entity     TEXT NOT NULL,
    row_id     TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('insert', 'update', 'delete')),
    payload    TEXT NOT NULL,
    hlc        TEXT NOT NULL CHECK (hlc <> ''),
    attempts   INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error TEXT NOT NULL DEFAULT ''
) STRICT;

-- Whatever stamps the outbox keeps sync_meta.last_hlc, so that a clock
-- restarted after a crash resumes above every reading the desk has used.
CREATE TRIGGER outbox_last_hlc AFTER INSERT ON outbox
BEGIN
    UPDATE sync_meta SET last_hlc = new.hlc WHERE last_hlc < new.hlc;
END;

-- Per-field clocks of the editable records (patients, users, doctors'
-- profiles, settings): which reading last set a field, on which desk. A
-- pulled change of a field wins when its (hlc, site) is newer (SYNC.md).
-- A field with no row here still holds the value its record was created
-- with, which is older than any change of it: a desk changes a record only
-- after it has it, and taking it in moved the desk's clock past it.
-- Settings are keyed by name, so two desks can create the same one: theirs
-- are clocked from the insert.
CREATE TABLE field_clock (
    entity  TEXT NOT NULL,
    row_id  TEXT NOT NULL,
    field   TEXT NOT NULL,
    hlc     TEXT NOT NULL,
    site_id TEXT NOT NULL,
    PRIMARY KEY (entity, row_id, field)
) STRICT, WITHOUT ROWID;

-- What lost when a pull applied a change (SYNC.md's conflict rules), kept
-- until a person decides: keep the winner, take the loser, or merge (two
-- records of one patient). Values are JSON.
CREATE TABLE conflicts (
    id          TEXT PRIMARY KEY,
    entity      TEXT NOT NULL,
    row_id      TEXT NOT NULL,
    field       TEXT NOT NULL DEFAULT '', -- '' when a whole row lost, e.g. a booking
    rule        TEXT NOT NULL,            -- the rule that decided, for the review screen
    lost_value  TEXT NOT NULL,
    lost_hlc    TEXT NOT NULL,
    lost_site   TEXT NOT NULL,
    won_value   TEXT NOT NULL,
    won_hlc     TEXT NOT NULL,
    won_site    TEXT NOT NULL,
    detected_at TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT NOT NULL DEFAULT '',
    resolution  TEXT NOT NULL DEFAULT '' CHECK (resolution IN ('', 'kept', 'taken', 'merged')),
    CHECK ((resolved_at IS NULL) = (resolution = ''))
) STRICT;
CREATE INDEX conflicts_open ON conflicts (detected_at, id) WHERE resolved_at IS NULL;
CREATE INDEX conflicts_row ON conflicts (entity, row_id);

-- The triggers, table by table. Each synced table has an insert trigger,
-- and an update and a delete trigger unless migrations 0001-0006 refuse
-- every UPDATE or DELETE of it. The update triggers list the columns that
-- sync, so a write of only the desk's own columns (a patient's activity
-- order, a login's counters, the name copied into appointments) fires
-- nothing. The rows' keys are what the outbox names them by, so they never
-- change (the *_key_fixed triggers).
-- Patients: an editable record, with field clocks. Their search keys and
-- activity order are the desk's own: a desk that applies a patient row
-- derives them as the patient service does.
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
        'blood_group', new.blood_group, 'notes', new.notes, 'archive_reason', new.archive_reason), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER patients_key_fixed BEFORE UPDATE OF id ON patients WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;
CREATE TRIGGER patients_outbox_update AFTER UPDATE OF
    mrn, given_name, family_name, sex, birth_date, phone, email, address, created_at, updated_at,
    deleted_at, national_id, emergency_contact, emergency_phone, blood_group, notes, archive_reason
ON patients
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.mrn IS NOT new.mrn OR old.given_name IS NOT new.given_name OR
        old.family_name IS NOT new.family_name OR old.sex IS NOT new.sex OR
        old.birth_date IS NOT new.birth_date OR old.phone IS NOT new.phone OR old.email IS NOT new.email OR
        old.address IS NOT new.address OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at OR
        old.national_id IS NOT new.national_id OR old.emergency_contact IS NOT new.emergency_contact OR
        old.emergency_phone IS NOT new.emergency_phone OR old.blood_group IS NOT new.blood_group OR
        old.notes IS NOT new.notes OR old.archive_reason IS NOT new.archive_reason)
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
        UNION ALL SELECT 'archive_reason', new.archive_reason WHERE old.archive_reason IS NOT new.archive_reason);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'patients', new.id, f.key, m.tx_hlc, m.site_id
    FROM json_each((SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1)) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;
CREATE TRIGGER patients_outbox_delete AFTER DELETE ON patients
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patients', old.id, 'delete', '{}', tx_hlc FROM sync_meta;
    DELETE FROM field_clock WHERE entity = 'patients' AND row_id = old.id;
END;

-- The history of each patient field, and the timeline: rows that are added.
CREATE TRIGGER patient_changes_outbox_insert AFTER INSERT ON patient_changes
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_changes', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'at', new.at, 'user_id', new.user_id,
        'username', new.username, 'field', new.field, 'old_value', new.old_value,
        'new_value', new.new_value), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER patient_changes_key_fixed BEFORE UPDATE OF id ON patient_changes WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;
CREATE TRIGGER patient_changes_outbox_update AFTER UPDATE OF
    patient_id, at, user_id, username, field, old_value, new_value
ON patient_changes
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.at IS NOT new.at OR old.user_id IS NOT new.user_id OR
        old.username IS NOT new.username OR old.field IS NOT new.field OR old.old_value IS NOT new.old_value OR
        old.new_value IS NOT new.new_value)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_changes', new.id, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'at', new.at WHERE old.at IS NOT new.at
        UNION ALL SELECT 'user_id', new.user_id WHERE old.user_id IS NOT new.user_id
        UNION ALL SELECT 'username', new.username WHERE old.username IS NOT new.username
        UNION ALL SELECT 'field', new.field WHERE old.field IS NOT new.field
        UNION ALL SELECT 'old_value', new.old_value WHERE old.old_value IS NOT new.old_value
        UNION ALL SELECT 'new_value', new.new_value WHERE old.new_value IS NOT new.new_value);
END;
CREATE TRIGGER patient_changes_outbox_delete AFTER DELETE ON patient_changes
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_changes', old.id, 'delete', '{}', tx_hlc FROM sync_meta;
END;
CREATE TRIGGER patient_events_outbox_insert AFTER INSERT ON patient_events
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_events', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'at', new.at, 'kind', new.kind,
        'summary', new.summary, 'ref_id', new.ref_id, 'by_user', new.by_user), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER patient_events_key_fixed BEFORE UPDATE OF id ON patient_events WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;
CREATE TRIGGER patient_events_outbox_update AFTER UPDATE OF
    patient_id, at, kind, summary, ref_id, by_user
ON patient_events
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.at IS NOT new.at OR old.kind IS NOT new.kind OR
        old.summary IS NOT new.summary OR old.ref_id IS NOT new.ref_id OR old.by_user IS NOT new.by_user)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_events', new.id, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'at', new.at WHERE old.at IS NOT new.at
        UNION ALL SELECT 'kind', new.kind WHERE old.kind IS NOT new.kind
        UNION ALL SELECT 'summary', new.summary WHERE old.summary IS NOT new.summary
        UNION ALL SELECT 'ref_id', new.ref_id WHERE old.ref_id IS NOT new.ref_id
        UNION ALL SELECT 'by_user', new.by_user WHERE old.by_user IS NOT new.by_user);
END;
CREATE TRIGGER patient_events_outbox_delete AFTER DELETE ON patient_events
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_events', old.id, 'delete', '{}', tx_hlc FROM sync_meta;
END;

-- Staff and patient accounts: editable, with field clocks. Failed logins,
-- the lockout and the last login are this desk's own.
CREATE TRIGGER users_outbox_insert AFTER INSERT ON users
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'users', new.id, 'insert', json_object(
        'id', new.id, 'username', new.username, 'full_name', new.full_name, 'email', new.email,
        'phone', new.phone, 'role', new.role, 'status', new.status,
        'password_hash', new.password_hash, 'must_change_password', new.must_change_password,
        'patient_id', new.patient_id, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER users_key_fixed BEFORE UPDATE OF id ON users WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;
CREATE TRIGGER users_outbox_update AFTER UPDATE OF
    username, full_name, email, phone, role, status, password_hash, must_change_password, patient_id,
    created_at, updated_at, deleted_at
ON users
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.username IS NOT new.username OR old.full_name IS NOT new.full_name OR old.email IS NOT new.email OR
        old.phone IS NOT new.phone OR old.role IS NOT new.role OR old.status IS NOT new.status OR
        old.password_hash IS NOT new.password_hash OR
        old.must_change_password IS NOT new.must_change_password OR old.patient_id IS NOT new.patient_id OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.deleted_at IS NOT new.deleted_at)
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
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'users', new.id, f.key, m.tx_hlc, m.site_id
    FROM json_each((SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1)) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;
CREATE TRIGGER users_outbox_delete AFTER DELETE ON users
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'users', old.id, 'delete', '{}', tx_hlc FROM sync_meta;
    DELETE FROM field_clock WHERE entity = 'users' AND row_id = old.id;
END;

-- Clinic settings: editable, keyed by name (see field_clock).
CREATE TRIGGER settings_outbox_insert AFTER INSERT ON settings
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'settings', new.key, 'insert', json_object(
        'key', new.key, 'value', new.value, 'updated_at', new.updated_at), tx_hlc
    FROM sync_meta;
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'settings', new.key, 'value', tx_hlc, site_id FROM sync_meta WHERE true
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;
CREATE TRIGGER settings_key_fixed BEFORE UPDATE OF key ON settings WHEN new.key IS NOT old.key
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;
CREATE TRIGGER settings_outbox_update AFTER UPDATE OF
    value, updated_at
ON settings
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.value IS NOT new.value OR old.updated_at IS NOT new.updated_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'settings', new.key, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
    FROM (SELECT 'value' AS field, new.value AS value WHERE old.value IS NOT new.value
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'settings', new.key, f.key, m.tx_hlc, m.site_id
    FROM json_each((SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1)) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;
CREATE TRIGGER settings_outbox_delete AFTER DELETE ON settings
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'settings', old.key, 'delete', '{}', tx_hlc FROM sync_meta;
    DELETE FROM field_clock WHERE entity = 'settings' AND row_id = old.key;
END;

-- The clinical record.
CREATE TRIGGER allergies_outbox_insert AFTER INSERT ON allergies
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'allergies', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'substance', new.substance,
        'reaction', new.reaction, 'severity', new.severity, 'recorded_by', new.recorded_by,
        'recorded_by_name', new.recorded_by_name, 'removed_by', new.removed_by,
        'removed_reason', new.removed_reason, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER allergies_key_fixed BEFORE UPDATE OF id ON allergies WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;
CREATE TRIGGER allergies_outbox_update AFTER UPDATE OF
    patient_id, substance, reaction, severity, recorded_by, recorded_by_name, removed_by,
    removed_reason, created_at, updated_at, deleted_at
ON allergies
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.substance IS NOT new.substance OR
        old.reaction IS NOT new.reaction OR old.severity IS NOT new.severity OR
        old.recorded_by IS NOT new.recorded_by OR old.recorded_by_name IS NOT new.recorded_by_name OR
        old.removed_by IS NOT new.removed_by OR old.removed_reason IS NOT new.removed_reason OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.deleted_at IS NOT new.deleted_at)
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
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
END;
CREATE TRIGGER allergies_outbox_delete AFTER DELETE ON allergies
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'allergies', old.id, 'delete', '{}', tx_hlc FROM sync_meta;
END;
CREATE TRIGGER problems_outbox_insert AFTER INSERT ON problems
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'problems', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'condition', new.condition, 'onset', new.onset,
        'status', new.status, 'resolved_on', new.resolved_on, 'notes', new.notes,
        'recorded_by', new.recorded_by, 'recorded_by_name', new.recorded_by_name,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER problems_key_fixed BEFORE UPDATE OF id ON problems WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;
CREATE TRIGGER problems_outbox_update AFTER UPDATE OF
    patient_id, condition, onset, status, resolved_on, notes, recorded_by, recorded_by_name,
    created_at, updated_at, deleted_at
ON problems
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.condition IS NOT new.condition OR
        old.onset IS NOT new.onset OR old.status IS NOT new.status OR old.resolved_on IS NOT new.resolved_on OR
        old.notes IS NOT new.notes OR old.recorded_by IS NOT new.recorded_by OR
        old.recorded_by_name IS NOT new.recorded_by_name OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'problems', new.id, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'condition', new.condition WHERE old.condition IS NOT new.condition
        UNION ALL SELECT 'onset', new.onset WHERE old.onset IS NOT new.onset
        UNION ALL SELECT 'status', new.status WHERE old.status IS NOT new.status
        UNION ALL SELECT 'resolved_on', new.resolved_on WHERE old.resolved_on IS NOT new.resolved_on
        UNION ALL SELECT 'notes', new.notes WHERE old.notes IS NOT new.notes
        UNION ALL SELECT 'recorded_by', new.recorded_by WHERE old.recorded_by IS NOT new.recorded_by
        UNION ALL SELECT 'recorded_by_name', new.recorded_by_name WHERE old.recorded_by_name IS NOT new.recorded_by_name
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
END;
CREATE TRIGGER problems_outbox_delete AFTER DELETE ON problems
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'problems', old.id, 'delete', '{}', tx_hlc FROM sync_meta;
END;
CREATE TRIGGER vitals_outbox_insert AFTER INSERT ON vitals
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'vitals', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'taken_at', new.taken_at,
        'systolic', new.systolic, 'diastolic', new.diastolic, 'pulse', new.pulse,
        'temperature_c', new.temperature_c, 'resp_rate', new.resp_rate, 'spo2', new.spo2,
        'weight_kg', new.weight_kg, 'height_cm', new.height_cm, 'recorded_by', new.recorded_by,
        'recorded_by_name', new.recorded_by_name, 'created_at', new.created_at), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER vitals_key_fixed BEFORE UPDATE OF id ON vitals WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;
CREATE TRIGGER vitals_outbox_update AFTER UPDATE OF
    patient_id, taken_at, systolic, diastolic, pulse, temperature_c, resp_rate, spo2, weight_kg,
    height_cm, recorded_by, recorded_by_name, created_at
ON vitals
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.taken_at IS NOT new.taken_at OR
        old.systolic IS NOT new.systolic OR old.diastolic IS NOT new.diastolic OR old.pulse IS NOT new.pulse OR
        old.temperature_c IS NOT new.temperature_c OR old.resp_rate IS NOT new.resp_rate OR
        old.spo2 IS NOT new.spo2 OR old.weight_kg IS NOT new.weight_kg OR old.height_cm IS NOT new.height_cm OR
        old.recorded_by IS NOT new.recorded_by OR old.recorded_by_name IS NOT new.recorded_by_name OR
        old.created_at IS NOT new.created_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'vitals', new.id, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'taken_at', new.taken_at WHERE old.taken_at IS NOT new.taken_at
        UNION ALL SELECT 'systolic', new.systolic WHERE old.systolic IS NOT new.systolic
        UNION ALL SELECT 'diastolic', new.diastolic WHERE old.diastolic IS NOT new.diastolic
        UNION ALL SELECT 'pulse', new.pulse WHERE old.pulse IS NOT new.pulse
        UNION ALL SELECT 'temperature_c', new.temperature_c WHERE old.temperature_c IS NOT new.temperature_c
        UNION ALL SELECT 'resp_rate', new.resp_rate WHERE old.resp_rate IS NOT new.resp_rate
        UNION ALL SELECT 'spo2', new.spo2 WHERE old.spo2 IS NOT new.spo2
        UNION ALL SELECT 'weight_kg', new.weight_kg WHERE old.weight_kg IS NOT new.weight_kg
        UNION ALL SELECT 'height_cm', new.height_cm WHERE old.height_cm IS NOT new.height_cm
        UNION ALL SELECT 'recorded_by', new.recorded_by WHERE old.recorded_by IS NOT new.recorded_by
        UNION ALL SELECT 'recorded_by_name', new.recorded_by_name WHERE old.recorded_by_name IS NOT new.recorded_by_name
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at);
END;
CREATE TRIGGER vitals_outbox_delete AFTER DELETE ON vitals
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'vitals', old.id, 'delete', '{}', tx_hlc FROM sync_meta;
END;
CREATE TRIGGER notes_outbox_insert AFTER INSERT ON notes
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'notes', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'kind', new.kind, 'text', new.text,
        'subjective', new.subjective, 'objective', new.objective, 'assessment', new.assessment,
        'plan', new.plan, 'addendum_to', new.addendum_to, 'author_id', new.author_id,
        'author_name', new.author_name, 'created_at', new.created_at), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER prescriptions_outbox_insert AFTER INSERT ON prescriptions
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'prescriptions', new.id, 'insert', json_object(
        'id', new.id, 'number', new.number, 'patient_id', new.patient_id, 'doctor_id', new.doctor_id,
        'doctor_name', new.doctor_name, 'notes', new.notes, 'allergy_warning', new.allergy_warning,
        'created_at', new.created_at), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER prescription_items_outbox_insert AFTER INSERT ON prescription_items
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'prescription_items', new.id, 'insert', json_object(
        'id', new.id, 'prescription_id', new.prescription_id, 'patient_id', new.patient_id,
        'position', new.position, 'drug', new.drug, 'strength', new.strength, 'dose', new.dose,
        'route', new.route, 'frequency', new.frequency, 'duration', new.duration,
        'quantity', new.quantity, 'instructions', new.instructions), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER prescription_status_events_outbox_insert AFTER INSERT ON prescription_status_events
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'prescription_status_events', new.id, 'insert', json_object(
        'id', new.id, 'prescription_id', new.prescription_id, 'patient_id', new.patient_id,
        'status', new.status, 'reason', new.reason, 'by_user', new.by_user, 'by_name', new.by_name,
        'at', new.at), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER assignments_outbox_insert AFTER INSERT ON assignments
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'assignments', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'doctor_id', new.doctor_id,
        'doctor_name', new.doctor_name, 'reason', new.reason, 'start_date', new.start_date,
        'end_date', new.end_date, 'status', new.status, 'created_by', new.created_by,
        'created_by_name', new.created_by_name, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER assignments_key_fixed BEFORE UPDATE OF id ON assignments WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;
CREATE TRIGGER assignments_outbox_update AFTER UPDATE OF
    patient_id, doctor_id, doctor_name, reason, start_date, end_date, status, created_by,
    created_by_name, created_at, updated_at, deleted_at
ON assignments
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.doctor_id IS NOT new.doctor_id OR
        old.doctor_name IS NOT new.doctor_name OR old.reason IS NOT new.reason OR
        old.start_date IS NOT new.start_date OR old.end_date IS NOT new.end_date OR
        old.status IS NOT new.status OR old.created_by IS NOT new.created_by OR
        old.created_by_name IS NOT new.created_by_name OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'assignments', new.id, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'doctor_id', new.doctor_id WHERE old.doctor_id IS NOT new.doctor_id
        UNION ALL SELECT 'doctor_name', new.doctor_name WHERE old.doctor_name IS NOT new.doctor_name
        UNION ALL SELECT 'reason', new.reason WHERE old.reason IS NOT new.reason
        UNION ALL SELECT 'start_date', new.start_date WHERE old.start_date IS NOT new.start_date
        UNION ALL SELECT 'end_date', new.end_date WHERE old.end_date IS NOT new.end_date
        UNION ALL SELECT 'status', new.status WHERE old.status IS NOT new.status
        UNION ALL SELECT 'created_by', new.created_by WHERE old.created_by IS NOT new.created_by
        UNION ALL SELECT 'created_by_name', new.created_by_name WHERE old.created_by_name IS NOT new.created_by_name
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
END;
CREATE TRIGGER assignments_outbox_delete AFTER DELETE ON assignments
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'assignments', old.id, 'delete', '{}', tx_hlc FROM sync_meta;
END;

-- Reports and their files. A report row changes only by the server's
-- confirmation (server_seq); the file's content is not copied into the
-- outbox (see above).
CREATE TRIGGER reports_outbox_insert AFTER INSERT ON reports
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'reports', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'title', new.title, 'type', new.type,
        'report_date', new.report_date, 'file_name', new.file_name, 'media_type', new.media_type,
        'size', new.size, 'sha256', new.sha256, 'uploaded_by', new.uploaded_by,
        'uploaded_by_name', new.uploaded_by_name, 'created_at', new.created_at,
        'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER report_files_outbox_insert AFTER INSERT ON report_files
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'report_files', new.report_id, 'insert', json_object(
        'report_id', new.report_id), tx_hlc
    FROM sync_meta;
END;

-- Doctors' profiles (editable, with field clocks) and hours.
CREATE TRIGGER doctor_profiles_outbox_insert AFTER INSERT ON doctor_profiles
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'doctor_profiles', new.id, 'insert', json_object(
        'id', new.id, 'user_id', new.user_id, 'specialization', new.specialization, 'room', new.room,
        'fee', new.fee, 'visit_minutes', new.visit_minutes, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER doctor_profiles_key_fixed BEFORE UPDATE OF id ON doctor_profiles WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;
CREATE TRIGGER doctor_profiles_outbox_update AFTER UPDATE OF
    user_id, specialization, room, fee, visit_minutes, created_at, updated_at, deleted_at
ON doctor_profiles
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.user_id IS NOT new.user_id OR old.specialization IS NOT new.specialization OR
        old.room IS NOT new.room OR old.fee IS NOT new.fee OR old.visit_minutes IS NOT new.visit_minutes OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'doctor_profiles', new.id, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
    FROM (SELECT 'user_id' AS field, new.user_id AS value WHERE old.user_id IS NOT new.user_id
        UNION ALL SELECT 'specialization', new.specialization WHERE old.specialization IS NOT new.specialization
        UNION ALL SELECT 'room', new.room WHERE old.room IS NOT new.room
        UNION ALL SELECT 'fee', new.fee WHERE old.fee IS NOT new.fee
        UNION ALL SELECT 'visit_minutes', new.visit_minutes WHERE old.visit_minutes IS NOT new.visit_minutes
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'doctor_profiles', new.id, f.key, m.tx_hlc, m.site_id
    FROM json_each((SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1)) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;
CREATE TRIGGER doctor_profiles_outbox_delete AFTER DELETE ON doctor_profiles
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'doctor_profiles', old.id, 'delete', '{}', tx_hlc FROM sync_meta;
    DELETE FROM field_clock WHERE entity = 'doctor_profiles' AND row_id = old.id;
END;
CREATE TRIGGER availability_outbox_insert AFTER INSERT ON availability
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'availability', new.id, 'insert', json_object(
        'id', new.id, 'doctor_id', new.doctor_id, 'weekday', new.weekday,
        'start_time', new.start_time, 'end_time', new.end_time, 'slot_minutes', new.slot_minutes,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER availability_key_fixed BEFORE UPDATE OF id ON availability WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;
CREATE TRIGGER availability_outbox_update AFTER UPDATE OF
    doctor_id, weekday, start_time, end_time, slot_minutes, created_at, updated_at, deleted_at
ON availability
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.doctor_id IS NOT new.doctor_id OR old.weekday IS NOT new.weekday OR
        old.start_time IS NOT new.start_time OR old.end_time IS NOT new.end_time OR
        old.slot_minutes IS NOT new.slot_minutes OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'availability', new.id, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
    FROM (SELECT 'doctor_id' AS field, new.doctor_id AS value WHERE old.doctor_id IS NOT new.doctor_id
        UNION ALL SELECT 'weekday', new.weekday WHERE old.weekday IS NOT new.weekday
        UNION ALL SELECT 'start_time', new.start_time WHERE old.start_time IS NOT new.start_time
        UNION ALL SELECT 'end_time', new.end_time WHERE old.end_time IS NOT new.end_time
        UNION ALL SELECT 'slot_minutes', new.slot_minutes WHERE old.slot_minutes IS NOT new.slot_minutes
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
END;
CREATE TRIGGER availability_outbox_delete AFTER DELETE ON availability
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'availability', old.id, 'delete', '{}', tx_hlc FROM sync_meta;
END;
CREATE TRIGGER availability_exceptions_outbox_insert AFTER INSERT ON availability_exceptions
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'availability_exceptions', new.id, 'insert', json_object(
        'id', new.id, 'doctor_id', new.doctor_id, 'date', new.date, 'kind', new.kind,
        'start_time', new.start_time, 'end_time', new.end_time, 'slot_minutes', new.slot_minutes,
        'reason', new.reason, 'created_by', new.created_by, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER availability_exceptions_key_fixed BEFORE UPDATE OF id ON availability_exceptions WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;
CREATE TRIGGER availability_exceptions_outbox_update AFTER UPDATE OF
    doctor_id, date, kind, start_time, end_time, slot_minutes, reason, created_by, created_at,
    updated_at, deleted_at
ON availability_exceptions
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.doctor_id IS NOT new.doctor_id OR old.date IS NOT new.date OR old.kind IS NOT new.kind OR
        old.start_time IS NOT new.start_time OR old.end_time IS NOT new.end_time OR
        old.slot_minutes IS NOT new.slot_minutes OR old.reason IS NOT new.reason OR
        old.created_by IS NOT new.created_by OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'availability_exceptions', new.id, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
    FROM (SELECT 'doctor_id' AS field, new.doctor_id AS value WHERE old.doctor_id IS NOT new.doctor_id
        UNION ALL SELECT 'date', new.date WHERE old.date IS NOT new.date
        UNION ALL SELECT 'kind', new.kind WHERE old.kind IS NOT new.kind
        UNION ALL SELECT 'start_time', new.start_time WHERE old.start_time IS NOT new.start_time
        UNION ALL SELECT 'end_time', new.end_time WHERE old.end_time IS NOT new.end_time
        UNION ALL SELECT 'slot_minutes', new.slot_minutes WHERE old.slot_minutes IS NOT new.slot_minutes
        UNION ALL SELECT 'reason', new.reason WHERE old.reason IS NOT new.reason
        UNION ALL SELECT 'created_by', new.created_by WHERE old.created_by IS NOT new.created_by
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
END;
CREATE TRIGGER availability_exceptions_outbox_delete AFTER DELETE ON availability_exceptions
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'availability_exceptions', old.id, 'delete', '{}', tx_hlc FROM sync_meta;
END;

-- Appointments and their status history. The patient's name and number
-- copied into an appointment are kept current by each desk's own
-- appointments_patient_name trigger, so their updates are not sent.
CREATE TRIGGER appointments_outbox_insert AFTER INSERT ON appointments
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'appointments', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'patient_name', new.patient_name,
        'patient_mrn', new.patient_mrn, 'doctor_id', new.doctor_id, 'start_at', new.start_at,
        'end_at', new.end_at, 'status', new.status, 'reason', new.reason,
        'override_reason', new.override_reason, 'cancel_reason', new.cancel_reason,
        'checked_in_at', new.checked_in_at, 'rescheduled_from', new.rescheduled_from,
        'rescheduled_to', new.rescheduled_to, 'created_by', new.created_by,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER appointments_outbox_update AFTER UPDATE OF
    patient_id, doctor_id, start_at, end_at, status, reason, override_reason, cancel_reason,
    checked_in_at, rescheduled_from, rescheduled_to, created_by, created_at, updated_at, deleted_at
ON appointments
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.doctor_id IS NOT new.doctor_id OR
        old.start_at IS NOT new.start_at OR old.end_at IS NOT new.end_at OR old.status IS NOT new.status OR
        old.reason IS NOT new.reason OR old.override_reason IS NOT new.override_reason OR
        old.cancel_reason IS NOT new.cancel_reason OR old.checked_in_at IS NOT new.checked_in_at OR
        old.rescheduled_from IS NOT new.rescheduled_from OR old.rescheduled_to IS NOT new.rescheduled_to OR
        old.created_by IS NOT new.created_by OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'appointments', new.id, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'doctor_id', new.doctor_id WHERE old.doctor_id IS NOT new.doctor_id
        UNION ALL SELECT 'start_at', new.start_at WHERE old.start_at IS NOT new.start_at
        UNION ALL SELECT 'end_at', new.end_at WHERE old.end_at IS NOT new.end_at
        UNION ALL SELECT 'status', new.status WHERE old.status IS NOT new.status
        UNION ALL SELECT 'reason', new.reason WHERE old.reason IS NOT new.reason
        UNION ALL SELECT 'override_reason', new.override_reason WHERE old.override_reason IS NOT new.override_reason
        UNION ALL SELECT 'cancel_reason', new.cancel_reason WHERE old.cancel_reason IS NOT new.cancel_reason
        UNION ALL SELECT 'checked_in_at', new.checked_in_at WHERE old.checked_in_at IS NOT new.checked_in_at
        UNION ALL SELECT 'rescheduled_from', new.rescheduled_from WHERE old.rescheduled_from IS NOT new.rescheduled_from
        UNION ALL SELECT 'rescheduled_to', new.rescheduled_to WHERE old.rescheduled_to IS NOT new.rescheduled_to
        UNION ALL SELECT 'created_by', new.created_by WHERE old.created_by IS NOT new.created_by
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
END;
CREATE TRIGGER appointment_events_outbox_insert AFTER INSERT ON appointment_events
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'appointment_events', new.id, 'insert', json_object(
        'id', new.id, 'appointment_id', new.appointment_id, 'at', new.at,
        'from_status', new.from_status, 'to_status', new.to_status, 'note', new.note,
        'by_user', new.by_user), tx_hlc
    FROM sync_meta;
END;

-- Billing. A payment's allocation is keyed by its payment and invoice.
CREATE TRIGGER price_items_outbox_insert AFTER INSERT ON price_items
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'price_items', new.id, 'insert', json_object(
        'id', new.id, 'code', new.code, 'version', new.version, 'name', new.name, 'kind', new.kind,
        'price', new.price, 'tax_rate', new.tax_rate, 'doctor_id', new.doctor_id,
        'specialization', new.specialization, 'active', new.active, 'valid_from', new.valid_from,
        'created_by', new.created_by, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER invoices_outbox_insert AFTER INSERT ON invoices
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoices', new.id, 'insert', json_object(
        'id', new.id, 'number', new.number, 'patient_id', new.patient_id,
        'patient_name', new.patient_name, 'patient_mrn', new.patient_mrn,
        'appointment_id', new.appointment_id, 'status', new.status, 'currency', new.currency,
        'notes', new.notes, 'issued_at', new.issued_at, 'issued_by', new.issued_by,
        'created_by', new.created_by, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER invoices_key_fixed BEFORE UPDATE OF id ON invoices WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;
CREATE TRIGGER invoices_outbox_update AFTER UPDATE OF
    number, patient_id, patient_name, patient_mrn, appointment_id, status, currency, notes,
    issued_at, issued_by, created_by, created_at, updated_at, deleted_at
ON invoices
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.number IS NOT new.number OR old.patient_id IS NOT new.patient_id OR
        old.patient_name IS NOT new.patient_name OR old.patient_mrn IS NOT new.patient_mrn OR
        old.appointment_id IS NOT new.appointment_id OR old.status IS NOT new.status OR
        old.currency IS NOT new.currency OR old.notes IS NOT new.notes OR old.issued_at IS NOT new.issued_at OR
        old.issued_by IS NOT new.issued_by OR old.created_by IS NOT new.created_by OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoices', new.id, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
    FROM (SELECT 'number' AS field, new.number AS value WHERE old.number IS NOT new.number
        UNION ALL SELECT 'patient_id', new.patient_id WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'patient_name', new.patient_name WHERE old.patient_name IS NOT new.patient_name
        UNION ALL SELECT 'patient_mrn', new.patient_mrn WHERE old.patient_mrn IS NOT new.patient_mrn
        UNION ALL SELECT 'appointment_id', new.appointment_id WHERE old.appointment_id IS NOT new.appointment_id
        UNION ALL SELECT 'status', new.status WHERE old.status IS NOT new.status
        UNION ALL SELECT 'currency', new.currency WHERE old.currency IS NOT new.currency
        UNION ALL SELECT 'notes', new.notes WHERE old.notes IS NOT new.notes
        UNION ALL SELECT 'issued_at', new.issued_at WHERE old.issued_at IS NOT new.issued_at
        UNION ALL SELECT 'issued_by', new.issued_by WHERE old.issued_by IS NOT new.issued_by
        UNION ALL SELECT 'created_by', new.created_by WHERE old.created_by IS NOT new.created_by
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
END;
CREATE TRIGGER invoices_outbox_delete AFTER DELETE ON invoices
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoices', old.id, 'delete', '{}', tx_hlc FROM sync_meta;
END;
CREATE TRIGGER invoice_lines_outbox_insert AFTER INSERT ON invoice_lines
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoice_lines', new.id, 'insert', json_object(
        'id', new.id, 'invoice_id', new.invoice_id, 'position', new.position,
        'price_item_id', new.price_item_id, 'code', new.code, 'description', new.description,
        'kind', new.kind, 'quantity', new.quantity, 'unit_price', new.unit_price,
        'discount_rate', new.discount_rate, 'discount_amount', new.discount_amount,
        'tax_rate', new.tax_rate, 'gross', new.gross, 'discount', new.discount, 'net', new.net,
        'tax', new.tax, 'total', new.total, 'created_at', new.created_at,
        'updated_at', new.updated_at), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER invoice_lines_key_fixed BEFORE UPDATE OF id ON invoice_lines WHEN new.id IS NOT old.id
BEGIN
    SELECT RAISE(ABORT, 'the key of a synced row never changes');
END;
CREATE TRIGGER invoice_lines_outbox_update AFTER UPDATE OF
    invoice_id, position, price_item_id, code, description, kind, quantity, unit_price,
    discount_rate, discount_amount, tax_rate, gross, discount, net, tax, total, created_at,
    updated_at
ON invoice_lines
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.invoice_id IS NOT new.invoice_id OR old.position IS NOT new.position OR
        old.price_item_id IS NOT new.price_item_id OR old.code IS NOT new.code OR
        old.description IS NOT new.description OR old.kind IS NOT new.kind OR
        old.quantity IS NOT new.quantity OR old.unit_price IS NOT new.unit_price OR
        old.discount_rate IS NOT new.discount_rate OR old.discount_amount IS NOT new.discount_amount OR
        old.tax_rate IS NOT new.tax_rate OR old.gross IS NOT new.gross OR old.discount IS NOT new.discount OR
        old.net IS NOT new.net OR old.tax IS NOT new.tax OR old.total IS NOT new.total OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoice_lines', new.id, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
    FROM (SELECT 'invoice_id' AS field, new.invoice_id AS value WHERE old.invoice_id IS NOT new.invoice_id
        UNION ALL SELECT 'position', new.position WHERE old.position IS NOT new.position
        UNION ALL SELECT 'price_item_id', new.price_item_id WHERE old.price_item_id IS NOT new.price_item_id
        UNION ALL SELECT 'code', new.code WHERE old.code IS NOT new.code
        UNION ALL SELECT 'description', new.description WHERE old.description IS NOT new.description
        UNION ALL SELECT 'kind', new.kind WHERE old.kind IS NOT new.kind
        UNION ALL SELECT 'quantity', new.quantity WHERE old.quantity IS NOT new.quantity
        UNION ALL SELECT 'unit_price', new.unit_price WHERE old.unit_price IS NOT new.unit_price
        UNION ALL SELECT 'discount_rate', new.discount_rate WHERE old.discount_rate IS NOT new.discount_rate
        UNION ALL SELECT 'discount_amount', new.discount_amount WHERE old.discount_amount IS NOT new.discount_amount
        UNION ALL SELECT 'tax_rate', new.tax_rate WHERE old.tax_rate IS NOT new.tax_rate
        UNION ALL SELECT 'gross', new.gross WHERE old.gross IS NOT new.gross
        UNION ALL SELECT 'discount', new.discount WHERE old.discount IS NOT new.discount
        UNION ALL SELECT 'net', new.net WHERE old.net IS NOT new.net
        UNION ALL SELECT 'tax', new.tax WHERE old.tax IS NOT new.tax
        UNION ALL SELECT 'total', new.total WHERE old.total IS NOT new.total
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at);
END;
CREATE TRIGGER invoice_lines_outbox_delete AFTER DELETE ON invoice_lines
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoice_lines', old.id, 'delete', '{}', tx_hlc FROM sync_meta;
END;
CREATE TRIGGER credit_notes_outbox_insert AFTER INSERT ON credit_notes
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'credit_notes', new.id, 'insert', json_object(
        'id', new.id, 'number', new.number, 'invoice_id', new.invoice_id, 'amount', new.amount,
        'reason', new.reason, 'created_by', new.created_by, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER payments_outbox_insert AFTER INSERT ON payments
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'payments', new.id, 'insert', json_object(
        'id', new.id, 'receipt_number', new.receipt_number, 'patient_id', new.patient_id,
        'patient_name', new.patient_name, 'patient_mrn', new.patient_mrn, 'method', new.method,
        'amount', new.amount, 'tendered', new.tendered, 'change_given', new.change_given,
        'reference', new.reference, 'currency', new.currency, 'cashier_id', new.cashier_id,
        'cashier_name', new.cashier_name, 'taken_at', new.taken_at, 'reversal_of', new.reversal_of,
        'reason', new.reason, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;
CREATE TRIGGER payment_allocations_outbox_insert AFTER INSERT ON payment_allocations
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'payment_allocations', new.payment_id || '/' || new.invoice_id, 'insert', json_object(
        'payment_id', new.payment_id, 'invoice_id', new.invoice_id, 'amount', new.amount), tx_hlc
    FROM sync_meta;
END;

-- A receipt's PDF is not copied into the outbox (see above).
CREATE TRIGGER receipts_outbox_insert AFTER INSERT ON receipts
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'receipts', new.payment_id, 'insert', json_object(
        'payment_id', new.payment_id, 'data', new.data, 'printed_by', new.printed_by,
        'printed_at', new.printed_at), tx_hlc
    FROM sync_meta;
END;

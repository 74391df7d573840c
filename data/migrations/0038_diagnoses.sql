-- Coded diagnoses. diagnosis_codes is the desk's code lists (the
-- ICD-10-CM starter list the program ships, and the lists an
-- administrator imports); it does not sync: each desk imports the list
-- the clinic uses, and a diagnosis carries its code and the code's title,
-- so that every desk shows it whatever list it holds. diagnosis_code_fts
-- is its search index (the code's letters and digits, and the folded
-- words of the title), written with the codes.
CREATE TABLE diagnosis_codes (
    seq    INTEGER PRIMARY KEY,
    system TEXT NOT NULL CHECK (length(system) BETWEEN 1 AND 40),
    code   TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 16),
    title  TEXT NOT NULL CHECK (length(trim(title)) BETWEEN 1 AND 500),
    UNIQUE (system, code)
) STRICT;

CREATE VIRTUAL TABLE diagnosis_code_fts USING fts5 (
    words, tokenize = "unicode61 remove_diacritics 2", prefix = '1 2 3', content = '', contentless_delete = 1);

-- A diagnosis in a patient's chart: a code (with its title as recorded)
-- and free text, or either alone; note_id when made in a clinical note.
-- Removed in error with a reason (deleted_at), never deleted.
CREATE TABLE diagnoses (
    id               TEXT PRIMARY KEY,
    patient_id       TEXT NOT NULL REFERENCES patients (id),
    note_id          TEXT REFERENCES notes (id),
    visit_id         TEXT,
    code_system      TEXT NOT NULL DEFAULT '' CHECK (length(code_system) <= 40),
    code             TEXT NOT NULL DEFAULT '' CHECK (length(code) <= 16),
    title            TEXT NOT NULL DEFAULT '' CHECK (length(title) <= 500),
    text             TEXT NOT NULL DEFAULT '' CHECK (length(text) <= 1000),
    recorded_by      TEXT NOT NULL REFERENCES users (id),
    recorded_by_name TEXT NOT NULL,
    removed_by       TEXT REFERENCES users (id),
    removed_reason   TEXT NOT NULL DEFAULT '' CHECK (length(removed_reason) <= 500),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT,
    CHECK (code <> '' OR trim(text) <> ''),
    CHECK ((code = '') = (code_system = '')),
    CHECK ((deleted_at IS NULL) = (removed_reason = ''))
) STRICT;

CREATE INDEX diagnoses_patient ON diagnoses (patient_id, created_at, id);
CREATE INDEX diagnoses_code ON diagnoses (code_system, code, created_at) WHERE code <> '';
CREATE INDEX diagnoses_created ON diagnoses (created_at);

CREATE TRIGGER diagnoses_no_delete BEFORE DELETE ON diagnoses
BEGIN
    SELECT RAISE(ABORT, 'a diagnosis is never deleted: remove it with a reason');
END;

CREATE TRIGGER diagnoses_recorded_fixed BEFORE UPDATE OF
    id, patient_id, note_id, visit_id, code_system, code, title, text, recorded_by, recorded_by_name, created_at
ON diagnoses
WHEN new.id IS NOT old.id OR new.patient_id IS NOT old.patient_id OR new.note_id IS NOT old.note_id OR
    new.visit_id IS NOT old.visit_id OR new.code_system IS NOT old.code_system OR new.code IS NOT old.code OR
    new.title IS NOT old.title OR new.text IS NOT old.text OR new.recorded_by IS NOT old.recorded_by OR
    new.recorded_by_name IS NOT old.recorded_by_name OR new.created_at IS NOT old.created_at
BEGIN
    SELECT RAISE(ABORT, 'a recorded diagnosis is not changed: remove it and record another');
END;

CREATE TRIGGER diagnoses_outbox_insert AFTER INSERT ON diagnoses
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'diagnoses', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'note_id', new.note_id, 'visit_id', new.visit_id,
        'code_system', new.code_system, 'code', new.code, 'title', new.title, 'text', new.text,
        'recorded_by', new.recorded_by, 'recorded_by_name', new.recorded_by_name, 'removed_by', new.removed_by,
        'removed_reason', new.removed_reason, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;

CREATE TRIGGER diagnoses_outbox_update AFTER UPDATE OF
    patient_id, note_id, visit_id, code_system, code, title, text, recorded_by, recorded_by_name, removed_by, removed_reason, created_at, updated_at, deleted_at
ON diagnoses
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.note_id IS NOT new.note_id OR old.visit_id IS NOT
        new.visit_id OR old.code_system IS NOT new.code_system OR old.code IS NOT new.code OR old.title IS
        NOT new.title OR old.text IS NOT new.text OR old.recorded_by IS NOT new.recorded_by OR
        old.recorded_by_name IS NOT new.recorded_by_name OR old.removed_by IS NOT new.removed_by OR
        old.removed_reason IS NOT new.removed_reason OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'diagnoses', new.id, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'note_id', new.note_id WHERE old.note_id IS NOT new.note_id
        UNION ALL SELECT 'visit_id', new.visit_id WHERE old.visit_id IS NOT new.visit_id
        UNION ALL SELECT 'code_system', new.code_system WHERE old.code_system IS NOT new.code_system
        UNION ALL SELECT 'code', new.code WHERE old.code IS NOT new.code
        UNION ALL SELECT 'title', new.title WHERE old.title IS NOT new.title
        UNION ALL SELECT 'text', new.text WHERE old.text IS NOT new.text
        UNION ALL SELECT 'recorded_by', new.recorded_by WHERE old.recorded_by IS NOT new.recorded_by
        UNION ALL SELECT 'recorded_by_name', new.recorded_by_name WHERE old.recorded_by_name IS NOT new.recorded_by_name
        UNION ALL SELECT 'removed_by', new.removed_by WHERE old.removed_by IS NOT new.removed_by
        UNION ALL SELECT 'removed_reason', new.removed_reason WHERE old.removed_reason IS NOT new.removed_reason
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
END;

CREATE TRIGGER seal_diagnoses_ins AFTER INSERT ON diagnoses BEGIN SELECT hms_seal('diagnoses', NEW.id); END;
CREATE TRIGGER seal_diagnoses_upd AFTER UPDATE ON diagnoses BEGIN SELECT hms_seal('diagnoses', OLD.id), hms_seal('diagnoses', NEW.id); END;
CREATE TRIGGER seal_diagnoses_del AFTER DELETE ON diagnoses BEGIN SELECT hms_seal('diagnoses', OLD.id); END;

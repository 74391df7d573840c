-- Patient records: the rest of the demographics, archive, search, the
-- change history of each field, and the timeline of everything that
-- happened to a patient.
ALTER TABLE patients ADD COLUMN national_id TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN emergency_contact TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN emergency_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN blood_group TEXT NOT NULL DEFAULT ''
    CHECK (blood_group IN ('', 'A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-'));
ALTER TABLE patients ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN archive_reason TEXT NOT NULL DEFAULT '';
-- search_name: the words of the given and family names folded (lower case,
-- no accents), followed by pair tokens "abc_word" (the first three letters of
-- one word, then another word) for every ordered pair of words, as the
-- search index holds them: a query of two words then walks the short list of
-- its pair instead of intersecting two long lists of common names.
-- phone_digits: the phone's digits only.
ALTER TABLE patients ADD COLUMN search_name TEXT NOT NULL DEFAULT '';
ALTER TABLE patients ADD COLUMN phone_digits TEXT NOT NULL DEFAULT '';
-- activity_seq orders patients by their newest activity: every event takes
-- the next number. It is also the rowid of the patient's search rows, so a
-- search walks the index newest first and stops after a page.
ALTER TABLE patients ADD COLUMN activity_seq INTEGER;
ALTER TABLE patients ADD COLUMN last_activity_at TEXT;

UPDATE patients SET activity_seq = rowid, last_activity_at = created_at,
    search_name = lower(given_name || ' ' || family_name),
    phone_digits = replace(replace(replace(replace(replace(replace(phone, ' ', ''), '+', ''), '-', ''), '(', ''), ')', ''), '.', '');

CREATE UNIQUE INDEX patients_activity ON patients (activity_seq);
CREATE INDEX patients_birth_date ON patients (birth_date);
CREATE INDEX patients_phone_digits ON patients (phone_digits) WHERE phone_digits <> '';

CREATE VIRTUAL TABLE patient_name_fts USING fts5 (
    name, tokenize = "unicode61 remove_diacritics 2 tokenchars '_'", prefix = '1 2 3', content = '', contentless_delete = 1);
CREATE VIRTUAL TABLE patient_number_fts USING fts5 (
    digits, tokenize = 'trigram', content = '', contentless_delete = 1);

INSERT INTO patient_name_fts (rowid, name) SELECT activity_seq, search_name FROM patients;
INSERT INTO patient_number_fts (rowid, digits)
    SELECT activity_seq, phone_digits || ' ' || substr(mrn, -6) FROM patients;

-- The search rows follow the patient row, whatever writes it.
CREATE TRIGGER patients_search_insert AFTER INSERT ON patients
BEGIN
    INSERT INTO patient_name_fts (rowid, name) VALUES (new.activity_seq, new.search_name);
    INSERT INTO patient_number_fts (rowid, digits) VALUES (new.activity_seq, new.phone_digits || ' ' || substr(new.mrn, -6));
END;
CREATE TRIGGER patients_search_update AFTER UPDATE OF activity_seq, search_name, phone_digits ON patients
BEGIN
    DELETE FROM patient_name_fts WHERE rowid = old.activity_seq;
    DELETE FROM patient_number_fts WHERE rowid = old.activity_seq;
    INSERT INTO patient_name_fts (rowid, name) VALUES (new.activity_seq, new.search_name);
    INSERT INTO patient_number_fts (rowid, digits) VALUES (new.activity_seq, new.phone_digits || ' ' || substr(new.mrn, -6));
END;
CREATE TRIGGER patients_search_delete AFTER DELETE ON patients
BEGIN
    DELETE FROM patient_name_fts WHERE rowid = old.activity_seq;
    DELETE FROM patient_number_fts WHERE rowid = old.activity_seq;
END;

-- Who changed which field of a patient's record, from what to what.
-- Append-only.
CREATE TABLE patient_changes (
    id         TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL REFERENCES patients (id),
    at         TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    username   TEXT NOT NULL,
    field      TEXT NOT NULL,
    old_value  TEXT NOT NULL,
    new_value  TEXT NOT NULL
) STRICT;
CREATE INDEX patient_changes_patient ON patient_changes (patient_id, at);

-- The timeline: one row per thing that happened to a patient, written in
-- the same transaction as the thing itself.
CREATE TABLE patient_events (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    patient_id TEXT NOT NULL REFERENCES patients (id),
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    summary    TEXT NOT NULL,
    ref_id     TEXT NOT NULL DEFAULT '',
    by_user    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX patient_events_patient ON patient_events (patient_id, seq);

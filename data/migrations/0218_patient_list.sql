-- The patients' rows in activity order, for the search's result list
-- (issue #18, docs/ARCHITECTURE.md, "Where a read's time goes at a million
-- patients"). The search indexes' rowid is a patient's activity_seq; a
-- search joined each row it found to patients through patients_activity
-- (activity_seq to the table's rowid) and then patients itself: two b-tree
-- lookups per row listed. With another connection committing every few
-- milliseconds, every read starts with an empty page cache and fetches
-- each page again, so at a million patients those lookups were 50 to 60 %
-- of the pages a search read (patients_activity alone 15 to 51 of 134 to
-- 190). patient_list holds the columns the list shows and the search
-- filters on, under activity_seq as its rowid: one lookup per row, in a
-- b-tree whose interior pages hold only integer keys. (A covering index or
-- a WITHOUT ROWID table would carry whole rows in its interior pages too,
-- and read more pages than the two lookups.) Derived from patients by the
-- triggers below, not synced, not sealed: the chart and every write read
-- patients itself; hms verify checks that the two agree.
CREATE TABLE patient_list (
    activity_seq      INTEGER PRIMARY KEY,
    id                TEXT NOT NULL,
    mrn               TEXT NOT NULL,
    given_name        TEXT NOT NULL,
    family_name       TEXT NOT NULL,
    sex               TEXT NOT NULL,
    birth_date        TEXT NOT NULL,
    phone             TEXT NOT NULL,
    email             TEXT NOT NULL,
    address           TEXT NOT NULL,
    national_id       TEXT NOT NULL,
    emergency_contact TEXT NOT NULL,
    emergency_phone   TEXT NOT NULL,
    blood_group       TEXT NOT NULL,
    notes             TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    last_activity_at  TEXT,
    deleted_at        TEXT,
    archive_reason    TEXT NOT NULL,
    merged_into       TEXT NOT NULL,
    language          TEXT,
    search_name       TEXT NOT NULL,
    phone_digits      TEXT NOT NULL
) STRICT;

INSERT INTO patient_list (activity_seq, id, mrn, given_name, family_name, sex, birth_date, phone, email, address,
    national_id, emergency_contact, emergency_phone, blood_group, notes, created_at, updated_at, last_activity_at,
    deleted_at, archive_reason, merged_into, language, search_name, phone_digits)
SELECT activity_seq, id, mrn, given_name, family_name, sex, birth_date, phone, email, address,
    national_id, emergency_contact, emergency_phone, blood_group, notes, created_at, updated_at, last_activity_at,
    deleted_at, archive_reason, merged_into, language, search_name, phone_digits
FROM patients WHERE activity_seq IS NOT NULL ORDER BY activity_seq;

CREATE TRIGGER patient_list_insert AFTER INSERT ON patients WHEN new.activity_seq IS NOT NULL
BEGIN
    INSERT INTO patient_list (activity_seq, id, mrn, given_name, family_name, sex, birth_date, phone, email, address,
        national_id, emergency_contact, emergency_phone, blood_group, notes, created_at, updated_at, last_activity_at,
        deleted_at, archive_reason, merged_into, language, search_name, phone_digits)
    VALUES (new.activity_seq, new.id, new.mrn, new.given_name, new.family_name, new.sex, new.birth_date, new.phone,
        new.email, new.address, new.national_id, new.emergency_contact, new.emergency_phone, new.blood_group,
        new.notes, new.created_at, new.updated_at, new.last_activity_at, new.deleted_at, new.archive_reason,
        new.merged_into, new.language, new.search_name, new.phone_digits);
END;

-- A row that keeps its place is rewritten where it is; one that moves (a
-- new activity_seq) leaves its old place for the new one.
CREATE TRIGGER patient_list_update AFTER UPDATE ON patients
BEGIN
    DELETE FROM patient_list WHERE activity_seq = old.activity_seq AND old.activity_seq IS NOT new.activity_seq;
    UPDATE patient_list SET id = new.id, mrn = new.mrn, given_name = new.given_name, family_name = new.family_name,
        sex = new.sex, birth_date = new.birth_date, phone = new.phone, email = new.email, address = new.address,
        national_id = new.national_id, emergency_contact = new.emergency_contact,
        emergency_phone = new.emergency_phone, blood_group = new.blood_group, notes = new.notes,
        created_at = new.created_at, updated_at = new.updated_at, last_activity_at = new.last_activity_at,
        deleted_at = new.deleted_at, archive_reason = new.archive_reason, merged_into = new.merged_into,
        language = new.language, search_name = new.search_name, phone_digits = new.phone_digits
    WHERE activity_seq = new.activity_seq AND old.activity_seq IS new.activity_seq;
    INSERT INTO patient_list (activity_seq, id, mrn, given_name, family_name, sex, birth_date, phone, email, address,
        national_id, emergency_contact, emergency_phone, blood_group, notes, created_at, updated_at, last_activity_at,
        deleted_at, archive_reason, merged_into, language, search_name, phone_digits)
    SELECT new.activity_seq, new.id, new.mrn, new.given_name, new.family_name, new.sex, new.birth_date, new.phone,
        new.email, new.address, new.national_id, new.emergency_contact, new.emergency_phone, new.blood_group,
        new.notes, new.created_at, new.updated_at, new.last_activity_at, new.deleted_at, new.archive_reason,
        new.merged_into, new.language, new.search_name, new.phone_digits
    WHERE new.activity_seq IS NOT NULL AND old.activity_seq IS NOT new.activity_seq;
END;

CREATE TRIGGER patient_list_delete AFTER DELETE ON patients
BEGIN
    DELETE FROM patient_list WHERE activity_seq = old.activity_seq;
END;

-- The clinical record: allergies, problems, vitals, notes (with addenda),
-- prescriptions (with their items and status events) and doctors'
-- assignments. The service validates every field first; the constraints
-- here are the last line of defence, so that no other writer (a sync, a
-- tool, a bug) can store what the clinic must never see.
--
-- Who recorded a row is kept twice: the account's id, and the person's
-- name as it was then, because a clinical record shows who signed it even
-- after the account is renamed.

-- Allergies are added, never overwritten; a mistaken one is removed with a
-- reason (deleted_at) and stays in the history.
CREATE TABLE allergies (
    id               TEXT PRIMARY KEY,
    patient_id       TEXT NOT NULL REFERENCES patients (id),
    substance        TEXT NOT NULL CHECK (length(trim(substance)) BETWEEN 1 AND 200),
    reaction         TEXT NOT NULL DEFAULT '' CHECK (length(reaction) <= 500),
    severity         TEXT NOT NULL CHECK (severity IN ('mild', 'moderate', 'severe', 'unknown')),
    recorded_by      TEXT NOT NULL REFERENCES users (id),
    recorded_by_name TEXT NOT NULL,
    removed_by       TEXT REFERENCES users (id),
    removed_reason   TEXT NOT NULL DEFAULT '' CHECK (length(removed_reason) <= 500),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT,
    CHECK ((deleted_at IS NULL) = (removed_reason = ''))
) STRICT;
CREATE INDEX allergies_patient ON allergies (patient_id, created_at, id);

-- The problem list / medical history.
CREATE TABLE problems (
    id               TEXT PRIMARY KEY,
    patient_id       TEXT NOT NULL REFERENCES patients (id),
    condition        TEXT NOT NULL CHECK (length(trim(condition)) BETWEEN 1 AND 200),
    onset            TEXT NOT NULL DEFAULT '' CHECK (onset = '' OR onset GLOB '[0-9][0-9][0-9][0-9]'
                         OR onset GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'
                         OR onset GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    status           TEXT NOT NULL CHECK (status IN ('active', 'resolved')),
    resolved_on      TEXT NOT NULL DEFAULT '' CHECK (resolved_on = ''
                         OR resolved_on GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    notes            TEXT NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
    recorded_by      TEXT NOT NULL REFERENCES users (id),
    recorded_by_name TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT,
    CHECK (status = 'resolved' OR resolved_on = '')
) STRICT;
CREATE INDEX problems_patient ON problems (patient_id, created_at, id);

-- Vitals: one set of measurements. NULL is "not measured"; the ranges are
-- what a living person can have, so a typing slip (1200 for 120) is refused.
-- Temperature, weight and height are measurements, not money: REAL.
CREATE TABLE vitals (
    id               TEXT PRIMARY KEY,
    patient_id       TEXT NOT NULL REFERENCES patients (id),
    taken_at         TEXT NOT NULL,
    systolic         INTEGER CHECK (systolic BETWEEN 50 AND 300),
    diastolic        INTEGER CHECK (diastolic BETWEEN 20 AND 200),
    pulse            INTEGER CHECK (pulse BETWEEN 20 AND 300),
    temperature_c    REAL CHECK (temperature_c BETWEEN 30 AND 45),
    resp_rate        INTEGER CHECK (resp_rate BETWEEN 4 AND 80),
    spo2             INTEGER CHECK (spo2 BETWEEN 50 AND 100),
    weight_kg        REAL CHECK (weight_kg BETWEEN 0.3 AND 500),
    height_cm        REAL CHECK (height_cm BETWEEN 20 AND 260),
    recorded_by      TEXT NOT NULL REFERENCES users (id),
    recorded_by_name TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    CHECK ((systolic IS NULL) = (diastolic IS NULL)),
    CHECK (systolic IS NULL OR systolic > diastolic),
    CHECK (coalesce(systolic, pulse, temperature_c, resp_rate, spo2, weight_kg, height_cm) IS NOT NULL)
) STRICT;
CREATE INDEX vitals_patient ON vitals (patient_id, taken_at, id);

-- Clinical and nursing notes. A note is never edited or deleted: a
-- correction is an addendum, a note of its own that points to the note it
-- corrects (one level: an addendum points to a note, not to an addendum).
CREATE TABLE notes (
    id          TEXT PRIMARY KEY,
    patient_id  TEXT NOT NULL REFERENCES patients (id),
    kind        TEXT NOT NULL CHECK (kind IN ('clinical', 'nursing')),
    text        TEXT NOT NULL DEFAULT '' CHECK (length(text) <= 20000),
    subjective  TEXT NOT NULL DEFAULT '' CHECK (length(subjective) <= 20000),
    objective   TEXT NOT NULL DEFAULT '' CHECK (length(objective) <= 20000),
    assessment  TEXT NOT NULL DEFAULT '' CHECK (length(assessment) <= 20000),
    plan        TEXT NOT NULL DEFAULT '' CHECK (length(plan) <= 20000),
    addendum_to TEXT REFERENCES notes (id),
    author_id   TEXT NOT NULL REFERENCES users (id),
    author_name TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CHECK (trim(text || subjective || objective || assessment || plan) <> ''),
    CHECK (addendum_to IS NULL OR addendum_to <> id)
) STRICT;
CREATE INDEX notes_patient ON notes (patient_id, created_at, id);
CREATE INDEX notes_addendum ON notes (addendum_to, created_at) WHERE addendum_to IS NOT NULL;

CREATE TRIGGER notes_addendum_check BEFORE INSERT ON notes
WHEN new.addendum_to IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM notes n WHERE n.id = new.addendum_to AND n.patient_id = new.patient_id AND n.addendum_to IS NULL)
BEGIN
    SELECT RAISE(ABORT, 'an addendum points to a note of the same patient that is not itself an addendum');
END;
CREATE TRIGGER notes_no_update BEFORE UPDATE ON notes
BEGIN
    SELECT RAISE(ABORT, 'notes are never changed: write an addendum');
END;
CREATE TRIGGER notes_no_delete BEFORE DELETE ON notes
BEGIN
    SELECT RAISE(ABORT, 'notes are never deleted: write an addendum');
END;

-- Prescriptions: the row and its items never change once issued. Where a
-- prescription stands is its status events: 'active' when issued, then at
-- most one of 'completed' or 'cancelled' (with a reason).
CREATE TABLE prescriptions (
    id              TEXT PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE CHECK (number GLOB 'RX-*-[0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]*'),
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    doctor_id       TEXT NOT NULL REFERENCES users (id),
    doctor_name     TEXT NOT NULL CHECK (length(trim(doctor_name)) > 0),
    notes           TEXT NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
    allergy_warning TEXT NOT NULL DEFAULT '' CHECK (length(allergy_warning) <= 4000),
    created_at      TEXT NOT NULL
) STRICT;
CREATE INDEX prescriptions_patient ON prescriptions (patient_id, created_at, id);

CREATE TABLE prescription_items (
    id              TEXT PRIMARY KEY,
    prescription_id TEXT NOT NULL REFERENCES prescriptions (id),
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    position        INTEGER NOT NULL CHECK (position BETWEEN 1 AND 20),
    drug            TEXT NOT NULL CHECK (length(trim(drug)) BETWEEN 1 AND 200),
    strength        TEXT NOT NULL DEFAULT '' CHECK (length(strength) <= 100),
    dose            TEXT NOT NULL CHECK (length(trim(dose)) BETWEEN 1 AND 100),
    route           TEXT NOT NULL DEFAULT '' CHECK (length(route) <= 100),
    frequency       TEXT NOT NULL DEFAULT '' CHECK (length(frequency) <= 100),
    duration        TEXT NOT NULL DEFAULT '' CHECK (length(duration) <= 100),
    quantity        TEXT NOT NULL DEFAULT '' CHECK (length(quantity) <= 100),
    instructions    TEXT NOT NULL DEFAULT '' CHECK (length(instructions) <= 1000),
    UNIQUE (prescription_id, position)
) STRICT;
CREATE INDEX prescription_items_patient ON prescription_items (patient_id, prescription_id, position);

CREATE TABLE prescription_status_events (
    id              TEXT PRIMARY KEY,
    prescription_id TEXT NOT NULL REFERENCES prescriptions (id),
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    status          TEXT NOT NULL CHECK (status IN ('active', 'completed', 'cancelled')),
    reason          TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    by_user         TEXT NOT NULL REFERENCES users (id),
    by_name         TEXT NOT NULL,
    at              TEXT NOT NULL,
    CHECK (status <> 'cancelled' OR length(trim(reason)) > 0)
) STRICT;
-- One 'active' event and at most one final one per prescription.
CREATE UNIQUE INDEX prescription_status_issued ON prescription_status_events (prescription_id) WHERE status = 'active';
CREATE UNIQUE INDEX prescription_status_final ON prescription_status_events (prescription_id) WHERE status <> 'active';
CREATE INDEX prescription_status_patient ON prescription_status_events (patient_id);

CREATE TRIGGER prescription_status_order BEFORE INSERT ON prescription_status_events
WHEN new.status <> 'active' AND NOT EXISTS (
    SELECT 1 FROM prescription_status_events e WHERE e.prescription_id = new.prescription_id AND e.status = 'active')
BEGIN
    SELECT RAISE(ABORT, 'a prescription is completed or cancelled only after it was issued');
END;
CREATE TRIGGER prescriptions_no_update BEFORE UPDATE ON prescriptions
BEGIN
    SELECT RAISE(ABORT, 'prescriptions are never changed: cancel and issue a new one');
END;
CREATE TRIGGER prescriptions_no_delete BEFORE DELETE ON prescriptions
BEGIN
    SELECT RAISE(ABORT, 'prescriptions are never deleted: cancel with a reason');
END;
CREATE TRIGGER prescription_items_no_update BEFORE UPDATE ON prescription_items
BEGIN
    SELECT RAISE(ABORT, 'prescriptions are never changed: cancel and issue a new one');
END;
CREATE TRIGGER prescription_items_no_delete BEFORE DELETE ON prescription_items
BEGIN
    SELECT RAISE(ABORT, 'prescriptions are never deleted: cancel with a reason');
END;
CREATE TRIGGER prescription_status_no_update BEFORE UPDATE ON prescription_status_events
BEGIN
    SELECT RAISE(ABORT, 'a prescription''s status history is append-only');
END;
CREATE TRIGGER prescription_status_no_delete BEFORE DELETE ON prescription_status_events
BEGIN
    SELECT RAISE(ABORT, 'a prescription''s status history is append-only');
END;

-- A doctor in charge of a patient's treatment. One active assignment per
-- doctor and patient: a second treatment by the same doctor ends the first.
CREATE TABLE assignments (
    id              TEXT PRIMARY KEY,
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    doctor_id       TEXT NOT NULL REFERENCES users (id),
    doctor_name     TEXT NOT NULL,
    reason          TEXT NOT NULL CHECK (length(trim(reason)) BETWEEN 1 AND 500),
    start_date      TEXT NOT NULL CHECK (start_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    end_date        TEXT NOT NULL DEFAULT '' CHECK (end_date = ''
                        OR (end_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]' AND end_date >= start_date)),
    status          TEXT NOT NULL CHECK (status IN ('active', 'completed', 'cancelled')),
    created_by      TEXT NOT NULL, -- the account's id; '' for the command line
    created_by_name TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    deleted_at      TEXT
) STRICT;
CREATE INDEX assignments_patient ON assignments (patient_id, start_date, created_at);
CREATE INDEX assignments_doctor ON assignments (doctor_id, status);
CREATE UNIQUE INDEX assignments_one_active ON assignments (patient_id, doctor_id) WHERE status = 'active';

-- Appointments: doctors' profiles and hours, and the appointments with
-- their status history.
--
-- Made to sync later (SYNC.md): every row has a UUIDv7 id, created_at,
-- updated_at, a deleted_at tombstone and server_seq. A booking is a
-- request: an appointment's patient, doctor and time never change (moving
-- it cancels it and books a new row that points back), and its status only
-- moves forward, so the shared database's exclusion constraint can decide
-- between desks and a loser becomes 'conflict' without losing anything.
-- Times are UTC text in data.TimeLayout; the clinic's time zone is applied
-- by the code.

CREATE TABLE doctor_profiles (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL UNIQUE REFERENCES users (id),
    specialization TEXT NOT NULL DEFAULT '' CHECK (length(specialization) <= 100),
    -- The specialization folded for search (lower case, no accents).
    search_specialization TEXT NOT NULL DEFAULT '',
    room           TEXT NOT NULL DEFAULT '' CHECK (length(room) <= 50),
    fee            INTEGER NOT NULL DEFAULT 0 CHECK (fee >= 0),
    visit_minutes  INTEGER NOT NULL CHECK (visit_minutes BETWEEN 5 AND 480),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT,
    server_seq     INTEGER
) STRICT;

-- Weekly hours: several blocks a day, in the clinic's wall-clock time.
-- weekday as Go's time.Weekday: 0 is Sunday. Replacing the hours
-- tombstones the old blocks (deleted_at) and adds new ones.
CREATE TABLE availability (
    id           TEXT PRIMARY KEY,
    doctor_id    TEXT NOT NULL REFERENCES users (id),
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_time   TEXT NOT NULL CHECK (start_time GLOB '[0-2][0-9]:[0-5][0-9]'),
    end_time     TEXT NOT NULL CHECK (end_time GLOB '[0-2][0-9]:[0-5][0-9]' AND end_time <= '24:00'),
    slot_minutes INTEGER NOT NULL CHECK (slot_minutes BETWEEN 5 AND 480),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    deleted_at   TEXT,
    server_seq   INTEGER,
    CHECK (start_time < end_time)
) STRICT;
CREATE INDEX availability_doctor ON availability (doctor_id, weekday, start_time) WHERE deleted_at IS NULL;

-- Leave (a whole day when start_time is '') and extra sessions on a date.
CREATE TABLE availability_exceptions (
    id           TEXT PRIMARY KEY,
    doctor_id    TEXT NOT NULL REFERENCES users (id),
    date         TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    kind         TEXT NOT NULL CHECK (kind IN ('leave', 'extra')),
    start_time   TEXT NOT NULL DEFAULT '' CHECK (start_time = '' OR start_time GLOB '[0-2][0-9]:[0-5][0-9]'),
    end_time     TEXT NOT NULL DEFAULT '' CHECK (end_time = '' OR (end_time GLOB '[0-2][0-9]:[0-5][0-9]' AND end_time <= '24:00')),
    slot_minutes INTEGER NOT NULL DEFAULT 0 CHECK (slot_minutes = 0 OR slot_minutes BETWEEN 5 AND 480),
    reason       TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    deleted_at   TEXT,
    server_seq   INTEGER,
    CHECK ((start_time = '') = (end_time = '')),
    CHECK (start_time = '' OR start_time < end_time),
    CHECK (kind = 'leave' OR (start_time <> '' AND slot_minutes > 0))
) STRICT;
CREATE INDEX availability_exceptions_doctor ON availability_exceptions (doctor_id, date) WHERE deleted_at IS NULL;

CREATE TABLE appointments (
    id               TEXT PRIMARY KEY,
    patient_id       TEXT NOT NULL REFERENCES patients (id),
    -- The patient's name and record number, copied here and kept current
    -- by the trigger below, so that a calendar does not look each line up
    -- in a table of a million patients.
    patient_name     TEXT NOT NULL,
    patient_mrn      TEXT NOT NULL,
    doctor_id        TEXT NOT NULL REFERENCES users (id),
    start_at         TEXT NOT NULL CHECK (start_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:00.000Z'),
    end_at           TEXT NOT NULL CHECK (end_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:00.000Z'),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'checked_in', 'completed', 'cancelled', 'no_show', 'conflict')),
    reason           TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    override_reason  TEXT NOT NULL DEFAULT '' CHECK (length(override_reason) <= 500),
    cancel_reason    TEXT NOT NULL DEFAULT '' CHECK (length(cancel_reason) <= 500),
    checked_in_at    TEXT,
    rescheduled_from TEXT REFERENCES appointments (id),
    rescheduled_to   TEXT REFERENCES appointments (id),
    created_by       TEXT NOT NULL DEFAULT '', -- username of whoever booked it
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT,
    server_seq       INTEGER,
    -- app.MaxVisitMinutes: the conflict checks look back this far, no further.
    CHECK (end_at > start_at AND unixepoch(end_at) - unixepoch(start_at) <= 8 * 3600),
    CHECK (status <> 'cancelled' OR cancel_reason <> ''),
    CHECK (status <> 'checked_in' OR checked_in_at IS NOT NULL)
) STRICT;
-- A doctor's day and week, and the conflict check: a start_at range of at
-- most the longest visit before the new one's end.
CREATE INDEX appointments_doctor ON appointments (doctor_id, start_at, id);
-- A patient's appointments, and their conflict check.
CREATE INDEX appointments_patient ON appointments (patient_id, start_at, id);
-- The reception board: every doctor's appointments of a day.
CREATE INDEX appointments_start ON appointments (start_at, id);
-- Sync losers waiting for reception.
CREATE INDEX appointments_conflicts ON appointments (start_at, id) WHERE status = 'conflict';

-- Whom an appointment is for, with whom and when never changes; nor who
-- booked it or what it replaced. What it was replaced by is set once.
CREATE TRIGGER appointments_booking_fixed BEFORE UPDATE ON appointments
WHEN new.id IS NOT old.id OR new.patient_id IS NOT old.patient_id OR new.doctor_id IS NOT old.doctor_id
    OR new.start_at IS NOT old.start_at OR new.end_at IS NOT old.end_at OR new.created_by IS NOT old.created_by
    OR new.created_at IS NOT old.created_at OR new.rescheduled_from IS NOT old.rescheduled_from
    OR new.override_reason IS NOT old.override_reason OR new.reason IS NOT old.reason
    OR (old.rescheduled_to IS NOT NULL AND new.rescheduled_to IS NOT old.rescheduled_to)
    OR (old.checked_in_at IS NOT NULL AND new.checked_in_at IS NOT old.checked_in_at)
BEGIN
    SELECT RAISE(ABORT, 'an appointment''s patient, doctor and time never change: reschedule it instead');
END;

-- A corrected name follows the patient into their appointments.
CREATE TRIGGER appointments_patient_name AFTER UPDATE OF given_name, family_name, mrn ON patients
BEGIN
    UPDATE appointments SET patient_name = trim(new.given_name || ' ' || new.family_name), patient_mrn = new.mrn
    WHERE patient_id = new.id;
END;

-- The status only moves forward, as app.CanTransition says.
CREATE TRIGGER appointments_status_forward BEFORE UPDATE OF status ON appointments
WHEN new.status IS NOT old.status AND NOT (
       (old.status = 'pending' AND new.status IN ('confirmed', 'cancelled', 'conflict'))
    OR (old.status = 'confirmed' AND new.status IN ('checked_in', 'cancelled', 'no_show', 'conflict'))
    OR (old.status = 'checked_in' AND new.status IN ('completed', 'cancelled', 'conflict'))
    OR (old.status = 'conflict' AND new.status = 'cancelled'))
BEGIN
    SELECT RAISE(ABORT, 'an appointment''s status only moves forward');
END;

CREATE TRIGGER appointments_no_delete BEFORE DELETE ON appointments
BEGIN
    SELECT RAISE(ABORT, 'appointments are never deleted: cancel them');
END;

-- The status history: one row per booking and per change. Append-only.
CREATE TABLE appointment_events (
    seq            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    appointment_id TEXT NOT NULL REFERENCES appointments (id),
    at             TEXT NOT NULL,
    from_status    TEXT NOT NULL DEFAULT '' CHECK (from_status IN ('', 'pending', 'confirmed', 'checked_in', 'completed', 'cancelled', 'no_show', 'conflict')),
    to_status      TEXT NOT NULL CHECK (to_status IN ('pending', 'confirmed', 'checked_in', 'completed', 'cancelled', 'no_show', 'conflict')),
    note           TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 600),
    by_user        TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX appointment_events_appointment ON appointment_events (appointment_id, seq);

CREATE TRIGGER appointment_events_no_update BEFORE UPDATE ON appointment_events
BEGIN
    SELECT RAISE(ABORT, 'the appointment history is append-only');
END;
CREATE TRIGGER appointment_events_no_delete BEFORE DELETE ON appointment_events
BEGIN
    SELECT RAISE(ABORT, 'the appointment history is append-only');
END;

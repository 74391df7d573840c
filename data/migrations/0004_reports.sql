-- Medical reports: files (PDF, PNG, JPEG, UTF-8 text) attached to a
-- patient's record. A report and its file never change once attached: the
-- SHA-256 recorded here is checked each time the file is opened, and the
-- triggers below refuse UPDATE and DELETE, so that a file cannot be altered
-- through the application or by a stray statement; a change made by
-- dropping the triggers is caught on open.
CREATE TABLE reports (
    id               TEXT PRIMARY KEY,
    patient_id       TEXT NOT NULL REFERENCES patients (id),
    title            TEXT NOT NULL CHECK (length(trim(title)) BETWEEN 1 AND 200),
    type             TEXT NOT NULL CHECK (type IN ('lab', 'imaging', 'discharge_summary', 'other')),
    report_date      TEXT NOT NULL CHECK (report_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    file_name        TEXT NOT NULL CHECK (length(trim(file_name)) BETWEEN 1 AND 255
                         AND instr(file_name, '/') = 0 AND instr(file_name, '\') = 0),
    media_type       TEXT NOT NULL CHECK (media_type IN ('application/pdf', 'image/png', 'image/jpeg', 'text/plain')),
    size             INTEGER NOT NULL CHECK (size BETWEEN 1 AND 26214400), -- app.MaxReportBytes
    sha256           TEXT NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    -- Who attached it: the account, and the person's name as it was then.
    uploaded_by      TEXT NOT NULL REFERENCES users (id),
    uploaded_by_name TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    deleted_at       TEXT,
    server_seq       INTEGER
) STRICT;
-- A patient's reports, newest report date first.
CREATE INDEX reports_patient ON reports (patient_id, report_date, id);

-- The content, apart from the list's rows so that listing never reads it.
CREATE TABLE report_files (
    report_id TEXT PRIMARY KEY REFERENCES reports (id),
    content   BLOB NOT NULL CHECK (length(content) BETWEEN 1 AND 26214400)
) STRICT;

-- The only change a report row accepts is the server's confirmation of it
-- (server_seq set once, by sync); everything else is refused.
CREATE TRIGGER reports_no_update BEFORE UPDATE ON reports
WHEN old.server_seq IS NOT NULL OR new.server_seq IS NULL
    OR new.id IS NOT old.id OR new.patient_id IS NOT old.patient_id OR new.title IS NOT old.title
    OR new.type IS NOT old.type OR new.report_date IS NOT old.report_date OR new.file_name IS NOT old.file_name
    OR new.media_type IS NOT old.media_type OR new.size IS NOT old.size OR new.sha256 IS NOT old.sha256
    OR new.uploaded_by IS NOT old.uploaded_by OR new.uploaded_by_name IS NOT old.uploaded_by_name
    OR new.created_at IS NOT old.created_at OR new.deleted_at IS NOT old.deleted_at
BEGIN
    SELECT RAISE(ABORT, 'reports are never changed');
END;
CREATE TRIGGER reports_no_delete BEFORE DELETE ON reports
BEGIN
    SELECT RAISE(ABORT, 'reports are never deleted');
END;
CREATE TRIGGER report_files_no_update BEFORE UPDATE ON report_files
BEGIN
    SELECT RAISE(ABORT, 'report files are never changed');
END;
CREATE TRIGGER report_files_no_delete BEFORE DELETE ON report_files
BEGIN
    SELECT RAISE(ABORT, 'report files are never deleted');
END;

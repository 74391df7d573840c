-- audit_log.id was UNIQUE, whose automatic index took an entry, a page of
-- the WAL, from every audited write (issue #18, docs/ARCHITECTURE.md,
-- "Pages per commit"), while no query looks an audit row up by its id:
-- the log is read by seq (its key), by time, user, patient or the few
-- actions audit_log_rare_action holds, and pushed to the server by seq.
-- An id is a fresh UUID that the row's hash covers; the chain, not the
-- index, is what tells an edited or inserted row. SQLite cannot drop a
-- column's constraint, so the table is built again with the same columns
-- in the same order under the same seq, and its indexes and triggers made
-- again as they were. The rows are kept aside in a temporary table, so
-- that the table made again takes the pages the old one freed and the
-- file does not grow by a copy that stays free (each commit would then
-- also write a page of the free list). Nothing refers to the log by a
-- foreign key. No trigger runs for the rows copied: the append-only
-- triggers are dropped with the old table and made again after.
CREATE TEMP TABLE audit_log_0222 AS SELECT seq, id, site_id, at, user_id, username, role, action, entity, entity_id,
    patient_id, outcome, detail, prev_hash, hash, seal FROM audit_log ORDER BY seq;

DROP TABLE audit_log;

CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL,
    site_id    TEXT NOT NULL,
    at         TEXT NOT NULL,
    user_id    TEXT NOT NULL DEFAULT '',
    username   TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL DEFAULT '',
    entity_id  TEXT NOT NULL DEFAULT '',
    patient_id TEXT NOT NULL DEFAULT '',
    outcome    TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
    detail     TEXT NOT NULL DEFAULT '',
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    seal       TEXT NOT NULL DEFAULT ''
) STRICT;

INSERT INTO audit_log (seq, id, site_id, at, user_id, username, role, action, entity, entity_id, patient_id,
        outcome, detail, prev_hash, hash, seal)
    SELECT seq, id, site_id, at, user_id, username, role, action, entity, entity_id, patient_id,
        outcome, detail, prev_hash, hash, seal FROM audit_log_0222 ORDER BY seq;

DROP TABLE audit_log_0222;

CREATE INDEX audit_log_at ON audit_log (at);

CREATE INDEX audit_log_patient ON audit_log (patient_id, seq) WHERE patient_id <> '';

CREATE INDEX audit_log_rare_action ON audit_log (action, seq)
    WHERE action = 'audit.baseline' OR action = 'report.attach' OR action = 'sync.received';

CREATE INDEX audit_log_username ON audit_log (username, seq);

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

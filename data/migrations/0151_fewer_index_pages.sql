-- Fewer pages per commit (docs/ARCHITECTURE.md, "The cost of a payment"):
-- every index a row goes into costs each commit that writes such a row at
-- least one page of the WAL, written and synced. An issue and its payment
-- each write an audit row and a timeline event.
--
-- patient_events (patient_id, seq) is covered by (patient_id, at, seq)
-- (0021): every query by patient (the history, a purge) uses that one.
DROP INDEX patient_events_patient;
-- The audit log is looked up by action only for three rare actions (the
-- baseline's check at every start, and Verify's reading of the reports'
-- hashes); the Audit screen's action filter is a prefix LIKE, which no
-- index serves. Only those actions' rows go into the index now, so an
-- ordinary audit row no longer writes a page of it. The queries name the
-- action as a literal, which is how SQLite sees that the index holds it.
DROP INDEX audit_log_action;
CREATE INDEX audit_log_rare_action ON audit_log (action, seq)
    WHERE action = 'audit.baseline' OR action = 'report.attach' OR action = 'sync.received';

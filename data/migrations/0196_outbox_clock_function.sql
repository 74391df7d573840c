-- The outbox's clock reading comes from hms_tx_hlc(), a function of HMS's
-- connections (data/seal.go) that returns the reading of the connection's
-- write transaction under way, and NULL outside one (data/outbox.go). It
-- was sync_meta.tx_hlc, which each write set as it began and cleared
-- before its commit: two statements per write transaction for a value
-- only that transaction reads.
--
-- Each trigger that read the column is made again with the call in its
-- place, and nothing else changed; the column goes. Generated from the
-- triggers as migration 0195 leaves them by TestOutboxClockMigration
-- (data/outboxclock_test.go); do not edit. A connection without the
-- function (the sqlite3 shell) cannot write a synced table any more, as
-- it could not write an audited one already (hms_seal): docs/SYNC-DESIGN.md.

DROP TRIGGER allergies_outbox_delete;
CREATE TRIGGER allergies_outbox_delete AFTER DELETE ON allergies
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'allergies', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

DROP TRIGGER allergies_outbox_insert;
CREATE TRIGGER allergies_outbox_insert AFTER INSERT ON allergies
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'allergies', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'substance', new.substance,
        'reaction', new.reaction, 'severity', new.severity, 'recorded_by', new.recorded_by,
        'recorded_by_name', new.recorded_by_name, 'removed_by', new.removed_by,
        'removed_reason', new.removed_reason, 'certainty', new.certainty, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER allergies_outbox_update;
CREATE TRIGGER allergies_outbox_update AFTER UPDATE OF
    patient_id, substance, reaction, severity, recorded_by, recorded_by_name, removed_by,
    removed_reason, created_at, updated_at, deleted_at, certainty
ON allergies
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.substance IS NOT new.substance OR
        old.reaction IS NOT new.reaction OR old.severity IS NOT new.severity OR
        old.recorded_by IS NOT new.recorded_by OR old.recorded_by_name IS NOT new.recorded_by_name OR
        old.removed_by IS NOT new.removed_by OR old.removed_reason IS NOT new.removed_reason OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.deleted_at IS NOT new.deleted_at OR old.certainty IS NOT new.certainty)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'allergies', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
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
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at
        UNION ALL SELECT 'certainty', new.certainty WHERE old.certainty IS NOT new.certainty);
END;

DROP TRIGGER allergy_statements_outbox_insert;
CREATE TRIGGER allergy_statements_outbox_insert AFTER INSERT ON allergy_statements
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'allergy_statements', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'statement', new.statement,
        'recorded_by', new.recorded_by, 'recorded_by_name', new.recorded_by_name,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER appointment_events_outbox_insert;
CREATE TRIGGER appointment_events_outbox_insert AFTER INSERT ON appointment_events
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'appointment_events', new.id, 'insert', json_object(
        'id', new.id, 'appointment_id', new.appointment_id, 'at', new.at,
        'from_status', new.from_status, 'to_status', new.to_status, 'note', new.note,
        'by_user', new.by_user), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER appointments_outbox_insert;
CREATE TRIGGER appointments_outbox_insert AFTER INSERT ON appointments
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'appointments', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'patient_name', new.patient_name,
        'patient_mrn', new.patient_mrn, 'doctor_id', new.doctor_id, 'start_at', new.start_at,
        'end_at', new.end_at, 'status', new.status, 'reason', new.reason,
        'override_reason', new.override_reason, 'cancel_reason', new.cancel_reason,
        'checked_in_at', new.checked_in_at, 'rescheduled_from', new.rescheduled_from,
        'rescheduled_to', new.rescheduled_to, 'created_by', new.created_by,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER appointments_outbox_update;
CREATE TRIGGER appointments_outbox_update AFTER UPDATE OF
    patient_id, doctor_id, start_at, end_at, status, reason, override_reason, cancel_reason,
    checked_in_at, rescheduled_from, rescheduled_to, created_by, created_at, updated_at, deleted_at
ON appointments
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.doctor_id IS NOT new.doctor_id OR
        old.start_at IS NOT new.start_at OR old.end_at IS NOT new.end_at OR old.status IS NOT new.status OR
        old.reason IS NOT new.reason OR old.override_reason IS NOT new.override_reason OR
        old.cancel_reason IS NOT new.cancel_reason OR old.checked_in_at IS NOT new.checked_in_at OR
        old.rescheduled_from IS NOT new.rescheduled_from OR old.rescheduled_to IS NOT new.rescheduled_to OR
        old.created_by IS NOT new.created_by OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'appointments', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
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

DROP TRIGGER assignments_outbox_delete;
CREATE TRIGGER assignments_outbox_delete AFTER DELETE ON assignments
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'assignments', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

DROP TRIGGER assignments_outbox_insert;
CREATE TRIGGER assignments_outbox_insert AFTER INSERT ON assignments
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'assignments', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'doctor_id', new.doctor_id,
        'doctor_name', new.doctor_name, 'reason', new.reason, 'start_date', new.start_date,
        'end_date', new.end_date, 'status', new.status, 'created_by', new.created_by,
        'created_by_name', new.created_by_name, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER assignments_outbox_update;
CREATE TRIGGER assignments_outbox_update AFTER UPDATE OF
    patient_id, doctor_id, doctor_name, reason, start_date, end_date, status, created_by,
    created_by_name, created_at, updated_at, deleted_at
ON assignments
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.doctor_id IS NOT new.doctor_id OR
        old.doctor_name IS NOT new.doctor_name OR old.reason IS NOT new.reason OR
        old.start_date IS NOT new.start_date OR old.end_date IS NOT new.end_date OR
        old.status IS NOT new.status OR old.created_by IS NOT new.created_by OR
        old.created_by_name IS NOT new.created_by_name OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'assignments', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
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

DROP TRIGGER availability_exceptions_outbox_delete;
CREATE TRIGGER availability_exceptions_outbox_delete AFTER DELETE ON availability_exceptions
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'availability_exceptions', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

DROP TRIGGER availability_exceptions_outbox_insert;
CREATE TRIGGER availability_exceptions_outbox_insert AFTER INSERT ON availability_exceptions
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'availability_exceptions', new.id, 'insert', json_object(
        'id', new.id, 'doctor_id', new.doctor_id, 'date', new.date, 'kind', new.kind,
        'start_time', new.start_time, 'end_time', new.end_time, 'slot_minutes', new.slot_minutes,
        'reason', new.reason, 'created_by', new.created_by, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER availability_exceptions_outbox_update;
CREATE TRIGGER availability_exceptions_outbox_update AFTER UPDATE OF
    doctor_id, date, kind, start_time, end_time, slot_minutes, reason, created_by, created_at,
    updated_at, deleted_at
ON availability_exceptions
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.doctor_id IS NOT new.doctor_id OR old.date IS NOT new.date OR old.kind IS NOT new.kind OR
        old.start_time IS NOT new.start_time OR old.end_time IS NOT new.end_time OR
        old.slot_minutes IS NOT new.slot_minutes OR old.reason IS NOT new.reason OR
        old.created_by IS NOT new.created_by OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'availability_exceptions', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
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

DROP TRIGGER availability_outbox_delete;
CREATE TRIGGER availability_outbox_delete AFTER DELETE ON availability
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'availability', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

DROP TRIGGER availability_outbox_insert;
CREATE TRIGGER availability_outbox_insert AFTER INSERT ON availability
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'availability', new.id, 'insert', json_object(
        'id', new.id, 'doctor_id', new.doctor_id, 'weekday', new.weekday,
        'start_time', new.start_time, 'end_time', new.end_time, 'slot_minutes', new.slot_minutes,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER availability_outbox_update;
CREATE TRIGGER availability_outbox_update AFTER UPDATE OF
    doctor_id, weekday, start_time, end_time, slot_minutes, created_at, updated_at, deleted_at
ON availability
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.doctor_id IS NOT new.doctor_id OR old.weekday IS NOT new.weekday OR
        old.start_time IS NOT new.start_time OR old.end_time IS NOT new.end_time OR
        old.slot_minutes IS NOT new.slot_minutes OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'availability', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'doctor_id' AS field, new.doctor_id AS value WHERE old.doctor_id IS NOT new.doctor_id
        UNION ALL SELECT 'weekday', new.weekday WHERE old.weekday IS NOT new.weekday
        UNION ALL SELECT 'start_time', new.start_time WHERE old.start_time IS NOT new.start_time
        UNION ALL SELECT 'end_time', new.end_time WHERE old.end_time IS NOT new.end_time
        UNION ALL SELECT 'slot_minutes', new.slot_minutes WHERE old.slot_minutes IS NOT new.slot_minutes
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
END;

DROP TRIGGER cashups_outbox_delete;
CREATE TRIGGER cashups_outbox_delete AFTER DELETE ON cashups
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'cashups', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

DROP TRIGGER cashups_outbox_insert;
CREATE TRIGGER cashups_outbox_insert AFTER INSERT ON cashups
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'cashups', new.id, 'insert', json_object(
        'id', new.id, 'desk', new.desk, 'day', new.day, 'currency', new.currency, 'status', new.status, 'number', new.number, 'opening_float', new.opening_float, 'counts', new.counts, 'counted', new.counted, 'note', new.note, 'frozen', new.frozen, 'payment_ids', new.payment_ids, 'day_start', new.day_start, 'day_end', new.day_end, 'closed_at', new.closed_at, 'closed_by', new.closed_by, 'closed_by_name', new.closed_by_name, 'reopened_at', new.reopened_at, 'reopened_by', new.reopened_by, 'reopened_by_name', new.reopened_by_name, 'reopen_reason', new.reopen_reason, 'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER cashups_outbox_update;
CREATE TRIGGER cashups_outbox_update AFTER UPDATE OF
    desk, day, currency, status, number, opening_float, counts, counted, note, frozen, payment_ids, day_start, day_end, closed_at, closed_by, closed_by_name, reopened_at, reopened_by, reopened_by_name, reopen_reason, created_at, updated_at, deleted_at
ON cashups
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.desk IS NOT new.desk OR old.day IS NOT new.day OR old.currency IS NOT new.currency OR old.status IS NOT new.status OR old.number IS NOT new.number OR old.opening_float IS NOT new.opening_float OR old.counts IS NOT new.counts OR old.counted IS NOT new.counted OR old.note IS NOT new.note OR old.frozen IS NOT new.frozen OR old.payment_ids IS NOT new.payment_ids OR old.day_start IS NOT new.day_start OR old.day_end IS NOT new.day_end OR old.closed_at IS NOT new.closed_at OR old.closed_by IS NOT new.closed_by OR old.closed_by_name IS NOT new.closed_by_name OR old.reopened_at IS NOT new.reopened_at OR old.reopened_by IS NOT new.reopened_by OR old.reopened_by_name IS NOT new.reopened_by_name OR old.reopen_reason IS NOT new.reopen_reason OR old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'cashups', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'desk' AS field, new.desk AS value WHERE old.desk IS NOT new.desk
        UNION ALL SELECT 'day', new.day WHERE old.day IS NOT new.day
        UNION ALL SELECT 'currency', new.currency WHERE old.currency IS NOT new.currency
        UNION ALL SELECT 'status', new.status WHERE old.status IS NOT new.status
        UNION ALL SELECT 'number', new.number WHERE old.number IS NOT new.number
        UNION ALL SELECT 'opening_float', new.opening_float WHERE old.opening_float IS NOT new.opening_float
        UNION ALL SELECT 'counts', new.counts WHERE old.counts IS NOT new.counts
        UNION ALL SELECT 'counted', new.counted WHERE old.counted IS NOT new.counted
        UNION ALL SELECT 'note', new.note WHERE old.note IS NOT new.note
        UNION ALL SELECT 'frozen', new.frozen WHERE old.frozen IS NOT new.frozen
        UNION ALL SELECT 'payment_ids', new.payment_ids WHERE old.payment_ids IS NOT new.payment_ids
        UNION ALL SELECT 'day_start', new.day_start WHERE old.day_start IS NOT new.day_start
        UNION ALL SELECT 'day_end', new.day_end WHERE old.day_end IS NOT new.day_end
        UNION ALL SELECT 'closed_at', new.closed_at WHERE old.closed_at IS NOT new.closed_at
        UNION ALL SELECT 'closed_by', new.closed_by WHERE old.closed_by IS NOT new.closed_by
        UNION ALL SELECT 'closed_by_name', new.closed_by_name WHERE old.closed_by_name IS NOT new.closed_by_name
        UNION ALL SELECT 'reopened_at', new.reopened_at WHERE old.reopened_at IS NOT new.reopened_at
        UNION ALL SELECT 'reopened_by', new.reopened_by WHERE old.reopened_by IS NOT new.reopened_by
        UNION ALL SELECT 'reopened_by_name', new.reopened_by_name WHERE old.reopened_by_name IS NOT new.reopened_by_name
        UNION ALL SELECT 'reopen_reason', new.reopen_reason WHERE old.reopen_reason IS NOT new.reopen_reason
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
END;

DROP TRIGGER credit_notes_outbox_insert;
CREATE TRIGGER credit_notes_outbox_insert AFTER INSERT ON credit_notes
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'credit_notes', new.id, 'insert', json_object(
        'id', new.id, 'number', new.number, 'invoice_id', new.invoice_id, 'amount', new.amount,
        'reason', new.reason, 'created_by', new.created_by, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER diagnoses_outbox_insert;
CREATE TRIGGER diagnoses_outbox_insert AFTER INSERT ON diagnoses
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'diagnoses', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'note_id', new.note_id, 'visit_id', new.visit_id,
        'code_system', new.code_system, 'code', new.code, 'title', new.title, 'text', new.text,
        'recorded_by', new.recorded_by, 'recorded_by_name', new.recorded_by_name, 'removed_by', new.removed_by,
        'removed_reason', new.removed_reason, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER diagnoses_outbox_update;
CREATE TRIGGER diagnoses_outbox_update AFTER UPDATE OF
    patient_id, note_id, visit_id, code_system, code, title, text, recorded_by, recorded_by_name, removed_by, removed_reason, created_at, updated_at, deleted_at
ON diagnoses
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.note_id IS NOT new.note_id OR old.visit_id IS NOT
        new.visit_id OR old.code_system IS NOT new.code_system OR old.code IS NOT new.code OR old.title IS
        NOT new.title OR old.text IS NOT new.text OR old.recorded_by IS NOT new.recorded_by OR
        old.recorded_by_name IS NOT new.recorded_by_name OR old.removed_by IS NOT new.removed_by OR
        old.removed_reason IS NOT new.removed_reason OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'diagnoses', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
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

DROP TRIGGER doctor_consultation_items_outbox_insert;
CREATE TRIGGER doctor_consultation_items_outbox_insert AFTER INSERT ON doctor_consultation_items
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'doctor_consultation_items', new.id, 'insert', json_object(
        'id', new.id, 'user_id', new.user_id, 'price_code', new.price_code,
        'recorded_by', new.recorded_by, 'recorded_by_name', new.recorded_by_name,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at,
        'power_sig', new.power_sig), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER doctor_profiles_outbox_delete;
CREATE TRIGGER doctor_profiles_outbox_delete AFTER DELETE ON doctor_profiles
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'doctor_profiles', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
    DELETE FROM field_clock WHERE entity = 'doctor_profiles' AND row_id = old.id;
END;

DROP TRIGGER doctor_profiles_outbox_insert;
CREATE TRIGGER doctor_profiles_outbox_insert AFTER INSERT ON doctor_profiles
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'doctor_profiles', new.id, 'insert', json_object(
        'id', new.id, 'user_id', new.user_id, 'specialization', new.specialization, 'room', new.room,
        'fee', new.fee, 'visit_minutes', new.visit_minutes, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER doctor_profiles_outbox_update;
CREATE TRIGGER doctor_profiles_outbox_update AFTER UPDATE OF
    user_id, specialization, room, fee, visit_minutes, created_at, updated_at, deleted_at
ON doctor_profiles
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.user_id IS NOT new.user_id OR old.specialization IS NOT new.specialization OR
        old.room IS NOT new.room OR old.fee IS NOT new.fee OR old.visit_minutes IS NOT new.visit_minutes OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'doctor_profiles', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'user_id' AS field, new.user_id AS value WHERE old.user_id IS NOT new.user_id
        UNION ALL SELECT 'specialization', new.specialization WHERE old.specialization IS NOT new.specialization
        UNION ALL SELECT 'room', new.room WHERE old.room IS NOT new.room
        UNION ALL SELECT 'fee', new.fee WHERE old.fee IS NOT new.fee
        UNION ALL SELECT 'visit_minutes', new.visit_minutes WHERE old.visit_minutes IS NOT new.visit_minutes
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'doctor_profiles', new.id, f.key, hms_tx_hlc(), m.site_id
    FROM json_each((SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1)) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;

DROP TRIGGER field_clock_seen_insert;
CREATE TRIGGER field_clock_seen_insert AFTER INSERT ON field_clock
WHEN new.hlc = hms_tx_hlc()
BEGIN
    UPDATE field_clock SET seen = coalesce((
        SELECT CASE WHEN json_type(o.base, '$."' || new.field || '"') = 'array'
            THEN json_extract(o.base, '$."' || new.field || '"') END FROM outbox o
        WHERE o.seq = (SELECT max(seq) FROM outbox) AND o.entity = new.entity AND o.row_id = new.row_id
            AND o.kind = 'update' AND json_valid(o.base)), '[]')
    WHERE entity = new.entity AND row_id = new.row_id AND field = new.field;
END;

DROP TRIGGER field_clock_seen_update;
CREATE TRIGGER field_clock_seen_update AFTER UPDATE OF hlc ON field_clock
WHEN new.hlc = hms_tx_hlc()
BEGIN
    UPDATE field_clock SET seen = coalesce((
        SELECT CASE WHEN json_type(o.base, '$."' || new.field || '"') = 'array'
            THEN json_extract(o.base, '$."' || new.field || '"') END FROM outbox o
        WHERE o.seq = (SELECT max(seq) FROM outbox) AND o.entity = new.entity AND o.row_id = new.row_id
            AND o.kind = 'update' AND json_valid(o.base)), '[]')
    WHERE entity = new.entity AND row_id = new.row_id AND field = new.field;
END;

DROP TRIGGER invoice_lines_outbox_delete;
CREATE TRIGGER invoice_lines_outbox_delete AFTER DELETE ON invoice_lines
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoice_lines', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
    DELETE FROM field_clock WHERE entity = 'invoice_lines' AND row_id = old.id;
END;

DROP TRIGGER invoice_lines_outbox_insert;
CREATE TRIGGER invoice_lines_outbox_insert AFTER INSERT ON invoice_lines
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoice_lines', new.id, 'insert', json_object(
        'id', new.id, 'invoice_id', new.invoice_id, 'position', new.position,
        'price_item_id', new.price_item_id, 'code', new.code, 'description', new.description,
        'kind', new.kind, 'quantity', new.quantity, 'unit_price', new.unit_price,
        'discount_rate', new.discount_rate, 'discount_amount', new.discount_amount,
        'tax_rate', new.tax_rate, 'gross', new.gross, 'discount', new.discount, 'net', new.net,
        'tax', new.tax, 'total', new.total, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'invoice_discount', new.invoice_discount), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER invoice_lines_outbox_update;
CREATE TRIGGER invoice_lines_outbox_update AFTER UPDATE OF
    invoice_id, position, price_item_id, code, description, kind, quantity, unit_price,
    discount_rate, discount_amount, tax_rate, gross, discount, net, tax, total, created_at,
    updated_at, invoice_discount
ON invoice_lines
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.invoice_id IS NOT new.invoice_id OR old.position IS NOT new.position OR
        old.price_item_id IS NOT new.price_item_id OR old.code IS NOT new.code OR
        old.description IS NOT new.description OR old.kind IS NOT new.kind OR
        old.quantity IS NOT new.quantity OR old.unit_price IS NOT new.unit_price OR
        old.discount_rate IS NOT new.discount_rate OR old.discount_amount IS NOT new.discount_amount OR
        old.tax_rate IS NOT new.tax_rate OR old.gross IS NOT new.gross OR old.discount IS NOT new.discount OR
        old.net IS NOT new.net OR old.tax IS NOT new.tax OR old.total IS NOT new.total OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.invoice_discount IS NOT new.invoice_discount)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoice_lines', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'invoice_id' AS field, new.invoice_id AS value WHERE old.invoice_id IS NOT new.invoice_id
        UNION ALL SELECT 'position', new.position WHERE old.position IS NOT new.position
        UNION ALL SELECT 'description', new.description WHERE old.description IS NOT new.description
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT key, value FROM json_each(json_object('price_item_id', new.price_item_id, 'code', new.code,
            'kind', new.kind, 'quantity', new.quantity, 'unit_price', new.unit_price, 'discount_rate', new.discount_rate,
            'discount_amount', new.discount_amount, 'tax_rate', new.tax_rate, 'gross', new.gross, 'discount', new.discount,
            'invoice_discount', new.invoice_discount, 'net', new.net, 'tax', new.tax, 'total', new.total))
        WHERE old.price_item_id IS NOT new.price_item_id OR old.code IS NOT new.code OR old.kind IS NOT new.kind OR
            old.quantity IS NOT new.quantity OR old.unit_price IS NOT new.unit_price OR
            old.discount_rate IS NOT new.discount_rate OR old.discount_amount IS NOT new.discount_amount OR
            old.tax_rate IS NOT new.tax_rate OR old.gross IS NOT new.gross OR old.discount IS NOT new.discount OR
            old.invoice_discount IS NOT new.invoice_discount OR old.net IS NOT new.net OR old.tax IS NOT new.tax OR
            old.total IS NOT new.total);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'invoice_lines', new.id, f.key, hms_tx_hlc(), m.site_id
    FROM json_each((SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1)) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;

DROP TRIGGER invoices_outbox_delete;
CREATE TRIGGER invoices_outbox_delete AFTER DELETE ON invoices
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoices', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

DROP TRIGGER invoices_outbox_insert;
CREATE TRIGGER invoices_outbox_insert AFTER INSERT ON invoices
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoices', new.id, 'insert', json_object(
        'id', new.id, 'number', new.number, 'patient_id', new.patient_id,
        'patient_name', new.patient_name, 'patient_mrn', new.patient_mrn,
        'appointment_id', new.appointment_id, 'status', new.status, 'currency', new.currency,
        'notes', new.notes, 'issued_at', new.issued_at, 'issued_by', new.issued_by,
        'created_by', new.created_by, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at, 'discount_rate', new.discount_rate,
        'discount_amount', new.discount_amount, 'issued_lines', new.issued_lines,
        'issued_with', new.issued_with), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER invoices_outbox_update;
CREATE TRIGGER invoices_outbox_update AFTER UPDATE OF
    number, patient_id, patient_name, patient_mrn, appointment_id, status, currency, notes,
    issued_at, issued_by, created_by, created_at, updated_at, deleted_at, discount_rate, discount_amount, issued_lines, issued_with
ON invoices
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.number IS NOT new.number OR old.patient_id IS NOT new.patient_id OR
        old.patient_name IS NOT new.patient_name OR old.patient_mrn IS NOT new.patient_mrn OR
        old.appointment_id IS NOT new.appointment_id OR old.status IS NOT new.status OR
        old.currency IS NOT new.currency OR old.notes IS NOT new.notes OR old.issued_at IS NOT new.issued_at OR
        old.issued_by IS NOT new.issued_by OR old.created_by IS NOT new.created_by OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.deleted_at IS NOT new.deleted_at OR old.discount_rate IS NOT new.discount_rate OR
        old.discount_amount IS NOT new.discount_amount OR old.issued_lines IS NOT new.issued_lines OR
        old.issued_with IS NOT new.issued_with)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoices', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
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
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at
        UNION ALL SELECT 'discount_rate', new.discount_rate WHERE old.discount_rate IS NOT new.discount_rate
        UNION ALL SELECT 'discount_amount', new.discount_amount WHERE old.discount_amount IS NOT new.discount_amount
        UNION ALL SELECT 'issued_lines', new.issued_lines WHERE old.issued_lines IS NOT new.issued_lines
        UNION ALL SELECT 'issued_with', new.issued_with WHERE old.issued_with IS NOT new.issued_with);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'invoices', new.id, f.key, hms_tx_hlc(), m.site_id
    FROM json_each((SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1)) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;

DROP TRIGGER letters_outbox_insert;
CREATE TRIGGER letters_outbox_insert AFTER INSERT ON letters
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'letters', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'visit_id', new.visit_id, 'kind', new.kind,
        'doctor_id', new.doctor_id, 'doctor_name', new.doctor_name, 'registration_number', new.registration_number,
        'patient_name', new.patient_name, 'patient_mrn', new.patient_mrn, 'patient_birth_date', new.patient_birth_date,
        'date_from', new.date_from, 'date_to', new.date_to, 'recipient', new.recipient, 'body', new.body,
        'text', new.text, 'clinic_name', new.clinic_name, 'clinic_details', new.clinic_details,
        'issued_on', new.issued_on, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at, 'language', new.language), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER local_drugs_outbox_insert;
CREATE TRIGGER local_drugs_outbox_insert AFTER INSERT ON local_drugs
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'local_drugs', new.id, 'insert', json_object(
        'id', new.id, 'kind', new.kind, 'name', new.name, 'substances', new.substances,
        'classes', new.classes, 'forms', new.forms, 'created_by', new.created_by,
        'created_by_name', new.created_by_name, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at, 'power_sig', new.power_sig), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER message_attempts_outbox_insert;
CREATE TRIGGER message_attempts_outbox_insert AFTER INSERT ON message_attempts
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'message_attempts', new.id, 'insert', json_object(
        'id', new.id, 'message_id', new.message_id, 'at', new.at, 'outcome', new.outcome, 'detail', new.detail,
        'reference', new.reference, 'next_at', new.next_at,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER message_consents_outbox_insert;
CREATE TRIGGER message_consents_outbox_insert AFTER INSERT ON message_consents
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'message_consents', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'channel', new.channel, 'given', new.given,
        'recorded_by', new.recorded_by, 'recorded_by_name', new.recorded_by_name,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER message_plans_outbox_insert;
CREATE TRIGGER message_plans_outbox_insert AFTER INSERT ON message_plans
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'message_plans', new.id, 'insert', json_object(
        'id', new.id, 'appointment_id', new.appointment_id, 'patient_id', new.patient_id,
        'appt_start', new.appt_start, 'plan', new.plan, 'origin', new.origin, 'created_by', new.created_by,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER messages_outbox_insert;
CREATE TRIGGER messages_outbox_insert AFTER INSERT ON messages
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'messages', new.id, 'insert', json_object(
        'id', new.id, 'appointment_id', new.appointment_id, 'patient_id', new.patient_id, 'kind', new.kind,
        'channel', new.channel, 'to_address', new.to_address, 'subject', new.subject, 'body', new.body,
        'send_at', new.send_at, 'appt_start', new.appt_start, 'origin', new.origin, 'resend_of', new.resend_of,
        'created_by', new.created_by, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER notes_outbox_insert;
CREATE TRIGGER notes_outbox_insert AFTER INSERT ON notes
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'notes', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'kind', new.kind, 'text', new.text,
        'subjective', new.subjective, 'objective', new.objective, 'assessment', new.assessment,
        'plan', new.plan, 'addendum_to', new.addendum_to, 'author_id', new.author_id,
        'author_name', new.author_name, 'created_at', new.created_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER patient_changes_outbox_delete;
CREATE TRIGGER patient_changes_outbox_delete AFTER DELETE ON patient_changes
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_changes', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

DROP TRIGGER patient_changes_outbox_insert;
CREATE TRIGGER patient_changes_outbox_insert AFTER INSERT ON patient_changes
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_changes', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'at', new.at, 'user_id', new.user_id,
        'username', new.username, 'field', new.field, 'old_value', new.old_value,
        'new_value', new.new_value), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER patient_changes_outbox_update;
CREATE TRIGGER patient_changes_outbox_update AFTER UPDATE OF
    patient_id, at, user_id, username, field, old_value, new_value
ON patient_changes
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.at IS NOT new.at OR old.user_id IS NOT new.user_id OR
        old.username IS NOT new.username OR old.field IS NOT new.field OR old.old_value IS NOT new.old_value OR
        old.new_value IS NOT new.new_value)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_changes', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'at', new.at WHERE old.at IS NOT new.at
        UNION ALL SELECT 'user_id', new.user_id WHERE old.user_id IS NOT new.user_id
        UNION ALL SELECT 'username', new.username WHERE old.username IS NOT new.username
        UNION ALL SELECT 'field', new.field WHERE old.field IS NOT new.field
        UNION ALL SELECT 'old_value', new.old_value WHERE old.old_value IS NOT new.old_value
        UNION ALL SELECT 'new_value', new.new_value WHERE old.new_value IS NOT new.new_value);
END;

DROP TRIGGER patient_duplicates_outbox_insert;
CREATE TRIGGER patient_duplicates_outbox_insert AFTER INSERT ON patient_duplicates
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_duplicates', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'other_id', new.other_id, 'reason', new.reason,
        'detected_at', new.detected_at, 'resolution', new.resolution, 'kept_id', new.kept_id,
        'resolved_at', new.resolved_at, 'resolved_by', new.resolved_by, 'updated_at', new.updated_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER patient_duplicates_outbox_update;
CREATE TRIGGER patient_duplicates_outbox_update AFTER UPDATE OF
    patient_id, other_id, reason, detected_at, resolution, kept_id, resolved_at, resolved_by, updated_at
ON patient_duplicates
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.other_id IS NOT new.other_id OR
        old.reason IS NOT new.reason OR old.detected_at IS NOT new.detected_at OR
        old.resolution IS NOT new.resolution OR old.kept_id IS NOT new.kept_id OR
        old.resolved_at IS NOT new.resolved_at OR old.resolved_by IS NOT new.resolved_by OR
        old.updated_at IS NOT new.updated_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_duplicates', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'other_id', new.other_id WHERE old.other_id IS NOT new.other_id
        UNION ALL SELECT 'reason', new.reason WHERE old.reason IS NOT new.reason
        UNION ALL SELECT 'detected_at', new.detected_at WHERE old.detected_at IS NOT new.detected_at
        UNION ALL SELECT 'resolution', new.resolution WHERE old.resolution IS NOT new.resolution
        UNION ALL SELECT 'kept_id', new.kept_id WHERE old.kept_id IS NOT new.kept_id
        UNION ALL SELECT 'resolved_at', new.resolved_at WHERE old.resolved_at IS NOT new.resolved_at
        UNION ALL SELECT 'resolved_by', new.resolved_by WHERE old.resolved_by IS NOT new.resolved_by
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'patient_duplicates', new.id, f.key, hms_tx_hlc(), m.site_id
    FROM json_each((SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1)) f, sync_meta m
    WHERE f.key NOT IN ('updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;

DROP TRIGGER patient_events_outbox_delete;
CREATE TRIGGER patient_events_outbox_delete AFTER DELETE ON patient_events
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_events', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

DROP TRIGGER patient_events_outbox_insert;
CREATE TRIGGER patient_events_outbox_insert AFTER INSERT ON patient_events
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_events', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'at', new.at, 'kind', new.kind,
        'summary', new.summary, 'ref_id', new.ref_id, 'by_user', new.by_user), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER patient_events_outbox_update;
CREATE TRIGGER patient_events_outbox_update AFTER UPDATE OF
    patient_id, at, kind, summary, ref_id, by_user
ON patient_events
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.at IS NOT new.at OR old.kind IS NOT new.kind OR
        old.summary IS NOT new.summary OR old.ref_id IS NOT new.ref_id OR old.by_user IS NOT new.by_user)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_events', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'at', new.at WHERE old.at IS NOT new.at
        UNION ALL SELECT 'kind', new.kind WHERE old.kind IS NOT new.kind
        UNION ALL SELECT 'summary', new.summary WHERE old.summary IS NOT new.summary
        UNION ALL SELECT 'ref_id', new.ref_id WHERE old.ref_id IS NOT new.ref_id
        UNION ALL SELECT 'by_user', new.by_user WHERE old.by_user IS NOT new.by_user);
END;

DROP TRIGGER patient_purges_outbox_insert;
CREATE TRIGGER patient_purges_outbox_insert AFTER INSERT ON patient_purges
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_purges', new.id, 'insert', json_object(
        'id', new.id, 'purged_patient', new.purged_patient, 'mrn', new.mrn, 'purged_by', new.purged_by,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'power_sig', new.power_sig), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER patients_outbox_delete;
CREATE TRIGGER patients_outbox_delete AFTER DELETE ON patients
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patients', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
    DELETE FROM field_clock WHERE entity = 'patients' AND row_id = old.id;
END;

DROP TRIGGER patients_outbox_insert;
CREATE TRIGGER patients_outbox_insert AFTER INSERT ON patients
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patients', new.id, 'insert', json_object(
        'id', new.id, 'mrn', new.mrn, 'given_name', new.given_name, 'family_name', new.family_name,
        'sex', new.sex, 'birth_date', new.birth_date, 'phone', new.phone, 'email', new.email,
        'address', new.address, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at, 'national_id', new.national_id,
        'emergency_contact', new.emergency_contact, 'emergency_phone', new.emergency_phone,
        'blood_group', new.blood_group, 'notes', new.notes, 'archive_reason', new.archive_reason,
        'language', new.language), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER patients_outbox_update;
CREATE TRIGGER patients_outbox_update AFTER UPDATE OF
    mrn, given_name, family_name, sex, birth_date, phone, email, address, created_at, updated_at,
    deleted_at, national_id, emergency_contact, emergency_phone, blood_group, notes, archive_reason, language
ON patients
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.mrn IS NOT new.mrn OR old.given_name IS NOT new.given_name OR
        old.family_name IS NOT new.family_name OR old.sex IS NOT new.sex OR
        old.birth_date IS NOT new.birth_date OR old.phone IS NOT new.phone OR old.email IS NOT new.email OR
        old.address IS NOT new.address OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at OR
        old.national_id IS NOT new.national_id OR old.emergency_contact IS NOT new.emergency_contact OR
        old.emergency_phone IS NOT new.emergency_phone OR old.blood_group IS NOT new.blood_group OR
        old.notes IS NOT new.notes OR old.archive_reason IS NOT new.archive_reason OR
        old.language IS NOT new.language)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patients', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
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
        UNION ALL SELECT 'archive_reason', new.archive_reason WHERE old.archive_reason IS NOT new.archive_reason
        UNION ALL SELECT 'language', new.language WHERE old.language IS NOT new.language);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'patients', new.id, f.key, hms_tx_hlc(), m.site_id
    FROM json_each((SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1)) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;

DROP TRIGGER payment_allocations_outbox_insert;
CREATE TRIGGER payment_allocations_outbox_insert AFTER INSERT ON payment_allocations
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'payment_allocations', new.payment_id || '/' || new.invoice_id, 'insert', json_object(
        'payment_id', new.payment_id, 'invoice_id', new.invoice_id, 'amount', new.amount), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER payments_outbox_insert;
CREATE TRIGGER payments_outbox_insert AFTER INSERT ON payments
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'payments', new.id, 'insert', json_object(
        'id', new.id, 'receipt_number', new.receipt_number, 'patient_id', new.patient_id,
        'patient_name', new.patient_name, 'patient_mrn', new.patient_mrn, 'method', new.method,
        'amount', new.amount, 'tendered', new.tendered, 'change_given', new.change_given,
        'reference', new.reference, 'currency', new.currency, 'cashier_id', new.cashier_id,
        'cashier_name', new.cashier_name, 'taken_at', new.taken_at, 'reversal_of', new.reversal_of,
        'reason', new.reason, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER power_sigs_outbox_delete;
CREATE TRIGGER power_sigs_outbox_delete AFTER DELETE ON power_sigs
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'power_sigs', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
    DELETE FROM field_clock WHERE entity = 'power_sigs' AND row_id = old.id;
END;

DROP TRIGGER power_sigs_outbox_insert;
CREATE TRIGGER power_sigs_outbox_insert AFTER INSERT ON power_sigs
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'power_sigs', new.id, 'insert', json_object(
        'id', new.id, 'entity', new.entity, 'row_id', new.row_id, 'field', new.field, 'sig', new.sig,
        'updated_at', new.updated_at), hms_tx_hlc()
    FROM sync_meta;
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'power_sigs', new.id, 'sig', hms_tx_hlc(), site_id FROM sync_meta WHERE true
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;

DROP TRIGGER power_sigs_outbox_update;
CREATE TRIGGER power_sigs_outbox_update AFTER UPDATE OF entity, row_id, field, sig, updated_at ON power_sigs
WHEN hms_tx_hlc() IS NOT NULL AND (old.entity IS NOT new.entity OR old.row_id IS NOT new.row_id OR
        old.field IS NOT new.field OR old.sig IS NOT new.sig OR old.updated_at IS NOT new.updated_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'power_sigs', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'entity' AS field, new.entity AS value WHERE old.entity IS NOT new.entity
        UNION ALL SELECT 'row_id', new.row_id WHERE old.row_id IS NOT new.row_id
        UNION ALL SELECT 'field', new.field WHERE old.field IS NOT new.field
        UNION ALL SELECT 'sig', new.sig WHERE old.sig IS NOT new.sig
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'power_sigs', new.id, f.key, hms_tx_hlc(), m.site_id
    FROM json_each((SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1)) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;

DROP TRIGGER prescriber_registrations_outbox_insert;
CREATE TRIGGER prescriber_registrations_outbox_insert AFTER INSERT ON prescriber_registrations
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'prescriber_registrations', new.id, 'insert', json_object(
        'id', new.id, 'user_id', new.user_id, 'registration_number', new.registration_number,
        'recorded_by', new.recorded_by, 'recorded_by_name', new.recorded_by_name,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER prescription_items_outbox_insert;
CREATE TRIGGER prescription_items_outbox_insert AFTER INSERT ON prescription_items
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'prescription_items', new.id, 'insert', json_object(
        'id', new.id, 'prescription_id', new.prescription_id, 'patient_id', new.patient_id,
        'position', new.position, 'drug', new.drug, 'strength', new.strength, 'dose', new.dose,
        'route', new.route, 'frequency', new.frequency, 'duration', new.duration,
        'quantity', new.quantity, 'instructions', new.instructions), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER prescription_status_events_outbox_insert;
CREATE TRIGGER prescription_status_events_outbox_insert AFTER INSERT ON prescription_status_events
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'prescription_status_events', new.id, 'insert', json_object(
        'id', new.id, 'prescription_id', new.prescription_id, 'patient_id', new.patient_id,
        'status', new.status, 'reason', new.reason, 'by_user', new.by_user, 'by_name', new.by_name,
        'at', new.at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER prescriptions_outbox_insert;
CREATE TRIGGER prescriptions_outbox_insert AFTER INSERT ON prescriptions
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'prescriptions', new.id, 'insert', json_object(
        'id', new.id, 'number', new.number, 'patient_id', new.patient_id, 'doctor_id', new.doctor_id,
        'doctor_name', new.doctor_name, 'notes', new.notes, 'allergy_warning', new.allergy_warning,
        'created_at', new.created_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER price_items_outbox_insert;
CREATE TRIGGER price_items_outbox_insert AFTER INSERT ON price_items
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'price_items', new.id, 'insert', json_object(
        'id', new.id, 'code', new.code, 'version', new.version, 'name', new.name, 'kind', new.kind,
        'price', new.price, 'tax_rate', new.tax_rate, 'doctor_id', new.doctor_id,
        'specialization', new.specialization, 'active', new.active, 'valid_from', new.valid_from,
        'created_by', new.created_by, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at, 'power_sig', new.power_sig), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER problems_outbox_delete;
CREATE TRIGGER problems_outbox_delete AFTER DELETE ON problems
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'problems', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

DROP TRIGGER problems_outbox_insert;
CREATE TRIGGER problems_outbox_insert AFTER INSERT ON problems
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'problems', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'condition', new.condition, 'onset', new.onset,
        'status', new.status, 'resolved_on', new.resolved_on, 'notes', new.notes,
        'recorded_by', new.recorded_by, 'recorded_by_name', new.recorded_by_name,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER problems_outbox_update;
CREATE TRIGGER problems_outbox_update AFTER UPDATE OF
    patient_id, condition, onset, status, resolved_on, notes, recorded_by, recorded_by_name,
    created_at, updated_at, deleted_at
ON problems
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.condition IS NOT new.condition OR
        old.onset IS NOT new.onset OR old.status IS NOT new.status OR old.resolved_on IS NOT new.resolved_on OR
        old.notes IS NOT new.notes OR old.recorded_by IS NOT new.recorded_by OR
        old.recorded_by_name IS NOT new.recorded_by_name OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'problems', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
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

DROP TRIGGER queue_calls_outbox_insert;
CREATE TRIGGER queue_calls_outbox_insert AFTER INSERT ON queue_calls
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'queue_calls', new.id, 'insert', json_object(
        'id', new.id, 'appointment_id', new.appointment_id, 'token', new.token, 'room', new.room,
        'doctor_id', new.doctor_id, 'doctor_name', new.doctor_name, 'called_at', new.called_at,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER queue_tokens_outbox_insert;
CREATE TRIGGER queue_tokens_outbox_insert AFTER INSERT ON queue_tokens
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'queue_tokens', new.id, 'insert', json_object(
        'id', new.id, 'appointment_id', new.appointment_id, 'day', new.day, 'desk', new.desk, 'n', new.n,
        'token', new.token, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER receipts_outbox_insert;
CREATE TRIGGER receipts_outbox_insert AFTER INSERT ON receipts
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'receipts', new.payment_id, 'insert', json_object(
        'payment_id', new.payment_id, 'data', new.data, 'printed_by', new.printed_by,
        'printed_at', new.printed_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER report_files_outbox_insert;
CREATE TRIGGER report_files_outbox_insert AFTER INSERT ON report_files
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'report_files', new.report_id, 'insert', json_object(
        'report_id', new.report_id), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER reports_outbox_insert;
CREATE TRIGGER reports_outbox_insert AFTER INSERT ON reports
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'reports', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'title', new.title, 'type', new.type,
        'report_date', new.report_date, 'file_name', new.file_name, 'media_type', new.media_type,
        'size', new.size, 'sha256', new.sha256, 'uploaded_by', new.uploaded_by,
        'uploaded_by_name', new.uploaded_by_name, 'created_at', new.created_at,
        'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER settings_outbox_delete;
CREATE TRIGGER settings_outbox_delete AFTER DELETE ON settings
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'settings', old.key, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
    DELETE FROM field_clock WHERE entity = 'settings' AND row_id = old.key;
END;

DROP TRIGGER settings_outbox_insert;
CREATE TRIGGER settings_outbox_insert AFTER INSERT ON settings
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'settings', new.key, 'insert', json_object(
        'key', new.key, 'value', new.value, 'updated_at', new.updated_at, 'power_sig', new.power_sig), hms_tx_hlc()
    FROM sync_meta;
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'settings', new.key, f.field, hms_tx_hlc(), site_id FROM sync_meta, (SELECT 'value' AS field UNION ALL SELECT 'power_sig') f
    WHERE true
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;

DROP TRIGGER settings_outbox_update;
CREATE TRIGGER settings_outbox_update AFTER UPDATE OF
    value, updated_at, power_sig
ON settings
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.value IS NOT new.value OR old.updated_at IS NOT new.updated_at OR old.power_sig IS NOT new.power_sig)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'settings', new.key, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'value' AS field, new.value AS value WHERE old.value IS NOT new.value
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'power_sig', new.power_sig WHERE old.power_sig IS NOT new.power_sig);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'settings', new.key, f.key, hms_tx_hlc(), m.site_id
    FROM json_each((SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1)) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;

DROP TRIGGER trust_extensions_outbox_insert;
CREATE TRIGGER trust_extensions_outbox_insert AFTER INSERT ON trust_extensions
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'trust_extensions', new.id, 'insert', json_object(
        'id', new.id, 'entries', new.entries, 'signed_by', new.signed_by, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at, 'power_sig', new.power_sig), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER users_outbox_delete;
CREATE TRIGGER users_outbox_delete AFTER DELETE ON users
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'users', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
    DELETE FROM field_clock WHERE entity = 'users' AND row_id = old.id;
END;

DROP TRIGGER users_outbox_insert;
CREATE TRIGGER users_outbox_insert AFTER INSERT ON users
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'users', new.id, 'insert', json_object(
        'id', new.id, 'username', new.username, 'full_name', new.full_name, 'email', new.email,
        'phone', new.phone, 'role', new.role, 'status', new.status,
        'password_hash', new.password_hash, 'must_change_password', new.must_change_password,
        'patient_id', new.patient_id, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at, 'sign_key', new.sign_key, 'sealed_sign_key', new.sealed_sign_key,
        'power_sig', new.power_sig, 'language', new.language), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER users_outbox_update;
CREATE TRIGGER users_outbox_update AFTER UPDATE OF
    username, full_name, email, phone, role, status, password_hash, must_change_password, patient_id,
    created_at, updated_at, deleted_at, sign_key, sealed_sign_key, power_sig, language
ON users
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.username IS NOT new.username OR old.full_name IS NOT new.full_name OR old.email IS NOT new.email OR
        old.phone IS NOT new.phone OR old.role IS NOT new.role OR old.status IS NOT new.status OR
        old.password_hash IS NOT new.password_hash OR
        old.must_change_password IS NOT new.must_change_password OR old.patient_id IS NOT new.patient_id OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.deleted_at IS NOT new.deleted_at OR old.sign_key IS NOT new.sign_key OR
        old.sealed_sign_key IS NOT new.sealed_sign_key OR old.power_sig IS NOT new.power_sig OR
        old.language IS NOT new.language)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'users', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
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
        UNION ALL SELECT 'power_sig', new.power_sig WHERE old.power_sig IS NOT new.power_sig
        UNION ALL SELECT 'language', new.language WHERE old.language IS NOT new.language);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'users', new.id, f.key, hms_tx_hlc(), m.site_id
    FROM json_each((SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1)) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;

DROP TRIGGER visit_records_outbox_insert;
CREATE TRIGGER visit_records_outbox_insert AFTER INSERT ON visit_records
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'visit_records', new.id, 'insert', json_object(
        'id', new.id, 'visit_id', new.visit_id, 'entity', new.entity, 'record_id', new.record_id,
        'created_at', new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER visits_outbox_delete;
CREATE TRIGGER visits_outbox_delete AFTER DELETE ON visits
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'visits', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

DROP TRIGGER visits_outbox_insert;
CREATE TRIGGER visits_outbox_insert AFTER INSERT ON visits
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'visits', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'doctor_id', new.doctor_id, 'doctor_name',
        new.doctor_name, 'appointment_id', new.appointment_id, 'status', new.status, 'started_at',
        new.started_at, 'completed_at', new.completed_at, 'invoice_id', new.invoice_id, 'created_at',
        new.created_at, 'updated_at', new.updated_at, 'deleted_at', new.deleted_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER visits_outbox_update;
CREATE TRIGGER visits_outbox_update AFTER UPDATE OF
    patient_id, doctor_id, doctor_name, appointment_id, status, started_at, completed_at, invoice_id,
    created_at, updated_at, deleted_at
ON visits
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.doctor_id IS NOT new.doctor_id OR old.doctor_name IS NOT
        new.doctor_name OR old.appointment_id IS NOT new.appointment_id OR old.status IS NOT new.status OR
        old.started_at IS NOT new.started_at OR old.completed_at IS NOT new.completed_at OR old.invoice_id
        IS NOT new.invoice_id OR old.created_at IS NOT new.created_at OR old.updated_at IS NOT
        new.updated_at OR old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'visits', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'doctor_id', new.doctor_id WHERE old.doctor_id IS NOT new.doctor_id
        UNION ALL SELECT 'doctor_name', new.doctor_name WHERE old.doctor_name IS NOT new.doctor_name
        UNION ALL SELECT 'appointment_id', new.appointment_id WHERE old.appointment_id IS NOT new.appointment_id
        UNION ALL SELECT 'status', new.status WHERE old.status IS NOT new.status
        UNION ALL SELECT 'started_at', new.started_at WHERE old.started_at IS NOT new.started_at
        UNION ALL SELECT 'completed_at', new.completed_at WHERE old.completed_at IS NOT new.completed_at
        UNION ALL SELECT 'invoice_id', new.invoice_id WHERE old.invoice_id IS NOT new.invoice_id
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
END;

DROP TRIGGER vitals_outbox_delete;
CREATE TRIGGER vitals_outbox_delete AFTER DELETE ON vitals
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'vitals', old.id, 'delete', '{}', hms_tx_hlc() FROM sync_meta;
END;

DROP TRIGGER vitals_outbox_insert;
CREATE TRIGGER vitals_outbox_insert AFTER INSERT ON vitals
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'vitals', new.id, 'insert', json_object(
        'id', new.id, 'patient_id', new.patient_id, 'taken_at', new.taken_at,
        'systolic', new.systolic, 'diastolic', new.diastolic, 'pulse', new.pulse,
        'temperature_c', new.temperature_c, 'resp_rate', new.resp_rate, 'spo2', new.spo2,
        'weight_kg', new.weight_kg, 'height_cm', new.height_cm, 'recorded_by', new.recorded_by,
        'recorded_by_name', new.recorded_by_name, 'created_at', new.created_at), hms_tx_hlc()
    FROM sync_meta;
END;

DROP TRIGGER vitals_outbox_update;
CREATE TRIGGER vitals_outbox_update AFTER UPDATE OF
    patient_id, taken_at, systolic, diastolic, pulse, temperature_c, resp_rate, spo2, weight_kg,
    height_cm, recorded_by, recorded_by_name, created_at
ON vitals
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.taken_at IS NOT new.taken_at OR
        old.systolic IS NOT new.systolic OR old.diastolic IS NOT new.diastolic OR old.pulse IS NOT new.pulse OR
        old.temperature_c IS NOT new.temperature_c OR old.resp_rate IS NOT new.resp_rate OR
        old.spo2 IS NOT new.spo2 OR old.weight_kg IS NOT new.weight_kg OR old.height_cm IS NOT new.height_cm OR
        old.recorded_by IS NOT new.recorded_by OR old.recorded_by_name IS NOT new.recorded_by_name OR
        old.created_at IS NOT new.created_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'vitals', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
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

ALTER TABLE sync_meta DROP COLUMN tx_hlc;

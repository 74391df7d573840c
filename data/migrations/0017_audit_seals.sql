-- Audit seals (docs/AUDIT.md): the head of the audit chain carries a keyed
-- MAC, and every audited write records a hash of the rows it left behind.
--
-- audit_head.mac is HMAC(key, "head|seq|hash"): moving the head back onto
-- an earlier row after cutting rows off the end cannot be done without the
-- key. audit_log.seal is the hash over the audit row's seal rows, which the
-- row's own HMAC covers.
ALTER TABLE audit_log ADD COLUMN seal TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_head ADD COLUMN mac TEXT NOT NULL DEFAULT '';

-- One row per record an audited write touched: the hash of the record's
-- canonical form after the write ('deleted' when it was deleted), under the
-- audit row seq. Appended at the end of the table, in seq order; the index
-- finds each record's latest seal without reading the table (verify walks
-- it in order).
CREATE TABLE audit_seal (
    seq    INTEGER NOT NULL,
    entity TEXT NOT NULL,
    row_id TEXT NOT NULL,
    hash   TEXT NOT NULL
) STRICT;
CREATE INDEX audit_seal_row ON audit_seal (entity, row_id, seq, hash);

CREATE TRIGGER audit_seal_no_update BEFORE UPDATE ON audit_seal
BEGIN
    SELECT RAISE(ABORT, 'the audit seals are append-only');
END;
CREATE TRIGGER audit_seal_no_delete BEFORE DELETE ON audit_seal
BEGIN
    SELECT RAISE(ABORT, 'the audit seals are append-only');
END;

-- Each audited table tells the writing connection which records a
-- transaction touched (hms_seal is a function of HMS's own connections:
-- a tool without it cannot change these tables without dropping the
-- triggers, which verify reports).
CREATE TRIGGER seal_patients_ins AFTER INSERT ON patients BEGIN SELECT hms_seal('patients', NEW.id); END;
CREATE TRIGGER seal_patients_upd AFTER UPDATE ON patients BEGIN SELECT hms_seal('patients', OLD.id), hms_seal('patients', NEW.id); END;
CREATE TRIGGER seal_patients_del AFTER DELETE ON patients BEGIN SELECT hms_seal('patients', OLD.id); END;
CREATE TRIGGER seal_users_ins AFTER INSERT ON users BEGIN SELECT hms_seal('users', NEW.id); END;
CREATE TRIGGER seal_users_upd AFTER UPDATE ON users BEGIN SELECT hms_seal('users', OLD.id), hms_seal('users', NEW.id); END;
CREATE TRIGGER seal_users_del AFTER DELETE ON users BEGIN SELECT hms_seal('users', OLD.id); END;
CREATE TRIGGER seal_settings_ins AFTER INSERT ON settings BEGIN SELECT hms_seal('settings', NEW.key); END;
CREATE TRIGGER seal_settings_upd AFTER UPDATE ON settings BEGIN SELECT hms_seal('settings', OLD.key), hms_seal('settings', NEW.key); END;
CREATE TRIGGER seal_settings_del AFTER DELETE ON settings BEGIN SELECT hms_seal('settings', OLD.key); END;
CREATE TRIGGER seal_patient_changes_ins AFTER INSERT ON patient_changes BEGIN SELECT hms_seal('patient_changes', NEW.id); END;
CREATE TRIGGER seal_patient_changes_upd AFTER UPDATE ON patient_changes BEGIN SELECT hms_seal('patient_changes', OLD.id), hms_seal('patient_changes', NEW.id); END;
CREATE TRIGGER seal_patient_changes_del AFTER DELETE ON patient_changes BEGIN SELECT hms_seal('patient_changes', OLD.id); END;
CREATE TRIGGER seal_patient_events_ins AFTER INSERT ON patient_events BEGIN SELECT hms_seal('patient_events', NEW.id); END;
CREATE TRIGGER seal_patient_events_upd AFTER UPDATE ON patient_events BEGIN SELECT hms_seal('patient_events', OLD.id), hms_seal('patient_events', NEW.id); END;
CREATE TRIGGER seal_patient_events_del AFTER DELETE ON patient_events BEGIN SELECT hms_seal('patient_events', OLD.id); END;
CREATE TRIGGER seal_patient_duplicates_ins AFTER INSERT ON patient_duplicates BEGIN SELECT hms_seal('patient_duplicates', NEW.id); END;
CREATE TRIGGER seal_patient_duplicates_upd AFTER UPDATE ON patient_duplicates BEGIN SELECT hms_seal('patient_duplicates', OLD.id), hms_seal('patient_duplicates', NEW.id); END;
CREATE TRIGGER seal_patient_duplicates_del AFTER DELETE ON patient_duplicates BEGIN SELECT hms_seal('patient_duplicates', OLD.id); END;
CREATE TRIGGER seal_allergies_ins AFTER INSERT ON allergies BEGIN SELECT hms_seal('allergies', NEW.id); END;
CREATE TRIGGER seal_allergies_upd AFTER UPDATE ON allergies BEGIN SELECT hms_seal('allergies', OLD.id), hms_seal('allergies', NEW.id); END;
CREATE TRIGGER seal_allergies_del AFTER DELETE ON allergies BEGIN SELECT hms_seal('allergies', OLD.id); END;
CREATE TRIGGER seal_problems_ins AFTER INSERT ON problems BEGIN SELECT hms_seal('problems', NEW.id); END;
CREATE TRIGGER seal_problems_upd AFTER UPDATE ON problems BEGIN SELECT hms_seal('problems', OLD.id), hms_seal('problems', NEW.id); END;
CREATE TRIGGER seal_problems_del AFTER DELETE ON problems BEGIN SELECT hms_seal('problems', OLD.id); END;
CREATE TRIGGER seal_vitals_ins AFTER INSERT ON vitals BEGIN SELECT hms_seal('vitals', NEW.id); END;
CREATE TRIGGER seal_vitals_upd AFTER UPDATE ON vitals BEGIN SELECT hms_seal('vitals', OLD.id), hms_seal('vitals', NEW.id); END;
CREATE TRIGGER seal_vitals_del AFTER DELETE ON vitals BEGIN SELECT hms_seal('vitals', OLD.id); END;
CREATE TRIGGER seal_notes_ins AFTER INSERT ON notes BEGIN SELECT hms_seal('notes', NEW.id); END;
CREATE TRIGGER seal_notes_upd AFTER UPDATE ON notes BEGIN SELECT hms_seal('notes', OLD.id), hms_seal('notes', NEW.id); END;
CREATE TRIGGER seal_notes_del AFTER DELETE ON notes BEGIN SELECT hms_seal('notes', OLD.id); END;
CREATE TRIGGER seal_prescriptions_ins AFTER INSERT ON prescriptions BEGIN SELECT hms_seal('prescriptions', NEW.id); END;
CREATE TRIGGER seal_prescriptions_upd AFTER UPDATE ON prescriptions BEGIN SELECT hms_seal('prescriptions', OLD.id), hms_seal('prescriptions', NEW.id); END;
CREATE TRIGGER seal_prescriptions_del AFTER DELETE ON prescriptions BEGIN SELECT hms_seal('prescriptions', OLD.id); END;
CREATE TRIGGER seal_prescription_items_ins AFTER INSERT ON prescription_items BEGIN SELECT hms_seal('prescription_items', NEW.id); END;
CREATE TRIGGER seal_prescription_items_upd AFTER UPDATE ON prescription_items BEGIN SELECT hms_seal('prescription_items', OLD.id), hms_seal('prescription_items', NEW.id); END;
CREATE TRIGGER seal_prescription_items_del AFTER DELETE ON prescription_items BEGIN SELECT hms_seal('prescription_items', OLD.id); END;
CREATE TRIGGER seal_prescription_status_events_ins AFTER INSERT ON prescription_status_events BEGIN SELECT hms_seal('prescription_status_events', NEW.id); END;
CREATE TRIGGER seal_prescription_status_events_upd AFTER UPDATE ON prescription_status_events BEGIN SELECT hms_seal('prescription_status_events', OLD.id), hms_seal('prescription_status_events', NEW.id); END;
CREATE TRIGGER seal_prescription_status_events_del AFTER DELETE ON prescription_status_events BEGIN SELECT hms_seal('prescription_status_events', OLD.id); END;
CREATE TRIGGER seal_assignments_ins AFTER INSERT ON assignments BEGIN SELECT hms_seal('assignments', NEW.id); END;
CREATE TRIGGER seal_assignments_upd AFTER UPDATE ON assignments BEGIN SELECT hms_seal('assignments', OLD.id), hms_seal('assignments', NEW.id); END;
CREATE TRIGGER seal_assignments_del AFTER DELETE ON assignments BEGIN SELECT hms_seal('assignments', OLD.id); END;
CREATE TRIGGER seal_reports_ins AFTER INSERT ON reports BEGIN SELECT hms_seal('reports', NEW.id); END;
CREATE TRIGGER seal_reports_upd AFTER UPDATE ON reports BEGIN SELECT hms_seal('reports', OLD.id), hms_seal('reports', NEW.id); END;
CREATE TRIGGER seal_reports_del AFTER DELETE ON reports BEGIN SELECT hms_seal('reports', OLD.id); END;
CREATE TRIGGER seal_report_files_ins AFTER INSERT ON report_files BEGIN SELECT hms_seal('report_files', NEW.report_id); END;
CREATE TRIGGER seal_report_files_upd AFTER UPDATE ON report_files BEGIN SELECT hms_seal('report_files', OLD.report_id), hms_seal('report_files', NEW.report_id); END;
CREATE TRIGGER seal_report_files_del AFTER DELETE ON report_files BEGIN SELECT hms_seal('report_files', OLD.report_id); END;
CREATE TRIGGER seal_doctor_profiles_ins AFTER INSERT ON doctor_profiles BEGIN SELECT hms_seal('doctor_profiles', NEW.id); END;
CREATE TRIGGER seal_doctor_profiles_upd AFTER UPDATE ON doctor_profiles BEGIN SELECT hms_seal('doctor_profiles', OLD.id), hms_seal('doctor_profiles', NEW.id); END;
CREATE TRIGGER seal_doctor_profiles_del AFTER DELETE ON doctor_profiles BEGIN SELECT hms_seal('doctor_profiles', OLD.id); END;
CREATE TRIGGER seal_availability_ins AFTER INSERT ON availability BEGIN SELECT hms_seal('availability', NEW.id); END;
CREATE TRIGGER seal_availability_upd AFTER UPDATE ON availability BEGIN SELECT hms_seal('availability', OLD.id), hms_seal('availability', NEW.id); END;
CREATE TRIGGER seal_availability_del AFTER DELETE ON availability BEGIN SELECT hms_seal('availability', OLD.id); END;
CREATE TRIGGER seal_availability_exceptions_ins AFTER INSERT ON availability_exceptions BEGIN SELECT hms_seal('availability_exceptions', NEW.id); END;
CREATE TRIGGER seal_availability_exceptions_upd AFTER UPDATE ON availability_exceptions BEGIN SELECT hms_seal('availability_exceptions', OLD.id), hms_seal('availability_exceptions', NEW.id); END;
CREATE TRIGGER seal_availability_exceptions_del AFTER DELETE ON availability_exceptions BEGIN SELECT hms_seal('availability_exceptions', OLD.id); END;
CREATE TRIGGER seal_appointments_ins AFTER INSERT ON appointments BEGIN SELECT hms_seal('appointments', NEW.id); END;
CREATE TRIGGER seal_appointments_upd AFTER UPDATE ON appointments BEGIN SELECT hms_seal('appointments', OLD.id), hms_seal('appointments', NEW.id); END;
CREATE TRIGGER seal_appointments_del AFTER DELETE ON appointments BEGIN SELECT hms_seal('appointments', OLD.id); END;
CREATE TRIGGER seal_appointment_events_ins AFTER INSERT ON appointment_events BEGIN SELECT hms_seal('appointment_events', NEW.id); END;
CREATE TRIGGER seal_appointment_events_upd AFTER UPDATE ON appointment_events BEGIN SELECT hms_seal('appointment_events', OLD.id), hms_seal('appointment_events', NEW.id); END;
CREATE TRIGGER seal_appointment_events_del AFTER DELETE ON appointment_events BEGIN SELECT hms_seal('appointment_events', OLD.id); END;
CREATE TRIGGER seal_price_items_ins AFTER INSERT ON price_items BEGIN SELECT hms_seal('price_items', NEW.id); END;
CREATE TRIGGER seal_price_items_upd AFTER UPDATE ON price_items BEGIN SELECT hms_seal('price_items', OLD.id), hms_seal('price_items', NEW.id); END;
CREATE TRIGGER seal_price_items_del AFTER DELETE ON price_items BEGIN SELECT hms_seal('price_items', OLD.id); END;
CREATE TRIGGER seal_invoices_ins AFTER INSERT ON invoices BEGIN SELECT hms_seal('invoices', NEW.id); END;
CREATE TRIGGER seal_invoices_upd AFTER UPDATE ON invoices BEGIN SELECT hms_seal('invoices', OLD.id), hms_seal('invoices', NEW.id); END;
CREATE TRIGGER seal_invoices_del AFTER DELETE ON invoices BEGIN SELECT hms_seal('invoices', OLD.id); END;
CREATE TRIGGER seal_invoice_lines_ins AFTER INSERT ON invoice_lines BEGIN SELECT hms_seal('invoice_lines', NEW.id); END;
CREATE TRIGGER seal_invoice_lines_upd AFTER UPDATE ON invoice_lines BEGIN SELECT hms_seal('invoice_lines', OLD.id), hms_seal('invoice_lines', NEW.id); END;
CREATE TRIGGER seal_invoice_lines_del AFTER DELETE ON invoice_lines BEGIN SELECT hms_seal('invoice_lines', OLD.id); END;
CREATE TRIGGER seal_credit_notes_ins AFTER INSERT ON credit_notes BEGIN SELECT hms_seal('credit_notes', NEW.id); END;
CREATE TRIGGER seal_credit_notes_upd AFTER UPDATE ON credit_notes BEGIN SELECT hms_seal('credit_notes', OLD.id), hms_seal('credit_notes', NEW.id); END;
CREATE TRIGGER seal_credit_notes_del AFTER DELETE ON credit_notes BEGIN SELECT hms_seal('credit_notes', OLD.id); END;
CREATE TRIGGER seal_payments_ins AFTER INSERT ON payments BEGIN SELECT hms_seal('payments', NEW.id); END;
CREATE TRIGGER seal_payments_upd AFTER UPDATE ON payments BEGIN SELECT hms_seal('payments', OLD.id), hms_seal('payments', NEW.id); END;
CREATE TRIGGER seal_payments_del AFTER DELETE ON payments BEGIN SELECT hms_seal('payments', OLD.id); END;
CREATE TRIGGER seal_payment_allocations_ins AFTER INSERT ON payment_allocations BEGIN SELECT hms_seal('payment_allocations', NEW.payment_id || '/' || NEW.invoice_id); END;
CREATE TRIGGER seal_payment_allocations_upd AFTER UPDATE ON payment_allocations BEGIN SELECT hms_seal('payment_allocations', OLD.payment_id || '/' || OLD.invoice_id), hms_seal('payment_allocations', NEW.payment_id || '/' || NEW.invoice_id); END;
CREATE TRIGGER seal_payment_allocations_del AFTER DELETE ON payment_allocations BEGIN SELECT hms_seal('payment_allocations', OLD.payment_id || '/' || OLD.invoice_id); END;
CREATE TRIGGER seal_receipts_ins AFTER INSERT ON receipts BEGIN SELECT hms_seal('receipts', NEW.payment_id); END;
CREATE TRIGGER seal_receipts_upd AFTER UPDATE ON receipts BEGIN SELECT hms_seal('receipts', OLD.payment_id), hms_seal('receipts', NEW.payment_id); END;
CREATE TRIGGER seal_receipts_del AFTER DELETE ON receipts BEGIN SELECT hms_seal('receipts', OLD.payment_id); END;

-- An issued invoice holds the lines it was issued with (issue #21;
-- docs/SYNC-DESIGN.md, "A line added to a draft another desk issues").
-- Issuing records them: issued_lines, the ids of the invoice's lines as the
-- issuing desk had them (a JSON array; NULL for a draft, and for an invoice
-- issued before this version). A line added on another desk that had not
-- seen the issue (apart, at the same time) is a late line: no desk attaches
-- it to the issued invoice (data/sync keeps it aside until it moves), and
-- the desk that added it moves it to a new draft of the same patient, the
-- one change of a line's invoice a desk makes.
ALTER TABLE invoices ADD COLUMN issued_lines TEXT CHECK (issued_lines IS NULL OR json_valid(issued_lines));

DROP TRIGGER invoices_outbox_insert;
DROP TRIGGER invoices_outbox_update;

CREATE TRIGGER invoices_outbox_insert AFTER INSERT ON invoices
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoices', new.id, 'insert', json_object(
        'id', new.id, 'number', new.number, 'patient_id', new.patient_id,
        'patient_name', new.patient_name, 'patient_mrn', new.patient_mrn,
        'appointment_id', new.appointment_id, 'status', new.status, 'currency', new.currency,
        'notes', new.notes, 'issued_at', new.issued_at, 'issued_by', new.issued_by,
        'created_by', new.created_by, 'created_at', new.created_at, 'updated_at', new.updated_at,
        'deleted_at', new.deleted_at, 'discount_rate', new.discount_rate,
        'discount_amount', new.discount_amount, 'issued_lines', new.issued_lines), tx_hlc
    FROM sync_meta;
END;

CREATE TRIGGER invoices_outbox_update AFTER UPDATE OF
    number, patient_id, patient_name, patient_mrn, appointment_id, status, currency, notes,
    issued_at, issued_by, created_by, created_at, updated_at, deleted_at, discount_rate, discount_amount, issued_lines
ON invoices
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.number IS NOT new.number OR old.patient_id IS NOT new.patient_id OR
        old.patient_name IS NOT new.patient_name OR old.patient_mrn IS NOT new.patient_mrn OR
        old.appointment_id IS NOT new.appointment_id OR old.status IS NOT new.status OR
        old.currency IS NOT new.currency OR old.notes IS NOT new.notes OR old.issued_at IS NOT new.issued_at OR
        old.issued_by IS NOT new.issued_by OR old.created_by IS NOT new.created_by OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.deleted_at IS NOT new.deleted_at OR old.discount_rate IS NOT new.discount_rate OR
        old.discount_amount IS NOT new.discount_amount OR old.issued_lines IS NOT new.issued_lines)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoices', new.id, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
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
        UNION ALL SELECT 'issued_lines', new.issued_lines WHERE old.issued_lines IS NOT new.issued_lines);
END;

DROP TRIGGER invoice_lines_update_draft;
CREATE TRIGGER invoice_lines_update_draft BEFORE UPDATE ON invoice_lines
WHEN ((SELECT status FROM invoices WHERE id = old.invoice_id) IS NOT 'draft'
    OR new.invoice_id IS NOT old.invoice_id)
    AND (SELECT applying FROM sync_meta) = 0
    AND NOT (new.invoice_id IS NOT old.invoice_id
        AND (SELECT status FROM invoices WHERE id = new.invoice_id) IS 'draft'
        AND (SELECT issued_lines FROM invoices WHERE id = old.invoice_id) IS NOT NULL
        AND old.id NOT IN (SELECT value FROM json_each((SELECT issued_lines FROM invoices WHERE id = old.invoice_id))))
BEGIN
    SELECT RAISE(ABORT, 'the lines of an issued invoice are never changed');
END;

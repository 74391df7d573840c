-- An issued invoice holds its lines as it was issued with them (issue #21;
-- docs/SYNC-DESIGN.md, "A line changed or removed while another desk
-- issues"). issued_lines (0165) names the lines; issued_with keeps each of
-- them whole, as the issuing desk had it: a JSON object of line id to the
-- line's synced columns (NULL for a draft, and for an invoice issued
-- before this version). A line changed or removed on another desk that
-- had not seen the issue (apart, at the same time) does not change the
-- issued invoice on any desk: data/sync keeps the issued line, and lists
-- the change for review.
ALTER TABLE invoices ADD COLUMN issued_with TEXT CHECK (issued_with IS NULL OR json_valid(issued_with));

DROP TRIGGER invoices_outbox_insert;
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
        'discount_amount', new.discount_amount, 'issued_lines', new.issued_lines,
        'issued_with', new.issued_with), tx_hlc
    FROM sync_meta;
END;

DROP TRIGGER invoices_outbox_update;
CREATE TRIGGER invoices_outbox_update AFTER UPDATE OF
    number, patient_id, patient_name, patient_mrn, appointment_id, status, currency, notes,
    issued_at, issued_by, created_by, created_at, updated_at, deleted_at, discount_rate, discount_amount, issued_lines, issued_with
ON invoices
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
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
        UNION ALL SELECT 'issued_lines', new.issued_lines WHERE old.issued_lines IS NOT new.issued_lines
        UNION ALL SELECT 'issued_with', new.issued_with WHERE old.issued_with IS NOT new.issued_with);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'invoices', new.id, f.key, m.tx_hlc, m.site_id
    FROM json_each((SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1)) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;

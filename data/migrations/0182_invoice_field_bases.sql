-- An invoice's own fields keep clocks and bases like its lines (0164) and
-- patients' fields (issue #21; docs/SYNC-DESIGN.md, "What an edit saw").
-- A draft's discount set on two desks apart lost without review when the
-- older change reached the server first: the desks sent no base for an
-- invoice's change. Each update of an invoice now sets field_clock for the
-- fields it changed, and the pull merges an invoice field by field by
-- those clocks (data.SyncedTable.Editable). The outbox row of a change
-- carries the lineage of the fields staff edit (notes and the invoice
-- discount), so the server keeps whichever value lost, in either order,
-- for review on every desk. The fields that follow the invoice's life
-- (status, number, issue, issued lines) send none: the server takes them
-- as seen, as before, and decides them by their own rules (a payment
-- racing another is a billing problem, not a value to take back).

DROP TRIGGER outbox_edit_base;
CREATE TRIGGER outbox_edit_base AFTER INSERT ON outbox
WHEN new.kind = 'update' AND new.base = ''
    AND new.entity IN ('patients', 'users', 'settings', 'patient_duplicates', 'doctor_profiles', 'invoice_lines', 'invoices')
BEGIN
    UPDATE outbox SET base = (
        SELECT json_group_object(f.key, json(CASE
            WHEN c.hlc IS NULL THEN '[""]'
            WHEN c.seen = '[]' THEN json_array(c.hlc)
            ELSE json_remove('[' || json_quote(c.hlc) || ',' || substr(c.seen, 2), '$[16]') END))
        FROM json_each(new.payload) f
        LEFT JOIN field_clock c ON c.entity = new.entity AND c.row_id = new.row_id AND c.field = f.key
        WHERE f.key NOT IN ('created_at', 'updated_at')
            AND (new.entity <> 'invoices' OR f.key IN ('notes', 'discount_rate', 'discount_amount')))
    WHERE seq = new.seq;
END;

DROP TRIGGER invoices_outbox_update;
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
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id)
    SELECT 'invoices', new.id, f.key, m.tx_hlc, m.site_id
    FROM json_each((SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1)) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;

-- Deleted with its invoice (a draft thrown away).
CREATE TRIGGER invoices_field_clock_delete AFTER DELETE ON invoices
BEGIN
    DELETE FROM field_clock WHERE entity = 'invoices' AND row_id = old.id;
END;

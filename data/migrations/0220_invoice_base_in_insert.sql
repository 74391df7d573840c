-- An invoice's update writes its outbox row with its base (issue #18,
-- docs/ARCHITECTURE.md, "The cost of a payment"). The base (the lineage
-- of each field the edit sets whose conflicts the server decides by field:
-- for invoices only notes, discount_rate and discount_amount, migration
-- 0182) was added by outbox_edit_base, a trigger on the outbox that runs
-- an UPDATE of the row just inserted, reading its payload again with
-- json_each: at every issue and every payment, whose updates set none of
-- those fields and so always got '{}'. invoices_outbox_update now writes
-- the same base in its INSERT, from the same field clocks and in the
-- payload's order, and outbox_edit_base, which only acts on rows whose
-- base is still '', passes these over. Other entities are unchanged.
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
    INSERT INTO outbox (entity, row_id, kind, payload, hlc, base)
    SELECT 'invoices', new.id, 'update', json_group_object(field, value), hms_tx_hlc(),
        (SELECT json_group_object(b.field, json(CASE
            WHEN c.hlc IS NULL THEN '[""]'
            WHEN c.seen = '[]' THEN json_array(c.hlc)
            ELSE json_remove('[' || json_quote(c.hlc) || ',' || substr(c.seen, 2), '$[16]') END))
        FROM (SELECT 'notes' AS field WHERE old.notes IS NOT new.notes
            UNION ALL SELECT 'discount_rate' WHERE old.discount_rate IS NOT new.discount_rate
            UNION ALL SELECT 'discount_amount' WHERE old.discount_amount IS NOT new.discount_amount) b
        LEFT JOIN field_clock c ON c.entity = 'invoices' AND c.row_id = new.id AND c.field = b.field)
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
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
    SELECT 'invoices', new.id, f.key, o.hlc, m.site_id, coalesce(CASE WHEN json_valid(o.base) THEN CASE WHEN json_type(o.base, '$."' || f.key || '"') = 'array'
            THEN json_extract(o.base, '$."' || f.key || '"') END END, '[]')
    FROM (SELECT payload, base, hlc FROM outbox ORDER BY seq DESC LIMIT 1) o, json_each(o.payload) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen;
END;

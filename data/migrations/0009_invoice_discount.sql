-- Invoice discount: a draft may carry one discount on the whole invoice, a
-- rate or an amount, as typed (invoices.discount_rate, .discount_amount).
-- app.ComputeInvoice turns it into one share per line, in proportion to the
-- lines' net amounts after their own discounts, and each line's tax is
-- charged on what its share leaves. The service recomputes the shares on
-- every change to a draft and stores them, so an issued invoice's figures
-- are frozen with it and a reprint shows exactly what was issued.
--
-- invoice_lines.invoice_discount is a line's share. invoice_lines.discount
-- stays the line's whole discount, its own (discount_rate or
-- discount_amount) plus that share, so that net, tax and total keep meaning
-- what the patient is charged: the CHECKs of 0006 (net = gross - discount,
-- total = net + tax) hold unchanged, and everything that sums l.total
-- (balances, statuses, the dashboard summaries of 0007) counts the invoice
-- discount without a change. The line's own discount is discount -
-- invoice_discount.

ALTER TABLE invoices ADD COLUMN discount_rate INTEGER NOT NULL DEFAULT 0
    CHECK (discount_rate BETWEEN 0 AND 10000);
ALTER TABLE invoices ADD COLUMN discount_amount INTEGER NOT NULL DEFAULT 0
    CHECK (discount_amount >= 0 AND (discount_rate = 0 OR discount_amount = 0));

ALTER TABLE invoice_lines ADD COLUMN invoice_discount INTEGER NOT NULL DEFAULT 0
    CHECK (invoice_discount BETWEEN 0 AND discount);

-- invoices_frozen (0006) names the columns an issued invoice may not
-- change; the discount is one more. The lines, shares included, are frozen
-- by invoice_lines_update_draft already.
CREATE TRIGGER invoices_discount_frozen BEFORE UPDATE OF discount_rate, discount_amount ON invoices
WHEN old.status <> 'draft'
    AND (new.discount_rate IS NOT old.discount_rate OR new.discount_amount IS NOT old.discount_amount)
BEGIN
    SELECT RAISE(ABORT, 'an issued invoice is never changed: void it with a credit note');
END;

-- The outbox triggers of 0008 list the columns they send; the new columns
-- sync like the others, so those of invoices and invoice_lines are made
-- again with them.
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
        'discount_amount', new.discount_amount), tx_hlc
    FROM sync_meta;
END;
DROP TRIGGER invoices_outbox_update;
CREATE TRIGGER invoices_outbox_update AFTER UPDATE OF
    number, patient_id, patient_name, patient_mrn, appointment_id, status, currency, notes,
    issued_at, issued_by, created_by, created_at, updated_at, deleted_at, discount_rate, discount_amount
ON invoices
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
        old.number IS NOT new.number OR old.patient_id IS NOT new.patient_id OR
        old.patient_name IS NOT new.patient_name OR old.patient_mrn IS NOT new.patient_mrn OR
        old.appointment_id IS NOT new.appointment_id OR old.status IS NOT new.status OR
        old.currency IS NOT new.currency OR old.notes IS NOT new.notes OR old.issued_at IS NOT new.issued_at OR
        old.issued_by IS NOT new.issued_by OR old.created_by IS NOT new.created_by OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.deleted_at IS NOT new.deleted_at OR old.discount_rate IS NOT new.discount_rate OR
        old.discount_amount IS NOT new.discount_amount)
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
        UNION ALL SELECT 'discount_amount', new.discount_amount WHERE old.discount_amount IS NOT new.discount_amount);
END;
DROP TRIGGER invoice_lines_outbox_insert;
CREATE TRIGGER invoice_lines_outbox_insert AFTER INSERT ON invoice_lines
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoice_lines', new.id, 'insert', json_object(
        'id', new.id, 'invoice_id', new.invoice_id, 'position', new.position,
        'price_item_id', new.price_item_id, 'code', new.code, 'description', new.description,
        'kind', new.kind, 'quantity', new.quantity, 'unit_price', new.unit_price,
        'discount_rate', new.discount_rate, 'discount_amount', new.discount_amount,
        'tax_rate', new.tax_rate, 'gross', new.gross, 'discount', new.discount, 'net', new.net,
        'tax', new.tax, 'total', new.total, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'invoice_discount', new.invoice_discount), tx_hlc
    FROM sync_meta;
END;
DROP TRIGGER invoice_lines_outbox_update;
CREATE TRIGGER invoice_lines_outbox_update AFTER UPDATE OF
    invoice_id, position, price_item_id, code, description, kind, quantity, unit_price,
    discount_rate, discount_amount, tax_rate, gross, discount, net, tax, total, created_at,
    updated_at, invoice_discount
ON invoice_lines
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL AND (
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
    SELECT 'invoice_lines', new.id, 'update', json_group_object(field, value), (SELECT tx_hlc FROM sync_meta)
    FROM (SELECT 'invoice_id' AS field, new.invoice_id AS value WHERE old.invoice_id IS NOT new.invoice_id
        UNION ALL SELECT 'position', new.position WHERE old.position IS NOT new.position
        UNION ALL SELECT 'price_item_id', new.price_item_id WHERE old.price_item_id IS NOT new.price_item_id
        UNION ALL SELECT 'code', new.code WHERE old.code IS NOT new.code
        UNION ALL SELECT 'description', new.description WHERE old.description IS NOT new.description
        UNION ALL SELECT 'kind', new.kind WHERE old.kind IS NOT new.kind
        UNION ALL SELECT 'quantity', new.quantity WHERE old.quantity IS NOT new.quantity
        UNION ALL SELECT 'unit_price', new.unit_price WHERE old.unit_price IS NOT new.unit_price
        UNION ALL SELECT 'discount_rate', new.discount_rate WHERE old.discount_rate IS NOT new.discount_rate
        UNION ALL SELECT 'discount_amount', new.discount_amount WHERE old.discount_amount IS NOT new.discount_amount
        UNION ALL SELECT 'tax_rate', new.tax_rate WHERE old.tax_rate IS NOT new.tax_rate
        UNION ALL SELECT 'gross', new.gross WHERE old.gross IS NOT new.gross
        UNION ALL SELECT 'discount', new.discount WHERE old.discount IS NOT new.discount
        UNION ALL SELECT 'net', new.net WHERE old.net IS NOT new.net
        UNION ALL SELECT 'tax', new.tax WHERE old.tax IS NOT new.tax
        UNION ALL SELECT 'total', new.total WHERE old.total IS NOT new.total
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'invoice_discount', new.invoice_discount WHERE old.invoice_discount IS NOT new.invoice_discount);
END;

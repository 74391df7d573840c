-- An invoice line's fields keep clocks and bases like every other edited
-- record (issue #21; docs/SYNC-DESIGN.md, "What an edit saw"). Lines were
-- merged per field on the server but carried no base, so a price changed
-- on two desks apart lost without review when the older change reached
-- the server first. Each update of a line now sets field_clock for the
-- fields it changed, and its outbox row carries the lineage of each one
-- (outbox_edit_base), so the server keeps whichever value lost, in either
-- order, for review on every desk. A line's fields are clocked from its
-- first change: a field without a clock holds the value the line was made
-- with.

DROP TRIGGER outbox_edit_base;
CREATE TRIGGER outbox_edit_base AFTER INSERT ON outbox
WHEN new.kind = 'update' AND new.base = ''
    AND new.entity IN ('patients', 'users', 'settings', 'patient_duplicates', 'doctor_profiles', 'invoice_lines')
BEGIN
    UPDATE outbox SET base = (
        SELECT json_group_object(f.key, json(CASE
            WHEN c.hlc IS NULL THEN '[""]'
            WHEN c.seen = '[]' THEN json_array(c.hlc)
            ELSE json_remove('[' || json_quote(c.hlc) || ',' || substr(c.seen, 2), '$[16]') END))
        FROM json_each(new.payload) f
        LEFT JOIN field_clock c ON c.entity = new.entity AND c.row_id = new.row_id AND c.field = f.key
        WHERE f.key NOT IN ('created_at', 'updated_at'))
    WHERE seq = new.seq;
END;

-- A line's amounts are worked out from its price list item, quantity,
-- price, discount and tax rate (and its share of the invoice discount), and
-- its CHECKs hold them together: a change of any of these fields carries
-- all of them, so that the server's field-by-field merge of two desks'
-- changes of one line takes one desk's line whole (the other's values that
-- differ are kept for review) rather than one desk's quantity beside the
-- other's price, a line no desk could store. The description goes alone.
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
    SELECT 'invoice_lines', new.id, f.key, m.tx_hlc, m.site_id
    FROM json_each((SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1)) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id;
END;

DROP TRIGGER invoice_lines_outbox_delete;
CREATE TRIGGER invoice_lines_outbox_delete AFTER DELETE ON invoice_lines
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoice_lines', old.id, 'delete', '{}', tx_hlc FROM sync_meta;
    DELETE FROM field_clock WHERE entity = 'invoice_lines' AND row_id = old.id;
END;

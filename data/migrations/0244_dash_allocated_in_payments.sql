-- The allocated sum's triggers write dash_payments' ('all', '') row
-- instead of dash_allocated, which migration 0243 made a view of that row:
-- their names and conditions are as before, so that what they count, and
-- in which order pulled rows may come, is unchanged (an allocation pulled
-- before its payment or its refund, a payment pulled as deleted whose
-- allocation counts all the same).

-- A void takes the invoice's payments out of the allocated sum with its
-- total out of the invoiced one (the service refuses to void a paid
-- invoice, but the summary does not rely on it). Nothing is written when
-- the invoice has no allocations (an issue).
DROP TRIGGER dash_allocated_counted;
CREATE TRIGGER dash_allocated_counted AFTER UPDATE OF status ON invoices
WHEN (old.status IN ('draft', 'void')) <> (new.status IN ('draft', 'void'))
BEGIN
    INSERT INTO dash_payments (day, method, n, taken, refunds, refunded, allocated)
    SELECT 'all', '', 0, 0, 0, 0, s.amount
    FROM (SELECT CASE WHEN new.status IN ('draft', 'void') THEN -1 ELSE 1 END * sum(a.amount) AS amount
        FROM payment_allocations a WHERE a.invoice_id = new.id
            AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = a.payment_id)) s
    WHERE s.amount IS NOT NULL
    ON CONFLICT (day, method) DO UPDATE SET allocated = allocated + excluded.allocated;
END;

-- Allocations and refunds (a refund is a payment with reversal_of set and
-- no allocations of its own; it cancels those of the payment it reverses,
-- at its first refund only: desk 0234).
DROP TRIGGER dash_allocated_insert;
CREATE TRIGGER dash_allocated_insert AFTER INSERT ON payment_allocations
WHEN (SELECT status FROM invoices WHERE id = new.invoice_id) NOT IN ('draft', 'void')
    AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = new.payment_id)
BEGIN
    INSERT INTO dash_payments (day, method, n, taken, refunds, refunded, allocated)
    VALUES ('all', '', 0, 0, 0, 0, new.amount)
    ON CONFLICT (day, method) DO UPDATE SET allocated = allocated + excluded.allocated;
END;
DROP TRIGGER dash_allocated_refund;
CREATE TRIGGER dash_allocated_refund AFTER INSERT ON payments WHEN new.reversal_of IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = new.reversal_of AND r.id <> new.id)
BEGIN
    INSERT INTO dash_payments (day, method, n, taken, refunds, refunded, allocated)
    SELECT 'all', '', 0, 0, 0, 0, s.amount
    FROM (SELECT -sum(a.amount) AS amount
        FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
        WHERE a.payment_id = new.reversal_of AND i.status NOT IN ('draft', 'void')) s
    WHERE s.amount IS NOT NULL
    ON CONFLICT (day, method) DO UPDATE SET allocated = allocated + excluded.allocated;
END;

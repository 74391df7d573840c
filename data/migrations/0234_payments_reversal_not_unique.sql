-- A payment refunded on two desks that were apart has two reversals, and
-- each desk must be able to keep both (issue #21): the money was paid out
-- twice, and dropping one row would hide it and leave the desks different
-- for good. The index stays for looking a payment's refund up, no longer
-- unique, and in the order that names a payment's refund alike on every
-- desk (its first by created_at, id); the billing service still refuses
-- to refund a payment twice on one desk (data.BillingService
-- .RefundPayment), and the sync engine raises two refunds of one payment
-- as a billing review item (data.RuleRefundedTwice).
DROP INDEX payments_reversal;
CREATE INDEX payments_reversal ON payments (reversal_of, created_at, id) WHERE reversal_of IS NOT NULL;

-- The dashboard's allocated sum counts a payment's allocations until its
-- first refund (data/dashboard_summary.go: no refund of it exists); a
-- second refund of the same payment takes nothing off again.
DROP TRIGGER dash_allocated_refund;
CREATE TRIGGER dash_allocated_refund AFTER INSERT ON payments WHEN new.reversal_of IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = new.reversal_of AND r.id <> new.id)
BEGIN
    UPDATE dash_allocated SET amount = amount - (SELECT coalesce(sum(a.amount), 0)
        FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
        WHERE a.payment_id = new.reversal_of AND i.status NOT IN ('draft', 'void'))
    WHERE id = 1;
END;

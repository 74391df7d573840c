-- A refund reverses its payment whole (issue #21): same patient, amount,
-- currency and method, and never a refund itself. The billing service
-- writes only such refunds; this refuses a pulled one that does not match
-- (a forged refund of 0.01 would otherwise take a whole payment off its
-- invoices, as every refund of a payment does), and, since desk migration
-- 0234 keeps a second refund of a payment, a forged second refund too.
-- The payment may come later in the same pulled batch (foreign keys are
-- checked at commit there): the check is made when it is present, as it
-- is on every desk for a refund pulled after its payment.
CREATE TRIGGER payments_reversal_matches BEFORE INSERT ON payments
WHEN new.reversal_of IS NOT NULL AND EXISTS (SELECT 1 FROM payments o WHERE o.id = new.reversal_of
    AND (o.reversal_of IS NOT NULL OR o.patient_id <> new.patient_id OR o.amount <> new.amount
        OR o.currency <> new.currency OR o.method <> new.method))
BEGIN
    SELECT RAISE(ABORT, 'a refund must reverse its payment whole: the same patient, amount, currency and method');
END;

-- A payment refunded on two desks that were apart has two reversals, and
-- each desk must be able to keep both (issue #21): the money was paid out
-- twice, and dropping one row would hide it and leave the desks different
-- for good. The index stays for looking a payment's refund up, no longer
-- unique; the billing service still refuses to refund a payment twice on
-- one desk (data.BillingService.RefundPayment), and the sync engine raises
-- two reversals of one payment as a billing conflict (RuleRefundedTwice).
DROP INDEX payments_reversal;
CREATE INDEX payments_reversal ON payments (reversal_of) WHERE reversal_of IS NOT NULL;

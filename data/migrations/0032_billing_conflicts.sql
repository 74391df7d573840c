-- Billing conflicts: an invoice paid more than its total, which happens
-- when two desks took its payment while they were apart (each desk
-- refuses an overpayment itself). Each desk finds them when the payments
-- meet on it, after a pull, and keeps them here: the desk's own, derived
-- from invoices and payments. One is settled on one desk, which the
-- server lets only one desk do (sync.claim_billing); the correcting
-- payments then reach the others, whose invoice is no longer overpaid,
-- and they close theirs as settled.
CREATE TABLE billing_conflicts (
    id          TEXT PRIMARY KEY,     -- invoice id '/' the id of the payment that overpaid it
    invoice_id  TEXT NOT NULL REFERENCES invoices (id),
    payment_id  TEXT NOT NULL REFERENCES payments (id),
    total       INTEGER NOT NULL,
    paid        INTEGER NOT NULL CHECK (paid > total),
    detected_at TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT NOT NULL DEFAULT '',
    -- '' while open; refunded or allocated here, or settled elsewhere.
    resolution  TEXT NOT NULL DEFAULT '' CHECK (resolution IN ('', 'refunded', 'allocated', 'settled')),
    note        TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    CHECK ((resolved_at IS NULL) = (resolution = ''))
) STRICT;
CREATE UNIQUE INDEX billing_conflicts_open ON billing_conflicts (invoice_id) WHERE resolved_at IS NULL;

-- Whether this desk holds the server's claim on a billing conflict's
-- overpayment (server migrations 0013, 0115): 'held' from just before it
-- claims until it writes the settlement (the claim is then spent: ''),
-- or until it is to be given up: its settlement was refused, or its sync
-- closed the conflict as settled elsewhere before it wrote ('release').
-- The sync engine gives such claims up on the server ('' again), so that
-- when the invoice is overpaid again under the same name another desk can
-- settle it.
ALTER TABLE billing_conflicts ADD COLUMN claim TEXT NOT NULL DEFAULT ''
    CHECK (claim IN ('', 'held', 'release'));

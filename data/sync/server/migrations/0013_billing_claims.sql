-- Overpaid invoices are settled once for the clinic. An invoice paid in
-- full on two desks while they were apart is overpaid once both payments
-- meet; every desk then shows it as a billing conflict, and a person on
-- any desk settles it: refunds what was paid twice, or allocates it to
-- another invoice. Two desks must not both do so. So before a desk writes
-- the correcting rows it claims the overpayment here: the first claim of
-- an overpayment wins (as the first booking of a doctor's time does), and
-- a desk that claims one another desk holds is told which and how. A desk
-- claiming again what it holds (it crashed before writing, or the reply
-- was lost) gets its claim back.
CREATE TABLE sync.billing_claims (
    claim_id   text PRIMARY KEY,  -- the overpayment: invoice id '/' the payment that overpaid it
    invoice_id text NOT NULL,
    site_id    uuid NOT NULL REFERENCES sync.sites (site_id),
    action     text NOT NULL CHECK (action IN ('refund', 'allocate')),
    claimed_by text NOT NULL,     -- the person, as the desk names them
    claimed_at timestamptz NOT NULL DEFAULT now()
);

-- Claims the overpayment p_claim for p_site, or returns the claim that
-- holds it: the desk that holds it, its action and who.
CREATE FUNCTION sync.claim_billing_as(p_site uuid, p_claim text, p_invoice text, p_action text, p_by text,
    OUT site_id uuid, OUT action text, OUT claimed_by text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF coalesce(p_claim, '') = '' OR length(p_claim) > 200 OR coalesce(p_invoice, '') = '' THEN
        RAISE EXCEPTION 'a claim names an overpayment and its invoice' USING ERRCODE = '22023';
    END IF;
    IF p_action IS NULL OR p_action NOT IN ('refund', 'allocate') THEN
        RAISE EXCEPTION 'unknown way to settle an overpayment: %', coalesce(p_action, '') USING ERRCODE = '22023';
    END IF;
    INSERT INTO sync.billing_claims (claim_id, invoice_id, site_id, action, claimed_by)
    VALUES (p_claim, p_invoice, p_site, p_action, left(coalesce(p_by, ''), 200))
    ON CONFLICT (claim_id) DO NOTHING;
    SELECT c.site_id, c.action, c.claimed_by INTO site_id, action, claimed_by
    FROM sync.billing_claims c WHERE c.claim_id = p_claim;
END
$$;

CREATE FUNCTION sync.claim_billing(p_site uuid, p_claim text, p_invoice text, p_action text, p_by text,
    OUT site_id uuid, OUT action text, OUT claimed_by text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM sync.check_site(p_site);
    SELECT c.site_id, c.action, c.claimed_by INTO site_id, action, claimed_by
    FROM sync.claim_billing_as(p_site, p_claim, p_invoice, p_action, p_by) c;
END
$$;

REVOKE ALL ON FUNCTION sync.claim_billing_as(uuid, text, text, text, text),
    sync.claim_billing(uuid, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.claim_billing(uuid, text, text, text, text) TO hms_desk;

-- An overpayment's claim (0013, 0115) knows the refund written under it,
-- so that the decision is told plainly and passes on when it is spent.
--
-- A desk claiming an overpayment names the reversal it is about to write
-- (refund_id: a settlement's reversal of the overpaying payment, or a hand
-- refund of one of the invoice's payments) and tells the server once it is
-- written (sync.spend_billing; a refund that reached the server is written
-- too). A desk refused is told which desk holds the claim (its desk code,
-- as staff know it: D2) and whether the refund is written there already.
--
-- A spent claim stays, so that a desk that has not pulled its refund
-- cannot refund again. But an invoice can be overpaid again under the
-- same name (a hand refund of a payment the claim does not name, then a
-- payment made earlier on a desk apart arrives): that is a new
-- overpayment. A desk that holds the holder's refund (p_seen, the
-- refunds of the invoice's payments the claiming desk holds) sees it as
-- new, and the claim passes to it, decided once as before.
--
-- A server restored from an older dump has lost the claims taken since.
-- The refunds the desks push again are on it, so a claim is re-derived
-- from them: a refund of one of the invoice's payments (p_payments, the
-- ones the claiming desk holds) that the server holds and the claiming
-- desk does not is a spent claim of the desk that pushed it.
ALTER TABLE sync.billing_claims
    ADD COLUMN refund_id text,       -- the reversal the holder writes under it; NULL: a claim from before 0124
    ADD COLUMN spent_at timestamptz; -- when the holder wrote it (sync.spend_billing)

-- The refunds of a payment, found by the payment they reverse.
CREATE INDEX rows_payment_reversal ON sync.rows ((data->>'reversal_of'))
    WHERE entity = 'payments' AND data->>'reversal_of' IS NOT NULL;

CREATE FUNCTION sync.claim_billing_seen_as(p_site uuid, p_claim text, p_invoice text, p_action text, p_by text,
    p_refund text, p_payments text[], p_seen text[],
    OUT site_id uuid, OUT desk_code text, OUT action text, OUT claimed_by text, OUT spent boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_claim sync.billing_claims;
    v_held boolean;
    v_refund text;
    v_origin uuid;
    v_cashier text;
BEGIN
    IF coalesce(p_claim, '') = '' OR length(p_claim) > 200 OR coalesce(p_invoice, '') = '' THEN
        RAISE EXCEPTION 'a claim names an overpayment and its invoice' USING ERRCODE = '22023';
    END IF;
    IF p_action IS NULL OR p_action NOT IN ('refund', 'allocate') THEN
        RAISE EXCEPTION 'unknown way to settle an overpayment: %', coalesce(p_action, '') USING ERRCODE = '22023';
    END IF;
    IF coalesce(p_refund, '') = '' OR length(p_refund) > 200
        OR coalesce(cardinality(p_payments), 0) > 1000 OR coalesce(cardinality(p_seen), 0) > 1000 THEN
        RAISE EXCEPTION 'a claim names the refund it writes and at most 1000 payments and refunds' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO v_claim FROM sync.billing_claims c WHERE c.claim_id = p_claim FOR UPDATE;
    v_held := FOUND;
    IF v_held AND v_claim.site_id <> p_site AND v_claim.refund_id = ANY (coalesce(p_seen, '{}')) THEN
        -- The holder's refund is on the claiming desk: what it sees
        -- overpaid now is a new overpayment under the same name.
        DELETE FROM sync.billing_claims c WHERE c.claim_id = p_claim;
        v_held := false;
    END IF;
    IF NOT v_held THEN
        -- A refund of the invoice's payments the server holds and the
        -- claiming desk does not: the claim was lost (a restore), or
        -- the refund is of another payment than the claim names.
        -- Its desk is the one its clock reading names (created_hlc ends
        -- with the site).
        SELECT r.row_id, s.site_id, coalesce(r.data->>'cashier_name', '')
        INTO v_refund, v_origin, v_cashier
        FROM sync.rows r JOIN sync.sites s ON s.site_id::text = substr(r.created_hlc, 31)
        WHERE r.entity = 'payments' AND r.data->>'reversal_of' = ANY (coalesce(p_payments, '{}'))
            AND r.deleted_hlc IS NULL AND NOT r.row_id = ANY (coalesce(p_seen, '{}')) AND s.site_id <> p_site
        ORDER BY r.row_id LIMIT 1;
        IF v_refund IS NOT NULL THEN
            INSERT INTO sync.billing_claims (claim_id, invoice_id, site_id, action, claimed_by, refund_id, spent_at)
            VALUES (p_claim, p_invoice, v_origin, 'refund', left(v_cashier, 200), v_refund, now())
            ON CONFLICT (claim_id) DO NOTHING; -- another desk claimed it meanwhile: the first wins
        ELSE
            INSERT INTO sync.billing_claims (claim_id, invoice_id, site_id, action, claimed_by, refund_id)
            VALUES (p_claim, p_invoice, p_site, p_action, left(coalesce(p_by, ''), 200), p_refund)
            ON CONFLICT (claim_id) DO NOTHING;
        END IF;
    ELSIF v_claim.site_id = p_site THEN
        -- Claimed again by its holder (a lost reply, a crash before
        -- writing; or overpaid again under the name of a claim it spent):
        -- the refund it writes now, not written yet.
        UPDATE sync.billing_claims c SET action = p_action, claimed_by = left(coalesce(p_by, ''), 200), refund_id = p_refund,
            spent_at = CASE WHEN c.refund_id = p_refund THEN c.spent_at END
        WHERE c.claim_id = p_claim;
    END IF;
    SELECT c.site_id, s.desk_code, c.action, c.claimed_by,
        c.spent_at IS NOT NULL OR EXISTS (SELECT 1 FROM sync.rows r WHERE r.entity = 'payments' AND r.row_id = c.refund_id)
    INTO site_id, desk_code, action, claimed_by, spent
    FROM sync.billing_claims c JOIN sync.sites s ON s.site_id = c.site_id WHERE c.claim_id = p_claim;
END
$$;

-- The desk's call: the login's own desk only (session_user, 0007).
CREATE FUNCTION sync.claim_billing_seen(p_site uuid, p_claim text, p_invoice text, p_action text, p_by text,
    p_refund text, p_payments text[], p_seen text[],
    OUT site_id uuid, OUT desk_code text, OUT action text, OUT claimed_by text, OUT spent boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM sync.check_site(p_site);
    SELECT c.site_id, c.desk_code, c.action, c.claimed_by, c.spent INTO site_id, desk_code, action, claimed_by, spent
    FROM sync.claim_billing_seen_as(p_site, p_claim, p_invoice, p_action, p_by, p_refund, p_payments, p_seen) c;
END
$$;

-- A desk wrote the refund of its claim p_claim: the claim is spent.
-- Another desk's claim is left alone. Returns whether it was this desk's.
CREATE FUNCTION sync.spend_billing(p_site uuid, p_claim text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM sync.check_site(p_site);
    UPDATE sync.billing_claims c SET spent_at = coalesce(c.spent_at, now()) WHERE c.claim_id = p_claim AND c.site_id = p_site;
    RETURN FOUND;
END
$$;

REVOKE ALL ON FUNCTION sync.claim_billing_seen_as(uuid, text, text, text, text, text, text[], text[]),
    sync.claim_billing_seen(uuid, text, text, text, text, text, text[], text[]),
    sync.spend_billing(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.claim_billing_seen(uuid, text, text, text, text, text, text[], text[]),
    sync.spend_billing(uuid, text) TO hms_desk;

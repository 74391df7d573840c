-- A desk gives up its claim on an overpayment (0013) when the settlement
-- it claimed it for was not written: its own sync closed the conflict
-- first (another desk's refund reached it: the invoice was no longer
-- overpaid), so the settlement was refused and nothing was written. Kept,
-- the claim held the overpayment's name for that desk for good, and when
-- the invoice was overpaid again under the same name (the same newest
-- payment) every other desk was told it was being settled already. A
-- claim whose settlement was written is never given up: the payment it
-- names is reversed, so no overpayment is named by it again, and keeping
-- it refuses a second settlement from a desk that has not pulled the
-- first. Another desk's claim is left alone. Returns whether it was given
-- up.
CREATE FUNCTION sync.release_billing(p_site uuid, p_claim text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM sync.check_site(p_site);
    DELETE FROM sync.billing_claims c WHERE c.claim_id = p_claim AND c.site_id = p_site;
    RETURN FOUND;
END
$$;

REVOKE ALL ON FUNCTION sync.release_billing(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.release_billing(uuid, text) TO hms_desk;

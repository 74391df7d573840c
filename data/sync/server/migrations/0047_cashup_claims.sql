-- A cash-up is closed once for the clinic. Closing numbers it from the
-- closing desk's series (CU-D1-2026-000001); two desks closing the same
-- cash-up (one desk's day, or every desk's together) at once would each
-- take a number, and after sync one of them would be a gap in its series.
-- So before a desk numbers a cash-up it claims the close here, as a desk
-- settling an overpayment does (0013): the first claim wins, and a desk
-- claiming what another holds is told which and by whom. A desk claiming
-- again what it holds (it crashed before writing, or the reply was lost)
-- gets its claim back. A reopened day keeps its number and is closed again
-- without a claim.
CREATE TABLE sync.cashup_claims (
    cashup_id  text PRIMARY KEY,  -- the cash-up's id, the same on every desk: 'cashup:' desk ':' day
    site_id    uuid NOT NULL REFERENCES sync.sites (site_id),
    claimed_by text NOT NULL,     -- the person, as the desk names them
    claimed_at timestamptz NOT NULL DEFAULT now()
);

-- Claims the close of the cash-up p_cashup for p_site, or returns the
-- claim that holds it: the desk that holds it, who, and when.
CREATE FUNCTION sync.claim_cashup_as(p_site uuid, p_cashup text, p_by text,
    OUT site_id uuid, OUT claimed_by text, OUT claimed_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF coalesce(p_cashup, '') = '' OR length(p_cashup) > 200 THEN
        RAISE EXCEPTION 'a claim names a cash-up' USING ERRCODE = '22023';
    END IF;
    INSERT INTO sync.cashup_claims (cashup_id, site_id, claimed_by)
    VALUES (p_cashup, p_site, left(coalesce(p_by, ''), 200))
    ON CONFLICT (cashup_id) DO NOTHING;
    SELECT c.site_id, c.claimed_by, c.claimed_at INTO site_id, claimed_by, claimed_at
    FROM sync.cashup_claims c WHERE c.cashup_id = p_cashup;
END
$$;

-- The desk's call: the login's own desk only (session_user, 0007).
CREATE FUNCTION sync.claim_cashup(p_site uuid, p_cashup text, p_by text,
    OUT site_id uuid, OUT claimed_by text, OUT claimed_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM sync.check_site(p_site);
    SELECT c.site_id, c.claimed_by, c.claimed_at INTO site_id, claimed_by, claimed_at
    FROM sync.claim_cashup_as(p_site, p_cashup, p_by) c;
END
$$;

REVOKE ALL ON FUNCTION sync.claim_cashup_as(uuid, text, text),
    sync.claim_cashup(uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.claim_cashup(uuid, text, text) TO hms_desk;

-- The clinic's trust root (docs/SYNC-DESIGN.md, "Power comes only from the
-- people who hold it"): the administrators' public keys of the clinic's
-- first desk, and the digests of the rows it had (accounts, settings) when
-- it enrolled, which a desk joining the clinic takes its trust from. It is
-- set once, by the first desk that offers one (the clinic's first desk at
-- its enrollment; after an update, the first updated desk that syncs), and
-- never changed by a desk: new administrators are trusted through
-- accounts an administrator signed, which every desk verifies itself. A
-- person enrolling a desk may pin the root by its fingerprint (hms sync
-- status on an enrolled desk shows it), so that a server operator who
-- replaced it is caught.
CREATE TABLE sync.trust_root (
    id          int PRIMARY KEY CHECK (id = 1),
    root        jsonb NOT NULL,
    fingerprint text NOT NULL,
    set_by      uuid NOT NULL REFERENCES sync.sites,
    set_at      timestamptz NOT NULL DEFAULT now()
);

-- Offers the root: taken when the server has none, by the session's own
-- desk. Returns the fingerprint of the root the server holds afterwards.
CREATE FUNCTION sync.offer_trust_root(p_site uuid, p_root jsonb, p_fingerprint text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_fp text;
BEGIN
    PERFORM sync.check_site(p_site);
    INSERT INTO sync.trust_root (id, root, fingerprint, set_by) VALUES (1, p_root, p_fingerprint, p_site)
    ON CONFLICT (id) DO NOTHING;
    SELECT fingerprint INTO v_fp FROM sync.trust_root WHERE id = 1;
    RETURN v_fp;
END
$$;

-- The root, for an enrolled desk (no rows when none was offered yet).
CREATE FUNCTION sync.trust_root(p_site uuid) RETURNS TABLE (root jsonb, fingerprint text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM sync.check_site(p_site);
    RETURN QUERY SELECT t.root, t.fingerprint FROM sync.trust_root t WHERE t.id = 1;
END
$$;

REVOKE ALL ON FUNCTION sync.offer_trust_root(uuid, jsonb, text), sync.trust_root(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.offer_trust_root(uuid, jsonb, text), sync.trust_root(uuid) TO hms_desk;

-- Signed extensions of the clinic's trust root (desk migration 0069): rows
-- written once, which a desk joining the clinic reads before its first
-- pull (sync.trust_extensions) to vouch for the price list, fees and drugs
-- written before they were signed.
INSERT INTO sync.entities (entity, mode) VALUES ('trust_extensions', 'append')
ON CONFLICT (entity) DO NOTHING;

-- The extensions the server holds, for an enrolled desk: nothing a desk
-- could not pull already.
CREATE FUNCTION sync.trust_extensions(p_site uuid) RETURNS TABLE (row_id text, data jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM sync.check_site(p_site);
    RETURN QUERY SELECT r.row_id, r.data FROM sync.rows r
        WHERE r.entity = 'trust_extensions' AND r.deleted_hlc IS NULL ORDER BY r.row_id;
END
$$;

REVOKE ALL ON FUNCTION sync.trust_extensions(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.trust_extensions(uuid) TO hms_desk;

-- Each desk reports the version of HMS it runs whenever it syncs (not only
-- when it enrolls), so that Settings → Sync lists the clinic's desks with
-- their versions while an update goes round the clinic.
ALTER TABLE sync.sites ADD COLUMN version_at timestamptz;

-- The session's desk runs p_app_version: only its own row changes, and only
-- when the version changed.
CREATE FUNCTION sync.report_version(p_site uuid, p_app_version text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM sync.check_site(p_site);
    IF p_app_version IS NULL OR length(p_app_version) > 100 THEN
        RAISE EXCEPTION 'a version is at most 100 characters' USING ERRCODE = '22023';
    END IF;
    UPDATE sync.sites SET app_version = p_app_version, version_at = now()
        WHERE site_id = p_site AND app_version IS DISTINCT FROM p_app_version;
END
$$;

-- The clinic's desks and the versions they last reported, for any enrolled
-- desk: codes, versions and times only.
CREATE FUNCTION sync.desk_versions()
    RETURNS TABLE (desk_code text, app_version text, version_at timestamptz, last_seen timestamptz, revoked boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF sync.session_site() IS NULL THEN
        RAISE EXCEPTION 'the login % has not enrolled a desk yet', session_user USING ERRCODE = 'HM001';
    END IF;
    RETURN QUERY
        SELECT s.desk_code, s.app_version, coalesce(s.version_at, s.enrolled_at),
            greatest(s.last_push_at, s.pulled_at, s.enrolled_at),
            EXISTS (SELECT 1 FROM sync.desk_logins l WHERE l.site_id = s.site_id AND l.revoked_at IS NOT NULL)
        FROM sync.sites s
        ORDER BY substr(s.desk_code, 2)::int;
END
$$;

REVOKE ALL ON FUNCTION sync.report_version(uuid, text), sync.desk_versions() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.report_version(uuid, text), sync.desk_versions() TO hms_desk;

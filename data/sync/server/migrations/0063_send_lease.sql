-- Messages to patients are sent once, by whichever desk is online: the
-- desk that holds the clinic's send lease. A desk takes the lease when
-- nobody holds it or its holder's time ran out, and renews it while it
-- holds it; while it holds it, it sends every desk's queued messages that
-- reached it by sync. A desk that stops renewing (closed, crashed, cut off)
-- loses the lease when its time runs out, and the next desk to ask takes
-- it. The server's clock decides; the desk stops sending a little before
-- the time it was given, by its own clock (data/sync/messages.go).
CREATE TABLE sync.send_lease (
    id         int PRIMARY KEY CHECK (id = 1),  -- one lease for the clinic
    site_id    uuid NOT NULL REFERENCES sync.sites (site_id),
    taken_at   timestamptz NOT NULL DEFAULT now(),  -- when this desk took it (not renewed)
    expires_at timestamptz NOT NULL
);

-- Takes or renews the send lease for p_site for p_seconds (1 to 3,600),
-- or returns who holds it: the holder and until when.
CREATE FUNCTION sync.take_send_lease_as(p_site uuid, p_seconds int,
    OUT site_id uuid, OUT expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_seconds IS NULL OR p_seconds < 1 OR p_seconds > 3600 THEN
        RAISE EXCEPTION 'a send lease lasts from 1 second to an hour' USING ERRCODE = '22023';
    END IF;
    INSERT INTO sync.send_lease AS l (id, site_id, expires_at)
    VALUES (1, p_site, now() + make_interval(secs => p_seconds))
    ON CONFLICT (id) DO UPDATE SET
        site_id = excluded.site_id,
        expires_at = excluded.expires_at,
        taken_at = CASE WHEN l.site_id = excluded.site_id THEN l.taken_at ELSE now() END
    WHERE l.site_id = excluded.site_id OR l.expires_at <= now();
    SELECT l.site_id, l.expires_at INTO site_id, expires_at FROM sync.send_lease l WHERE l.id = 1;
END
$$;

-- The desk's call: the login's own desk only (session_user, 0007).
CREATE FUNCTION sync.take_send_lease(p_site uuid, p_seconds int,
    OUT site_id uuid, OUT expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM sync.check_site(p_site);
    SELECT l.site_id, l.expires_at INTO site_id, expires_at FROM sync.take_send_lease_as(p_site, p_seconds) l;
END
$$;

-- Gives the lease up (a desk closing), when p_site holds it; another
-- desk's lease is left alone. Returns whether it was released.
CREATE FUNCTION sync.release_send_lease(p_site uuid) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM sync.check_site(p_site);
    DELETE FROM sync.send_lease l WHERE l.id = 1 AND l.site_id = p_site;
    RETURN FOUND;
END
$$;

REVOKE ALL ON FUNCTION sync.take_send_lease_as(uuid, int), sync.take_send_lease(uuid, int),
    sync.release_send_lease(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.take_send_lease(uuid, int), sync.release_send_lease(uuid) TO hms_desk;

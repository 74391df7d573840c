-- The send lease goes only to desks that write message plans out (desk
-- migration 0156, server 0094). A desk of an earlier version does not know
-- message_plans: holding the lease, it would send the messages queued as
-- rows on the desks of its own version and never the plans of the others,
-- so the confirmations and reminders of every booking made on a newer desk
-- would wait for as long as it held it (it renews every minute). Desks of
-- this version ask through take_send_lease(site, seconds, true); the
-- two-argument call, which only earlier desks make, never takes nor renews
-- the lease: it names the desk that holds it, or the nil id while nobody
-- does, so the earlier desk sends nothing (it sees another desk holding
-- it) and the plans' desks send every desk's messages, the earlier desks'
-- included. An earlier desk holding the lease when the server is updated
-- keeps it until its time runs out (not renewed), so two desks never send
-- at once.
DROP FUNCTION sync.take_send_lease(uuid, int);
DROP FUNCTION sync.take_send_lease_as(uuid, int);

-- Takes or renews the send lease for p_site for p_seconds (1 to 3,600)
-- when p_plans (the desk writes plans out), or returns who holds it: the
-- holder and until when; the nil id and now while nobody may be named.
CREATE FUNCTION sync.take_send_lease_as(p_site uuid, p_seconds int, p_plans boolean,
    OUT site_id uuid, OUT expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_seconds IS NULL OR p_seconds < 1 OR p_seconds > 3600 THEN
        RAISE EXCEPTION 'a send lease lasts from 1 second to an hour' USING ERRCODE = '22023';
    END IF;
    IF p_plans THEN
        INSERT INTO sync.send_lease AS l (id, site_id, expires_at)
        VALUES (1, p_site, now() + make_interval(secs => p_seconds))
        ON CONFLICT (id) DO UPDATE SET
            site_id = excluded.site_id,
            expires_at = excluded.expires_at,
            taken_at = CASE WHEN l.site_id = excluded.site_id THEN l.taken_at ELSE now() END
        WHERE l.site_id = excluded.site_id OR l.expires_at <= now();
    END IF;
    SELECT l.site_id, l.expires_at INTO site_id, expires_at FROM sync.send_lease l
    WHERE l.id = 1 AND l.expires_at > now() AND (p_plans OR l.site_id <> p_site);
    IF NOT FOUND THEN
        site_id := '00000000-0000-0000-0000-000000000000';
        expires_at := now();
    END IF;
END
$$;

-- The desk's call: the login's own desk only (session_user, 0007).
CREATE FUNCTION sync.take_send_lease(p_site uuid, p_seconds int, p_plans boolean,
    OUT site_id uuid, OUT expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM sync.check_site(p_site);
    SELECT l.site_id, l.expires_at INTO site_id, expires_at FROM sync.take_send_lease_as(p_site, p_seconds, p_plans) l;
END
$$;

-- The call of desks before this version: never takes the lease (above).
CREATE FUNCTION sync.take_send_lease(p_site uuid, p_seconds int,
    OUT site_id uuid, OUT expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM sync.check_site(p_site);
    SELECT l.site_id, l.expires_at INTO site_id, expires_at FROM sync.take_send_lease_as(p_site, p_seconds, false) l;
END
$$;

REVOKE ALL ON FUNCTION sync.take_send_lease_as(uuid, int, boolean), sync.take_send_lease(uuid, int, boolean),
    sync.take_send_lease(uuid, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.take_send_lease(uuid, int, boolean), sync.take_send_lease(uuid, int) TO hms_desk;

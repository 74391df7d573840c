-- A login is one desk (docs/SYNC-DESIGN.md, "Who a desk is").
--
-- Until now every desk connected with one shared role and told the server
-- who it was in an argument (p_site), which any desk could set to another
-- desk's id. From here on each desk has a PostgreSQL login of its own
-- (hms server add-desk creates it, a member of the group role hms_desk),
-- bound to one desk in sync.desk_logins; every function a desk may call
-- takes the desk from session_user through that binding and refuses any
-- other. The argument stays, so the desks' calls keep their shape, but it
-- must name the login's own desk.
--
-- The functions that do the work keep their bodies under new names
-- (sync.push_as, sync.pulled_as, …), callable by no desk; the names the
-- desks call are small wrappers that check the binding first (the pull
-- checks it in its own body). A later migration
-- that changes what a desk-callable function does must keep the check
-- (TestAttackAsDesk fails otherwise).

-- One row per desk login. site_id is NULL until the desk enrolls with it;
-- from then on the login is that desk and no other. A revoked login (a
-- lost or retired desk) can no longer log in (NOLOGIN), its functions
-- refuse it, and its desk no longer holds pruning back.
CREATE TABLE sync.desk_logins (
    login      text PRIMARY KEY,
    site_id    uuid UNIQUE REFERENCES sync.sites,
    created_at timestamptz NOT NULL DEFAULT now(),
    bound_at   timestamptz,
    revoked_at timestamptz
);

-- The desk the session's login is bound to (NULL: not enrolled yet).
-- Refuses a login that is no desk of this server, or revoked.
CREATE FUNCTION sync.session_site() RETURNS uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_site    uuid;
    v_revoked timestamptz;
BEGIN
    SELECT l.site_id, l.revoked_at INTO v_site, v_revoked FROM sync.desk_logins l WHERE l.login = session_user;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the login % is not a desk of this server: the server''s administrator gives each desk its own login (hms server add-desk)',
            session_user USING ERRCODE = 'HM002';
    END IF;
    IF v_revoked IS NOT NULL THEN
        RAISE EXCEPTION 'the login % was revoked on %', session_user, v_revoked USING ERRCODE = 'HM003';
    END IF;
    RETURN v_site;
END
$$;

-- Refuses a call that names another desk than the session's own.
CREATE FUNCTION sync.check_site(p_site uuid) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_site uuid := sync.session_site();
BEGIN
    IF v_site IS NULL THEN
        RAISE EXCEPTION 'the login % has not enrolled a desk yet', session_user USING ERRCODE = 'HM001';
    END IF;
    IF p_site IS DISTINCT FROM v_site THEN
        RAISE EXCEPTION 'the login % is desk %, it may not act as desk %', session_user, v_site, p_site
            USING ERRCODE = 'HM004';
    END IF;
END
$$;

ALTER FUNCTION sync.push(uuid, jsonb) RENAME TO push_as;
ALTER FUNCTION sync.pulled(uuid, xid8, bigint) RENAME TO pulled_as;
ALTER FUNCTION sync.push_audit(uuid, jsonb) RENAME TO push_audit_as;
ALTER FUNCTION sync.holds(uuid, uuid, xid8, bigint) RENAME TO holds_as;
ALTER FUNCTION sync.site_state(uuid) RENAME TO site_state_as;
DROP FUNCTION sync.enroll(uuid, text);
DROP FUNCTION sync.enroll(uuid, text, text);

CREATE FUNCTION sync.push(p_site uuid, p_ops jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM sync.check_site(p_site);
    RETURN sync.push_as(p_site, p_ops);
END
$$;

-- The pull is the desks' most frequent call with the most rows: it keeps
-- its body of 0005, one pass, with the check in place of the enrollment
-- test (a wrapper would copy every row once more).
CREATE OR REPLACE FUNCTION sync.pull(p_site uuid, p_txid xid8, p_seq bigint, p_limit int)
RETURNS TABLE (txid xid8, seq bigint, entity text, row_id text, origin_site uuid, hlc text,
               row_snapshot jsonb, field_hlc jsonb, deleted_hlc text, server_set jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET enable_sort = off AS $$
BEGIN
    PERFORM sync.check_site(p_site);
    RETURN QUERY
    SELECT c.txid, c.seq, c.entity, c.row_id, c.origin_site, c.hlc::text, c.row_snapshot,
           CASE WHEN jsonb_path_exists(c.field_hlc, '$.* ? (@ != $hlc)', jsonb_build_object('hlc', c.hlc))
                THEN c.field_hlc ELSE '{}'::jsonb END,
           c.deleted_hlc::text, c.server_set
    FROM sync.change_log c
    WHERE (c.txid, c.seq) > (p_txid, p_seq) AND c.txid < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY c.txid, c.seq
    LIMIT least(greatest(p_limit, 1), 10000);
END
$$;

CREATE FUNCTION sync.pulled(p_site uuid, p_txid xid8, p_seq bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM sync.check_site(p_site);
    PERFORM sync.pulled_as(p_site, p_txid, p_seq);
END
$$;

CREATE FUNCTION sync.push_audit(p_site uuid, p_rows jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM sync.check_site(p_site);
    RETURN sync.push_audit_as(p_site, p_rows);
END
$$;

CREATE FUNCTION sync.holds(p_site uuid, p_op_id uuid, p_txid xid8, p_seq bigint,
    OUT has_op boolean, OUT has_cursor boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM sync.check_site(p_site);
    SELECT h.has_op, h.has_cursor INTO has_op, has_cursor FROM sync.holds_as(p_site, p_op_id, p_txid, p_seq) h;
END
$$;

-- A desk asks before it enrolls (is it the clinic's first?): a login not
-- bound yet learns only where the change log stands.
CREATE FUNCTION sync.site_state(p_site uuid, OUT last_op_seq bigint, OUT log_txid xid8, OUT log_seq bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF sync.session_site() IS NOT NULL THEN
        PERFORM sync.check_site(p_site);
    END IF;
    SELECT s.last_op_seq, s.log_txid, s.log_seq INTO last_op_seq, log_txid, log_seq FROM sync.site_state_as(p_site) s;
    IF sync.session_site() IS NULL THEN
        last_op_seq := NULL;
    END IF;
END
$$;

-- Enrolls the session's desk and returns its code. A login enrolls one
-- desk, once: enrolling again with the same desk returns its code, any
-- other desk is refused, and so is a desk another login enrolled. p_code
-- asks for a code back (a desk enrolling with a server restored from a
-- dump older than its enrollment); it is given only when free.
CREATE FUNCTION sync.enroll(p_site uuid, p_app_version text, p_code text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_bound uuid;
    v_code  text;
BEGIN
    -- Codes are handed out one enrollment at a time, with no gaps.
    LOCK TABLE sync.sites IN SHARE ROW EXCLUSIVE MODE;
    v_bound := sync.session_site();
    IF v_bound IS NOT NULL AND v_bound IS DISTINCT FROM p_site THEN
        RAISE EXCEPTION 'the login % enrolled desk % already, it may not enroll desk %', session_user, v_bound, p_site
            USING ERRCODE = 'HM004';
    END IF;
    IF v_bound IS NULL AND EXISTS (SELECT 1 FROM sync.desk_logins l WHERE l.site_id = p_site) THEN
        RAISE EXCEPTION 'desk % belongs to another login', p_site USING ERRCODE = 'HM004';
    END IF;
    SELECT s.desk_code INTO v_code FROM sync.sites s WHERE s.site_id = p_site;
    IF FOUND THEN
        UPDATE sync.sites SET app_version = p_app_version WHERE site_id = p_site;
    ELSE
        IF coalesce(p_code, '') ~ '^D[1-9][0-9]*$' AND NOT EXISTS (SELECT 1 FROM sync.sites WHERE desk_code = p_code) THEN
            v_code := p_code;
        ELSE
            SELECT 'D' || (coalesce(max(substr(desk_code, 2)::int), 0) + 1) INTO v_code FROM sync.sites;
        END IF;
        INSERT INTO sync.sites (site_id, desk_code, app_version) VALUES (p_site, v_code, p_app_version);
    END IF;
    IF v_bound IS NULL THEN
        UPDATE sync.desk_logins SET site_id = p_site, bound_at = now() WHERE login = session_user;
    END IF;
    RETURN v_code;
END
$$;

CREATE FUNCTION sync.enroll(p_site uuid, p_app_version text) RETURNS text
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT sync.enroll(p_site, p_app_version, NULL)
$$;

-- Pruning as before (0006), with a revoked desk no longer holding the
-- horizon back.
CREATE OR REPLACE FUNCTION sync.prune(p_tombstone_age interval, p_ops_age interval,
    OUT superseded bigint, OUT tombstones bigint, OUT ops bigint,
    OUT held_by text, OUT held_since timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_txid xid8;
    v_seq  bigint;
BEGIN
    -- One prune at a time; desks push and pull on meanwhile.
    PERFORM pg_advisory_xact_lock(hashtext('hms sync prune'));
    SELECT s.pulled_txid, s.pulled_seq, s.desk_code, s.pulled_at INTO v_txid, v_seq, held_by, held_since
    FROM sync.sites s
    WHERE NOT EXISTS (SELECT 1 FROM sync.desk_logins l WHERE l.site_id = s.site_id AND l.revoked_at IS NOT NULL)
    ORDER BY s.pulled_txid, s.pulled_seq LIMIT 1;
    IF NOT FOUND THEN
        SELECT c.txid, c.seq + 1 INTO v_txid, v_seq FROM sync.change_log c ORDER BY c.txid DESC, c.seq DESC LIMIT 1;
        IF NOT FOUND THEN
            v_txid := '0';
            v_seq := 0;
        END IF;
    END IF;

    WITH below AS (
        SELECT c.seq, row_number() OVER (PARTITION BY c.entity, c.row_id ORDER BY c.txid DESC, c.seq DESC) AS newer
        FROM sync.change_log c
        WHERE (c.txid, c.seq) < (v_txid, v_seq)
    )
    DELETE FROM sync.change_log c USING below b WHERE c.seq = b.seq AND b.newer > 1;
    GET DIAGNOSTICS superseded = ROW_COUNT;

    WITH recent AS (
        -- the rows changed at or above the horizon: few, by the cursor index
        SELECT DISTINCT c.entity, c.row_id FROM sync.change_log c WHERE (c.txid, c.seq) >= (v_txid, v_seq)
    ), gone AS (
        SELECT r.entity, r.row_id FROM sync.rows r
        WHERE r.deleted_hlc IS NOT NULL AND r.deleted_at < now() - p_tombstone_age
          AND NOT EXISTS (SELECT 1 FROM recent x WHERE x.entity = r.entity AND x.row_id = r.row_id)
    ), logged AS (
        DELETE FROM sync.change_log c USING gone g WHERE c.entity = g.entity AND c.row_id = g.row_id
    )
    DELETE FROM sync.rows r USING gone g WHERE r.entity = g.entity AND r.row_id = g.row_id;
    GET DIAGNOSTICS tombstones = ROW_COUNT;

    DELETE FROM sync.applied_ops a WHERE a.applied_at < now() - p_ops_age;
    GET DIAGNOSTICS ops = ROW_COUNT;
END
$$;

-- Only the wrappers are the desks'; nothing else in the schema is
-- anybody's but its owner's, now or in later migrations.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA sync FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA sync FROM hms_desk;
ALTER DEFAULT PRIVILEGES IN SCHEMA sync REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.handshake(), sync.enroll(uuid, text), sync.enroll(uuid, text, text), sync.push(uuid, jsonb),
    sync.pull(uuid, xid8, bigint, int), sync.pulled(uuid, xid8, bigint), sync.site_state(uuid),
    sync.push_audit(uuid, jsonb), sync.holds(uuid, uuid, xid8, bigint) TO hms_desk;

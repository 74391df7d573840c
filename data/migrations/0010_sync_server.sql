-- The address of the sync server this desk enrolled with (sync_enroll.go),
-- without its password: the password comes from PGPASSWORD or the
-- PostgreSQL password file when the desk connects, and is never stored
-- here. NULL until the desk enrolls. It is the desk's own: each desk may
-- reach the server by a different address.
ALTER TABLE sync_meta ADD COLUMN server_url TEXT CHECK (server_url <> '');

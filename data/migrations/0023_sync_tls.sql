-- TLS by default (docs/SYNC-DESIGN.md, "TLS"). A server address without
-- sslmode is now taken as sslmode=verify-full: the server's certificate and
-- name are checked. A desk enrolled before kept an address without one,
-- which connected as sslmode=prefer (encrypted when the server offers it,
-- nothing checked); it gets that mode written out, so a clinic's server
-- without TLS keeps syncing, and Settings → Sync warns that the connection
-- is not verified.
UPDATE sync_meta
SET server_url = server_url || CASE WHEN instr(server_url, '?') > 0 THEN '&' ELSE '?' END || 'sslmode=prefer'
WHERE server_url IS NOT NULL AND server_url NOT LIKE '%sslmode=%';

-- The window in which this desk takes an account's first signing key
-- signed only by that key (an account made before keys: docs/SYNC-DESIGN.md,
-- "A clinic that already syncs"): until this time, fourteen days after the
-- update that bounds it. After it, such a key is refused like any unsigned
-- power change; an administrator's signed password reset gives the
-- account a key the desks take.
ALTER TABLE sync_meta ADD COLUMN first_keys_until TEXT;
UPDATE sync_meta SET first_keys_until = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+14 days');

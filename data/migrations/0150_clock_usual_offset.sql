-- The desk's usual offset to the server's time (docs/SYNC-DESIGN.md,
-- "Clock incidents"): the server's time minus this desk's clock, in
-- milliseconds, as the last handshake that found no clock incident measured
-- it. The offset a handshake finds during an incident is the wrong clock's;
-- once the clock is set right, the desk's readings are off by that offset
-- until the next handshake, while the history rows it writes with its own
-- clock are not. A later incident moves the readings by the change of the
-- offset and the history rows by how far the clock itself was off: the
-- offset found then less this usual one. NULL: not measured yet (the
-- history rows move with the readings, as before).
ALTER TABLE sync_meta ADD COLUMN clock_usual_ms INTEGER;
UPDATE sync_meta SET clock_usual_ms = clock_offset_ms WHERE desk_code IS NOT NULL;

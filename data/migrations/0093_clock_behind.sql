-- A desk clock that falls behind (docs/SYNC-DESIGN.md, "Clock incidents").
-- The clock's readings never go backwards, so while the desk's own clock is
-- behind the readings it stamps are held at the newest one it gave: they no
-- longer say when the changes were made. For each write transaction whose
-- reading is held more than a second above the desk's physical time (its
-- clock corrected by the offset to the server's), clock_pinned keeps that
-- physical time in milliseconds. A handshake that finds the clock behind
-- then gives the changes made since it fell back the time they were made.
-- Desk-local; the rows of changes the server has taken are deleted at the
-- next handshake.
CREATE TABLE clock_pinned (
    hlc      TEXT PRIMARY KEY,
    physical INTEGER NOT NULL
) STRICT;

-- The desk's physical time (server time) at its last handshake, in
-- milliseconds: its clock was right then, so a change stamped with an
-- earlier physical time since was made after the clock fell back.
ALTER TABLE sync_meta ADD COLUMN clock_checked_ms INTEGER NOT NULL DEFAULT 0;

-- Audit copies stay honest (docs/SYNC-DESIGN.md, "Audit copies"): the
-- generation under which the desk sends its audit log to the server. It
-- starts at 0 and moves on when the server holds other rows at the seqs
-- the desk sends (the desk was restored from an older backup and numbers
-- again from where that stopped): the desk's log goes on under the next
-- generation, and the server keeps both.
ALTER TABLE sync_meta ADD COLUMN audit_generation INTEGER NOT NULL DEFAULT 0 CHECK (audit_generation >= 0);

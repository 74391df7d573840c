-- The desk's backup settings are sealed like records (docs/AUDIT.md, "Row
-- seals"; issue #14). desk_backup is this computer's own (not synced), but
-- someone holding the file could, with nothing reported by hms verify,
-- set keep to 1 (the next run removes every older backup), point the
-- backups at a public key of their own (the clinic's recovery key then
-- opens none of the new ones), another folder, or no daily run. Every
-- write of it is an audited one (backup.configure, backup.run), so its row
-- is now sealed by the transaction that writes it and verify reports an
-- edit made outside the app. A row present when this migration runs is
-- sealed as it is by the open's audit.reseal row. The key is an integer:
-- the seal names it as text.
CREATE TRIGGER seal_desk_backup_ins AFTER INSERT ON desk_backup BEGIN SELECT hms_seal('desk_backup', CAST(NEW.id AS TEXT)); END;
CREATE TRIGGER seal_desk_backup_upd AFTER UPDATE ON desk_backup BEGIN SELECT hms_seal('desk_backup', CAST(OLD.id AS TEXT)), hms_seal('desk_backup', CAST(NEW.id AS TEXT)); END;
CREATE TRIGGER seal_desk_backup_del AFTER DELETE ON desk_backup BEGIN SELECT hms_seal('desk_backup', CAST(OLD.id AS TEXT)); END;

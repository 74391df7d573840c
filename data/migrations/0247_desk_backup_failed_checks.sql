-- Whether the last failed backup was refused because the database does
-- not pass its checks (a record or the audit log changed outside the app:
-- data/backup_sealed.go), rather than for a folder that cannot be reached
-- or a full drive. Such a database cannot pass until someone acts, and
-- each try is a whole backup and check (minutes at a million patients):
-- it is not tried again every half hour (BackupRetry) nor on closing the
-- app, only at the next daily time or by Back up now. 1 when so, 0 else;
-- a good backup sets it back to 0. desk_backup is sealed (0215): the row
-- is sealed again over the new column by the open's audit.reseal row.
ALTER TABLE desk_backup ADD COLUMN last_error_checks INTEGER NOT NULL DEFAULT 0 CHECK (last_error_checks IN (0, 1));

-- The signed records of patients purged (desk migration 0050): rows
-- written once, which the desks verify before they apply the purge's
-- deletes (docs/SYNC-DESIGN.md).
INSERT INTO sync.entities (entity, mode) VALUES ('patient_purges', 'append')
ON CONFLICT (entity) DO NOTHING;

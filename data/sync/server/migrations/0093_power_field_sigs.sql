-- Per-field power signatures (desk migration 0123): one row per (entity,
-- row, field), merged field by field as any editable record, so that the
-- newest signature of a field travels with the field's newest value.
INSERT INTO sync.entities (entity, mode) VALUES ('power_sigs', 'editable')
ON CONFLICT (entity) DO NOTHING;

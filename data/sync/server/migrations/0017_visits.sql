-- Visits (visits: opened, then completed with their draft invoice) and the
-- records made during them (visit_records: written once).
INSERT INTO sync.entities (entity, mode) VALUES ('visits', 'editable'), ('visit_records', 'append')
ON CONFLICT (entity) DO NOTHING;

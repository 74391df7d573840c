-- An appointment's messages as one row (desk migration 0156): written
-- once, never changed.
INSERT INTO sync.entities (entity, mode) VALUES ('message_plans', 'append')
ON CONFLICT (entity) DO NOTHING;

-- The cash-ups of the desks' days (cashups): saved while a day is open,
-- then closed (numbered and frozen), and reopened by an administrator.
INSERT INTO sync.entities (entity, mode) VALUES ('cashups', 'editable')
ON CONFLICT (entity) DO NOTHING;

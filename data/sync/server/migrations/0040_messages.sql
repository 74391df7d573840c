-- Messages to patients (message_consents, messages, message_attempts):
-- rows written once, never changed.
INSERT INTO sync.entities (entity, mode) VALUES
    ('message_consents', 'append'), ('messages', 'append'), ('message_attempts', 'append')
ON CONFLICT (entity) DO NOTHING;

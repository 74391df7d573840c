-- The waiting-room queue: the tokens given at check-in (queue_tokens) and
-- the calls of tokens to rooms (queue_calls), both written once.
INSERT INTO sync.entities (entity, mode) VALUES ('queue_tokens', 'append'), ('queue_calls', 'append')
ON CONFLICT (entity) DO NOTHING;

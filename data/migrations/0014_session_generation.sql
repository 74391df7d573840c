-- Sessions follow the account (DESIGN.md, trust boundaries): a session
-- carries the account's role and its session generation from the login,
-- and every service call compares them with the account's row as it is
-- now (one read by primary key inside the call's transaction). A change of
-- role or status, or a password set by an administrator (the row then
-- says the password must be changed), moves the generation on, so a
-- session opened before it fails at its next call. A person changing
-- their own password keeps their session: they are the one holding it.
--
-- The generation is the desk's own (sessions live on one desk), so it does
-- not sync; an account change pulled from another desk moves it on here
-- through the same trigger.
ALTER TABLE users ADD COLUMN session_gen INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER users_session_gen AFTER UPDATE OF role, status, password_hash, deleted_at ON users
WHEN new.role IS NOT old.role OR new.status IS NOT old.status OR new.deleted_at IS NOT old.deleted_at
    OR (new.password_hash IS NOT old.password_hash AND new.must_change_password = 1)
BEGIN
    UPDATE users SET session_gen = session_gen + 1 WHERE id = new.id;
END;

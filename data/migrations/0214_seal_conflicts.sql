-- What waits for review is sealed like the records it is about
-- (docs/AUDIT.md, "Row seals"; issue #14). conflicts (the value that
-- lost to another desk's, kept for a person to take back or keep out)
-- and billing_conflicts (an invoice overpaid on desks apart, settled by
-- refunding or allocating) are this desk's own tables, not synced, but
-- what they hold decides records: resolving a conflict by taking what
-- lost writes its lost_value over the record as an audited change of the
-- person who resolves it. Someone holding the file could insert a
-- conflict with a value of their choosing for billing staff or an
-- administrator to take, delete an open one so that nobody sees what was
-- lost, or rewrite who resolved one and how; hms verify said nothing.
-- Their rows are now sealed by the transaction that writes them (a pull,
-- a push, a resolution, a settlement), and verify reports any row
-- altered, added or deleted outside the app. The rows present when this
-- migration runs are sealed as they are by the open's audit.reseal row
-- (data/reseal.go: a table that becomes audited is sealed like a new
-- one).
CREATE TRIGGER seal_conflicts_ins AFTER INSERT ON conflicts BEGIN SELECT hms_seal('conflicts', NEW.id); END;
CREATE TRIGGER seal_conflicts_upd AFTER UPDATE ON conflicts BEGIN SELECT hms_seal('conflicts', OLD.id), hms_seal('conflicts', NEW.id); END;
CREATE TRIGGER seal_conflicts_del AFTER DELETE ON conflicts BEGIN SELECT hms_seal('conflicts', OLD.id); END;

CREATE TRIGGER seal_billing_conflicts_ins AFTER INSERT ON billing_conflicts BEGIN SELECT hms_seal('billing_conflicts', NEW.id); END;
CREATE TRIGGER seal_billing_conflicts_upd AFTER UPDATE ON billing_conflicts BEGIN SELECT hms_seal('billing_conflicts', OLD.id), hms_seal('billing_conflicts', NEW.id); END;
CREATE TRIGGER seal_billing_conflicts_del AFTER DELETE ON billing_conflicts BEGIN SELECT hms_seal('billing_conflicts', OLD.id); END;

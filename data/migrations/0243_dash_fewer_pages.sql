-- The dashboard's summaries cost an issue-and-pay four b-trees, a page
-- each per commit (issue #18): dash_revenue and dash_invoices written by
-- the issue, dash_payments and the one-row dash_allocated by the payment.
-- Each commit now writes one: the figures of dash_invoices and
-- dash_allocated move into the other two tables, as rows whose key cannot
-- be a line's or a day's payments', and the two tables go.
--
-- dash_revenue:
--   (day, doctor_id, kind, code)  a day's lines, as before (kind is never ''
--                                 for a line: invoice_lines' CHECK);
--   (day, '', '', '')             the day's invoices: quantity is how many
--                                 were issued and are not void, amount their
--                                 total (the day's dash_invoices row; it
--                                 equals the sum of the day's lines);
--   ('all', '', '', '')           the same for all days: the Outstanding
--                                 figure reads one row, not every day.
-- dash_payments:
--   (day, method)                 a day's payments, as before, allocated 0;
--   ('all', '')                   allocated: what payments not refunded have
--                                 paid towards invoices not draft or void, in
--                                 all (dash_allocated's amount); the other
--                                 figures 0.
--
-- 'all' sorts after every day ('YYYY-MM-DD'), so the all-days row is the
-- b-tree's last, on the leaf of today's rows that each commit writes
-- anyway; no range of days reads it. The triggers that kept
-- dash_allocated keep their names and conditions and write the ('all', '')
-- row instead, so that what they count, and in which order pulled rows may
-- come, is unchanged: migration 0244, apart so that it can run again
-- after payments' rebuild (data/payments_rebuild_test.go). dash_invoices
-- and dash_allocated stay as views of the rows that replace them
-- (data/dashboard_summary.go recomputes the tables).
ALTER TABLE dash_payments ADD COLUMN allocated INTEGER NOT NULL DEFAULT 0;

-- The figures as they are, copied: the same on the dashboard after the
-- migration as before it.
INSERT INTO dash_revenue (day, doctor_id, kind, code, quantity, amount)
SELECT day, '', '', '', n, amount FROM dash_invoices WHERE n <> 0 OR amount <> 0;
INSERT INTO dash_revenue (day, doctor_id, kind, code, quantity, amount)
SELECT 'all', '', '', '', sum(n), sum(amount) FROM dash_invoices HAVING count(*) > 0;
INSERT INTO dash_payments (day, method, n, taken, refunds, refunded, allocated)
SELECT 'all', '', 0, 0, 0, 0, amount FROM dash_allocated WHERE id = 1;

DROP TRIGGER dash_invoices_counted;
CREATE TRIGGER dash_invoices_counted AFTER UPDATE OF status ON invoices
WHEN (old.status IN ('draft', 'void')) <> (new.status IN ('draft', 'void'))
BEGIN
    INSERT INTO dash_revenue (day, doctor_id, kind, code, quantity, amount)
    SELECT date(coalesce(new.issued_at, old.issued_at), coalesce((SELECT printf('%+d minutes', z.offset_minutes) FROM dashboard_zone z
            WHERE z.from_at <= coalesce(new.issued_at, old.issued_at) ORDER BY z.from_at DESC LIMIT 1), '+0 minutes')),
        coalesce((SELECT a.doctor_id FROM appointments a WHERE a.id = new.appointment_id),
                 (SELECT p.doctor_id FROM price_items p WHERE p.id = l.price_item_id), ''),
        l.kind, l.code,
        CASE WHEN new.status IN ('draft', 'void') THEN -sum(l.quantity) ELSE sum(l.quantity) END,
        CASE WHEN new.status IN ('draft', 'void') THEN -sum(l.total) ELSE sum(l.total) END
    FROM invoice_lines l WHERE l.invoice_id = new.id
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (day, doctor_id, kind, code) DO UPDATE SET quantity = quantity + excluded.quantity,
        amount = amount + excluded.amount;
    -- The invoice's day and the all-days row, in one statement.
    INSERT INTO dash_revenue (day, doctor_id, kind, code, quantity, amount)
    SELECT d.day, '', '', '', s.n, s.amount
    FROM (SELECT date(coalesce(new.issued_at, old.issued_at), coalesce((SELECT printf('%+d minutes', z.offset_minutes) FROM dashboard_zone z
            WHERE z.from_at <= coalesce(new.issued_at, old.issued_at) ORDER BY z.from_at DESC LIMIT 1), '+0 minutes')) AS day
        UNION ALL SELECT 'all') d,
        (SELECT CASE WHEN new.status IN ('draft', 'void') THEN -1 ELSE 1 END AS n,
            CASE WHEN new.status IN ('draft', 'void') THEN -1 ELSE 1 END
                * (SELECT coalesce(sum(l.total), 0) FROM invoice_lines l WHERE l.invoice_id = new.id) AS amount) s
    WHERE true
    ON CONFLICT (day, doctor_id, kind, code) DO UPDATE SET quantity = quantity + excluded.quantity,
        amount = amount + excluded.amount;
END;

DROP TABLE dash_invoices;
DROP TABLE dash_allocated;

-- The old tables' figures, for queries written against them: the days
-- with invoices, and the allocated sum (one row, 0 when none).
CREATE VIEW dash_invoices (day, n, amount) AS
SELECT day, quantity, amount FROM dash_revenue
WHERE doctor_id = '' AND kind = '' AND code = '' AND day <> 'all' AND (quantity <> 0 OR amount <> 0);
CREATE VIEW dash_allocated (id, amount) AS
SELECT 1, coalesce((SELECT allocated FROM dash_payments WHERE day = 'all' AND method = ''), 0);

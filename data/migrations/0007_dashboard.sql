-- Dashboard summaries: per-day counts and sums that the admin dashboard,
-- its charts and its reports read instead of scanning five years of rows.
--
-- A summary row is keyed by the calendar day in the clinic's time zone.
-- SQLite knows nothing of time zones, so dashboard_zone lists the zone's
-- UTC offsets and the instants from which each applies (its daylight-saving
-- transitions); the code fills it from Go's zone data whenever the clinic's
-- zone differs from dashboard_state.zone, and recomputes every summary in
-- the same transaction. The local day of a UTC timestamp X is then
--
--   date(X, coalesce((SELECT printf('%+d minutes', z.offset_minutes)
--       FROM dashboard_zone z WHERE z.from_at <= X ORDER BY z.from_at DESC LIMIT 1), '+0 minutes'))
--
-- (an empty zone table is UTC). The triggers below keep each summary up to
-- date in the transaction that changes what it summarizes, whatever code
-- path writes it; data.CheckDashboard compares them with a recomputation.
-- A summary row whose counts fall back to zero is left in place.

CREATE TABLE dashboard_zone (
    from_at        TEXT PRIMARY KEY, -- UTC, data.TimeLayout; '' for the beginning of time
    offset_minutes INTEGER NOT NULL CHECK (offset_minutes BETWEEN -1440 AND 1440)
) STRICT, WITHOUT ROWID;

-- The zone the summaries are built for, and when they were last rebuilt.
CREATE TABLE dashboard_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    zone     TEXT NOT NULL,
    built_at TEXT NOT NULL
) STRICT;
INSERT INTO dashboard_state (id, zone, built_at) VALUES (1, 'UTC', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

-- When each doctor last looked at the reports on their dashboard.
CREATE TABLE dashboard_seen (
    user_id         TEXT PRIMARY KEY REFERENCES users (id),
    reports_seen_at TEXT NOT NULL
) STRICT;

-- Patients registered (not archived) per day of created_at.
CREATE TABLE dash_patients (
    day TEXT PRIMARY KEY,
    n   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Appointments (not tombstoned) per day of start_at, doctor and status,
-- with their booked minutes.
CREATE TABLE dash_appointments (
    day       TEXT NOT NULL,
    doctor_id TEXT NOT NULL,
    status    TEXT NOT NULL,
    n         INTEGER NOT NULL,
    minutes   INTEGER NOT NULL,
    PRIMARY KEY (day, doctor_id, status)
) STRICT, WITHOUT ROWID;

-- Invoiced revenue: the lines of invoices issued and not void, per day of
-- issued_at, doctor (the appointment's, else the price item's, else ''),
-- kind and code of the line.
CREATE TABLE dash_revenue (
    day       TEXT NOT NULL,
    doctor_id TEXT NOT NULL,
    kind      TEXT NOT NULL,
    code      TEXT NOT NULL,
    quantity  INTEGER NOT NULL,
    amount    INTEGER NOT NULL,
    PRIMARY KEY (day, doctor_id, kind, code)
) STRICT, WITHOUT ROWID;

-- Invoices issued and not void per day of issued_at (the revenue's count).
CREATE TABLE dash_invoices (
    day    TEXT PRIMARY KEY,
    n      INTEGER NOT NULL,
    amount INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Payments and refunds per day of taken_at and method.
CREATE TABLE dash_payments (
    day        TEXT NOT NULL,
    method     TEXT NOT NULL,
    n          INTEGER NOT NULL, -- payments, refunds not counted
    taken      INTEGER NOT NULL,
    refunds    INTEGER NOT NULL,
    refunded   INTEGER NOT NULL,
    PRIMARY KEY (day, method)
) STRICT, WITHOUT ROWID;

-- What payments not refunded have paid towards invoices not void, in
-- all: the outstanding balance is the total of dash_invoices less this
-- (no invoice is ever paid more than its total), so that it costs no scan
-- of the unpaid invoices.
CREATE TABLE dash_allocated (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    amount INTEGER NOT NULL
) STRICT;

-- The new patients of a period, for the list behind the figure.
CREATE INDEX patients_created ON patients (created_at, id);
-- Every version of a doctor's weekly hours, for their utilization in the past.
CREATE INDEX availability_history ON availability (doctor_id, created_at);

-- Patients.
CREATE TRIGGER dash_patients_insert AFTER INSERT ON patients WHEN new.deleted_at IS NULL
BEGIN
    INSERT INTO dash_patients (day, n)
    VALUES (date(new.created_at, coalesce((SELECT printf('%+d minutes', z.offset_minutes) FROM dashboard_zone z
            WHERE z.from_at <= new.created_at ORDER BY z.from_at DESC LIMIT 1), '+0 minutes')), 1)
    ON CONFLICT (day) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER dash_patients_update AFTER UPDATE OF created_at, deleted_at ON patients
WHEN new.created_at IS NOT old.created_at OR (new.deleted_at IS NULL) IS NOT (old.deleted_at IS NULL)
BEGIN
    UPDATE dash_patients SET n = n - 1
    WHERE old.deleted_at IS NULL AND day = date(old.created_at, coalesce((SELECT printf('%+d minutes', z.offset_minutes)
        FROM dashboard_zone z WHERE z.from_at <= old.created_at ORDER BY z.from_at DESC LIMIT 1), '+0 minutes'));
    INSERT INTO dash_patients (day, n)
    SELECT date(new.created_at, coalesce((SELECT printf('%+d minutes', z.offset_minutes) FROM dashboard_zone z
            WHERE z.from_at <= new.created_at ORDER BY z.from_at DESC LIMIT 1), '+0 minutes')), 1
    WHERE new.deleted_at IS NULL
    ON CONFLICT (day) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER dash_patients_delete AFTER DELETE ON patients WHEN old.deleted_at IS NULL
BEGIN
    UPDATE dash_patients SET n = n - 1
    WHERE day = date(old.created_at, coalesce((SELECT printf('%+d minutes', z.offset_minutes)
        FROM dashboard_zone z WHERE z.from_at <= old.created_at ORDER BY z.from_at DESC LIMIT 1), '+0 minutes'));
END;

-- Appointments: their day, doctor and times never change
-- (appointments_booking_fixed), their status and tombstone may.
CREATE TRIGGER dash_appointments_insert AFTER INSERT ON appointments WHEN new.deleted_at IS NULL
BEGIN
    INSERT INTO dash_appointments (day, doctor_id, status, n, minutes)
    VALUES (date(new.start_at, coalesce((SELECT printf('%+d minutes', z.offset_minutes) FROM dashboard_zone z
            WHERE z.from_at <= new.start_at ORDER BY z.from_at DESC LIMIT 1), '+0 minutes')),
        new.doctor_id, new.status, 1, (unixepoch(new.end_at) - unixepoch(new.start_at)) / 60)
    ON CONFLICT (day, doctor_id, status) DO UPDATE SET n = n + 1, minutes = minutes + excluded.minutes;
END;
CREATE TRIGGER dash_appointments_update AFTER UPDATE OF status, deleted_at ON appointments
WHEN new.status IS NOT old.status OR (new.deleted_at IS NULL) IS NOT (old.deleted_at IS NULL)
BEGIN
    UPDATE dash_appointments SET n = n - 1, minutes = minutes - (unixepoch(old.end_at) - unixepoch(old.start_at)) / 60
    WHERE old.deleted_at IS NULL AND doctor_id = old.doctor_id AND status = old.status
        AND day = date(old.start_at, coalesce((SELECT printf('%+d minutes', z.offset_minutes) FROM dashboard_zone z
            WHERE z.from_at <= old.start_at ORDER BY z.from_at DESC LIMIT 1), '+0 minutes'));
    INSERT INTO dash_appointments (day, doctor_id, status, n, minutes)
    SELECT date(new.start_at, coalesce((SELECT printf('%+d minutes', z.offset_minutes) FROM dashboard_zone z
            WHERE z.from_at <= new.start_at ORDER BY z.from_at DESC LIMIT 1), '+0 minutes')),
        new.doctor_id, new.status, 1, (unixepoch(new.end_at) - unixepoch(new.start_at)) / 60
    WHERE new.deleted_at IS NULL
    ON CONFLICT (day, doctor_id, status) DO UPDATE SET n = n + 1, minutes = minutes + excluded.minutes;
END;

-- Invoices count as revenue from issue (draft → issued) until void; their
-- lines and issued_at are frozen meanwhile (invoices_frozen and the
-- invoice_lines triggers), so only a change of status moves the figures.
CREATE TRIGGER dash_invoices_counted AFTER UPDATE OF status ON invoices
WHEN (old.status IN ('draft', 'void')) <> (new.status IN ('draft', 'void'))
BEGIN
    INSERT INTO dash_revenue (day, doctor_id, kind, code, quantity, amount)
    SELECT date(new.issued_at, coalesce((SELECT printf('%+d minutes', z.offset_minutes) FROM dashboard_zone z
            WHERE z.from_at <= new.issued_at ORDER BY z.from_at DESC LIMIT 1), '+0 minutes')),
        coalesce((SELECT a.doctor_id FROM appointments a WHERE a.id = new.appointment_id),
                 (SELECT p.doctor_id FROM price_items p WHERE p.id = l.price_item_id), ''),
        l.kind, l.code,
        CASE WHEN new.status IN ('draft', 'void') THEN -sum(l.quantity) ELSE sum(l.quantity) END,
        CASE WHEN new.status IN ('draft', 'void') THEN -sum(l.total) ELSE sum(l.total) END
    FROM invoice_lines l WHERE l.invoice_id = new.id
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (day, doctor_id, kind, code) DO UPDATE SET quantity = quantity + excluded.quantity,
        amount = amount + excluded.amount;
    INSERT INTO dash_invoices (day, n, amount)
    SELECT date(new.issued_at, coalesce((SELECT printf('%+d minutes', z.offset_minutes) FROM dashboard_zone z
            WHERE z.from_at <= new.issued_at ORDER BY z.from_at DESC LIMIT 1), '+0 minutes')),
        CASE WHEN new.status IN ('draft', 'void') THEN -1 ELSE 1 END,
        CASE WHEN new.status IN ('draft', 'void') THEN -1 ELSE 1 END
            * (SELECT coalesce(sum(l.total), 0) FROM invoice_lines l WHERE l.invoice_id = new.id)
    WHERE true
    ON CONFLICT (day) DO UPDATE SET n = n + excluded.n, amount = amount + excluded.amount;
END;

-- A void takes the invoice's payments out of dash_allocated with its
-- total out of dash_invoices (the service refuses to void a paid invoice,
-- but the summary does not rely on it).
CREATE TRIGGER dash_allocated_counted AFTER UPDATE OF status ON invoices
WHEN (old.status IN ('draft', 'void')) <> (new.status IN ('draft', 'void'))
BEGIN
    UPDATE dash_allocated SET amount = amount + CASE WHEN new.status IN ('draft', 'void') THEN -1 ELSE 1 END
        * (SELECT coalesce(sum(a.amount), 0) FROM payment_allocations a WHERE a.invoice_id = new.id
            AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = a.payment_id))
    WHERE id = 1;
END;
-- Allocations and refunds (a refund is a payment with reversal_of set and
-- no allocations of its own; it cancels those of the payment it reverses).
CREATE TRIGGER dash_allocated_insert AFTER INSERT ON payment_allocations
WHEN (SELECT status FROM invoices WHERE id = new.invoice_id) NOT IN ('draft', 'void')
    AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = new.payment_id)
BEGIN
    UPDATE dash_allocated SET amount = amount + new.amount WHERE id = 1;
END;
CREATE TRIGGER dash_allocated_refund AFTER INSERT ON payments WHEN new.reversal_of IS NOT NULL
BEGIN
    UPDATE dash_allocated SET amount = amount - (SELECT coalesce(sum(a.amount), 0)
        FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
        WHERE a.payment_id = new.reversal_of AND i.status NOT IN ('draft', 'void'))
    WHERE id = 1;
END;

-- Payments are never changed or deleted (payments_no_update, _no_delete).
CREATE TRIGGER dash_payments_insert AFTER INSERT ON payments WHEN new.deleted_at IS NULL
BEGIN
    INSERT INTO dash_payments (day, method, n, taken, refunds, refunded)
    VALUES (date(new.taken_at, coalesce((SELECT printf('%+d minutes', z.offset_minutes) FROM dashboard_zone z
            WHERE z.from_at <= new.taken_at ORDER BY z.from_at DESC LIMIT 1), '+0 minutes')), new.method,
        new.reversal_of IS NULL, iif(new.reversal_of IS NULL, new.amount, 0),
        new.reversal_of IS NOT NULL, iif(new.reversal_of IS NULL, 0, new.amount))
    ON CONFLICT (day, method) DO UPDATE SET n = n + excluded.n, taken = taken + excluded.taken,
        refunds = refunds + excluded.refunds, refunded = refunded + excluded.refunded;
END;

-- Backfill, in UTC days until the code rebuilds them in the clinic's zone
-- (dashboard_zone is empty and dashboard_state.zone is 'UTC').
INSERT INTO dash_patients (day, n)
SELECT date(created_at), count(*) FROM patients WHERE deleted_at IS NULL GROUP BY 1;
INSERT INTO dash_appointments (day, doctor_id, status, n, minutes)
SELECT date(start_at), doctor_id, status, count(*), sum((unixepoch(end_at) - unixepoch(start_at)) / 60)
FROM appointments WHERE deleted_at IS NULL GROUP BY 1, 2, 3;
INSERT INTO dash_revenue (day, doctor_id, kind, code, quantity, amount)
SELECT date(i.issued_at), coalesce(a.doctor_id, p.doctor_id, ''), l.kind, l.code, sum(l.quantity), sum(l.total)
FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id
LEFT JOIN appointments a ON a.id = i.appointment_id LEFT JOIN price_items p ON p.id = l.price_item_id
WHERE i.status NOT IN ('draft', 'void') GROUP BY 1, 2, 3, 4;
INSERT INTO dash_invoices (day, n, amount)
SELECT date(i.issued_at), count(*), sum((SELECT coalesce(sum(l.total), 0) FROM invoice_lines l WHERE l.invoice_id = i.id))
FROM invoices i WHERE i.status NOT IN ('draft', 'void') GROUP BY 1;
INSERT INTO dash_payments (day, method, n, taken, refunds, refunded)
SELECT date(taken_at), method, sum(reversal_of IS NULL), sum(iif(reversal_of IS NULL, amount, 0)),
    sum(reversal_of IS NOT NULL), sum(iif(reversal_of IS NULL, 0, amount))
FROM payments WHERE deleted_at IS NULL GROUP BY 1, 2;
INSERT INTO dash_allocated (id, amount)
SELECT 1, coalesce(sum(a.amount), 0) FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
WHERE i.status NOT IN ('draft', 'void') AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = a.payment_id);

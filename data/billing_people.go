package data

// Billing records keep who issued or took them by username or user id; the
// screens and documents name the person instead ("Maria Lopez", not
// "billing"). Payments store the cashier's full name when taken; records
// written before that, and invoices, whose issued_by is the username, are
// named through the users table when read, the stored value kept when the
// user is not known on this desk. The writer's name comes from
// tx.callerName.

// cashierNameSQL is a payment p's cashier as a person's name.
const cashierNameSQL = `coalesce((SELECT NULLIF(u.full_name, '') FROM users u WHERE u.id = p.cashier_id), p.cashier_name)`

// issuedByNameSQL is who issued invoice i, as a person's name.
const issuedByNameSQL = `coalesce((SELECT NULLIF(u.full_name, '') FROM users u WHERE u.username = i.issued_by), i.issued_by)`

// priceCreatorNameSQL is who made a price list version, as a person's
// name (the table keeps the username; users has no created_by column, so
// the name resolves to the price item's).
const priceCreatorNameSQL = `coalesce((SELECT NULLIF(u.full_name, '') FROM users u WHERE u.username = created_by), created_by)`

// resolverNameSQL is who settled an overpaid invoice b, as a person's name
// ("sync" when the sync engine did).
const resolverNameSQL = `coalesce((SELECT NULLIF(u.full_name, '') FROM users u WHERE u.username = b.resolved_by), b.resolved_by)`

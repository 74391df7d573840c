package data

import (
	"fmt"
	"strconv"
	"strings"
)

// Number series (DESIGN.md): every number a person reads (a patient's
// record number, a prescription's, an invoice's, a credit note's, a
// receipt's) comes from a gap-free series of the desk that made the
// record, taken in the same transaction as the record, so that no two
// desks can give the same number and a series has no gaps.

// Series is one of a desk's number series. Its name is its prefix, the
// code of the desk that numbers with it and, for a series that starts
// again each year, the clinic's year: P-D1, INV-D1-2026. A number is the
// name and its place in the series, in six digits or more: P-D1-000041,
// INV-D1-2026-000042.
type Series struct {
	// Prefix says what the series numbers: P patients, RX prescriptions,
	// INV invoices, CN credit notes, R receipts.
	Prefix string
	// Desk is the code of the desk that numbers with it (D1).
	Desk string
	// Year is the clinic's year of a yearly series; 0 for a series that
	// goes on from year to year (patients).
	Year int
}

// The prefixes of the series.
const (
	seriesPatient      = "P"
	seriesPrescription = "RX"
	seriesInvoice      = "INV"
	seriesCreditNote   = "CN"
	seriesReceipt      = "R"
)

// String is the series' name, as the series table keys it: P-D1,
// INV-D1-2026.
func (s Series) String() string {
	if s.Year == 0 {
		return s.Prefix + "-" + s.Desk
	}
	return fmt.Sprintf("%s-%s-%d", s.Prefix, s.Desk, s.Year)
}

// Number is the nth number of the series: P-D1-000041.
func (s Series) Number(n int64) string {
	return fmt.Sprintf("%s-%06d", s, n)
}

// ParseNumber splits a number into its series and its place in it; ok is
// false when it is not a number of a series: a pulled row may carry one
// made by another version of hms, or none.
func ParseNumber(number string) (s Series, n int64, ok bool) {
	i := strings.LastIndexByte(number, '-')
	if i <= 0 {
		return Series{}, 0, false
	}
	n, err := strconv.ParseInt(number[i+1:], 10, 64)
	if err != nil || n < 1 {
		return Series{}, 0, false
	}
	name := number[:i]
	parts := strings.Split(name, "-")
	switch len(parts) {
	case 2:
		s = Series{Prefix: parts[0], Desk: parts[1]}
	case 3:
		year, err := strconv.Atoi(parts[2])
		if err != nil {
			return Series{}, 0, false
		}
		s = Series{Prefix: parts[0], Desk: parts[1], Year: year}
	default:
		return Series{}, 0, false
	}
	if s.Prefix == "" || s.Desk == "" || s.String() != name {
		return Series{}, 0, false
	}
	return s, n, true
}

// series is the desk's series of prefix, for year (0: not yearly). The
// desk code is read in the write transaction: enrollment sets it in one.
func (tx *Tx) series(prefix string, year int) Series {
	return Series{Prefix: prefix, Desk: tx.db.desk, Year: year}
}

// nextNumber takes the next place in a series inside tx.
func (tx *Tx) nextNumber(s Series) (int64, error) {
	var n int64
	err := tx.QueryRowContext(tx.ctx, `INSERT INTO series (name, next) VALUES (?, 2)
		ON CONFLICT (name) DO UPDATE SET next = next + 1 RETURNING next - 1`, s.String()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("series %s: %w", s, err)
	}
	return n, nil
}

// takeNumber takes the next number of a series inside tx: P-D1-000041.
func (tx *Tx) takeNumber(s Series) (string, error) {
	n, err := tx.nextNumber(s)
	if err != nil {
		return "", err
	}
	return s.Number(n), nil
}

// AdvanceSeries moves a series past its nth number, which the desk has
// without having taken it here: a desk restored from an older backup
// takes back from the server the records it numbered after that backup,
// and must not give their numbers again.
func (tx *Tx) AdvanceSeries(s Series, n int64) error {
	_, err := tx.exec(`INSERT INTO series (name, next) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET next = max(next, excluded.next)`, s.String(), n+1)
	return err
}

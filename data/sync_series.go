package data

import (
	"strconv"
	"strings"
)

// numberColumns are the columns that hold a number of a desk's series
// (nextNumber): "<series>-<n>", the series naming its desk code second
// (P-D1-000041, INV-D1-2026-000042).
var numberColumns = map[string]string{
	"patients":      "mrn",
	"prescriptions": "number",
	"invoices":      "number",
	"credit_notes":  "number",
	"payments":      "receipt_number",
}

// advanceSeries moves this desk's series past a number of its own that a
// pull brought: a desk restored from an older backup takes back from the
// server the records it numbered after that backup, and must not give
// their numbers again. Other desks' numbers name other series.
func (a *applier) advanceSeries(entity string, values map[string]any) error {
	col, ok := numberColumns[entity]
	if !ok {
		return nil
	}
	number, _ := values[col].(string)
	series, n, ok := splitNumber(number)
	if !ok || !ownSeries(series, a.tx.db.desk) {
		return nil
	}
	_, err := a.tx.exec(`INSERT INTO series (name, next) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET next = max(next, excluded.next)`, series, n+1)
	return err
}

// splitNumber splits a number into its series and its place in it.
func splitNumber(number string) (series string, n int64, ok bool) {
	i := strings.LastIndexByte(number, '-')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.ParseInt(number[i+1:], 10, 64)
	if err != nil || n < 1 {
		return "", 0, false
	}
	return number[:i], n, true
}

// ownSeries reports whether a series is one of the desk's: its desk code
// is the series' second part.
func ownSeries(series, desk string) bool {
	parts := strings.SplitN(series, "-", 3)
	return len(parts) >= 2 && desk != "" && parts[1] == desk
}

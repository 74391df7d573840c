package data

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
	s, n, ok := ParseNumber(number)
	if !ok || s.Desk != a.tx.db.desk {
		return nil
	}
	return a.tx.AdvanceSeries(s, n)
}

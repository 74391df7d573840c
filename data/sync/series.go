package sync

import "hms/data"

// advanceSeries moves this desk's series past a number of its own that a
// pull brought: a desk restored from an older backup takes back from the
// server the records it numbered after that backup, and must not give
// their numbers again. Other desks' numbers name other series.
func (a *applier) advanceSeries(entity string, values map[string]any) error {
	t, _ := data.FindSyncedTable(entity)
	if t.Number == "" {
		return nil
	}
	number, _ := values[t.Number].(string)
	s, n, ok := data.ParseNumber(number)
	if !ok || s.Desk != a.tx.DeskCode() {
		return nil
	}
	return a.tx.AdvanceSeries(s, n)
}

package charts

import (
	"bytes"
	"testing"

	"hms/app"
)

// A chart writes the words the caller gives it (the screen's language),
// and its English ones where the caller gives none.
func TestWordsOfAChart(t *testing.T) {
	s := &app.Series{Kind: app.SeriesAppointmentsPerDay, Title: "Appointments per day"}
	if got := (Words{}).english(s); got != (Words{Title: "Appointments per day", Count: "count", NoData: "no data"}) {
		t.Errorf("English words: %+v", got)
	}
	greek := Words{Title: "Ραντεβού ανά ημέρα", Count: "πλήθος", NoData: "χωρίς δεδομένα"}
	if got := greek.english(s); got != greek {
		t.Errorf("given words: %+v", got)
	}
	en, err := BarsWith(s, 400, 300, Light, Words{})
	if err != nil {
		t.Fatal(err)
	}
	el, err := BarsWith(s, 400, 300, Light, greek)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(en, el) {
		t.Error("the chart in Greek is drawn the same as in English")
	}
}

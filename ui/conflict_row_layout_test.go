package ui

import (
	"testing"

	"fyne.io/fyne/v2"
)

// TestConflictRowLaysOutWhatItShows: a row of the conflicts list is
// reused for another conflict, and the buttons it shows change (a payment
// refunded twice has one, "Mark done"; the template has two). Its text
// must be laid out at the width those buttons leave, the width its height
// was measured at (wrappedList measures on a spare row laid out afresh):
// laid out as it was, at the width the template's two buttons left, a
// wrapped line more than measured ran over the next label (seen in Greek
// on Billing → Billing conflicts).
func TestConflictRowLaysOutWhatItShows(t *testing.T) {
	h := newSyncHarness(t, enrolledStatus)
	s := openRefundedTwice(t, h)

	size := fyne.NewSize(900, 200)
	reused := s.list.CreateItem() // laid out as the template first, both buttons showing
	reused.Resize(size)
	s.list.UpdateItem(0, reused)
	fresh := s.list.CreateItem() // as wrappedList measures it
	s.list.UpdateItem(0, fresh)
	fresh.Resize(size)
	got, want := reused.(*conflictRow).values.Size().Width, fresh.(*conflictRow).values.Size().Width
	if got != want {
		t.Errorf("the reused row's text is %v wide, the measured one's %v: the row keeps the template's layout", got, want)
	}
}

package app_test

import (
	"strings"
	"testing"

	"hms/app"
)

// TestQueueToken: desks D1 to D26 give A to Z; any other code stands for
// itself, so two desk codes never give one letter.
func TestQueueToken(t *testing.T) {
	for code, want := range map[string]string{"D1": "A-007", "D2": "B-007", "D26": "Z-007", "D27": "D27-007",
		"D01": "D01-007", "D0": "D0-007", "X": "X-007"} {
		if got := app.QueueToken(code, 7); got != want {
			t.Errorf("QueueToken(%q, 7) = %q, want %q", code, got, want)
		}
	}
	if got := app.QueueToken("D1", 1234); got != "A-1234" {
		t.Errorf("a thousandth token: %q", got)
	}
	for _, room := range []string{"", "   ", "Room\x07", strings.Repeat("x", 51)} {
		if _, err := app.ValidateRoom(room); app.ErrorField(err) != "room" {
			t.Errorf("room %q: %v", room, err)
		}
	}
	if got, err := app.ValidateRoom("  Room   2 "); err != nil || got != "Room 2" {
		t.Errorf("room: %q, %v", got, err)
	}
}

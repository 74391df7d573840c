package app

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The waiting-room queue: checking a patient in gives them a token for the
// day, a doctor calls a token to their room, and the waiting-room display
// shows the latest calls.

// QueueCall is one call of a token to a room.
type QueueCall struct {
	ID            string
	AppointmentID string
	Token         string
	Room          string
	DoctorID      string
	DoctorName    string
	// PatientName is filled only where the caller may see it: on the
	// waiting-room display only when the clinic turns names on
	// (Settings.DisplayNames).
	PatientName string
	CalledAt    time.Time
}

// QueueService is the queue of the waiting room.
type QueueService interface {
	// CallNext calls the doctor's next waiting patient of today: the
	// earliest checked in with a token who has not been called yet. room
	// "" is the room the doctor called from last, else their profile's.
	CallNext(ctx context.Context, doctorID, room string) (*QueueCall, error)
	// Call calls the patient of a checked-in appointment of today, again
	// if they were called before.
	Call(ctx context.Context, appointmentID, room string) (*QueueCall, error)
	// RecentCalls are today's latest calls, newest first, at most limit,
	// for the waiting-room display.
	RecentCalls(ctx context.Context, limit int) ([]*QueueCall, error)
	// DoctorRoom is the room the doctor called from last, else their
	// profile's room.
	DoctorRoom(ctx context.Context, doctorID string) (string, error)
}

// QueueLetter is the letter a desk's tokens start with: A for desk D1, B
// for D2, up to Z for D26; a desk beyond uses its code (D27). Desk codes
// are unique in a clinic, so the tokens of two desks never meet.
func QueueLetter(deskCode string) string {
	if rest, ok := strings.CutPrefix(deskCode, "D"); ok {
		var n int
		if _, err := fmt.Sscanf(rest, "%d", &n); err == nil && fmt.Sprint(n) == rest && n >= 1 && n <= 26 {
			return string(rune('A' + n - 1))
		}
	}
	return deskCode
}

// QueueToken is the nth token of a desk's day: A-012.
func QueueToken(deskCode string, n int) string {
	return fmt.Sprintf("%s-%03d", QueueLetter(deskCode), n)
}

// ValidateRoom checks a room called to, as the display shows it.
func ValidateRoom(room string) (string, error) {
	room = strings.Join(strings.Fields(room), " ")
	switch {
	case room == "":
		return "", FieldErrorf("room", "Enter the room the patient is called to, e.g. Room 2.")
	case utf8.RuneCountInString(room) > 50 || strings.IndexFunc(room, unicode.IsControl) >= 0:
		return "", FieldErrorf("room", "A room is at most 50 characters.")
	}
	return room, nil
}

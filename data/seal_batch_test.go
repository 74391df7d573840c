package data_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"hms/app"
)

// TestSealsOfABookingsMessages: a booking queues its six messages as one
// row, its message plan, sealed with the booking; the desk that sends
// writes the six out by one statement, sealed by one read of the six
// (seal.go, readTouched), not one read each, and their seals are those
// Verify recomputes from the rows.
func TestSealsOfABookingsMessages(t *testing.T) {
	a, svc, tr := messagesClinic(t)
	seals := func(entity string) int {
		var n int
		if err := a.db.ReadDB().QueryRow(`SELECT count(*) FROM audit_seal WHERE entity = ?`, entity).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
		Start: a.at("2026-11-28", "09:30"), Reason: "Check-up"})
	if ms := patientMessages(t, a, svc, a.patient); len(ms) != 6 {
		t.Fatalf("queued %d messages, want 6", len(ms))
	}
	if p, m := seals("message_plans"), seals("messages"); p != 1 || m != 0 {
		t.Fatalf("the booking sealed %d plans and %d messages, want 1 and 0", p, m)
	}
	var mu sync.Mutex
	var batched, single int
	a.db.OnStatement(func(q string) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case strings.Contains(q, `FROM messages WHERE "id" IN (`):
			batched++
		case strings.Contains(q, `FROM messages WHERE "id" = ?`):
			single++
		}
	})
	deliver(t, a, svc, tr)
	a.db.OnStatement(nil)
	if batched != 1 || single != 0 {
		t.Errorf("the six messages were read for their seals by %d batched and %d single reads, want 1 and 0",
			batched, single)
	}
	if sealed := seals("messages"); sealed != 6 {
		t.Errorf("%d seals of messages, want 6", sealed)
	}
	rep, err := a.db.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.RecordProblems) > 0 || !rep.AuditOK {
		t.Errorf("verify after a booking with messages: %v %s", rep.RecordProblems, rep.AuditProblem)
	}
}

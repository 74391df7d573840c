package data_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"hms/app"
)

// TestSealsOfABookingsMessages: a booking's six messages, written by one
// statement, are sealed by one read of the six (seal.go, readTouched), not
// one read each, and their seals are those Verify recomputes from the rows.
func TestSealsOfABookingsMessages(t *testing.T) {
	a, svc, _ := messagesClinic(t)
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
	a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
		Start: a.at("2026-11-28", "09:30"), Reason: "Check-up"})
	a.db.OnStatement(nil)
	if ms := patientMessages(t, a, svc, a.patient); len(ms) != 6 {
		t.Fatalf("queued %d messages, want 6", len(ms))
	}
	if batched != 1 || single != 0 {
		t.Errorf("the six messages were read for their seals by %d batched and %d single reads, want 1 and 0",
			batched, single)
	}
	var sealed int
	if err := a.db.ReadDB().QueryRow(`SELECT count(*) FROM audit_seal WHERE entity = 'messages'`).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if sealed != 6 {
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

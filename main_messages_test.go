package main

import (
	"context"
	"testing"
	"time"

	"hms/app"
	"hms/data"
)

// deliveries is a MessageService whose DeliverDue reports each call's
// caller on a channel; the other methods are not called by the loop.
type deliveries struct {
	app.MessageService
	calls chan app.Caller
}

func (d *deliveries) DeliverDue(ctx context.Context, _ app.MessageTransport) (app.DeliveryReport, error) {
	c, _ := app.CallerFromContext(ctx)
	d.calls <- c
	return app.DeliveryReport{}, nil
}

// TestMessageLoop: the desk's loop sends as the delivery caller at once and
// on every tick, and stops when told.
func TestMessageLoop(t *testing.T) {
	d := &deliveries{calls: make(chan app.Caller, 16)}
	stop := startMessages(context.Background(), d, nil, 10*time.Millisecond)
	for range 2 {
		select {
		case c := <-d.calls:
			if c.Username != data.DeliveryCaller.Username || c.Role != app.RoleAdmin {
				t.Fatalf("delivered as %+v", c)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the loop did not send")
		}
	}
	stop()
	for len(d.calls) > 0 {
		<-d.calls
	}
	select {
	case <-d.calls:
		t.Fatal("the loop ran after stop")
	case <-time.After(50 * time.Millisecond):
	}
}

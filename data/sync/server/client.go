package server

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"hms/data/sync"
)

// Client is a desk's connection to the server. It is not safe for
// concurrent use.
type Client struct {
	conn *pgx.Conn
	url  string // without the password
}

// Dial connects to the server at rawURL (see connect for where the
// password and TLS settings come from).
func Dial(ctx context.Context, rawURL string) (*Client, error) {
	conn, err := connect(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	shown, _ := Redact(rawURL) // connect has parsed it
	return &Client{conn: conn, url: shown}, nil
}

// Close ends the connection.
func (c *Client) Close(ctx context.Context) error { return c.conn.Close(ctx) }

// URL is the server's address without the password.
func (c *Client) URL() string { return c.url }

// Handshake is what the server says about itself before anything else.
type Handshake struct {
	Epoch           string
	SchemaVersion   int
	MinClientSchema int
	// ServerTime is the server's clock when it answered, and Offset the
	// server's time minus this machine's, corrected for half the round
	// trip.
	ServerTime time.Time
	Offset     time.Duration
	RoundTrip  time.Duration
}

// Handshake reads the server's epoch, schema versions and time, and
// refuses a server this program is too old for: one whose schema is newer
// and does not say it still serves clients that know SchemaVersion(). now
// is the desk's clock the offset is measured against (time.Now if nil).
func (c *Client) Handshake(ctx context.Context, now func() time.Time) (Handshake, error) {
	if now == nil {
		now = time.Now
	}
	var h Handshake
	t0, start := now(), time.Now()
	if err := c.conn.QueryRow(ctx, `SELECT epoch::text, schema_version, min_client_schema, server_time FROM sync.handshake()`).
		Scan(&h.Epoch, &h.SchemaVersion, &h.MinClientSchema, &h.ServerTime); err != nil {
		return Handshake{}, fmt.Errorf("server %s: handshake: %w", c.url, classify(err))
	}
	h.RoundTrip = time.Since(start)
	h.Offset = h.ServerTime.Sub(t0.Add(h.RoundTrip / 2))
	if known := SchemaVersion(); h.SchemaVersion > known && h.MinClientSchema > known {
		return Handshake{}, fmt.Errorf("server %s: %w: it has schema %d and needs at least %d, this program knows %d",
			c.url, ErrSchemaTooNew, h.SchemaVersion, h.MinClientSchema, known)
	}
	return h, nil
}

// Enroll registers the desk (its site id) and returns its desk code, the
// same one each time the same desk enrolls.
func (c *Client) Enroll(ctx context.Context, siteID, appVersion string) (string, error) {
	var code string
	if err := c.conn.QueryRow(ctx, `SELECT sync.enroll($1, $2)`, siteID, appVersion).Scan(&code); err != nil {
		return "", fmt.Errorf("server %s: enroll: %w", c.url, classify(err))
	}
	return code, nil
}

// Status is what the server decided about one operation.
type Status string

// The statuses of Result.
const (
	// Applied: the operation changed the server's row (or found it as it
	// would have made it).
	Applied Status = "applied"
	// Conflict: applied, except for the fields in Lost, where a newer
	// change on the server won; or, with a Lost entry whose Field is "",
	// not applied at all because the row was deleted.
	Conflict Status = "conflict"
	// Rejected: not applied, for Reason; final, like Applied and Conflict.
	Rejected Status = "rejected"
	// Quarantined: its clock reading is too far ahead of the server's time;
	// the server holds it and the desk pushes it again later.
	Quarantined Status = "quarantined"
)

// Final reports whether the server has decided the operation for good:
// the desk may then forget it.
func (s Status) Final() bool { return s == Applied || s == Conflict || s == Rejected }

// Result is the server's answer for one operation.
type Result struct {
	OpID   string      `json:"op_id"`
	Status Status      `json:"status"`
	Reason string      `json:"reason"`
	Lost   []LostField `json:"lost"`
}

// LostField is a field of an operation that lost to a newer change.
type LostField struct {
	// Field is "" when the whole operation lost (its row was deleted).
	Field string `json:"field"`
	// Value is what the operation wanted, WonValue what the server keeps,
	// set by the clock reading WonHLC.
	Value    json.RawMessage `json:"value"`
	WonValue json.RawMessage `json:"won_value"`
	WonHLC   string          `json:"won_hlc"`
}

// wireOp is an operation as sync.push reads it.
type wireOp struct {
	Seq     int64           `json:"seq"`
	ID      string          `json:"id"`
	Entity  string          `json:"entity"`
	RowID   string          `json:"row_id"`
	Kind    sync.Kind       `json:"kind"`
	Payload json.RawMessage `json:"payload"`
	HLC     string          `json:"hlc"`
}

// Push sends a batch of the desk's operations, in order, and returns the
// server's result for each, in the same order. The server applies the
// batch in one transaction: on an error nothing of it was applied, or,
// when the reply was lost, all of it was, and pushing the same operations
// again returns the same results without applying anything twice.
func (c *Client) Push(ctx context.Context, siteID string, ops []sync.Op) ([]Result, error) {
	wire := make([]wireOp, len(ops))
	for i, op := range ops {
		wire[i] = wireOp{Seq: op.Seq, ID: op.ID, Entity: op.Entity, RowID: op.RowID, Kind: op.Kind,
			Payload: op.Payload, HLC: op.HLC.String()}
	}
	body, err := json.Marshal(wire)
	if err != nil {
		return nil, fmt.Errorf("push: %w", err)
	}
	var reply []byte
	if err := c.conn.QueryRow(ctx, `SELECT sync.push($1, $2::jsonb)::text`, siteID, string(body)).Scan(&reply); err != nil {
		return nil, fmt.Errorf("server %s: push: %w", c.url, classify(err))
	}
	var results []Result
	if err := json.Unmarshal(reply, &results); err != nil {
		return nil, fmt.Errorf("server %s: push: unreadable reply: %w", c.url, err)
	}
	if len(results) != len(ops) {
		return nil, fmt.Errorf("server %s: push: %d results for %d operations", c.url, len(results), len(ops))
	}
	for i, r := range results {
		if r.OpID != ops[i].ID {
			return nil, fmt.Errorf("server %s: push: result %d is for operation %s, not %s", c.url, i, r.OpID, ops[i].ID)
		}
	}
	return results, nil
}

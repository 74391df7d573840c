package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"hms/data/sync/hlc"
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
	return c.EnrollAs(ctx, siteID, appVersion, "")
}

// EnrollAs is Enroll for a desk that numbered with code before (on a
// server since replaced): it gets the code back unless another desk has
// it.
func (c *Client) EnrollAs(ctx context.Context, siteID, appVersion, code string) (string, error) {
	if err := c.conn.QueryRow(ctx, `SELECT sync.enroll($1, $2, $3)`, siteID, appVersion, code).Scan(&code); err != nil {
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
	// LogTxID and LogSeq place the change the operation logged in the
	// change log (empty and 0 when it logged none).
	LogTxID string `json:"log_txid"`
	LogSeq  int64  `json:"log_seq"`
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
	// Rule names the rule that decided against the value when it is not
	// the clock's (server migration 0114): RuleLostIssuedLine or
	// RuleLostIssue.
	Rule string `json:"rule,omitempty"`
}

// The rules a LostField names (server migration 0114).
const (
	// RuleLostIssuedLine: a change or removal of a line its invoice,
	// issued on the server, was issued with.
	RuleLostIssuedLine = "issued_lines"
	// RuleLostIssue: a change of an issued invoice's number, issue date
	// or issued lines; the first issue to reach the server holds.
	RuleLostIssue = "issue"
)

// wireOp is an operation as sync.push reads it.
type wireOp struct {
	Seq     int64           `json:"seq"`
	ID      string          `json:"id"`
	Entity  string          `json:"entity"`
	RowID   string          `json:"row_id"`
	Kind    hlc.Kind        `json:"kind"`
	Payload json.RawMessage `json:"payload"`
	HLC     string          `json:"hlc"`
	Base    json.RawMessage `json:"base,omitempty"`
}

// PushAttempts is how many times Push sends a batch that the server
// refused because another desk's push changed one of its rows meanwhile.
const PushAttempts = 5

// Push sends a batch of the desk's operations, in order, and returns the
// server's result for each, in the same order. The server applies the
// batch in one transaction: on an error nothing of it was applied, or,
// when the reply was lost, all of it was, and pushing the same operations
// again returns the same results without applying anything twice.
func (c *Client) Push(ctx context.Context, siteID string, ops []hlc.Op) ([]Result, error) {
	wire := make([]wireOp, len(ops))
	for i, op := range ops {
		wire[i] = wireOp{Seq: op.Seq, ID: op.ID, Entity: op.Entity, RowID: op.RowID, Kind: op.Kind,
			Payload: op.Payload, HLC: op.HLC.String(), Base: op.Base}
	}
	body, err := json.Marshal(wire)
	if err != nil {
		return nil, fmt.Errorf("push: %w", err)
	}
	var reply []byte
	for attempt := 1; ; attempt++ {
		err := c.conn.QueryRow(ctx, `SELECT sync.push($1, $2::jsonb)::text`, siteID, string(body)).Scan(&reply)
		if err == nil {
			break
		}
		// Refused as a whole because another push changed one of its rows
		// after this one began (server migration 0014): nothing of it
		// stayed, and a new transaction logs it in the rows' lock order.
		if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "40001" && attempt < PushAttempts {
			continue
		}
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

// Change is one entry of the server's change log: a row as it stands after
// a change the server accepted.
type Change struct {
	// TxID and Seq are the entry's place in the log: the pull cursor.
	TxID uint64
	Seq  int64
	// Entity is the table, RowID the row's key, Origin the desk that made
	// the change and HLC its clock reading.
	Entity, RowID, Origin, HLC string
	// Data is the row's fields (a JSON object), FieldHLC the clock reading
	// that set each (a JSON object, which FieldClocks reads; a field it
	// does not name was set by HLC), and DeletedHLC, when not empty, the
	// reading of the delete that removed the row.
	Data       json.RawMessage
	FieldHLC   json.RawMessage
	DeletedHLC string
	// ServerSet are the fields the server set itself, not the desk that
	// made the change (a booking that lost its time becomes 'conflict').
	ServerSet json.RawMessage
}

// FieldClocks reads FieldHLC: the clock reading that set each field the
// server names. It is left to the caller, and not done for every pulled
// change, because most changes are new rows, whose fields were all set by
// HLC: only a row the desk has already is merged per field.
func (ch Change) FieldClocks() (map[string]string, error) {
	clocks := map[string]string{}
	if len(ch.FieldHLC) == 0 {
		return clocks, nil
	}
	if flatStrings(ch.FieldHLC, clocks) {
		return clocks, nil
	}
	clear(clocks)
	if err := json.Unmarshal(ch.FieldHLC, &clocks); err != nil {
		return nil, fmt.Errorf("field clocks of %s %s: %w", ch.Entity, ch.RowID, err)
	}
	return clocks, nil
}

// flatStrings reads a JSON object of plain ASCII strings, as PostgreSQL
// writes field clocks (column names and clock readings, nothing to
// unescape),
// into m, and reports whether it could; anything else is left to
// encoding/json. Every edit a desk pulls carries one, and the general
// decoder took a tenth of the pull's time.
func flatStrings(b []byte, m map[string]string) bool {
	i := 0
	ws := func() {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
			i++
		}
	}
	str := func() (string, bool) {
		if i >= len(b) || b[i] != '"' {
			return "", false
		}
		start := i + 1
		for j := start; j < len(b); j++ {
			switch {
			case b[j] == '"':
				i = j + 1
				return string(b[start:j]), true
			case b[j] == '\\' || b[j] < 0x20 || b[j] >= 0x80:
				return "", false
			}
		}
		return "", false
	}
	ws()
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i++
	ws()
	if i < len(b) && b[i] == '}' {
		i++
		ws()
		return i == len(b)
	}
	for {
		ws()
		k, ok := str()
		if !ok {
			return false
		}
		ws()
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i++
		ws()
		v, ok := str()
		if !ok {
			return false
		}
		m[k] = v
		ws()
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i++
		case '}':
			i++
			ws()
			return i == len(b)
		default:
			return false
		}
	}
}

// Pull returns up to limit changes after the cursor (afterTx, afterSeq),
// oldest first. It never skips one: a change whose transaction is still
// running is left for a later pull, with everything after it.
func (c *Client) Pull(ctx context.Context, siteID string, afterTx uint64, afterSeq int64, limit int) ([]Change, error) {
	rows, err := c.conn.Query(ctx, `SELECT txid::text, seq, entity, row_id, origin_site::text, hlc,
			row_snapshot::text, field_hlc::text, coalesce(deleted_hlc, ''), server_set::text
		FROM sync.pull($1, $2::text::xid8, $3, $4)`, siteID, strconv.FormatUint(afterTx, 10), afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("server %s: pull: %w", c.url, classify(err))
	}
	return c.changes(rows, limit)
}

// PrunedEnd is the last entry of the log below the horizon of the
// server's last prune ((0, 0) when it was never pruned, or when the server
// is older than this program's schema 15): a desk that has downloaded what
// lies below it (PullPruned) pulls on after it.
func (c *Client) PrunedEnd(ctx context.Context, siteID string) (txid uint64, seq int64, err error) {
	var tx string
	err = c.conn.QueryRow(ctx, `SELECT txid::text, seq FROM sync.pruned_end($1)`, siteID).Scan(&tx, &seq)
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "42883" {
		return 0, 0, nil
	} else if err != nil {
		return 0, 0, fmt.Errorf("server %s: pull: %w", c.url, classify(err))
	}
	if txid, err = strconv.ParseUint(tx, 10, 64); err != nil {
		return 0, 0, fmt.Errorf("server %s: pull: transaction id %q: %w", c.url, tx, err)
	}
	return txid, seq, nil
}

// PullPruned returns up to limit rows of the log below the horizon of the
// server's last prune, one entry each, after the row afterRow of the
// table afterEntity ("": from the start): the tables of entities in that
// order, then any other the server has, by name; each by row id.
func (c *Client) PullPruned(ctx context.Context, siteID string, entities []string, afterEntity, afterRow string, limit int) ([]Change, error) {
	rows, err := c.conn.Query(ctx, `SELECT txid::text, seq, entity, row_id, origin_site::text, hlc,
			row_snapshot::text, field_hlc::text, coalesce(deleted_hlc, ''), server_set::text
		FROM sync.pull_pruned($1, $2, $3, $4, $5)`, siteID, entities, afterEntity, afterRow, limit)
	if err != nil {
		return nil, fmt.Errorf("server %s: pull: %w", c.url, classify(err))
	}
	return c.changes(rows, limit)
}

// changes reads the entries of the log a pull returns.
func (c *Client) changes(rows pgx.Rows, limit int) ([]Change, error) {
	defer rows.Close()
	out := make([]Change, 0, min(limit, 10000))
	for rows.Next() {
		var ch Change
		var txid string
		var err error
		// The JSON columns are scanned as bytes, copied once from the
		// connection's buffer, and kept as they came.
		if err = rows.Scan(&txid, &ch.Seq, &ch.Entity, &ch.RowID, &ch.Origin, &ch.HLC, &ch.Data, &ch.FieldHLC,
			&ch.DeletedHLC, &ch.ServerSet); err != nil {
			return nil, fmt.Errorf("server %s: pull: %w", c.url, classify(err))
		}
		if ch.TxID, err = strconv.ParseUint(txid, 10, 64); err != nil {
			return nil, fmt.Errorf("server %s: pull: transaction id %q: %w", c.url, txid, err)
		}
		out = append(out, ch)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("server %s: pull: %w", c.url, classify(err))
	}
	return out, nil
}

// SiteState is where the server stands for one desk.
type SiteState struct {
	// Enrolled is false when the server does not know the desk.
	Enrolled bool
	// LastOpSeq is the highest outbox seq of the desk the server holds.
	LastOpSeq int64
	// LogTxID and LogSeq are the end of the change log.
	LogTxID uint64
	LogSeq  int64
}

// SiteState reads where the server stands for the desk siteID: a desk
// that has pushed or pulled beyond it is talking to a server restored
// from an older dump.
func (c *Client) SiteState(ctx context.Context, siteID string) (SiteState, error) {
	var st SiteState
	var last *int64
	var txid string
	if err := c.conn.QueryRow(ctx, `SELECT last_op_seq, log_txid::text, log_seq FROM sync.site_state($1)`, siteID).
		Scan(&last, &txid, &st.LogSeq); err != nil {
		return st, fmt.Errorf("server %s: state: %w", c.url, classify(err))
	}
	if last != nil {
		st.Enrolled, st.LastOpSeq = true, *last
	}
	var err error
	if st.LogTxID, err = strconv.ParseUint(txid, 10, 64); err != nil {
		return st, fmt.Errorf("server %s: state: transaction id %q: %w", c.url, txid, err)
	}
	return st, nil
}

// NotifyChannel is the channel sync.push notifies when it logged changes.
const NotifyChannel = "hms_sync"

// Listen subscribes the connection to the server's notifications that
// something changed; WaitForChange then waits for one.
func (c *Client) Listen(ctx context.Context) error {
	if _, err := c.conn.Exec(ctx, `LISTEN `+NotifyChannel); err != nil {
		return fmt.Errorf("server %s: listen: %w", c.url, classify(err))
	}
	return nil
}

// WaitForChange waits until a desk other than siteID logged a change, or
// ctx ends (the error is then ctx's).
func (c *Client) WaitForChange(ctx context.Context, siteID string) error {
	for {
		n, err := c.conn.WaitForNotification(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("server %s: listen: %w", c.url, classify(err))
		}
		if n.Payload != siteID {
			return nil
		}
	}
}

// TLS reports whether the connection to the server is encrypted.
func (c *Client) TLS() bool {
	_, ok := c.conn.PgConn().Conn().(*tls.Conn)
	return ok
}

// PushAudit stores a batch of the desk's audit rows (a JSON array of
// objects with seq, hash and prev_hash), once each, and returns the
// highest seq of the desk's the server holds; an empty batch ("[]") only
// asks.
func (c *Client) PushAudit(ctx context.Context, siteID string, rows json.RawMessage) (int64, error) {
	var last int64
	if err := c.conn.QueryRow(ctx, `SELECT sync.push_audit($1, $2::jsonb)`, siteID, string(rows)).Scan(&last); err != nil {
		return 0, fmt.Errorf("server %s: audit: %w", c.url, classify(err))
	}
	return last, nil
}

// PushAuditGen stores a batch of the desk's audit rows under generation
// gen (server migration 0008), each once, and returns the highest seq of
// that generation the server holds, and the seqs it refused because it
// holds other rows there (lowest first; the desk then goes on under the
// next generation). An empty batch only asks.
func (c *Client) PushAuditGen(ctx context.Context, siteID string, gen int, rows json.RawMessage) (last int64, refused []int64, err error) {
	var reply []byte
	if err := c.conn.QueryRow(ctx, `SELECT sync.push_audit($1, $2, $3::jsonb)::text`, siteID, gen, string(rows)).Scan(&reply); err != nil {
		return 0, nil, fmt.Errorf("server %s: audit: %w", c.url, classify(err))
	}
	var r struct {
		Last    int64   `json:"last"`
		Refused []int64 `json:"refused"`
	}
	if err := json.Unmarshal(reply, &r); err != nil {
		return 0, nil, fmt.Errorf("server %s: audit: the reply %q: %w", c.url, reply, err)
	}
	return r.Last, r.Refused, nil
}

// Holds reports whether the server holds the desk's operation opID ("":
// none to check) and the change at the desk's pull cursor (seq 0: none).
func (c *Client) Holds(ctx context.Context, siteID, opID string, txid uint64, seq int64) (hasOp, hasCursor bool, err error) {
	var op any
	if opID != "" {
		op = opID
	}
	if err := c.conn.QueryRow(ctx, `SELECT has_op, has_cursor FROM sync.holds($1, $2, $3::text::xid8, $4)`,
		siteID, op, strconv.FormatUint(txid, 10), seq).Scan(&hasOp, &hasCursor); err != nil {
		return false, false, fmt.Errorf("server %s: state: %w", c.url, classify(err))
	}
	return hasOp, hasCursor, nil
}

// HeldOps returns which of the desk's operations opIDs the server has
// decided (applied or refused; a quarantined one is held, not decided), in
// one round trip: a clock incident re-dates only operations the server has
// not decided (data.DB.ResyncClock).
func (c *Client) HeldOps(ctx context.Context, siteID string, opIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(opIDs) == 0 {
		return out, nil
	}
	rows, err := c.conn.Query(ctx, `SELECT o::text FROM unnest($2::uuid[]) AS o
		WHERE (sync.holds($1, o, '0'::xid8, 0)).has_op`, siteID, opIDs)
	if err != nil {
		return nil, fmt.Errorf("server %s: state: %w", c.url, classify(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("server %s: state: %w", c.url, classify(err))
		}
		out[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("server %s: state: %w", c.url, classify(err))
	}
	return out, nil
}

// Pulled tells the server that the desk holds every change up to (txid,
// seq): the server prunes its log only below every desk's cursor.
func (c *Client) Pulled(ctx context.Context, siteID string, txid uint64, seq int64) error {
	_, err := c.conn.Exec(ctx, `SELECT sync.pulled($1, $2::text::xid8, $3)`, siteID, strconv.FormatUint(txid, 10), seq)
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "42883" {
		return nil // a server of an older schema, which does not prune: nothing to tell it
	} else if err != nil {
		return fmt.Errorf("server %s: pulled: %w", c.url, classify(err))
	}
	return nil
}

// Claim is who holds an overpayment's settling (server migration 0013):
// the desk (its site id, and its code as staff know it, D2, from server
// migration 0124), the action and the person; Spent when its refund is
// written.
type Claim struct {
	Site, Desk, Action, By string
	Spent                  bool
}

// BillingClaim is what a desk claims: the overpayment ID of invoice
// InvoiceID, settled by Action by the person By, writing the reversal
// Refund; Payments are the payments allocated to the invoice the desk
// holds, Seen the refunds of them it holds (server migration 0124).
type BillingClaim struct {
	ID, InvoiceID, Action, By, Refund string
	Payments, Seen                    []string
}

// ClaimBilling claims the settling of an overpayment for this desk and
// returns the claim that holds it: this desk's when it was first (or held
// it already, or the holder's refund is among in.Seen: what the desk sees
// overpaid is a new overpayment under the same name), else another
// desk's. A server before migration 0124 names no desk and no refund.
func (c *Client) ClaimBilling(ctx context.Context, siteID string, in BillingClaim) (Claim, error) {
	var cl Claim
	err := c.conn.QueryRow(ctx, `SELECT site_id::text, desk_code, action, claimed_by, spent
		FROM sync.claim_billing_seen($1, $2, $3, $4, $5, $6, $7, $8)`,
		siteID, in.ID, in.InvoiceID, in.Action, in.By, in.Refund, nonNil(in.Payments), nonNil(in.Seen)).
		Scan(&cl.Site, &cl.Desk, &cl.Action, &cl.By, &cl.Spent)
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "42883" {
		err = c.conn.QueryRow(ctx, `SELECT site_id::text, action, claimed_by FROM sync.claim_billing($1, $2, $3, $4, $5)`,
			siteID, in.ID, in.InvoiceID, in.Action, in.By).Scan(&cl.Site, &cl.Action, &cl.By)
	}
	if err != nil {
		return cl, fmt.Errorf("server %s: claim: %w", c.url, classify(err))
	}
	return cl, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// SpendBilling tells the server this desk wrote the refund of its claim
// on the overpayment claimID (server migration 0124): desks refused from
// now on are told it is settled, not being settled. Another desk's claim
// is left alone; it reports whether the claim was this desk's. A server
// before 0124 is told nothing.
func (c *Client) SpendBilling(ctx context.Context, siteID, claimID string) (bool, error) {
	var ok bool
	err := c.conn.QueryRow(ctx, `SELECT sync.spend_billing($1, $2)`, siteID, claimID).Scan(&ok)
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "42883" {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("server %s: spend claim: %w", c.url, classify(err))
	}
	return ok, nil
}

// ReleaseBilling gives up this desk's claim on the overpayment claimID, one
// whose settlement was not written (server migration 0115), and reports
// whether it held one. Another desk's claim is left alone. A server before
// that migration keeps claims: nothing is released there.
func (c *Client) ReleaseBilling(ctx context.Context, siteID, claimID string) (bool, error) {
	var ok bool
	err := c.conn.QueryRow(ctx, `SELECT sync.release_billing($1, $2)`, siteID, claimID).Scan(&ok)
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "42883" {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("server %s: release claim: %w", c.url, classify(err))
	}
	return ok, nil
}

// CashUpClaim is who holds the close of a cash-up (server migration 0047).
type CashUpClaim struct {
	Site, By string
	At       time.Time
}

// ClaimCashUp claims the close of the cash-up cashUpID for this desk, with
// the person's name, and returns the claim that holds it: this desk's when
// it was first (or held it already), else another desk's.
func (c *Client) ClaimCashUp(ctx context.Context, siteID, cashUpID, by string) (CashUpClaim, error) {
	var cl CashUpClaim
	if err := c.conn.QueryRow(ctx, `SELECT site_id::text, claimed_by, claimed_at FROM sync.claim_cashup($1, $2, $3)`,
		siteID, cashUpID, by).Scan(&cl.Site, &cl.By, &cl.At); err != nil {
		return cl, fmt.Errorf("server %s: claim: %w", c.url, classify(err))
	}
	return cl, nil
}

// SendLease is who holds the clinic's send lease for messages to patients
// (server migration 0063), and for how long still, by the server's clock.
type SendLease struct {
	Site string
	Left time.Duration // how long from the server's now until it ends
}

// TakeSendLease takes or renews the send lease for this desk for d (whole
// seconds, 1 to 3,600), and returns who holds it: this desk when nobody
// held it, its holder's time ran out or this desk held it already, else
// another desk.
//
// The desk asks as one that writes message plans out (server migration
// 0110: the lease goes only to such desks); a server before that migration
// is asked as before.
func (c *Client) TakeSendLease(ctx context.Context, siteID string, d time.Duration) (SendLease, error) {
	var l SendLease
	var ms float64
	const q = `SELECT site_id::text, (extract(epoch FROM expires_at - now()) * 1000)::float8 FROM sync.take_send_lease`
	err := c.conn.QueryRow(ctx, q+`($1, $2, true)`, siteID, int(d/time.Second)).Scan(&l.Site, &ms)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42883" { // undefined_function: a server before 0110
		err = c.conn.QueryRow(ctx, q+`($1, $2)`, siteID, int(d/time.Second)).Scan(&l.Site, &ms)
	}
	if err != nil {
		return l, fmt.Errorf("server %s: send lease: %w", c.url, classify(err))
	}
	l.Left = time.Duration(ms * float64(time.Millisecond))
	return l, nil
}

// ReleaseSendLease gives up the send lease if this desk holds it, so that
// another desk sends at once; it reports whether it did.
func (c *Client) ReleaseSendLease(ctx context.Context, siteID string) (bool, error) {
	var ok bool
	if err := c.conn.QueryRow(ctx, `SELECT sync.release_send_lease($1)`, siteID).Scan(&ok); err != nil {
		return false, fmt.Errorf("server %s: send lease: %w", c.url, classify(err))
	}
	return ok, nil
}

package hlc

import "encoding/json"

// Kind is what an outbox operation did to its row.
type Kind string

// The kinds of operation.
const (
	// KindInsert carries every synced column of the new row.
	KindInsert Kind = "insert"
	// KindUpdate carries the synced columns that changed, with their new
	// values.
	KindUpdate Kind = "update"
	// KindDelete carries nothing: the row is gone.
	KindDelete Kind = "delete"
)

// Op is one change waiting in a desk's outbox for the server, written in
// the same transaction as the change itself.
type Op struct {
	// Seq orders the desk's operations; it is never reused.
	Seq int64
	// ID identifies the operation everywhere, for good: a push repeated
	// after a lost reply is recognized by it.
	ID string
	// Entity is the table, RowID the row's key in it (a UUID; a setting's
	// name; "paymentID/invoiceID" for a payment's allocation).
	Entity, RowID string
	Kind          Kind
	// Payload is a JSON object of column names and values.
	Payload json.RawMessage
	// HLC is the clock reading of the transaction that made the change.
	HLC Timestamp
	// Base, for an update of an editable record, is what the change saw:
	// a JSON object of each field it sets to the clock reading of the
	// value it replaced on its desk ("" for the value the record was
	// created with). Empty when the desk keeps no field clocks for the row.
	Base json.RawMessage
	// Attempts counts pushes that did not get the operation applied, and
	// LastError says why the last one failed.
	Attempts  int
	LastError string
}

package data

import (
	"context"
)

// WriteInTx runs fn inside the write helper's transaction as the caller in
// ctx, with an audit row, as a service method would: tests use it to change
// rows and to fail after changing them.
func (db *DB) WriteInTx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.write(ctx, "test.write", func(tx *Tx) error {
		tx.Audit("test.write", "", "", "", "")
		return fn(tx)
	})
}

// WithoutOutbox is withoutOutbox, for benchmarks that measure what the
// outbox costs a write.
func WithoutOutbox(ctx context.Context) context.Context { return withoutOutbox(ctx) }

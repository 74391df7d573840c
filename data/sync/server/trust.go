package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// OfferTrustRoot offers the clinic's trust root (root, JSON, and its
// fingerprint) to the server, which takes it when it holds none
// (migration 0021); it returns the fingerprint of the root the server
// holds afterwards.
func (c *Client) OfferTrustRoot(ctx context.Context, siteID string, root []byte, fingerprint string) (string, error) {
	var fp string
	if err := c.conn.QueryRow(ctx, `SELECT sync.offer_trust_root($1, $2::jsonb, $3)`, siteID, string(root), fingerprint).Scan(&fp); err != nil {
		return "", fmt.Errorf("server %s: trust root: %w", c.url, classify(err))
	}
	return fp, nil
}

// TrustRoot returns the clinic's trust root the server holds (nil when it
// holds none yet) and the fingerprint it was offered with.
func (c *Client) TrustRoot(ctx context.Context, siteID string) ([]byte, string, error) {
	var root, fp string
	err := c.conn.QueryRow(ctx, `SELECT root::text, fingerprint FROM sync.trust_root($1)`, siteID).Scan(&root, &fp)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", nil
	} else if err != nil {
		return nil, "", fmt.Errorf("server %s: trust root: %w", c.url, classify(err))
	}
	return []byte(root), fp, nil
}

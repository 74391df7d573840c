package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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

// TrustExtension is a signed extension of the clinic's trust root as the
// server holds it: the row of trust_extensions (desk migration 0069).
type TrustExtension struct {
	RowID string
	Data  json.RawMessage
}

// TrustExtensions returns the signed extensions of the clinic's trust root
// the server holds, which a joining desk reads before its first pull.
func (c *Client) TrustExtensions(ctx context.Context, siteID string) ([]TrustExtension, error) {
	rows, err := c.conn.Query(ctx, `SELECT row_id, data::text FROM sync.trust_extensions($1)`, siteID)
	if undefinedFunction(err) {
		return nil, nil // a server before extensions holds none
	} else if err != nil {
		return nil, fmt.Errorf("server %s: trust extensions: %w", c.url, classify(err))
	}
	defer rows.Close()
	var out []TrustExtension
	for rows.Next() {
		var id, data string
		if err := rows.Scan(&id, &data); err != nil {
			return nil, fmt.Errorf("server %s: trust extensions: %w", c.url, classify(err))
		}
		out = append(out, TrustExtension{RowID: id, Data: json.RawMessage(data)})
	}
	if err := rows.Err(); undefinedFunction(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("server %s: trust extensions: %w", c.url, classify(err))
	}
	return out, nil
}

func undefinedFunction(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "42883"
}

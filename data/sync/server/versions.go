package server

import (
	"context"
	"fmt"
	"time"
)

// ReportVersion tells the server that the session's desk (siteID) runs
// appVersion; the server refuses another desk's id.
func (c *Client) ReportVersion(ctx context.Context, siteID, appVersion string) error {
	if _, err := c.conn.Exec(ctx, `SELECT sync.report_version($1, $2)`, siteID, appVersion); err != nil {
		return fmt.Errorf("server %s: report version: %w", c.url, classify(err))
	}
	return nil
}

// DeskVersion is one desk of the clinic and the HMS version it runs.
type DeskVersion struct {
	DeskCode   string
	AppVersion string
	VersionAt  time.Time // when the desk first reported this version
	LastSeen   time.Time // its last push, pull or enrollment
	Revoked    bool
}

// DeskVersions lists the clinic's desks with the versions they reported.
func (c *Client) DeskVersions(ctx context.Context) ([]DeskVersion, error) {
	rows, err := c.conn.Query(ctx, `SELECT desk_code, app_version, version_at, last_seen, revoked FROM sync.desk_versions()`)
	if err != nil {
		return nil, fmt.Errorf("server %s: desk versions: %w", c.url, classify(err))
	}
	defer rows.Close()
	var out []DeskVersion
	for rows.Next() {
		var d DeskVersion
		if err := rows.Scan(&d.DeskCode, &d.AppVersion, &d.VersionAt, &d.LastSeen, &d.Revoked); err != nil {
			return nil, fmt.Errorf("server %s: desk versions: %w", c.url, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("server %s: desk versions: %w", c.url, classify(err))
	}
	return out, nil
}

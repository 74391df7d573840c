package data

// The clinic's time: its time zone (a setting) and its calendar days.
// Instants are stored in UTC; days are the clinic's.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"hms/app"
)

// clinicZones caches time zones by name: time.LoadLocation reads the zone file
// each time, and every appointment call needs the clinic's zone.
var clinicZones sync.Map

// clinicZone is the clinic's time zone from its settings (UTC when unset).
func clinicZone(ctx context.Context, q rowQuerier) (*time.Location, error) {
	var name string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'time_zone'`).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) || name == "" {
		return time.UTC, nil
	} else if err != nil {
		return nil, fmt.Errorf("time zone: %w", err)
	}
	return zoneNamed(name), nil
}

// zoneNamed is app.Settings.Location of a zone name, each zone read once
// from the system's zone files.
func zoneNamed(name string) *time.Location {
	if loc, ok := clinicZones.Load(name); ok {
		return loc.(*time.Location)
	}
	s := app.Settings{TimeZone: name}
	loc := s.Location()
	clinicZones.Store(name, loc)
	return loc
}

// dayOrToday reads a day, "" meaning today in loc.
func dayOrToday(s string, now time.Time, loc *time.Location) (app.Day, error) {
	if strings.TrimSpace(s) == "" {
		return app.DayOf(now, loc), nil
	}
	return app.ParseDay(s)
}

// civilDay is the calendar day of t as a UTC midnight, so that days
// subtract without daylight-saving hours.
func civilDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

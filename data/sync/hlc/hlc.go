// Package hlc is the hybrid logical clock that orders every change of a
// clinic's desks (Kulkarni et al., 2014), and the operation a desk queues
// for the sync server, stamped with it: what the desk's database, its sync
// engine and the server have in common. It imports nothing of the project.
// How the three use it is in package data/sync's documentation.
package hlc

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Timestamp is a reading of a hybrid logical clock: a physical part in
// milliseconds, a logical counter that orders events within one
// millisecond, and the site that issued it. Timestamps are totally ordered
// by (Wall, Logical, Site), and their text form (String) sorts the same way.
type Timestamp struct {
	// Wall is the physical part: milliseconds since the Unix epoch, UTC,
	// between MinWall and MaxWall.
	Wall int64
	// Logical orders events that share a Wall millisecond.
	Logical uint16
	// Site is the desk (a site id, a UUID) that issued the timestamp; two
	// sites' events at the same (Wall, Logical) are ordered by it.
	Site string
}

// The range of Wall whose text form has a four-digit year, so that text
// order is time order: 1970-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z.
const (
	MinWall int64 = 0
	MaxWall int64 = 253402300799999
)

// wallLayout is the text form of Wall: UTC with milliseconds, the layout of
// every other timestamp the database stores.
const wallLayout = "2006-01-02T15:04:05.000Z"

// ErrInvalid is returned for a timestamp that cannot be a clock reading.
var ErrInvalid = errors.New("invalid hybrid logical clock timestamp")

// String is the text form, for example
// "2026-11-26T09:00:00.000Z-002A-0193a1b2-…": the wall time, the logical
// counter in four upper-case hex digits, and the site. Fixed widths make
// the lexicographic order of the text the order of Compare.
func (t Timestamp) String() string {
	if t.IsZero() {
		return ""
	}
	var b strings.Builder
	b.Grow(len(wallLayout) + 6 + len(t.Site))
	b.WriteString(time.UnixMilli(t.Wall).UTC().Format(wallLayout))
	fmt.Fprintf(&b, "-%04X-", t.Logical)
	b.WriteString(t.Site)
	return b.String()
}

// Parse reads the text form String writes; the empty string is the zero
// Timestamp.
func Parse(s string) (Timestamp, error) {
	if s == "" {
		return Timestamp{}, nil
	}
	n := len(wallLayout)
	if len(s) < n+7 || s[n] != '-' || s[n+5] != '-' {
		return Timestamp{}, fmt.Errorf("%w: %q", ErrInvalid, s)
	}
	wall, err := time.Parse(wallLayout, s[:n])
	if err != nil {
		return Timestamp{}, fmt.Errorf("%w: %q: %v", ErrInvalid, s, err)
	}
	logical, err := strconv.ParseUint(s[n+1:n+5], 16, 16)
	if err != nil {
		return Timestamp{}, fmt.Errorf("%w: %q: %v", ErrInvalid, s, err)
	}
	t := Timestamp{Wall: wall.UnixMilli(), Logical: uint16(logical), Site: s[n+6:]}
	if err := t.Validate(); err != nil {
		return Timestamp{}, err
	}
	// One text form per timestamp: a lower-case counter parses, but is not
	// what String writes, and would sort differently.
	if t.String() != s {
		return Timestamp{}, fmt.Errorf("%w: %q is not in canonical form", ErrInvalid, s)
	}
	return t, nil
}

// Validate reports whether t can be a clock reading: a Wall in range and a
// site.
func (t Timestamp) Validate() error {
	if t.Wall < MinWall || t.Wall > MaxWall {
		return fmt.Errorf("%w: wall %d ms is outside the years 1970 to 9999", ErrInvalid, t.Wall)
	}
	if t.Site == "" {
		return fmt.Errorf("%w: no site", ErrInvalid)
	}
	return nil
}

// IsZero reports whether t is the zero Timestamp, which precedes every
// reading.
func (t Timestamp) IsZero() bool { return t == Timestamp{} }

// Compare returns -1, 0 or +1 as t is before, equal to or after u.
func (t Timestamp) Compare(u Timestamp) int {
	switch {
	case t.Wall != u.Wall:
		return cmpInt(t.Wall, u.Wall)
	case t.Logical != u.Logical:
		return cmpInt(t.Logical, u.Logical)
	default:
		return strings.Compare(t.Site, u.Site)
	}
}

// Before reports whether t is before u.
func (t Timestamp) Before(u Timestamp) bool { return t.Compare(u) < 0 }

// Time is the physical part as a time.
func (t Timestamp) Time() time.Time { return time.UnixMilli(t.Wall).UTC() }

func cmpInt[T int64 | uint16](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// DefaultMaxDrift is how far ahead of this desk's physical time a remote
// timestamp may be for Update to accept it: the server's limit (SYNC.md).
const DefaultMaxDrift = 5 * time.Minute

// ErrDrift is returned by Update for a remote timestamp too far ahead of
// the local physical time; the clock is left unchanged.
var ErrDrift = errors.New("remote clock too far ahead")

// Clock is a hybrid logical clock (Kulkarni, Demirbas et al., "Logical
// Physical Clocks", 2014). Its readings never go backwards, whatever the
// wall clock does, stay close to physical time, and follow causality: a
// reading taken after Update(remote) is after remote. The physical time is
// the local clock corrected by an offset measured against the server.
//
// A Clock is safe for concurrent use. It keeps its last reading in memory
// only: the caller persists Last (with every change it stamps) and passes
// it to NewClock after a restart.
type Clock struct {
	mu       sync.Mutex
	now      func() time.Time
	site     string
	offset   time.Duration
	maxDrift time.Duration
	wall     int64 // the last reading's physical part
	logical  uint16
}

// NewClock returns the clock of site, resuming above last (the previous
// run's final reading, of any site; zero on first use) even if the wall
// clock has gone back since. now is the local clock, time.Now if nil.
func NewClock(site string, last Timestamp, now func() time.Time) *Clock {
	if now == nil {
		now = time.Now
	}
	return &Clock{now: now, site: site, maxDrift: DefaultMaxDrift, wall: last.Wall, logical: last.Logical}
}

// Site is the site the clock stamps its readings with.
func (c *Clock) Site() string { return c.site }

// SetOffset sets the correction added to the local clock: the server's
// time minus the local time, as measured at the last handshake. Readings
// stay monotonic when the offset shrinks.
func (c *Clock) SetOffset(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = d
}

// Offset is the correction added to the local clock.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// SetMaxDrift sets how far ahead of physical time a remote timestamp may
// be (DefaultMaxDrift until set).
func (c *Clock) SetMaxDrift(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.maxDrift = d
}

// Last is the newest reading the clock gave, or the one it resumed from.
func (c *Clock) Last() Timestamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reading()
}

// Reset sets the clock's last reading back to t, which may be earlier than
// readings it gave: the one controlled exception to "never backwards".
// The desk's database calls it when its own clock has jumped ahead of the
// server's (a clock incident) and it has given the changes it stamped from
// the future the time they were made (data.DB.ResyncClock): without it the
// clock would keep stamping from the future until real time caught up.
func (c *Clock) Reset(t Timestamp) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wall, c.logical = t.Wall, t.Logical
}

// Now returns a reading after every earlier one: the send or local event
// of the algorithm.
func (c *Clock) Now() Timestamp {
	t, _ := c.NowAt()
	return t
}

// NowAt is Now, with the physical time (milliseconds since the Unix epoch)
// the reading was taken at. The two differ when the reading is held above
// the physical time: by a remote reading ahead of it, or because the local
// clock went back. A desk keeps that physical time for such readings, so
// that a clock found to have fallen behind can give its changes the time
// they were made (data.DB.ResyncClock).
func (c *Clock) NowAt() (Timestamp, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	pt := c.physical()
	if pt > c.wall {
		c.wall, c.logical = pt, 0
	} else {
		c.tick(uint32(c.logical) + 1)
	}
	return c.reading(), pt
}

// Update takes in a remote timestamp (the receive event) and returns a
// reading after both it and every earlier local one. A remote timestamp
// more than the maximum drift ahead of physical time is refused with
// ErrDrift and changes nothing: one desk with a wrong clock must not drag
// every other desk's clock into the future.
func (c *Clock) Update(remote Timestamp) (Timestamp, error) {
	if err := remote.Validate(); err != nil {
		return Timestamp{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	pt := c.physical()
	if ahead := time.Duration(remote.Wall-pt) * time.Millisecond; ahead > c.maxDrift {
		return Timestamp{}, fmt.Errorf("%w: %s is %s ahead of this desk's time", ErrDrift, remote, ahead)
	}
	return c.receive(remote, pt), nil
}

// Witness returns a reading after t and after every earlier one, like
// Update but with no limit on how far ahead t may be: for readings this
// desk took itself, such as one another program on the same database
// persisted with its own clock.
func (c *Clock) Witness(t Timestamp) Timestamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.receive(t, c.physical())
}

// receive is the algorithm's receive event at physical time pt.
func (c *Clock) receive(remote Timestamp, pt int64) Timestamp {
	l := max(c.wall, remote.Wall, pt)
	switch {
	case l == c.wall && l == remote.Wall:
		c.tick(uint32(max(c.logical, remote.Logical)) + 1)
	case l == c.wall:
		c.tick(uint32(c.logical) + 1)
	case l == remote.Wall:
		c.wall = l
		c.tick(uint32(remote.Logical) + 1)
	default:
		c.wall, c.logical = l, 0
	}
	return c.reading()
}

// tick sets the counter, carrying into the next millisecond when it
// overflows: the reading moves a millisecond ahead of physical time rather
// than going backwards.
func (c *Clock) tick(logical uint32) {
	if logical > 0xFFFF {
		c.wall++
		logical = 0
	}
	c.logical = uint16(logical)
}

func (c *Clock) physical() int64 { return c.now().Add(c.offset).UnixMilli() }

func (c *Clock) reading() Timestamp {
	if c.wall == 0 && c.logical == 0 {
		return Timestamp{}
	}
	return Timestamp{Wall: c.wall, Logical: c.logical, Site: c.site}
}

package hlc_test

import (
	"errors"
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/quick"
	"time"

	"hms/data/sync/hlc"
)

const (
	siteA = "0193a1b2-0000-7000-8000-00000000000a"
	siteB = "0193a1b2-0000-7000-8000-00000000000b"
)

// wallClock is a local clock a test sets by hand.
type wallClock struct{ t time.Time }

func (w *wallClock) now() time.Time { return w.t }

var start = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

func TestTimestampText(t *testing.T) {
	ts := hlc.Timestamp{Wall: start.UnixMilli() + 7, Logical: 42, Site: siteA}
	const want = "2026-11-26T09:00:00.007Z-002A-" + siteA
	if got := ts.String(); got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
	back, err := hlc.Parse(want)
	if err != nil || back != ts {
		t.Fatalf("Parse(%q) = %+v, %v; want %+v", want, back, err, ts)
	}
	if zero, err := hlc.Parse(""); err != nil || !zero.IsZero() || zero.String() != "" {
		t.Fatalf("the empty text is the zero timestamp: %+v, %v", zero, err)
	}
	for _, bad := range []string{
		"2026-11-26T09:00:00.007Z-002A-",              // no site
		"2026-11-26T09:00:00.007Z-002a-" + siteA,      // lower-case counter sorts differently
		"2026-11-26T09:00:00.007Z-02A-" + siteA,       // short counter
		"2026-11-26T09:00:00.007Z-G02A-" + siteA,      // not hex
		"2026-11-26T09:00:00.07Z-002A-" + siteA,       // short milliseconds
		"2026-11-26 09:00:00.007Z-002A-" + siteA,      // not the layout
		"2026-11-26T09:00:00.007+01:00-002A-" + siteA, // not UTC
		"2026-11-26T09:00:00.007Z_002A_" + siteA,      // separators
		"garbage",
	} {
		if _, err := hlc.Parse(bad); !errors.Is(err, hlc.ErrInvalid) {
			t.Errorf("Parse(%q): %v, want ErrInvalid", bad, err)
		}
	}
	for _, bad := range []hlc.Timestamp{{Wall: -1, Site: siteA}, {Wall: hlc.MaxWall + 1, Site: siteA}, {Wall: 1}} {
		if err := bad.Validate(); !errors.Is(err, hlc.ErrInvalid) {
			t.Errorf("%+v is valid", bad)
		}
	}
	for _, edge := range []hlc.Timestamp{{Wall: hlc.MinWall, Logical: 1, Site: siteA}, {Wall: hlc.MaxWall, Logical: 0xFFFF, Site: siteB}} {
		if back, err := hlc.Parse(edge.String()); err != nil || back != edge {
			t.Errorf("round trip of %+v: %+v, %v", edge, back, err)
		}
	}
}

// randomTimestamp draws from small sets of walls, counters and sites so
// that ties on each part are common.
func randomTimestamp(r *rand.Rand) hlc.Timestamp {
	walls := []int64{hlc.MinWall, 1, 999, 1000, start.UnixMilli(), start.UnixMilli() + 1, start.UnixMilli() + 1000, hlc.MaxWall}
	counters := []uint16{0, 1, 9, 10, 15, 16, 255, 256, 0xFFFF}
	sites := []string{siteA, siteB, "a", "ab", "b"}
	return hlc.Timestamp{Wall: min(walls[r.Intn(len(walls))]+r.Int63n(2), hlc.MaxWall), Logical: counters[r.Intn(len(counters))],
		Site: sites[r.Intn(len(sites))]}
}

type timestampPair struct{ a, b hlc.Timestamp }

func (timestampPair) Generate(r *rand.Rand, _ int) reflect.Value {
	return reflect.ValueOf(timestampPair{randomTimestamp(r), randomTimestamp(r)})
}

// TestTextOrderIsClockOrder: stored as text, timestamps sort in clock
// order, so SQL can compare them as strings.
func TestTextOrderIsClockOrder(t *testing.T) {
	prop := func(p timestampPair) bool {
		as, bs := p.a.String(), p.b.String()
		back, err := hlc.Parse(as)
		return err == nil && back == p.a && p.a.Compare(p.b) == strings.Compare(as, bs) &&
			p.b.Compare(p.a) == -p.a.Compare(p.b) && p.a.Before(p.b) == (as < bs)
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 5000}); err != nil {
		t.Fatal(err)
	}
}

// step is one thing that happens to a desk's clock.
type step struct {
	kind    int // see the constants below
	millis  int64
	logical uint16
	near    bool // a remote timestamp within a millisecond of the clock's last reading
}

const (
	stepLocal   = iota // a local event: Now
	stepRemote         // a remote timestamp arrives: Update
	stepTick           // the wall clock moves by millis (often not at all, sometimes backwards)
	stepJump           // the wall clock is reset by millis: hours either way
	stepOffset         // a handshake measures a new offset of millis
	stepRestart        // the program restarts from the persisted last reading
	stepWitness        // a reading of this desk's own arrives, from another program: Witness
	stepKinds
)

// scenario is a random life of a desk's clock: local events, remote
// timestamps from desks up to ten minutes off, wall-clock jumps, new
// offsets and restarts.
type scenario []step

func (scenario) Generate(r *rand.Rand, size int) reflect.Value {
	s := make(scenario, 1+r.Intn(20*size+1))
	for i := range s {
		st := step{kind: r.Intn(stepKinds)}
		switch st.kind {
		case stepRemote:
			st.millis = r.Int63n(20*60_000+1) - 10*60_000 // the remote's skew
			if st.near = r.Intn(2) == 0; st.near {
				st.millis = []int64{-1, 0, 0, 1}[r.Intn(4)]
			}
			st.logical = uint16(r.Intn(1 << 16))
			if r.Intn(4) == 0 {
				st.logical = 0xFFFF
			}
		case stepTick:
			st.millis = []int64{0, 0, 0, 1, 2, 1000, -1, -500}[r.Intn(8)]
		case stepJump:
			st.millis = r.Int63n(48*3_600_000+1) - 24*3_600_000
		case stepOffset:
			st.millis = r.Int63n(20*60_000+1) - 10*60_000
		case stepWitness:
			st.millis = r.Int63n(48*3_600_000+1) - 24*3_600_000
			st.logical = uint16(r.Intn(1 << 16))
		}
		s[i] = st
	}
	return reflect.ValueOf(s)
}

// run plays a scenario and returns why it broke a property of the clock,
// or "" when none broke.
func (s scenario) run() string {
	wall := &wallClock{t: start}
	clock := hlc.NewClock(siteA, hlc.Timestamp{}, wall.now)
	var offset time.Duration
	var prev hlc.Timestamp
	for i, st := range s {
		physical := wall.t.Add(offset).UnixMilli()
		var got hlc.Timestamp
		switch st.kind {
		case stepLocal:
			got = clock.Now()
		case stepRemote:
			remote := hlc.Timestamp{Wall: physical + st.millis, Logical: st.logical, Site: siteB}
			if st.near {
				remote.Wall = max(prev.Wall+st.millis, 0)
			}
			var err error
			got, err = clock.Update(remote)
			tooFar := time.Duration(remote.Wall-physical)*time.Millisecond > hlc.DefaultMaxDrift
			if tooFar != errors.Is(err, hlc.ErrDrift) || (err != nil && !tooFar) {
				return fmt.Sprintf("step %d: Update(%s) = %v, want refused = %v", i, remote, err, tooFar)
			}
			if err != nil {
				if clock.Last() != prev {
					return fmt.Sprintf("step %d: a refused Update moved the clock from %s to %s", i, prev, clock.Last())
				}
				continue
			}
			if !remote.Before(got) {
				return fmt.Sprintf("step %d: Update(%s) = %s, not after the remote", i, remote, got)
			}
		case stepWitness:
			own := hlc.Timestamp{Wall: max(physical+st.millis, 0), Logical: st.logical, Site: siteA}
			if got = clock.Witness(own); !own.Before(got) {
				return fmt.Sprintf("step %d: Witness(%s) = %s, not after it", i, own, got)
			}
		case stepTick, stepJump:
			wall.t = wall.t.Add(time.Duration(st.millis) * time.Millisecond)
			continue
		case stepOffset:
			offset = time.Duration(st.millis) * time.Millisecond
			clock.SetOffset(offset)
			continue
		case stepRestart:
			last := clock.Last()
			if last != prev {
				return fmt.Sprintf("step %d: Last() = %s, want the last reading %s", i, last, prev)
			}
			// What the database persisted is the text form.
			persisted, err := hlc.Parse(last.String())
			if err != nil {
				return fmt.Sprintf("step %d: %v", i, err)
			}
			clock = hlc.NewClock(siteA, persisted, wall.now)
			clock.SetOffset(offset)
			continue
		}
		if !prev.Before(got) {
			return fmt.Sprintf("step %d (%d): %s after %s: the clock went backwards or stood still", i, st.kind, got, prev)
		}
		if got.Site != siteA {
			return fmt.Sprintf("step %d: reading %s is not stamped with the clock's site", i, got)
		}
		if got.Wall < physical {
			return fmt.Sprintf("step %d: reading %s is behind physical time %d", i, got, physical)
		}
		prev = got
	}
	return ""
}

// TestClockNeverGoesBackwards is the clock's property test: across local
// events, remote timestamps from skewed desks, wall clocks going backwards,
// new offsets and restarts, every reading is after the one before, a
// received timestamp is always followed, and the physical part is never
// behind physical time.
func TestClockNeverGoesBackwards(t *testing.T) {
	prop := func(s scenario) bool {
		if why := s.run(); why != "" {
			t.Log(why)
			return false
		}
		return true
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 2000, Rand: rand.New(rand.NewSource(7))}); err != nil {
		t.Fatal(err)
	}
}

// TestClockStaysNearPhysicalTime: the physical part runs ahead of physical
// time only as far as the newest timestamp it has seen (plus a millisecond
// per 65,536 events in one millisecond), and catches up once physical time
// passes it.
func TestClockStaysNearPhysicalTime(t *testing.T) {
	wall := &wallClock{t: start}
	clock := hlc.NewClock(siteA, hlc.Timestamp{}, wall.now)
	for i := 0; i < 3; i++ {
		if got := clock.Now(); got.Wall != start.UnixMilli() || got.Logical != uint16(i) {
			t.Fatalf("reading %d in one millisecond: %s", i, got)
		}
	}
	wall.t = wall.t.Add(time.Millisecond)
	if got := clock.Now(); got.Wall != start.UnixMilli()+1 || got.Logical != 0 {
		t.Fatalf("after a millisecond: %s, want the new millisecond with counter 0", got)
	}

	remote := hlc.Timestamp{Wall: start.UnixMilli() + 60_000, Logical: 5, Site: siteB}
	got, err := clock.Update(remote)
	if err != nil || got.Wall != remote.Wall || got.Logical != 6 {
		t.Fatalf("Update(a minute ahead) = %s, %v; want the remote's millisecond, counter 6", got, err)
	}
	if got := clock.Now(); got.Wall != remote.Wall || got.Logical != 7 {
		t.Fatalf("local event after it: %s", got)
	}
	wall.t = start.Add(2 * time.Minute)
	if got := clock.Now(); got.Wall != wall.t.UnixMilli() || got.Logical != 0 {
		t.Fatalf("once physical time passes it: %s", got)
	}

	// A storm of events in one millisecond carries into the next.
	wall.t = start.Add(time.Hour)
	prev := clock.Now()
	for i := 0; i < 70_000; i++ {
		got := clock.Now()
		if !prev.Before(got) {
			t.Fatalf("event %d: %s after %s", i, got, prev)
		}
		prev = got
	}
	if prev.Wall != wall.t.UnixMilli()+1 {
		t.Fatalf("70,001 events in one millisecond end at %s, want one millisecond ahead", prev)
	}
}

func TestClockOffsetAndRestart(t *testing.T) {
	wall := &wallClock{t: start}
	clock := hlc.NewClock(siteA, hlc.Timestamp{}, wall.now)
	clock.SetOffset(90 * time.Second) // this desk is 90 s slow
	if got := clock.Now(); got.Time() != start.Add(90*time.Second) {
		t.Fatalf("with an offset of 90 s: %s", got)
	}
	if clock.Offset() != 90*time.Second || clock.Site() != siteA {
		t.Fatalf("offset %s, site %s", clock.Offset(), clock.Site())
	}
	last := clock.Now()

	// The program restarts after the wall clock was set back a day.
	wall.t = start.Add(-24 * time.Hour)
	clock = hlc.NewClock(siteA, last, wall.now)
	if clock.Last() != last {
		t.Fatalf("resumed at %s, want %s", clock.Last(), last)
	}
	if got := clock.Now(); !last.Before(got) || got.Wall != last.Wall {
		t.Fatalf("after a restart with the wall clock a day behind: %s, want just after %s", got, last)
	}
	// Resuming from another site's reading (the newest pulled) takes only its time.
	other := hlc.Timestamp{Wall: last.Wall + 5, Logical: 3, Site: siteB}
	clock = hlc.NewClock(siteA, other, wall.now)
	if got := clock.Now(); got.Site != siteA || !other.Before(got) {
		t.Fatalf("resumed from %s: %s", other, got)
	}
}

func TestUpdateRefusals(t *testing.T) {
	wall := &wallClock{t: start}
	clock := hlc.NewClock(siteA, hlc.Timestamp{}, wall.now)
	before := clock.Now()
	ahead := hlc.Timestamp{Wall: start.Add(hlc.DefaultMaxDrift + time.Millisecond).UnixMilli(), Site: siteB}
	if _, err := clock.Update(ahead); !errors.Is(err, hlc.ErrDrift) {
		t.Fatalf("Update(more than the drift ahead): %v, want ErrDrift", err)
	}
	if _, err := clock.Update(hlc.Timestamp{Wall: start.UnixMilli()}); !errors.Is(err, hlc.ErrInvalid) {
		t.Fatalf("Update(no site): %v, want ErrInvalid", err)
	}
	if clock.Last() != before {
		t.Fatalf("a refused update moved the clock to %s", clock.Last())
	}
	clock.SetMaxDrift(time.Hour)
	if got, err := clock.Update(ahead); err != nil || got.Wall != ahead.Wall {
		t.Fatalf("with a drift of an hour: %s, %v", got, err)
	}
	atLimit := hlc.Timestamp{Wall: start.Add(time.Hour).UnixMilli(), Site: siteB}
	if _, err := clock.Update(atLimit); err != nil {
		t.Fatalf("exactly the drift ahead is accepted: %v", err)
	}
	// The desk's own readings are taken in however far ahead they are.
	own := hlc.Timestamp{Wall: start.Add(48 * time.Hour).UnixMilli(), Logical: 3, Site: siteA}
	if got := clock.Witness(own); got.Wall != own.Wall || got.Logical != 4 {
		t.Fatalf("Witness(two days ahead) = %s, want just after %s", got, own)
	}
}

// TestClockConcurrentUse: readings taken from many goroutines at once are
// all different.
func TestClockConcurrentUse(t *testing.T) {
	clock := hlc.NewClock(siteA, hlc.Timestamp{}, nil)
	const workers, each = 8, 2000
	out := make([][]hlc.Timestamp, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := 0; i < each; i++ {
				if i%3 == 0 {
					ts, err := clock.Update(hlc.Timestamp{Wall: time.Now().UnixMilli(), Logical: uint16(i), Site: siteB})
					if err != nil {
						t.Error(err)
						return
					}
					out[w] = append(out[w], ts)
					continue
				}
				out[w] = append(out[w], clock.Now())
			}
		})
	}
	wg.Wait()
	var all []string
	for _, ts := range out {
		if !slices.IsSortedFunc(ts, hlc.Timestamp.Compare) {
			t.Fatal("one goroutine's readings are out of order")
		}
		for _, x := range ts {
			all = append(all, x.String())
		}
	}
	slices.Sort(all)
	if len(slices.Compact(all)) != workers*each {
		t.Fatal("two readings are equal")
	}
}

// NowAt gives, beside the reading, the physical time it was taken at: the
// same millisecond while the clock follows physical time, and the earlier
// physical time when the reading is held above it (the local clock went
// back an hour).
func TestNowAtPhysicalTime(t *testing.T) {
	wall := &wallClock{t: start}
	clock := hlc.NewClock(siteA, hlc.Timestamp{}, wall.now)
	clock.SetOffset(time.Second)
	got, pt := clock.NowAt()
	if pt != start.Add(time.Second).UnixMilli() || got.Wall != pt {
		t.Fatalf("NowAt = %s at %d, want the physical time %d", got, pt, start.Add(time.Second).UnixMilli())
	}
	wall.t = start.Add(-time.Hour)
	next, pt := clock.NowAt()
	if !got.Before(next) || next.Wall != got.Wall {
		t.Fatalf("after the clock went back: %s, want just after %s", next, got)
	}
	if want := start.Add(-time.Hour + time.Second).UnixMilli(); pt != want {
		t.Fatalf("physical time %d, want %d (an hour behind the reading)", pt, want)
	}
}

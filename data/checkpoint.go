package data

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
)

// driverName is go-sqlite3 with HMS's connection settings that the DSN
// cannot carry.
const driverName = "sqlite3_hms"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			// No commit copies the WAL back into the database itself: that
			// work (a few milliseconds every thousand pages) would land on
			// whichever booking or payment happened to commit then. The
			// checkpointer below does it in the background instead.
			if _, err := c.Exec("PRAGMA wal_autocheckpoint = 0", nil); err != nil {
				return err
			}
			return registerSealFunc(c) // seal.go
		},
	})
}

// checkpointEvery is how often the background checkpoint runs. A PASSIVE
// checkpoint neither waits for nor blocks readers and writers.
const checkpointEvery = time.Second

// walRestartPages is how many pages the WAL may hold after a background
// checkpoint before the checkpointer makes it start again from its
// beginning (restart). SQLite starts the WAL again only when a write
// transaction begins with every page of it copied into the database; while
// writes follow each other without pause that moment never comes (each
// commit lands while the checkpoint copies the previous ones), and the WAL
// grew without end: half a gigabyte in a thousand issue-and-pays of the
// benchmark. Every commit then appended to the file, and the file system
// syncs an append (the file's size, its new blocks) at about three times
// the cost of an overwrite in place (docs/ARCHITECTURE.md, "Pages per
// commit"). 8,192 pages is 32 MiB.
const walRestartPages = 8192

// restartBusy is how long the restart, holding the write lock, waits for
// the readers of the WAL's older pages to finish: the writes wait that long
// at most. It gives up, to try again at the next tick, rather than hold a
// payment up longer.
const restartBusy = 10 * time.Millisecond

// checkpointer copies the WAL into the database file in the background, on
// a connection of its own, and truncates the WAL when the database closes.
type checkpointer struct {
	db      *sql.DB
	done    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
	halted  sync.Once
	stopErr error
	// restartPages: the WAL starts again past this size (walRestartPages).
	restartPages int
	// writer is the database's writer pool (one connection), which the
	// restart runs on.
	writer *sql.DB
}

func startCheckpointer(path string, writer *sql.DB, every time.Duration, restartPages int) (*checkpointer, error) {
	if every <= 0 {
		every = checkpointEvery
	}
	if restartPages <= 0 {
		restartPages = walRestartPages
	}
	db, err := sql.Open(driverName, dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("checkpointer: %w", err)
	}
	db.SetMaxOpenConns(1)
	c := &checkpointer{db: db, writer: writer, done: make(chan struct{}), restartPages: restartPages}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-c.done:
				return
			case <-t.C:
				if err := c.checkpoint(); err != nil {
					slog.Warn("background checkpoint", "err", err)
				}
			}
		}
	}()
	return c, nil
}

// checkpoint copies the WAL into the database without waiting for anyone
// (PASSIVE) and, when the WAL has grown past restartPages, makes the next
// write start it again from its beginning (RESTART). The restart runs on
// the writer connection, taken in turn like any write: SQLite's lock,
// polled by a busy handler, went almost always to the next write when
// writes followed each other closely. Holding it, the restart copies the
// pages committed since the PASSIVE one and waits at most restartBusy for
// the readers of the WAL's older pages; a write waits for that.
func (c *checkpointer) checkpoint() error {
	var busy, pages, copied int
	if err := c.db.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &pages, &copied); err != nil {
		return err
	}
	if pages < c.restartPages {
		return nil
	}
	ctx := context.Background()
	conn, err := c.writer.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, restartBusy.Milliseconds())); err != nil {
		return err
	}
	// Busy (a reader held on) is not an error: the next tick tries again.
	err = conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(RESTART)`).Scan(&busy, &pages, &copied)
	if _, rerr := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, busyTimeoutMS)); err == nil {
		err = rerr
	}
	return err
}

// halt ends the background checkpoints, waiting for one under way: before
// the database's own connections close, since a restart runs on the
// writer's.
func (c *checkpointer) halt() {
	c.halted.Do(func() {
		close(c.done)
		c.wg.Wait()
	})
}

// stop ends the background checkpoints and folds the whole WAL into the
// database, so a closed database is one file.
// It may be called more than once; later calls return the first's result.
func (c *checkpointer) stop() error {
	c.once.Do(func() {
		c.halt()
		_, err := c.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
		if cerr := c.db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			c.stopErr = fmt.Errorf("final checkpoint: %w", err)
		}
	})
	return c.stopErr
}

package data

import (
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

// checkpointer copies the WAL into the database file in the background, on
// a connection of its own, and truncates the WAL when the database closes.
type checkpointer struct {
	db      *sql.DB
	done    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
	stopErr error
}

func startCheckpointer(path string, every time.Duration) (*checkpointer, error) {
	if every <= 0 {
		every = checkpointEvery
	}
	db, err := sql.Open(driverName, dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("checkpointer: %w", err)
	}
	db.SetMaxOpenConns(1)
	c := &checkpointer{db: db, done: make(chan struct{})}
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
				if _, err := c.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
					slog.Warn("background checkpoint", "err", err)
				}
			}
		}
	}()
	return c, nil
}

// stop ends the background checkpoints and folds the whole WAL into the
// database, so a closed database is one file.
// It may be called more than once; later calls return the first's result.
func (c *checkpointer) stop() error {
	c.once.Do(func() {
		close(c.done)
		c.wg.Wait()
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

package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// viewFiles are the files written so the system's viewer can open a
// report. They hold patient data, so they live in one private folder that
// is removed whenever the screens are dropped (lock, logout) and when the
// app stops.
type viewFiles struct {
	mu  sync.Mutex
	dir string
}

// write saves content under name in the private folder and returns its path.
// It may be called from any goroutine.
func (v *viewFiles) write(name string, content []byte) (string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.dir == "" {
		dir, err := os.MkdirTemp("", "hms-view-*") // created 0700: only this user reads it
		if err != nil {
			return "", fmt.Errorf("open report: %w", err)
		}
		v.dir = dir
	}
	sub, err := os.MkdirTemp(v.dir, "r-*") // one folder a file, so names never collide
	if err != nil {
		return "", fmt.Errorf("open report: %w", err)
	}
	path := filepath.Join(sub, name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		return "", fmt.Errorf("open report: %w", err)
	}
	return path, nil
}

// clear removes every file written so far.
func (v *viewFiles) clear() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.dir != "" {
		os.RemoveAll(v.dir)
		v.dir = ""
	}
}

//go:build !linux

package data_test

import "time"

// threadCPU is not measured outside Linux: the cpu-ms/op metrics read 0.
func threadCPU() time.Duration { return 0 }

// workerCPU: there is no hashing worker outside Linux.
func workerCPU() time.Duration { return 0 }

// threadWaits is not measured outside Linux: the waits read 0.
type threadWaits struct{}

func newThreadWaits() *threadWaits { return &threadWaits{} }

func (w *threadWaits) close() {}

func (w *threadWaits) now() (runq time.Duration, voluntary, involuntary int64) { return 0, 0, 0 }

// threadIO is not measured outside Linux: the preads/op metrics read 0.
type threadIO struct{}

func newThreadIO() *threadIO { return &threadIO{} }

func (t *threadIO) close() {}

func (t *threadIO) syscr() int64 { return 0 }

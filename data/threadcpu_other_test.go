//go:build !linux

package data_test

import "time"

// threadCPU is not measured outside Linux: the cpu-ms/op metrics read 0.
func threadCPU() time.Duration { return 0 }

// workerCPU: there is no hashing worker outside Linux.
func workerCPU() time.Duration { return 0 }

//go:build linux && cgo

package data

/*
#include <malloc.h>

// hms_keep_free_memory sets how much free memory at the top of one of the
// C allocator's heaps it keeps rather than hands back to the system.
static int hms_keep_free_memory(int bytes) { return mallopt(M_TRIM_THRESHOLD, bytes); }
*/
import "C"

// keepFreeMemory is how much free memory glibc's allocator keeps at the
// top of each of its heaps before handing it back to the system, for the
// C side of SQLite (docs/ARCHITECTURE.md, "The cost of a payment").
// SQLite opens a temporary table for some statements a payment's triggers
// run (a GROUP BY, an IN list), each with a page cache whose first
// allocation is about 86 KiB, freed when the statement ends. glibc's
// default (128 KiB, adjusted as it goes) handed that memory back with
// madvise at nearly every free on the heaps of the threads cgo calls run
// on: each time a flush of the processors' address translations and, at
// the next statement, page faults to take the memory back, together more
// than half of a payment's CPU. One MiB per heap keeps those allocations
// without holding on to much: the page caches are counted apart.
const keepFreeMemory = 1 << 20

func init() {
	C.hms_keep_free_memory(keepFreeMemory)
}

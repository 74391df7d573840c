package app_test

import (
	"testing"

	"hms/app"
)

// TestAgeBands: the bands start at 0 days, follow each other without gap
// or overlap and end unbounded, so every age is in exactly one (the
// outstanding report sums each band as the difference of two bounds).
func TestAgeBands(t *testing.T) {
	bands := app.AgeBands
	if len(bands) == 0 || bands[0].MinDays != 0 || bands[len(bands)-1].MaxDays >= 0 {
		t.Fatalf("bands %+v", bands)
	}
	for i := 1; i < len(bands); i++ {
		if bands[i-1].MaxDays < bands[i-1].MinDays || bands[i].MinDays != bands[i-1].MaxDays+1 {
			t.Fatalf("band %d %+v does not follow %+v", i, bands[i], bands[i-1])
		}
	}
	for i, b := range bands[:len(bands)-1] {
		if b.MaxDays < 0 {
			t.Fatalf("band %d %+v is unbounded but not the last", i, b)
		}
	}
}

//go:build !race

package data_test

// raceDetector: see race_on_test.go.
const raceDetector = false

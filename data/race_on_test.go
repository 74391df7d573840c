//go:build race

package data_test

// raceDetector is whether the tests run under -race, which slows the
// database's Go side several times over: the longest loops run shorter
// there (the race detector checks the code paths, which a shorter loop
// takes all the same).
const raceDetector = true

//go:build race

package spec

// raceEnabled tells the long differential tests to run fewer rounds: the race detector makes
// them about 15 times slower, and `go test` without -race (the second run of .ci/run) runs
// them whole.
const raceEnabled = true

//go:build !race

package spec

// raceEnabled: see race_on_test.go.
const raceEnabled = false

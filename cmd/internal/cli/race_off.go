//go:build !race

package cli

// raceEnabled: built with the race detector (race_on.go).
const raceEnabled = false

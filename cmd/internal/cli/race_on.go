//go:build race

package cli

// raceEnabled: built with the race detector, whose shadow memory makes
// the allocation hugePages takes cost most of a second.
const raceEnabled = true

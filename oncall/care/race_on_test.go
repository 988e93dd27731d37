//go:build race

package care

const raceEnabled = true

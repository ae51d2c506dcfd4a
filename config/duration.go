package config

import (
	"fmt"
	"time"
)

// Duration is a time.Duration written in Go syntax ("30s", "1h30m") in the
// config file. A bare number is refused: "30" could mean seconds or
// nanoseconds, and guessing wrong is silent.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String formats the duration in Go syntax.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := time.ParseDuration(string(text))
	if err != nil {
		return fmt.Errorf("invalid duration %q (use Go syntax such as \"30s\" or \"1h\")", text)
	}
	*d = Duration(v)
	return nil
}

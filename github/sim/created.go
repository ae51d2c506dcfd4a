package sim

import (
	"fmt"
	"strings"
	"time"
)

// timeRange is a parsed "created" filter; zero bounds are open.
type timeRange struct {
	from, to         time.Time
	fromIncl, toIncl bool
}

func (r timeRange) contains(t time.Time) bool {
	if !r.from.IsZero() && (t.Before(r.from) || (!r.fromIncl && t.Equal(r.from))) {
		return false
	}
	if !r.to.IsZero() && (t.After(r.to) || (!r.toIncl && t.Equal(r.to))) {
		return false
	}
	return true
}

// parseCreated parses GitHub's search date syntax: ">=X", ">X", "<=X",
// "<X", "A..B" (either side may be "*") and a bare "X". X is a date
// (2026-03-01, meaning the whole UTC day) or a date-time.
func parseCreated(s string) (timeRange, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, ">="):
		start, _, err := parseSearchTime(s[2:])
		return timeRange{from: start, fromIncl: true}, err
	case strings.HasPrefix(s, ">"):
		_, end, err := parseSearchTime(s[1:])
		return timeRange{from: end, fromIncl: false}, err
	case strings.HasPrefix(s, "<="):
		_, end, err := parseSearchTime(s[2:])
		return timeRange{to: end, toIncl: true}, err
	case strings.HasPrefix(s, "<"):
		start, _, err := parseSearchTime(s[1:])
		return timeRange{to: start, toIncl: false}, err
	case strings.Contains(s, ".."):
		a, b, _ := strings.Cut(s, "..")
		var r timeRange
		if a != "*" {
			start, _, err := parseSearchTime(a)
			if err != nil {
				return r, err
			}
			r.from, r.fromIncl = start, true
		}
		if b != "*" {
			_, end, err := parseSearchTime(b)
			if err != nil {
				return r, err
			}
			r.to, r.toIncl = end, true
		}
		return r, nil
	}
	start, end, err := parseSearchTime(s)
	return timeRange{from: start, to: end, fromIncl: true, toIncl: true}, err
}

// parseSearchTime returns the first and last instant a value denotes: a
// whole day for a date, one second for a date-time.
func parseSearchTime(v string) (time.Time, time.Time, error) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, t.Add(24*time.Hour - time.Nanosecond), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, v); err == nil {
			t = t.UTC()
			return t, t.Add(time.Second - time.Nanosecond), nil
		}
	}
	return time.Time{}, time.Time{}, fmt.Errorf("invalid date %q", v)
}

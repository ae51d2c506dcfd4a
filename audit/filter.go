package audit

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// Filter selects events. Every set field must match; within a field, any
// value may. The zero Filter selects everything.
type Filter struct {
	// Job selects one job's events and those of every generation linked to
	// it by auto-requeue (previous_job_id), before and after it.
	Job    string
	Groups []string
	// Actors match exactly, except that "system" also matches every part
	// of the system ("system:dispatcher", "system:config", ...).
	Actors []string
	Types  []state.Type
	// Since and Until bound the event time, both inclusive; zero is open.
	Since, Until time.Time
}

// matchHeader applies every condition but Job, which needs the lineage.
// It compares bytes with strings without converting them.
func (f *Filter) matchHeader(h *header) bool {
	if !f.Since.IsZero() && h.Time.Before(f.Since) || !f.Until.IsZero() && h.Time.After(f.Until) {
		return false
	}
	if len(f.Types) > 0 && !slices.ContainsFunc(f.Types, func(t state.Type) bool { return string(t) == string(h.Type) }) {
		return false
	}
	if len(f.Groups) > 0 && !slices.ContainsFunc(f.Groups, func(g string) bool { return g == string(h.GroupID) }) {
		return false
	}
	if len(f.Actors) > 0 && !slices.ContainsFunc(f.Actors, func(a string) bool { return actorMatches(a, string(h.Actor)) }) {
		return false
	}
	return true
}

func actorMatches(want, actor string) bool {
	if want == actor {
		return true
	}
	return want == state.ActorSystem && strings.HasPrefix(actor, state.ActorSystem+":")
}

// ParseTime reads a filter time: RFC 3339 ("2025-03-14T15:00:00Z"), a date
// ("2025-03-14", midnight UTC), or a duration before now ("90m", "2h",
// "7d", "1d12h").
func ParseTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	d, err := parseAgo(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: want RFC 3339 (2025-03-14T15:00:00Z), a date (2025-03-14) or a duration ago (2h, 7d)", s)
	}
	return now.Add(-d), nil
}

// parseAgo is time.ParseDuration plus a leading day count ("7d", "1d12h"),
// since audits usually look back in days.
func parseAgo(s string) (time.Duration, error) {
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad day count in %q", s)
		}
		days, s = time.Duration(n)*24*time.Hour, s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d < 0 {
		return 0, fmt.Errorf("negative duration %q", s)
	}
	return days + d, nil
}

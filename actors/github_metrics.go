package actors

import (
	"fmt"

	"github.com/VictoriaMetrics/metrics"
)

// githubMetrics are the reference's dispatcher metrics (spec §8), now
// updated, plus what the integration adds.
type githubMetrics struct {
	set        *metrics.Set
	cycles     *metrics.Counter
	dispatches *metrics.Counter
	errors     *metrics.Counter
	lastCycle  *metrics.Gauge
	undone     *metrics.Counter
	webhooks   *metrics.Counter
}

func newGitHubMetrics(set *metrics.Set) *githubMetrics {
	return &githubMetrics{
		set:        set,
		cycles:     set.GetOrCreateCounter("dispatchoor_dispatcher_cycles_total"),
		dispatches: set.GetOrCreateCounter("dispatchoor_dispatcher_dispatches_total"),
		errors:     set.GetOrCreateCounter("dispatchoor_dispatcher_errors_total"),
		lastCycle:  set.GetOrCreateGauge("dispatchoor_dispatcher_last_cycle_timestamp", nil),
		undone:     set.GetOrCreateCounter("dispatchoor_dispatcher_dispatches_undone_total"),
		webhooks:   set.GetOrCreateCounter("dispatchoor_webhook_events_total"),
	}
}

// triggered counts a dispatch GitHub accepted, per group.
func (m *githubMetrics) triggered(group string) {
	m.dispatches.Inc()
	m.set.GetOrCreateCounter(fmt.Sprintf(`dispatchoor_dispatcher_group_dispatches_total{group=%q}`, group)).Inc()
}

package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/github"
	"github.com/dispatchoor/dispatchoor/wal"
)

// appMetrics is the process's own metric set on /metrics: build info, the
// journal and snapshots, the GitHub clients, the dispatcher's counters and
// the actors' job, queue and runner metrics. The HTTP server and the live
// hub keep their own sets, registered next to this one.
type appMetrics struct {
	set    *metrics.Set
	actors *actors.Metrics
	// rateSource is the client behind the reference's unlabelled
	// dispatchoor_github_rate_limit_remaining.
	rateSource atomic.Pointer[github.Client]

	appendLatency *metrics.PrometheusHistogram
	fsyncLatency  *metrics.PrometheusHistogram
	batchRecords  *metrics.PrometheusHistogram
	batchBytes    *metrics.PrometheusHistogram
	snapshotSave  *metrics.PrometheusHistogram
	snapshotTotal *metrics.PrometheusHistogram // capture of every partition plus the write
	snapshotFails *metrics.Counter
	snapshotBytes *metrics.Gauge
}

// Buckets. Journal latencies are sub-millisecond on a good disk and
// seconds on a bad one; batches grow with load.
var (
	latencyBuckets = metrics.ExponentialBuckets(0.0001, 2, 17) // 100 µs .. 6.5 s
	recordBuckets  = metrics.ExponentialBuckets(1, 2, 12)      // 1 .. 2048 records
	byteBuckets    = metrics.ExponentialBuckets(256, 4, 10)    // 256 B .. 64 MiB
)

func newAppMetrics(version, commit, date string) *appMetrics {
	s := metrics.NewSet()
	s.GetOrCreateGauge(fmt.Sprintf(`dispatchoor_build_info{version=%q,commit=%q,date=%q}`, version, commit, date), nil).Set(1)
	// The dispatcher's series exist from the start, at zero, even while no
	// GitHub token is configured (spec §8); the GitHub integration counts
	// into the same set (actors.GitHubOptions.Metrics).
	s.GetOrCreateCounter("dispatchoor_dispatcher_cycles_total")
	s.GetOrCreateCounter("dispatchoor_dispatcher_dispatches_total")
	s.GetOrCreateCounter("dispatchoor_dispatcher_errors_total")
	s.GetOrCreateGauge("dispatchoor_dispatcher_last_cycle_timestamp", nil)
	return &appMetrics{
		set:           s,
		appendLatency: s.NewPrometheusHistogramExt("dispatchoor_journal_append_duration_seconds", latencyBuckets),
		fsyncLatency:  s.NewPrometheusHistogramExt("dispatchoor_journal_fsync_duration_seconds", latencyBuckets),
		batchRecords:  s.NewPrometheusHistogramExt("dispatchoor_journal_batch_records", recordBuckets),
		batchBytes:    s.NewPrometheusHistogramExt("dispatchoor_journal_batch_bytes", byteBuckets),
		snapshotSave:  s.NewPrometheusHistogramExt("dispatchoor_snapshot_save_duration_seconds", latencyBuckets),
		snapshotTotal: s.NewPrometheusHistogramExt("dispatchoor_snapshot_duration_seconds", latencyBuckets),
		snapshotFails: s.NewCounter("dispatchoor_snapshot_save_errors_total"),
		snapshotBytes: s.NewGauge("dispatchoor_snapshot_bytes", nil),
	}
}

// instrumentJournal sets the journal's measurement hooks: the latency of
// each append until durable, each group commit's size, each fsync.
func (m *appMetrics) instrumentJournal(o *wal.Options) {
	o.OnAppend = func(_ int, d time.Duration) { m.appendLatency.Update(d.Seconds()) }
	o.OnBatch = func(records, bytes int) {
		m.batchRecords.Update(float64(records))
		m.batchBytes.Update(float64(bytes))
	}
	o.OnFsync = func(d time.Duration) { m.fsyncLatency.Update(d.Seconds()) }
}

// timeSnapshots wraps the actors' journal so that every snapshot write is
// timed: encoding the state is quick, writing and fsyncing it is not.
func (m *appMetrics) timeSnapshots(j actors.Journal) actors.Journal {
	return timedJournal{Journal: j, m: m}
}

type timedJournal struct {
	actors.Journal
	m *appMetrics
}

func (t timedJournal) SaveSnapshot(index uint64, data []byte) error {
	start := time.Now()
	err := t.Journal.SaveSnapshot(index, data)
	t.m.snapshotSave.UpdateDuration(start)
	if err != nil {
		t.m.snapshotFails.Inc()
		return err
	}
	t.m.snapshotBytes.Set(float64(len(data)))
	return nil
}

// start attaches the job, queue and runner metrics to the running system
// and adds the journal's gauges.
func (m *appMetrics) start(ctx context.Context, a *app) error {
	am, err := actors.NewMetrics(ctx, a.sys, actors.MetricsOptions{Set: m.set, Logger: a.log})
	if err != nil {
		return err
	}
	m.actors = am
	m.watchJournal(a.journal)
	return nil
}

// writer renders /metrics: the Go runtime and process metrics, then the
// sets of this app (its own, the live hub's, the HTTP server's). Nothing is
// registered globally, so each app shows its own series only. It reads
// a.hub and a.http when called, which is after both exist.
func (m *appMetrics) writer(a *app) func(w io.Writer) {
	return func(w io.Writer) {
		metrics.WriteProcessMetrics(w)
		m.set.WritePrometheus(w)
		a.hub.Metrics().WritePrometheus(w)
		a.http.Metrics().WritePrometheus(w)
	}
}

// watchJournal adds gauges read from the journal's counters at scrape time.
func (m *appMetrics) watchJournal(j *wal.Journal) {
	stat := func(f func(wal.Stats) float64) func() float64 { return func() float64 { return f(j.Stats()) } }
	m.set.NewGauge("dispatchoor_journal_last_index", stat(func(s wal.Stats) float64 { return float64(s.LastIndex) }))
	m.set.NewGauge("dispatchoor_journal_durable_index", stat(func(s wal.Stats) float64 { return float64(s.DurableIndex) }))
	m.set.NewGauge("dispatchoor_journal_segments", stat(func(s wal.Stats) float64 { return float64(s.Segments) }))
	m.set.NewGauge("dispatchoor_journal_bytes", stat(func(s wal.Stats) float64 { return float64(s.SegmentBytes + s.SnapshotBytes) }))
	m.set.NewGauge("dispatchoor_snapshot_last_index", stat(func(s wal.Stats) float64 { return float64(s.SnapshotIndex) }))
	m.set.NewGauge("dispatchoor_snapshot_last_timestamp_seconds", stat(func(s wal.Stats) float64 {
		if s.SnapshotTime.IsZero() {
			return 0
		}
		return float64(s.SnapshotTime.UnixNano()) / 1e9
	}))
}

// close stops the metrics subscriber.
func (m *appMetrics) close() {
	if m.actors != nil {
		m.actors.Close()
	}
}

// githubOnCall is the github.Options.OnCall hook of the client named
// client: it counts every request by endpoint (the reference's
// github_api_requests_total and github_api_errors_total) and by client,
// endpoint and status, and times it. Status 0 means no answer arrived; it
// and every status from 400 up count as errors, 304 (an unchanged
// conditional answer) does not.
func (m *appMetrics) githubOnCall(client string) func(endpoint string, status int, d time.Duration) {
	return func(endpoint string, status int, d time.Duration) {
		m.set.GetOrCreateCounter(fmt.Sprintf(`dispatchoor_github_api_requests_total{endpoint=%q}`, endpoint)).Inc()
		if status == 0 || status >= 400 {
			m.set.GetOrCreateCounter(fmt.Sprintf(`dispatchoor_github_api_errors_total{endpoint=%q}`, endpoint)).Inc()
		}
		m.set.GetOrCreateCounter(fmt.Sprintf(`dispatchoor_github_api_calls_total{client=%q,endpoint=%q,status=%q}`,
			client, endpoint, strconv.Itoa(status))).Inc()
		m.set.GetOrCreatePrometheusHistogram(fmt.Sprintf(`dispatchoor_github_api_request_duration_seconds{client=%q,endpoint=%q}`,
			client, endpoint)).Update(d.Seconds())
	}
}

// watchGitHub exposes a client's rate-limit budget, read from its last
// answer at scrape time (no request is sent). The reference's unlabelled
// dispatchoor_github_rate_limit_remaining follows the primary client (the
// one that polls runners) or, until one is watched, the first client: with
// a single token, one client does both jobs. A limit of 0 means no answer
// carried rate-limit headers yet.
func (m *appMetrics) watchGitHub(c *github.Client, primary bool) {
	status := func(f func(github.ClientStatus) float64) func() float64 {
		return func() float64 { return f(c.Status()) }
	}
	name := func(metric string) string { return fmt.Sprintf(`%s{client=%q}`, metric, c.Name()) }
	m.set.GetOrCreateGauge(name("dispatchoor_github_client_rate_limit_remaining"),
		status(func(s github.ClientStatus) float64 { return float64(s.Remaining) }))
	m.set.GetOrCreateGauge(name("dispatchoor_github_client_rate_limit_limit"),
		status(func(s github.ClientStatus) float64 { return float64(s.Limit) }))
	m.set.GetOrCreateGauge(name("dispatchoor_github_client_rate_limit_reset_timestamp_seconds"),
		status(func(s github.ClientStatus) float64 {
			if s.Reset.IsZero() {
				return 0
			}
			return float64(s.Reset.Unix())
		}))
	m.set.GetOrCreateGauge(name("dispatchoor_github_client_connected"), status(func(s github.ClientStatus) float64 {
		if s.Connected {
			return 1
		}
		return 0
	}))
	if primary || m.rateSource.Load() == nil {
		m.rateSource.Store(c)
	}
	m.set.GetOrCreateGauge("dispatchoor_github_rate_limit_remaining", func() float64 {
		return float64(m.rateSource.Load().Status().Remaining)
	})
}

// snapshotTaken records a whole snapshot: capturing every partition from
// its owner, waiting for the captured events to be durable, and the write.
func (m *appMetrics) snapshotTaken(d time.Duration, err error) {
	if err == nil {
		m.snapshotTotal.Update(d.Seconds())
	}
}

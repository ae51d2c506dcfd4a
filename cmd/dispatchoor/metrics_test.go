package main

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// scrapeMetrics reads /metrics and returns every sample by its full name.
func (e *testApp) scrapeMetrics() map[string]float64 {
	e.t.Helper()
	body := e.call("GET", "/metrics", "", "", 200, nil)
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if i < 0 || err != nil {
			e.t.Fatalf("malformed sample %q", line)
		}
		if _, dup := out[line[:i]]; dup {
			e.t.Fatalf("sample %s appears twice", line[:i])
		}
		out[line[:i]] = v
	}
	return out
}

// family sums the samples of a metric whose labels contain every given
// label (name="value" pairs), and reports whether any matched.
func family(samples map[string]float64, name string, labels ...string) (float64, bool) {
	sum, found := 0.0, false
	for key, v := range samples {
		base, rest, _ := strings.Cut(key, "{")
		if base != name {
			continue
		}
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(rest, l)
		}
		if ok {
			sum, found = sum+v, true
		}
	}
	return sum, found
}

// TestMetricsEndToEnd runs jobs through the real server and a simulated
// GitHub, scraping /metrics before and after: every reference metric (spec
// §8) and every added one is exposed both times, and those that should
// have moved did.
func TestMetricsEndToEnd(t *testing.T) {
	e := startTestApp(t, true)
	admin := e.token["admin"]
	e.waitFor("runners polled", func() bool {
		var rs []struct{}
		e.call("GET", "/api/v1/runners", admin, "", 200, &rs)
		return len(rs) == 2
	})
	before := e.scrapeMetrics()

	ids := []string{e.enqueue("unit"), e.enqueue("unit"), e.enqueue("unit"), e.enqueue("broken")}
	want := map[string]string{ids[0]: "completed", ids[1]: "completed", ids[2]: "completed", ids[3]: "failed"}
	e.waitFor("every job finished", func() bool {
		for id, st := range want {
			if e.jobStatus(id) != st {
				return false
			}
		}
		return true
	})
	e.waitFor("queue empty in the metrics", func() bool {
		n, _ := family(e.scrapeMetrics(), "dispatchoor_queue_size", `group="ci"`)
		return n == 0
	})
	after := e.scrapeMetrics()

	type check struct {
		name   string
		labels []string
		moved  float64 // at least this much more after than before; 0: present only
	}
	ci := `group="ci"`
	checks := []check{
		// The reference's metrics (spec §8).
		{"dispatchoor_build_info", []string{`version="dev"`}, 0},
		{"dispatchoor_github_rate_limit_remaining", nil, 0},
		{"dispatchoor_jobs_created_total", []string{ci}, 4},
		{"dispatchoor_jobs_triggered_total", []string{ci}, 3},
		{"dispatchoor_jobs_completed_total", []string{ci}, 3},
		{"dispatchoor_jobs_failed_total", []string{ci}, 1},
		{"dispatchoor_jobs_cancelled_total", []string{ci}, 0},
		{"dispatchoor_queue_size", []string{ci, `status="pending"`}, 0},
		{"dispatchoor_queue_size", []string{ci, `status="running"`}, 0},
		{"dispatchoor_runners_total", []string{ci}, 0},
		{"dispatchoor_runners_online", []string{ci}, 0},
		{"dispatchoor_runners_busy", []string{ci}, 0},
		{"dispatchoor_http_requests_total", []string{`method="POST"`, `path="/api/v1/groups/{id}/queue"`, `status="201"`}, 4},
		{"dispatchoor_http_request_duration_seconds_count", []string{`method="GET"`, `path="/api/v1/jobs/{id}"`}, 4},
		{"dispatchoor_dispatcher_cycles_total", nil, 1},
		{"dispatchoor_dispatcher_dispatches_total", nil, 3},
		{"dispatchoor_dispatcher_errors_total", nil, 1},
		{"dispatchoor_dispatcher_last_cycle_timestamp", nil, 0},
		{"dispatchoor_github_api_requests_total", []string{`endpoint="dispatch"`}, 4},
		{"dispatchoor_github_api_errors_total", []string{`endpoint="dispatch"`}, 1},
		// Added.
		{"dispatchoor_dispatch_lag_seconds_count", []string{ci}, 3},
		{"dispatchoor_job_queue_wait_seconds_count", []string{ci}, 3},
		{"dispatchoor_runner_idle_waiting_seconds_total", []string{ci}, 0},
		{"dispatchoor_jobs_waiting", []string{ci}, 0},
		{"dispatchoor_github_api_calls_total", []string{`client="dispatch"`, `endpoint="dispatch"`, `status="404"`}, 1},
		{"dispatchoor_github_api_request_duration_seconds_count", []string{`client="dispatch"`}, 4},
		{"dispatchoor_github_client_rate_limit_remaining", []string{`client="dispatch"`}, 0},
		{"dispatchoor_github_client_rate_limit_limit", []string{`client="dispatch"`}, 0},
		{"dispatchoor_github_client_connected", []string{`client="dispatch"`}, 0},
		{"dispatchoor_journal_append_duration_seconds_count", nil, 4},
		{"dispatchoor_journal_fsync_duration_seconds_count", nil, 0},
		{"dispatchoor_journal_batch_records_count", nil, 1},
		{"dispatchoor_journal_last_index", nil, 10},
		{"dispatchoor_snapshot_save_duration_seconds_count", nil, 0},
		{"dispatchoor_ws_clients", nil, 0},
		{"go_goroutines", nil, 0},
		{"process_resident_memory_bytes", nil, 0},
	}
	for _, c := range checks {
		b, okb := family(before, c.name, c.labels...)
		a, oka := family(after, c.name, c.labels...)
		switch {
		case !oka:
			t.Errorf("%s%v missing after the jobs ran", c.name, c.labels)
		case !okb && c.moved == 0:
			t.Errorf("%s%v missing before the jobs ran", c.name, c.labels)
		case c.moved > 0 && a-b < c.moved:
			t.Errorf("%s%v: %v -> %v; want it up by at least %v", c.name, c.labels, b, a, c.moved)
		}
	}
	if v, _ := family(after, "dispatchoor_github_client_rate_limit_limit", `client="dispatch"`); v != 5000 {
		t.Errorf("rate limit of the dispatch client: %v; want the simulator's 5000", v)
	}
	if v, _ := family(after, "dispatchoor_github_client_connected", `client="dispatch"`); v != 1 {
		t.Errorf("dispatch client connected = %v; want 1", v)
	}
}

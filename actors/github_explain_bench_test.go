package actors

import (
	"strings"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// BenchmarkQueueWithGitHubExplain reads a 10,000-job queue on the group's
// actor with the GitHub actors running, so every pending job gets its
// reason and ETA from the dispatcher's explain hook; worst-ms includes
// waiting behind dispatcher passes on the same actor.
func BenchmarkQueueWithGitHubExplain(b *testing.B) {
	e := newGHEnv(b, envOptions{groups: defaultEnvGroups(true, false)})
	e.waitRunners(3)
	if _, err := e.sys.PauseGroup(e.ctx(), admin(), "sync", true); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 10000; i++ {
		if _, err := e.sys.Enqueue(e.ctx(), admin(), "sync", state.AddJob{TemplateID: "sync-geth"}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := e.sys.PauseGroup(e.ctx(), admin(), "sync", false); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var worst time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		q, err := e.sys.Queue(e.ctx(), "sync")
		if err != nil || len(q) < 9000 {
			b.Fatalf("%v %d", err, len(q))
		}
		worst = max(worst, time.Since(t0))
		if r := q[len(q)-1].PendingReason; !strings.Contains(r, "jobs ahead") {
			b.Fatalf("the last job waits for %q; want jobs ahead of it", r)
		}
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
}

package httpd

import (
	"fmt"
	"io"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/valyala/fasthttp"
)

type healthView struct {
	Status string `json:"status"`
	Config struct {
		Auth struct {
			Basic  bool `json:"basic"`
			GitHub bool `json:"github"`
		} `json:"auth"`
	} `json:"config"`
}

// health handles GET /health; the login page reads which methods exist.
func (s *Server) health(*call) (int, any, error) {
	var v healthView
	v.Status = "ok"
	v.Config.Auth.Basic = s.opts.BasicAuthEnabled
	v.Config.Auth.GitHub = s.opts.GitHubAuthEnabled
	return fasthttp.StatusOK, v, nil
}

type databaseView struct {
	Status  string `json:"status"`
	Latency string `json:"latency,omitempty"`
	Error   string `json:"error,omitempty"`
}

type queueCountsView struct {
	PendingJobs     int `json:"pending_jobs"`
	DispatchingJobs int `json:"dispatching_jobs"`
	TriggeredJobs   int `json:"triggered_jobs"`
	RunningJobs     int `json:"running_jobs"`
}

type journalView struct {
	FirstIndex        uint64     `json:"first_index"`
	LastIndex         uint64     `json:"last_index"`
	Bytes             int64      `json:"bytes"`
	LastSnapshotIndex uint64     `json:"last_snapshot_index"`
	LastSnapshotAt    *time.Time `json:"last_snapshot_at"`
	StateHash         string     `json:"state_hash"`
}

type versionView struct {
	Version   string `json:"version"`
	GitCommit string `json:"git_commit"`
	BuildDate string `json:"build_date"`
}

type statusView struct {
	Status    string          `json:"status"`
	Timestamp time.Time       `json:"timestamp"`
	StartedAt time.Time       `json:"started_at"`
	Uptime    string          `json:"uptime"`
	Database  databaseView    `json:"database"`
	GitHub    githubView      `json:"github"`
	Queue     queueCountsView `json:"queue"`
	Journal   *journalView    `json:"journal"`
	Version   versionView     `json:"version"`
}

type githubView struct {
	Runners  ClientStatus `json:"runners"`
	Dispatch ClientStatus `json:"dispatch"`
}

// systemStatus handles GET /api/v1/status. As in the reference, the overall
// status is "healthy" or "degraded", never "unhealthy": the process answers,
// so it is up; what is degraded is named in the parts.
func (s *Server) systemStatus(c *call) (int, any, error) {
	now := s.opts.Now()
	v := statusView{
		Status:    "healthy",
		Timestamp: now,
		StartedAt: s.startedAt,
		GitHub:    s.githubStatus(),
		Version:   versionView{Version: s.opts.Version, GitCommit: s.opts.Commit, BuildDate: s.opts.BuildDate},
	}
	st, err := s.svc.Status(c.c)
	latency := s.opts.Now().Sub(now)
	if err != nil {
		_, msg, internal := statusOf(err)
		if internal {
			s.log.Error("status: journal", "request_id", requestID(c.ctx), "err", err)
		}
		v.Database = databaseView{Status: "unhealthy", Error: msg}
	} else {
		v.Database = databaseView{Status: "healthy", Latency: fmt.Sprintf("%dms", latency.Milliseconds())}
		v.Queue = queueCountsView{PendingJobs: st.Pending, DispatchingJobs: st.Dispatching, TriggeredJobs: st.Triggered, RunningJobs: st.Running}
		v.Journal = &journalView{
			FirstIndex: st.JournalFirstIndex, LastIndex: st.JournalLastIndex, Bytes: st.JournalBytes,
			LastSnapshotIndex: st.LastSnapshotIndex, LastSnapshotAt: timePtr(st.LastSnapshotAt), StateHash: st.StateHash,
		}
		if !st.StartedAt.IsZero() {
			v.StartedAt = st.StartedAt
		}
	}
	v.Uptime = now.Sub(v.StartedAt).Round(time.Second).String()
	if v.Database.Status != "healthy" || v.GitHub.Runners.Status != "healthy" || v.GitHub.Dispatch.Status != "healthy" {
		v.Status = "degraded"
	}
	return fasthttp.StatusOK, v, nil
}

func (s *Server) githubStatus() githubView {
	if s.opts.GitHubStatus == nil {
		return githubView{
			Runners:  ClientStatus{Status: "unhealthy", Error: "Runners token not configured"},
			Dispatch: ClientStatus{Status: "unhealthy", Error: "Dispatch token not configured"},
		}
	}
	r, d := s.opts.GitHubStatus()
	return githubView{Runners: r, Dispatch: d}
}

// metricsHandler handles GET /metrics in the Prometheus text format.
func (s *Server) metricsHandler(ctx *fasthttp.RequestCtx) {
	ctx.SetContentType("text/plain; version=0.0.4; charset=utf-8")
	w := s.opts.MetricsWriter
	if w == nil {
		w = func(out io.Writer) { metrics.WritePrometheus(out, true) }
	}
	w(ctx)
}

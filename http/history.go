package httpd

import (
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// History paging limits (spec §5.3): out-of-range values fall back to the
// default rather than failing, as in the reference.
const (
	historyDefaultLimit = 50
	historyMaxLimit     = 100
)

// statsRanges are the accepted values of ?range= on history stats.
var statsRanges = map[string]bool{"1h": true, "6h": true, "24h": true, "7d": true, "30d": true, "auto": true}

type historyView struct {
	Jobs       []jobView `json:"jobs"`
	HasMore    bool      `json:"has_more"`
	NextCursor string    `json:"next_cursor,omitempty"`
	TotalCount int       `json:"total_count"`
}

// history handles GET /api/v1/groups/{id}/history.
func (s *Server) history(c *call) (int, any, error) {
	page, err := s.svc.History(c.c, c.param("id"), parseHistoryQuery(c.ctx.QueryArgs()))
	if err != nil {
		return 0, nil, err
	}
	jobs := make([]jobView, 0, len(page.Jobs))
	for _, j := range page.Jobs {
		jobs = append(jobs, jobFields(j))
	}
	return fasthttp.StatusOK, historyView{
		Jobs: jobs, HasMore: page.HasMore, NextCursor: page.NextCursor, TotalCount: page.TotalCount,
	}, nil
}

func parseHistoryQuery(args *fasthttp.Args) state.HistoryQuery {
	q := state.HistoryQuery{Limit: historyDefaultLimit, Before: string(args.Peek("before"))}
	if n, err := strconv.Atoi(string(args.Peek("limit"))); err == nil && n >= 1 && n <= historyMaxLimit {
		q.Limit = n
	}
	for _, part := range strings.Split(string(args.Peek("status")), ",") {
		st := state.JobStatus(strings.TrimSpace(part))
		if st.Terminal() {
			q.Statuses = append(q.Statuses, st)
		}
	}
	for key, value := range args.All() {
		k, ok := strings.CutPrefix(string(key), "label.")
		if !ok || k == "" {
			continue
		}
		if q.Labels == nil {
			q.Labels = map[string]string{}
		}
		q.Labels[k] = string(value)
	}
	return q
}

type countsView struct {
	Completed int `json:"completed"`
	Failed    int `json:"failed"`
	Cancelled int `json:"cancelled"`
}

type bucketView struct {
	Timestamp time.Time `json:"timestamp"`
	countsView
}

type rangeView struct {
	Start          time.Time `json:"start"`
	End            time.Time `json:"end"`
	BucketDuration string    `json:"bucket_duration"`
}

type statsView struct {
	Buckets []bucketView `json:"buckets"`
	Range   rangeView    `json:"range"`
	Totals  countsView   `json:"totals"`
}

// historyStats handles GET /api/v1/groups/{id}/history/stats.
func (s *Server) historyStats(c *call) (int, any, error) {
	rng := string(c.ctx.QueryArgs().Peek("range"))
	if rng == "" {
		rng = "auto"
	}
	if !statsRanges[rng] {
		return 0, nil, badRequest("Invalid range parameter")
	}
	st, err := s.svc.HistoryStats(c.c, c.param("id"), rng)
	if err != nil {
		return 0, nil, err
	}
	out := statsView{
		Buckets: make([]bucketView, 0, len(st.Buckets)),
		Range:   rangeView{Start: st.Start, End: st.End, BucketDuration: st.BucketDuration.String()},
		Totals:  counts(st.Totals),
	}
	for _, b := range st.Buckets {
		out.Buckets = append(out.Buckets, bucketView{Timestamp: b.Timestamp, countsView: counts(b)})
	}
	return fasthttp.StatusOK, out, nil
}

func counts(b state.StatsBucket) countsView {
	return countsView{Completed: b.Completed, Failed: b.Failed, Cancelled: b.Cancelled}
}

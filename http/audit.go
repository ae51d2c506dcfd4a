package httpd

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/dispatchoor/dispatchoor/audit"
)

// AuditLog answers the audit routes; *audit.Index provides it, from memory,
// so no request scans the journal.
type AuditLog interface {
	// Audit returns a page of events matching the query, newest first.
	Audit(ctx context.Context, q audit.Query) (audit.Page, error)
	// JobEvents returns a job's timeline, oldest first, with the events of
	// every generation linked to it by auto-requeue. A job without any
	// event is state.ErrNotFound.
	JobEvents(ctx context.Context, jobID string) ([]audit.Entry, error)
}

// RegisterAudit adds the audit routes:
//
//   - GET /api/v1/audit (admin): events filtered by job, group, actor, type
//     (repeatable or comma-separated), since and until (RFC 3339, a date, or
//     a duration ago such as 2h or 7d), newest first. limit is 1..500
//     (default 100; more is capped at 500); cursor is the previous page's
//     next_cursor, which is absent on the last page.
//   - GET /api/v1/jobs/{id}/events (any role): the job's timeline.
func RegisterAudit(s *Server, log AuditLog) error {
	for _, r := range auditRoutes(s, log) {
		if err := s.HandleRoute(r); err != nil {
			return err
		}
	}
	return nil
}

func auditRoutes(s *Server, log AuditLog) []Route {
	return []Route{
		{Method: get, Path: "/api/v1/audit", Tier: TierAuthenticated, Access: AccessAdmin,
			Summary: "Audit log: who did what, when and why; filters job, group, actor, type, since, until; newest first, paged by cursor",
			Handler: s.api(func(c *call) (int, any, error) { return auditPage(c, log) })},
		{Method: get, Path: "/api/v1/jobs/{id}/events", Tier: TierAuthenticated, Access: AccessUser,
			Summary: "A job's timeline, oldest first, including its requeued generations",
			Handler: s.api(func(c *call) (int, any, error) { return jobEvents(c, log) })},
	}
}

// auditEventView is one element of GET /api/v1/audit.
type auditEventView struct {
	Index   uint64    `json:"index"`
	Time    time.Time `json:"time"`
	Type    string    `json:"type"`
	Actor   string    `json:"actor"`
	IP      string    `json:"ip,omitempty"`
	Reason  string    `json:"reason,omitempty"`
	GroupID string    `json:"group_id,omitempty"`
	JobID   string    `json:"job_id,omitempty"`
	Summary string    `json:"summary"`
}

type auditPageView struct {
	Events     []auditEventView `json:"events"`
	NextCursor string           `json:"next_cursor,omitempty"`
}

// jobEventView is one element of GET /api/v1/jobs/{id}/events; job_id names
// the generation the event concerns.
type jobEventView struct {
	Index   uint64    `json:"index"`
	Time    time.Time `json:"time"`
	Type    string    `json:"type"`
	Actor   string    `json:"actor"`
	IP      string    `json:"ip,omitempty"`
	Reason  string    `json:"reason,omitempty"`
	Summary string    `json:"summary"`
	JobID   string    `json:"job_id"`
}

func auditPage(c *call, log AuditLog) (int, any, error) {
	q, err := parseAuditQuery(c.ctx.QueryArgs(), c.s.opts.Now())
	if err != nil {
		return 0, nil, err
	}
	page, err := log.Audit(c.c, q)
	if err != nil {
		return 0, nil, auditError(err)
	}
	v := auditPageView{Events: make([]auditEventView, 0, len(page.Entries)), NextCursor: page.NextCursor}
	for _, e := range page.Entries {
		v.Events = append(v.Events, auditEventView{
			Index: e.Index, Time: e.Time, Type: string(e.Type), Actor: e.Actor, IP: e.IP, Reason: e.Reason,
			GroupID: e.GroupID, JobID: e.JobID, Summary: e.Summary,
		})
	}
	return fasthttp.StatusOK, v, nil
}

func jobEvents(c *call, log AuditLog) (int, any, error) {
	entries, err := log.JobEvents(c.c, c.param("id"))
	if err != nil {
		return 0, nil, auditError(err)
	}
	out := make([]jobEventView, 0, len(entries))
	for _, e := range entries {
		out = append(out, jobEventView{
			Index: e.Index, Time: e.Time, Type: string(e.Type), Actor: e.Actor, IP: e.IP, Reason: e.Reason,
			Summary: e.Summary, JobID: e.JobID,
		})
	}
	return fasthttp.StatusOK, out, nil
}

// parseAuditQuery reads the filters. Unlike history's lenient paging, a
// malformed filter is refused: silently dropping it would show events the
// auditor did not ask for as if they matched.
func parseAuditQuery(args *fasthttp.Args, now time.Time) (audit.Query, error) {
	strs := func(key string) []string {
		var out []string
		for _, v := range args.PeekMulti(key) {
			if len(v) > 0 {
				out = append(out, string(v))
			}
		}
		return out
	}
	q := audit.Query{Limit: audit.DefaultLimit, Cursor: string(args.Peek("cursor"))}
	q.Job = string(args.Peek("job"))
	q.Groups, q.Actors = strs("group"), strs("actor")
	var err error
	if q.Types, err = audit.ParseTypes(strs("type")...); err != nil {
		return q, badRequest("type: %v", err)
	}
	for _, t := range []struct {
		key string
		dst *time.Time
	}{{"since", &q.Since}, {"until", &q.Until}} {
		if v := string(args.Peek(t.key)); v != "" {
			if *t.dst, err = audit.ParseTime(v, now); err != nil {
				return q, badRequest("%s: %v", t.key, err)
			}
		}
	}
	if v := string(args.Peek("limit")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return q, badRequest("limit must be a number from 1 to %d", audit.MaxLimit)
		}
		q.Limit = min(n, audit.MaxLimit)
	}
	return q, nil
}

// auditError maps the index's errors; the rest go through statusOf.
func auditError(err error) error {
	switch {
	case errors.Is(err, audit.ErrBadCursor):
		return badRequest("invalid cursor")
	case errors.Is(err, audit.ErrNotReady):
		return &apiError{status: fasthttp.StatusServiceUnavailable, msg: "the audit log is still being indexed; try again shortly"}
	}
	return err
}

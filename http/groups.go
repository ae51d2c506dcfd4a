package httpd

import (
	"github.com/valyala/fasthttp"

	"github.com/dispatchoor/dispatchoor/actors"
)

// listGroups handles GET /api/v1/groups: GroupWithStats ordered by name.
func (s *Server) listGroups(c *call) (int, any, error) {
	groups, err := s.svc.Groups(c.c)
	if err != nil {
		return 0, nil, err
	}
	out := make([]groupStatsView, 0, len(groups))
	for _, g := range groups {
		out = append(out, newGroupStatsView(g))
	}
	return fasthttp.StatusOK, out, nil
}

// getGroup handles GET /api/v1/groups/{id}: the Group without stats.
func (s *Server) getGroup(c *call) (int, any, error) {
	g, err := s.svc.Group(c.c, c.param("id"))
	if err != nil {
		return 0, nil, err
	}
	return fasthttp.StatusOK, newGroupView(g.Group), nil
}

// pauseGroup handles POST /api/v1/groups/{id}/pause and /unpause.
func (s *Server) pauseGroup(paused bool) endpoint {
	return func(c *call) (int, any, error) {
		if err := decodeNoBody(c.body()); err != nil {
			return 0, nil, err
		}
		g, err := s.svc.PauseGroup(c.c, c.who(), c.param("id"), paused)
		if err != nil {
			return 0, nil, err
		}
		return fasthttp.StatusOK, newGroupView(g.Group), nil
	}
}

// groupTemplates handles GET /api/v1/groups/{id}/templates.
func (s *Server) groupTemplates(c *call) (int, any, error) {
	ts, err := s.svc.Templates(c.c, c.param("id"))
	if err != nil {
		return 0, nil, err
	}
	out := make([]templateView, 0, len(ts))
	for _, t := range ts {
		out = append(out, newTemplateView(t))
	}
	return fasthttp.StatusOK, out, nil
}

// getTemplate handles GET /api/v1/templates/{id}.
func (s *Server) getTemplate(c *call) (int, any, error) {
	t, err := s.svc.Template(c.c, c.param("id"))
	if err != nil {
		return 0, nil, err
	}
	return fasthttp.StatusOK, newTemplateView(t), nil
}

type reloadResponse struct {
	Message string                `json:"message"`
	Groups  []actors.ReloadResult `json:"groups"`
}

// reloadTemplates handles POST /api/v1/templates/reload.
func (s *Server) reloadTemplates(c *call) (int, any, error) {
	if err := decodeNoBody(c.body()); err != nil {
		return 0, nil, err
	}
	res, err := s.svc.ReloadTemplates(c.c, c.who())
	if err != nil {
		return 0, nil, err
	}
	if res == nil {
		res = []actors.ReloadResult{}
	}
	return fasthttp.StatusOK, reloadResponse{Message: "Templates reloaded successfully", Groups: res}, nil
}

// groupRunners handles GET /api/v1/groups/{id}/runners.
func (s *Server) groupRunners(c *call) (int, any, error) {
	rs, err := s.svc.GroupRunners(c.c, c.param("id"))
	if err != nil {
		return 0, nil, err
	}
	return fasthttp.StatusOK, runnerViews(rs), nil
}

// listRunners handles GET /api/v1/runners.
func (s *Server) listRunners(c *call) (int, any, error) {
	rs, err := s.svc.Runners(c.c)
	if err != nil {
		return 0, nil, err
	}
	return fasthttp.StatusOK, runnerViews(rs), nil
}

// refreshRunners handles POST /api/v1/runners/refresh. Unlike the
// reference, it really asks the poller for a poll.
func (s *Server) refreshRunners(c *call) (int, any, error) {
	if err := decodeNoBody(c.body()); err != nil {
		return 0, nil, err
	}
	if err := s.svc.RefreshRunners(c.c); err != nil {
		return 0, nil, err
	}
	return fasthttp.StatusNoContent, nil, nil
}

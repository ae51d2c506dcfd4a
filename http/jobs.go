package httpd

import (
	"github.com/valyala/fasthttp"

	"github.com/dispatchoor/dispatchoor/actors"
)

// queue handles GET /api/v1/groups/{id}/queue.
func (s *Server) queue(c *call) (int, any, error) {
	group := c.param("id")
	buf := s.jobs.buffer()
	jobs, err := s.svc.QueueInto(c.c, group, buf)
	if err != nil {
		s.jobs.release(buf)
		return 0, nil, err
	}
	return fasthttp.StatusOK, cachedQueue{cache: s.jobs, group: group, jobs: jobs}, nil
}

// enqueue handles POST /api/v1/groups/{id}/queue.
func (s *Server) enqueue(c *call) (int, any, error) {
	req, err := decodeAddJob(c.body())
	if err != nil {
		return 0, nil, err
	}
	job, err := s.svc.Enqueue(c.c, c.who(), c.param("id"), req)
	if err != nil {
		return 0, nil, err
	}
	return fasthttp.StatusCreated, newJobView(job), nil
}

// reorder handles PUT /api/v1/groups/{id}/queue/reorder.
func (s *Server) reorder(c *call) (int, any, error) {
	ids, err := decodeReorder(c.body())
	if err != nil {
		return 0, nil, err
	}
	if err := s.svc.Reorder(c.c, c.who(), c.param("id"), ids); err != nil {
		return 0, nil, err
	}
	return fasthttp.StatusNoContent, nil, nil
}

// getJob handles GET /api/v1/jobs/{id}.
func (s *Server) getJob(c *call) (int, any, error) {
	job, err := s.svc.Job(c.c, c.param("id"))
	if err != nil {
		return 0, nil, err
	}
	return fasthttp.StatusOK, newJobView(job), nil
}

// updateJob handles PUT /api/v1/jobs/{id}.
func (s *Server) updateJob(c *call) (int, any, error) {
	req, err := decodeUpdateJob(c.body())
	if err != nil {
		return 0, nil, err
	}
	job, err := s.svc.UpdateJob(c.c, c.who(), c.param("id"), req)
	if err != nil {
		return 0, nil, err
	}
	return fasthttp.StatusOK, newJobView(job), nil
}

// removeJob handles DELETE /api/v1/jobs/{id}.
func (s *Server) removeJob(c *call) (int, any, error) {
	if err := decodeNoBody(c.body()); err != nil {
		return 0, nil, err
	}
	if err := s.svc.RemoveJob(c.c, c.who(), c.param("id")); err != nil {
		return 0, nil, err
	}
	return fasthttp.StatusNoContent, nil, nil
}

// jobAction adapts the body-less job commands (pause, unpause, cancel,
// disable-requeue), which all answer with the job.
func (s *Server) jobAction(do func(c *call, who actors.Who, id string) (actors.JobInfo, error)) endpoint {
	return func(c *call) (int, any, error) {
		if err := decodeNoBody(c.body()); err != nil {
			return 0, nil, err
		}
		job, err := do(c, c.who(), c.param("id"))
		if err != nil {
			return 0, nil, err
		}
		return fasthttp.StatusOK, newJobView(job), nil
	}
}

func (s *Server) pauseJob(paused bool) endpoint {
	return s.jobAction(func(c *call, who actors.Who, id string) (actors.JobInfo, error) {
		return s.svc.PauseJob(c.c, who, id, paused)
	})
}

func (s *Server) cancelJob() endpoint {
	return s.jobAction(func(c *call, who actors.Who, id string) (actors.JobInfo, error) {
		return s.svc.CancelJob(c.c, who, id)
	})
}

func (s *Server) disableRequeue() endpoint {
	return s.jobAction(func(c *call, who actors.Who, id string) (actors.JobInfo, error) {
		return s.svc.DisableRequeue(c.c, who, id)
	})
}

// setAutoRequeue handles PUT /api/v1/jobs/{id}/auto-requeue.
func (s *Server) setAutoRequeue(c *call) (int, any, error) {
	req, err := decodeAutoRequeue(c.body())
	if err != nil {
		return 0, nil, err
	}
	job, err := s.svc.SetAutoRequeue(c.c, c.who(), c.param("id"), req.AutoRequeue, req.RequeueLimit)
	if err != nil {
		return 0, nil, err
	}
	return fasthttp.StatusOK, newJobView(job), nil
}

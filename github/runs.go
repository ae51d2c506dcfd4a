package github

import (
	"context"
	"errors"
	"fmt"
	"time"

	gh "github.com/google/go-github/v88/github"
)

// Run is a workflow run.
type Run struct {
	ID           int64
	WorkflowID   int64
	RunNumber    int
	RunAttempt   int
	Name         string
	DisplayTitle string // rendered run-name: where a correlation id shows up
	Status       string // requested, queued, pending, waiting, in_progress, completed
	Conclusion   string // empty until completed; see MapConclusion
	HTMLURL      string
	HeadBranch   string
	Event        string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	RunStartedAt time.Time
}

// Job is one job of a workflow run.
type Job struct {
	ID          int64
	RunID       int64
	Name        string
	Status      string
	Conclusion  string
	RunnerID    int64  // 0 until a runner is assigned
	RunnerName  string // empty until a runner is assigned
	Labels      []string
	CreatedAt   time.Time
	StartedAt   time.Time
	CompletedAt time.Time
}

// RunFilter narrows ListWorkflowRuns. Zero fields do not filter.
type RunFilter struct {
	Event        string    // e.g. "workflow_dispatch"
	Status       string    // a status or a conclusion
	CreatedAfter time.Time // runs created at or after this instant
	PerPage      int       // default and maximum 100
	MaxPages     int       // default 10, i.e. GitHub's 1,000-result search cap
}

const (
	maxPerPage      = 100
	defaultRunPages = 10
	// maxJobPages covers GitHub's 256-job matrix limit with room to spare.
	maxJobPages = 10
)

// ListWorkflowRuns lists the runs of one workflow (file name or numeric id),
// newest first as GitHub returns them, up to filter.MaxPages pages.
func (c *Client) ListWorkflowRuns(ctx context.Context, owner, repo, workflowID string, filter RunFilter) ([]Run, error) {
	if err := required("owner", owner, "repo", repo, "workflow id", workflowID); err != nil {
		return nil, fmt.Errorf("list workflow runs: %w", err)
	}
	opts := &gh.ListWorkflowRunsOptions{
		Event:       filter.Event,
		Status:      filter.Status,
		ListOptions: gh.ListOptions{PerPage: clampPerPage(filter.PerPage), Page: 1},
	}
	if !filter.CreatedAfter.IsZero() {
		opts.Created = ">=" + filter.CreatedAfter.UTC().Format(time.RFC3339)
	}
	pages := filter.MaxPages
	if pages <= 0 {
		pages = defaultRunPages
	}
	runs := []Run{}
	for range pages {
		var page *gh.WorkflowRuns
		resp, err := c.call(ctx, "list_workflow_runs", classRead, func(ctx context.Context) (*gh.Response, error) {
			var resp *gh.Response
			var err error
			if id, ok := numericID(workflowID); ok {
				page, resp, err = c.gh.Actions.ListWorkflowRunsByID(ctx, owner, repo, id, opts)
			} else {
				page, resp, err = c.gh.Actions.ListWorkflowRunsByFileName(ctx, owner, repo, workflowID, opts)
			}
			return resp, err
		})
		if err != nil {
			return nil, c.fail(err, "list runs of %s/%s %s", owner, repo, workflowID)
		}
		for _, r := range page.WorkflowRuns {
			runs = append(runs, toRun(r))
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return runs, nil
}

// GetRun reads one run. An unknown or expired run gives ErrNotFound.
func (c *Client) GetRun(ctx context.Context, owner, repo string, id int64) (Run, error) {
	if err := required("owner", owner, "repo", repo); err != nil {
		return Run{}, fmt.Errorf("get run %d: %w", id, err)
	}
	var run *gh.WorkflowRun
	_, err := c.call(ctx, "get_run", classRead, func(ctx context.Context) (*gh.Response, error) {
		var resp *gh.Response
		var err error
		run, resp, err = c.gh.Actions.GetWorkflowRunByID(ctx, owner, repo, id)
		return resp, err
	})
	if err != nil {
		return Run{}, c.fail(err, "get run %s/%s %d", owner, repo, id)
	}
	return toRun(run), nil
}

// ListRunJobs lists the jobs of the latest attempt of a run, all pages.
func (c *Client) ListRunJobs(ctx context.Context, owner, repo string, runID int64) ([]Job, error) {
	if err := required("owner", owner, "repo", repo); err != nil {
		return nil, fmt.Errorf("list jobs of run %d: %w", runID, err)
	}
	opts := &gh.ListWorkflowJobsOptions{Filter: "latest", ListOptions: gh.ListOptions{PerPage: maxPerPage, Page: 1}}
	jobs := []Job{}
	for range maxJobPages {
		var page *gh.Jobs
		resp, err := c.call(ctx, "list_run_jobs", classRead, func(ctx context.Context) (*gh.Response, error) {
			var resp *gh.Response
			var err error
			page, resp, err = c.gh.Actions.ListWorkflowJobs(ctx, owner, repo, runID, opts)
			return resp, err
		})
		if err != nil {
			return nil, c.fail(err, "list jobs of run %s/%s %d", owner, repo, runID)
		}
		for _, j := range page.Jobs {
			jobs = append(jobs, toJob(j))
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return jobs, nil
}

// CancelRun asks GitHub to cancel a run. GitHub answers 202 and cancels
// asynchronously: re-read the run to see it end. A run that already completed
// gives ErrAlreadyCompleted. Essential call.
func (c *Client) CancelRun(ctx context.Context, owner, repo string, id int64) error {
	if err := required("owner", owner, "repo", repo); err != nil {
		return fmt.Errorf("cancel run %d: %w", id, err)
	}
	err := c.cancel(ctx, "cancel_run", func(ctx context.Context) (*gh.Response, error) {
		return c.gh.Actions.CancelWorkflowRunByID(ctx, owner, repo, id)
	})
	if err != nil {
		return c.fail(err, "cancel run %s/%s %d", owner, repo, id)
	}
	return nil
}

// ForceCancelRun cancels a run bypassing always() conditions; use it when a
// normal cancel has been ignored for a while. Same answers as CancelRun.
func (c *Client) ForceCancelRun(ctx context.Context, owner, repo string, id int64) error {
	if err := required("owner", owner, "repo", repo); err != nil {
		return fmt.Errorf("force-cancel run %d: %w", id, err)
	}
	// go-github has no method for this endpoint.
	path := fmt.Sprintf("repos/%s/%s/actions/runs/%d/force-cancel", owner, repo, id)
	err := c.cancel(ctx, "force_cancel_run", func(ctx context.Context) (*gh.Response, error) {
		req, err := c.gh.NewRequest(ctx, "POST", path, nil)
		if err != nil {
			return nil, err
		}
		return c.gh.Do(req, nil)
	})
	if err != nil {
		return c.fail(err, "force-cancel run %s/%s %d", owner, repo, id)
	}
	return nil
}

// cancel runs a cancel-type call: go-github reports the 202 success as
// *AcceptedError, and 409 means the run has already completed.
func (c *Client) cancel(ctx context.Context, op string, send func(ctx context.Context) (*gh.Response, error)) error {
	_, err := c.call(ctx, op, classWrite, func(ctx context.Context) (*gh.Response, error) {
		resp, err := send(ctx)
		if _, ok := errors.AsType[*gh.AcceptedError](err); ok {
			err = nil
		}
		return resp, err
	})
	if ae, ok := errors.AsType[*APIError](err); ok && ae.Status == 409 {
		return fmt.Errorf("%w: %w", ErrAlreadyCompleted, ae)
	}
	return err
}

func clampPerPage(n int) int {
	if n <= 0 || n > maxPerPage {
		return maxPerPage
	}
	return n
}

func toRun(r *gh.WorkflowRun) Run {
	return Run{
		ID:           r.GetID(),
		WorkflowID:   r.GetWorkflowID(),
		RunNumber:    r.GetRunNumber(),
		RunAttempt:   r.GetRunAttempt(),
		Name:         r.GetName(),
		DisplayTitle: r.GetDisplayTitle(),
		Status:       r.GetStatus(),
		Conclusion:   r.GetConclusion(),
		HTMLURL:      r.GetHTMLURL(),
		HeadBranch:   r.GetHeadBranch(),
		Event:        r.GetEvent(),
		CreatedAt:    r.GetCreatedAt().Time,
		UpdatedAt:    r.GetUpdatedAt().Time,
		RunStartedAt: r.GetRunStartedAt().Time,
	}
}

func toJob(j *gh.WorkflowJob) Job {
	labels := append([]string{}, j.Labels...)
	return Job{
		ID:          j.GetID(),
		RunID:       j.GetRunID(),
		Name:        j.GetName(),
		Status:      j.GetStatus(),
		Conclusion:  j.GetConclusion(),
		RunnerID:    j.GetRunnerID(),
		RunnerName:  j.GetRunnerName(),
		Labels:      labels,
		CreatedAt:   j.GetCreatedAt().Time,
		StartedAt:   j.GetStartedAt().Time,
		CompletedAt: j.GetCompletedAt().Time,
	}
}

package github

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	gh "github.com/google/go-github/v88/github"
)

// DispatchRequest describes one workflow_dispatch.
type DispatchRequest struct {
	Owner string
	Repo  string
	// WorkflowID is the workflow file name ("deploy.yml") or its numeric id.
	WorkflowID string
	// Ref is the branch or tag to run; GitHub rejects commit SHAs.
	Ref string
	// Inputs are sent as JSON strings, the only type GitHub reliably accepts.
	Inputs map[string]string
	// ReturnRunDetails asks GitHub for the run id in the answer. Servers that
	// do not know the field (GHES before 3.21) refuse the request with
	// ErrReturnRunDetailsUnsupported.
	ReturnRunDetails bool
}

// DispatchResult is what GitHub returned for an accepted dispatch. RunID is 0
// when GitHub answered 204 without details: the run must then be found by
// correlation.
type DispatchResult struct {
	RunID   int64
	RunURL  string // API URL of the run
	HTMLURL string // web URL of the run
}

// Dispatch sends a workflow_dispatch event. It is an essential call (it may
// spend the rate-limit buffer). Errors:
//   - ErrReturnRunDetailsUnsupported: resend without ReturnRunDetails;
//   - *ValidationError: GitHub refused the request (undeclared input, unknown
//     ref, no workflow_dispatch trigger); nothing was created and the job
//     should fail with the message;
//   - ErrNotFound: unknown workflow or repository, or invisible to the token;
//   - *RateLimitedError: nothing was created, retry after Reset;
//   - IsUncertain(err): the run may have been created; look for it first.
func (c *Client) Dispatch(ctx context.Context, req DispatchRequest) (DispatchResult, error) {
	if err := required("owner", req.Owner, "repo", req.Repo, "workflow id", req.WorkflowID, "ref", req.Ref); err != nil {
		return DispatchResult{}, fmt.Errorf("dispatch: %w", err)
	}
	body := gh.CreateWorkflowDispatchEventRequest{Ref: req.Ref}
	if len(req.Inputs) > 0 {
		body.Inputs = make(map[string]any, len(req.Inputs))
		for k, v := range req.Inputs {
			body.Inputs[k] = v
		}
	}
	if req.ReturnRunDetails {
		body.ReturnRunDetails = gh.Ptr(true)
	}
	var details *gh.WorkflowDispatchRunDetails
	_, err := c.call(ctx, "dispatch", classWrite, func(ctx context.Context) (*gh.Response, error) {
		var resp *gh.Response
		var err error
		if id, ok := numericID(req.WorkflowID); ok {
			details, resp, err = c.gh.Actions.CreateWorkflowDispatchEventByID(ctx, req.Owner, req.Repo, id, body)
		} else {
			details, resp, err = c.gh.Actions.CreateWorkflowDispatchEventByFileName(ctx, req.Owner, req.Repo, req.WorkflowID, body)
		}
		return resp, err
	})
	if err != nil {
		if req.ReturnRunDetails {
			err = runDetailsRefusal(err)
		}
		return DispatchResult{}, c.fail(err, "dispatch %s/%s %s@%s", req.Owner, req.Repo, req.WorkflowID, req.Ref)
	}
	if details == nil {
		return DispatchResult{}, nil
	}
	return DispatchResult{
		RunID:   details.GetWorkflowRunID(),
		RunURL:  details.GetRunURL(),
		HTMLURL: details.GetHTMLURL(),
	}, nil
}

// runDetailsRefusal recognises a 400/422 that names return_run_details (the
// "is not a permitted key" answer of older GHES) and turns it into
// ErrReturnRunDetailsUnsupported. The result is deliberately not a
// *ValidationError: the job must not fail for it.
func runDetailsRefusal(err error) error {
	ve, ok := errors.AsType[*ValidationError](err)
	if !ok || !strings.Contains(ve.Error(), "return_run_details") {
		return err
	}
	return fmt.Errorf("%w (GitHub answered %d: %s)", ErrReturnRunDetailsUnsupported, ve.Status, ve.Error())
}

// numericID reports whether a workflow id is the numeric form.
func numericID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

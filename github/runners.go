package github

import (
	"context"
	"strings"

	gh "github.com/google/go-github/v88/github"
)

// runnersPerPage is GitHub's maximum page size.
const runnersPerPage = 100

// maxRunnerPages bounds a listing at 10,000 runners, GitHub's limit per
// runner group, so that a server that keeps sending "next" cannot loop us.
const maxRunnerPages = 100

// Runner is a self-hosted runner as the runners API reports it. Busy lags and
// can be wrong for a while (see spec §4): treat "online and not busy" as a hint.
type Runner struct {
	ID     int64
	Name   string
	OS     string
	Status string // "online" or "offline"
	Busy   bool
	Labels []string
}

// RunnerList is the result of a runner listing.
type RunnerList struct {
	Runners []Runner
	// NotModified is true when every page was answered 304: the list is the
	// cached one and the call cost no primary rate limit.
	NotModified bool
}

// ListOrgRunners lists every self-hosted runner registered to the
// organisation org, all pages, using conditional requests.
func (c *Client) ListOrgRunners(ctx context.Context, org string) (RunnerList, error) {
	if err := required("org", org); err != nil {
		return RunnerList{}, err
	}
	list, err := c.listRunners(ctx, "list_org_runners", func(ctx context.Context, opts *gh.ListRunnersOptions) (*gh.Runners, *gh.Response, error) {
		return c.gh.Actions.ListOrganizationRunners(ctx, org, opts)
	})
	if err != nil {
		return RunnerList{}, c.fail(err, "list runners of org %s", org)
	}
	return list, nil
}

// ListRepoRunners lists the self-hosted runners registered to one repository
// (organisation runners usable by the repository are not included), all
// pages, using conditional requests.
func (c *Client) ListRepoRunners(ctx context.Context, owner, repo string) (RunnerList, error) {
	if err := required("owner", owner, "repo", repo); err != nil {
		return RunnerList{}, err
	}
	list, err := c.listRunners(ctx, "list_repo_runners", func(ctx context.Context, opts *gh.ListRunnersOptions) (*gh.Runners, *gh.Response, error) {
		return c.gh.Actions.ListRunners(ctx, owner, repo, opts)
	})
	if err != nil {
		return RunnerList{}, c.fail(err, "list runners of repo %s/%s", owner, repo)
	}
	return list, nil
}

type runnerPageFunc func(ctx context.Context, opts *gh.ListRunnersOptions) (*gh.Runners, *gh.Response, error)

// listRunners walks the pages of a runner listing. Each page is one call
// under the rate-limit rule, with its own ETag.
func (c *Client) listRunners(ctx context.Context, op string, page runnerPageFunc) (RunnerList, error) {
	out := RunnerList{NotModified: true, Runners: []Runner{}}
	opts := &gh.ListRunnersOptions{ListOptions: gh.ListOptions{PerPage: runnersPerPage, Page: 1}}
	for range maxRunnerPages {
		var runners *gh.Runners
		resp, err := c.call(withETags(ctx), op, classRead, func(ctx context.Context) (*gh.Response, error) {
			var resp *gh.Response
			var err error
			runners, resp, err = page(ctx, opts)
			return resp, err
		})
		if err != nil {
			return RunnerList{}, err
		}
		if resp.Header.Get(headerNotModified) == "" {
			out.NotModified = false
		}
		for _, r := range runners.Runners {
			out.Runners = append(out.Runners, toRunner(r))
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
	return out, nil
}

func toRunner(r *gh.Runner) Runner {
	labels := make([]string, 0, len(r.Labels))
	for _, l := range r.Labels {
		labels = append(labels, l.GetName())
	}
	return Runner{
		ID:     r.GetID(),
		Name:   r.GetName(),
		OS:     r.GetOS(),
		Status: r.GetStatus(),
		Busy:   r.GetBusy(),
		Labels: labels,
	}
}

// IsOrg reports whether owner is an organisation (true) or a user account
// (false), so that the poller knows which runners endpoint applies. The answer
// is cached for the life of the client: an account does not change type.
func (c *Client) IsOrg(ctx context.Context, owner string) (bool, error) {
	// An empty name would ask GitHub about the token's own user instead.
	if err := required("owner", owner); err != nil {
		return false, err
	}
	key := strings.ToLower(owner)
	c.ownersMu.Lock()
	isOrg, ok := c.owners[key]
	c.ownersMu.Unlock()
	if ok {
		return isOrg, nil
	}
	var user *gh.User
	_, err := c.call(ctx, "get_user", classRead, func(ctx context.Context) (*gh.Response, error) {
		var resp *gh.Response
		var err error
		user, resp, err = c.gh.Users.Get(ctx, owner)
		return resp, err
	})
	if err != nil {
		return false, c.fail(err, "look up owner %s", owner)
	}
	isOrg = user.GetType() == "Organization"
	c.ownersMu.Lock()
	c.owners[key] = isOrg
	c.ownersMu.Unlock()
	return isOrg, nil
}

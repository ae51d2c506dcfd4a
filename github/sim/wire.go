package sim

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// The wire types below carry GitHub's JSON field names exactly; go-github
// decodes them. Nullable fields are pointers without omitempty so they
// marshal as null, as GitHub's do.

type runnerLabelJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

type runnerJSON struct {
	ID            int64             `json:"id"`
	RunnerGroupID int64             `json:"runner_group_id,omitempty"`
	Name          string            `json:"name"`
	OS            string            `json:"os"`
	Status        string            `json:"status"`
	Busy          bool              `json:"busy"`
	Ephemeral     bool              `json:"ephemeral"`
	Labels        []runnerLabelJSON `json:"labels"`
}

func runnerWire(r *runner) runnerJSON {
	out := runnerJSON{ID: r.id, Name: r.name, OS: r.os, Status: r.status, Busy: r.busy,
		Ephemeral: r.ephemeral, Labels: []runnerLabelJSON{}}
	if r.group != nil {
		out.RunnerGroupID = r.group.id
	}
	for _, l := range r.labels {
		typ := "custom"
		if l.readOnly {
			typ = "read-only"
		}
		out.Labels = append(out.Labels, runnerLabelJSON{ID: l.id, Name: l.name, Type: typ})
	}
	return out
}

type runnerGroupJSON struct {
	ID                           int64    `json:"id"`
	Name                         string   `json:"name"`
	Visibility                   string   `json:"visibility"`
	Default                      bool     `json:"default"`
	SelectedRepositoriesURL      string   `json:"selected_repositories_url,omitempty"`
	RunnersURL                   string   `json:"runners_url"`
	HostedRunnersURL             string   `json:"hosted_runners_url"`
	Inherited                    bool     `json:"inherited"`
	AllowsPublicRepositories     bool     `json:"allows_public_repositories"`
	RestrictedToWorkflows        bool     `json:"restricted_to_workflows"`
	SelectedWorkflows            []string `json:"selected_workflows"`
	WorkflowRestrictionsReadOnly bool     `json:"workflow_restrictions_read_only"`
}

func groupWire(api string, g *runnerGroup) runnerGroupJSON {
	base := fmt.Sprintf("%s/orgs/%s/actions/runner-groups/%d", api, g.org.login, g.id)
	out := runnerGroupJSON{ID: g.id, Name: g.name, Visibility: g.visibility, Default: g.isDefault,
		RunnersURL: base + "/runners", HostedRunnersURL: base + "/hosted-runners",
		AllowsPublicRepositories: g.allowsPublic, RestrictedToWorkflows: g.restricted,
		SelectedWorkflows: append([]string{}, g.selectedWorkflows...)}
	if g.visibility == "selected" {
		out.SelectedRepositoriesURL = base + "/repositories"
	}
	return out
}

type userJSON struct {
	Login     string `json:"login"`
	ID        int64  `json:"id"`
	NodeID    string `json:"node_id"`
	AvatarURL string `json:"avatar_url"`
	URL       string `json:"url"`
	HTMLURL   string `json:"html_url"`
	Type      string `json:"type"`
	SiteAdmin bool   `json:"site_admin"`
}

func userWire(api, html, login string, id int64, typ string) userJSON {
	path := "users"
	if typ == "Organization" {
		path = "orgs"
	}
	return userJSON{Login: login, ID: id, NodeID: nodeID(typ, id),
		AvatarURL: fmt.Sprintf("%s/avatars/u/%d", html, id),
		URL:       fmt.Sprintf("%s/%s/%s", api, path, login),
		HTMLURL:   fmt.Sprintf("%s/%s", html, login), Type: typ}
}

type orgJSON struct {
	Login       string  `json:"login"`
	ID          int64   `json:"id"`
	NodeID      string  `json:"node_id"`
	URL         string  `json:"url"`
	ReposURL    string  `json:"repos_url"`
	HooksURL    string  `json:"hooks_url"`
	AvatarURL   string  `json:"avatar_url"`
	Description *string `json:"description"`
}

func orgWire(api, html string, o *org) orgJSON {
	u := fmt.Sprintf("%s/orgs/%s", api, o.login)
	return orgJSON{Login: o.login, ID: o.id, NodeID: nodeID("Organization", o.id), URL: u,
		ReposURL: u + "/repos", HooksURL: u + "/hooks", AvatarURL: fmt.Sprintf("%s/avatars/u/%d", html, o.id)}
}

type repoJSON struct {
	ID            int64    `json:"id"`
	NodeID        string   `json:"node_id"`
	Name          string   `json:"name"`
	FullName      string   `json:"full_name"`
	Private       bool     `json:"private"`
	Owner         userJSON `json:"owner"`
	HTMLURL       string   `json:"html_url"`
	Description   *string  `json:"description"`
	Fork          bool     `json:"fork"`
	URL           string   `json:"url"`
	DefaultBranch string   `json:"default_branch"`
	Visibility    string   `json:"visibility"`
}

func repoWire(api, html string, r *repo) repoJSON {
	vis := "private"
	if r.public {
		vis = "public"
	}
	return repoJSON{ID: r.id, NodeID: nodeID("Repository", r.id), Name: r.name, FullName: r.fullName(),
		Private: !r.public, Owner: userWire(api, html, r.owner.login, r.owner.id, "Organization"),
		HTMLURL: html + "/" + r.fullName(), URL: api + "/repos/" + r.fullName(),
		DefaultBranch: r.defaultBranch, Visibility: vis}
}

type workflowJSON struct {
	ID        int64  `json:"id"`
	NodeID    string `json:"node_id"`
	Name      string `json:"name"`
	Path      string `json:"path"`
	State     string `json:"state"`
	CreatedAt stamp  `json:"created_at"`
	UpdatedAt stamp  `json:"updated_at"`
	URL       string `json:"url"`
	HTMLURL   string `json:"html_url"`
	BadgeURL  string `json:"badge_url"`
}

func workflowWire(api, html string, wf *workflow) workflowJSON {
	repo := wf.repo.fullName()
	return workflowJSON{ID: wf.id, NodeID: nodeID("Workflow", wf.id), Name: wf.name, Path: wf.path,
		State: wf.state, CreatedAt: stamp(wf.createdAt), UpdatedAt: stamp(wf.updatedAt),
		URL:      fmt.Sprintf("%s/repos/%s/actions/workflows/%d", api, repo, wf.id),
		HTMLURL:  fmt.Sprintf("%s/%s/blob/%s/%s", html, repo, wf.repo.defaultBranch, wf.path),
		BadgeURL: fmt.Sprintf("%s/%s/workflows/%s/badge.svg", html, repo, wf.name)}
}

type headCommitJSON struct {
	ID        string `json:"id"`
	TreeID    string `json:"tree_id"`
	Message   string `json:"message"`
	Timestamp stamp  `json:"timestamp"`
}

type runJSON struct {
	ID                  int64          `json:"id"`
	Name                string         `json:"name"`
	NodeID              string         `json:"node_id"`
	HeadBranch          string         `json:"head_branch"`
	HeadSHA             string         `json:"head_sha"`
	Path                string         `json:"path"`
	DisplayTitle        string         `json:"display_title"`
	RunNumber           int            `json:"run_number"`
	Event               string         `json:"event"`
	Status              string         `json:"status"`
	Conclusion          *string        `json:"conclusion"`
	WorkflowID          int64          `json:"workflow_id"`
	CheckSuiteID        int64          `json:"check_suite_id"`
	CheckSuiteNodeID    string         `json:"check_suite_node_id"`
	URL                 string         `json:"url"`
	HTMLURL             string         `json:"html_url"`
	PullRequests        []any          `json:"pull_requests"`
	CreatedAt           stamp          `json:"created_at"`
	UpdatedAt           stamp          `json:"updated_at"`
	Actor               userJSON       `json:"actor"`
	RunAttempt          int            `json:"run_attempt"`
	ReferencedWorkflows []any          `json:"referenced_workflows"`
	RunStartedAt        stamp          `json:"run_started_at"`
	TriggeringActor     userJSON       `json:"triggering_actor"`
	JobsURL             string         `json:"jobs_url"`
	LogsURL             string         `json:"logs_url"`
	CheckSuiteURL       string         `json:"check_suite_url"`
	ArtifactsURL        string         `json:"artifacts_url"`
	CancelURL           string         `json:"cancel_url"`
	RerunURL            string         `json:"rerun_url"`
	PreviousAttemptURL  *string        `json:"previous_attempt_url"`
	WorkflowURL         string         `json:"workflow_url"`
	HeadCommit          headCommitJSON `json:"head_commit"`
	Repository          repoJSON       `json:"repository"`
	HeadRepository      repoJSON       `json:"head_repository"`
}

func runWire(api, html string, r *run) runJSON {
	repo := r.repo.fullName()
	u := fmt.Sprintf("%s/repos/%s/actions/runs/%d", api, repo, r.id)
	out := runJSON{ID: r.id, Name: r.workflow.name, NodeID: nodeID("WorkflowRun", r.id),
		HeadBranch: r.ref, HeadSHA: r.headSHA, Path: r.workflow.path, DisplayTitle: r.displayTitle,
		RunNumber: r.number, Event: r.event, Status: r.status, Conclusion: strPtr(r.conclusion),
		WorkflowID: r.workflow.id, CheckSuiteID: r.checkSuiteID, CheckSuiteNodeID: nodeID("CheckSuite", r.checkSuiteID),
		URL: u, HTMLURL: fmt.Sprintf("%s/%s/actions/runs/%d", html, repo, r.id), PullRequests: []any{},
		CreatedAt: stamp(r.createdAt), UpdatedAt: stamp(r.updatedAt),
		Actor:      userWire(api, html, r.actor.login, r.actor.id, "User"),
		RunAttempt: r.attempt, ReferencedWorkflows: []any{}, RunStartedAt: stamp(r.startedAt),
		TriggeringActor: userWire(api, html, r.triggering.login, r.triggering.id, "User"),
		JobsURL:         u + "/jobs", LogsURL: u + "/logs",
		CheckSuiteURL: fmt.Sprintf("%s/repos/%s/check-suites/%d", api, repo, r.checkSuiteID),
		ArtifactsURL:  u + "/artifacts", CancelURL: u + "/cancel", RerunURL: u + "/rerun",
		WorkflowURL: fmt.Sprintf("%s/repos/%s/actions/workflows/%d", api, repo, r.workflow.id),
		HeadCommit: headCommitJSON{ID: r.headSHA, TreeID: fakeSHA("tree", r.headSHA),
			Message: "Commit on " + r.ref, Timestamp: stamp(r.workflow.createdAt)},
		Repository: repoWire(api, html, r.repo), HeadRepository: repoWire(api, html, r.repo)}
	if r.attempt > 1 {
		prev := fmt.Sprintf("%s/attempts/%d", u, r.attempt-1)
		out.PreviousAttemptURL = &prev
	}
	return out
}

type stepJSON struct {
	Name        string  `json:"name"`
	Status      string  `json:"status"`
	Conclusion  *string `json:"conclusion"`
	Number      int64   `json:"number"`
	StartedAt   *stamp  `json:"started_at"`
	CompletedAt *stamp  `json:"completed_at"`
}

type jobJSON struct {
	ID              int64      `json:"id"`
	RunID           int64      `json:"run_id"`
	WorkflowName    string     `json:"workflow_name"`
	HeadBranch      string     `json:"head_branch"`
	RunURL          string     `json:"run_url"`
	RunAttempt      int        `json:"run_attempt"`
	NodeID          string     `json:"node_id"`
	HeadSHA         string     `json:"head_sha"`
	URL             string     `json:"url"`
	HTMLURL         string     `json:"html_url"`
	Status          string     `json:"status"`
	Conclusion      *string    `json:"conclusion"`
	CreatedAt       stamp      `json:"created_at"`
	StartedAt       stamp      `json:"started_at"`
	CompletedAt     *stamp     `json:"completed_at"`
	Name            string     `json:"name"`
	Steps           []stepJSON `json:"steps"`
	CheckRunURL     string     `json:"check_run_url"`
	Labels          []string   `json:"labels"`
	RunnerID        *int64     `json:"runner_id"`
	RunnerName      *string    `json:"runner_name"`
	RunnerGroupID   *int64     `json:"runner_group_id"`
	RunnerGroupName *string    `json:"runner_group_name"`
}

func jobWire(api, html string, j *job) jobJSON {
	r := j.run
	repo := r.repo.fullName()
	started := j.startedAt
	if started.IsZero() {
		// GitHub reports started_at = created_at while a job is queued.
		started = j.createdAt
	}
	out := jobJSON{ID: j.id, RunID: r.id, WorkflowName: r.workflow.name, HeadBranch: r.ref,
		RunURL: fmt.Sprintf("%s/repos/%s/actions/runs/%d", api, repo, r.id), RunAttempt: j.attempt,
		NodeID: nodeID("CheckRun", j.id), HeadSHA: r.headSHA,
		URL:     fmt.Sprintf("%s/repos/%s/actions/jobs/%d", api, repo, j.id),
		HTMLURL: fmt.Sprintf("%s/%s/actions/runs/%d/job/%d", html, repo, r.id, j.id),
		Status:  j.status, Conclusion: strPtr(j.conclusion), CreatedAt: stamp(j.createdAt),
		StartedAt: stamp(started), CompletedAt: stampPtr(j.completedAt), Name: j.name,
		Steps:       []stepJSON{},
		CheckRunURL: fmt.Sprintf("%s/repos/%s/check-runs/%d", api, repo, j.id),
		Labels:      append([]string{}, j.labels...),
		RunnerID:    int64Ptr(j.runnerID), RunnerName: strPtr(j.runnerName),
		RunnerGroupID: int64Ptr(j.runnerGroupID), RunnerGroupName: strPtr(j.runnerGroupName)}
	for _, st := range j.steps {
		out.Steps = append(out.Steps, stepJSON{Name: st.name, Status: st.status, Conclusion: strPtr(st.conclusion),
			Number: st.number, StartedAt: stampPtr(st.startedAt), CompletedAt: stampPtr(st.completedAt)})
	}
	return out
}

// nodeID imitates GitHub's opaque global ids.
func nodeID(typ string, id int64) string {
	return base64.RawStdEncoding.EncodeToString([]byte(fmt.Sprintf("%s:%d", typ, id)))
}

// fakeSHA is a stable 40-hex commit id for a repository ref.
func fakeSHA(parts ...string) string {
	sum := sha1.Sum([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

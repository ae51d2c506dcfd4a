package sim

import (
	"time"
)

// world is everything the simulator knows. It is only touched with Sim.mu
// held. Slices keep creation order so that iteration is deterministic.
type world struct {
	ids ids

	orgs      map[string]*org // key: lower-case login
	orgList   []*org
	repos     map[string]*repo // key: lower-case "owner/name"
	repoList  []*repo
	groupList []*runnerGroup
	labels    map[string]int64 // lower-case label name → id
	runners   map[int64]*runner
	runnerIDs []int64

	workflows    map[int64]*workflow
	workflowList []*workflow

	runs    map[int64]*run
	runList []*run
	jobs    map[int64]*job

	tokens map[string]*token
	hooks  []*hook
}

// ids hands out identifiers. Runs start at 10^10 so that int32 truncation
// bugs show up at once.
type ids struct {
	org, repo, group, runner, label, workflow int64
	run, job, checkSuite, hook, delivery      int64
	user                                      int64
}

func newIDs() ids {
	return ids{
		org: 90_000_000, repo: 700_000_000, group: 1, runner: 0, label: 0,
		workflow: 160_000_000, run: 22_000_000_000, job: 61_000_000_000,
		checkSuite: 36_000_000_000, hook: 500_000_000, delivery: 12_000_000_000,
		user: 1_000_000,
	}
}

func nextID(p *int64) int64 { *p++; return *p }

type org struct {
	login string
	id    int64
}

type repo struct {
	id            int64
	owner         *org
	name          string
	defaultBranch string
	branches      []string
	tags          []string
	public        bool
}

func (r *repo) fullName() string { return r.owner.login + "/" + r.name }

type runnerGroup struct {
	id                int64
	org               *org // nil: enterprise group
	name              string
	visibility        string
	isDefault         bool
	selectedRepos     map[string]bool // lower-case "owner/name"
	allowsPublic      bool
	restricted        bool
	selectedWorkflows []string
}

// Runner scopes.
const (
	scopeRepo       = "repo"
	scopeOrg        = "org"
	scopeEnterprise = "enterprise"
)

type label struct {
	id       int64
	name     string
	readOnly bool
}

type runner struct {
	id        int64
	name      string
	os        string
	scope     string
	owner     string // org login or enterprise slug
	repo      *repo  // repo scope only
	group     *runnerGroup
	labels    []label
	ephemeral bool

	// True state: what drives assignment.
	connected bool
	job       *job // reserved or executing
	retired   bool // ephemeral runner that already took its one job
	removed   bool

	// Reported state: what the REST API shows.
	status string // online | offline
	busy   bool

	// gen invalidates scheduled report changes when the truth moves on.
	gen       uint64
	stuckBusy bool // hold busy=true after a job (fault or control API)
}

// executing reports whether the runner is running (not just reserved for) a job.
func (r *runner) executing() bool {
	return r.job != nil && r.job.status == statusInProgress
}

type workflow struct {
	id         int64
	repo       *repo
	spec       WorkflowSpec
	name       string
	path       string
	state      string
	createdAt  time.Time
	updatedAt  time.Time
	nextNumber int
}

// Statuses and conclusions.
const (
	statusRequested  = "requested"
	statusQueued     = "queued"
	statusPending    = "pending"
	statusInProgress = "in_progress"
	statusCompleted  = "completed"

	conclusionSuccess        = "success"
	conclusionFailure        = "failure"
	conclusionCancelled      = "cancelled"
	conclusionTimedOut       = "timed_out"
	conclusionNeutral        = "neutral"
	conclusionSkipped        = "skipped"
	conclusionActionRequired = "action_required"
	conclusionStartupFailure = "startup_failure"
	conclusionStale          = "stale"
)

type actor struct {
	login string
	id    int64
}

type run struct {
	id           int64
	workflow     *workflow
	repo         *repo
	number       int
	attempt      int
	event        string
	ref          string // short name: branch or tag
	headSHA      string
	displayTitle string
	inputs       map[string]string
	actor        actor
	triggering   actor
	checkSuiteID int64

	status     string
	conclusion string
	createdAt  time.Time
	updatedAt  time.Time
	startedAt  time.Time // run_started_at of the current attempt

	listVisibleAt time.Time
	getVisibleAt  time.Time

	concurrency     string
	cancelRequested bool
	announcedStart  bool // workflow_run.in_progress sent for this attempt

	jobs     []*job
	attempts []*run // earlier attempts, frozen copies
}

type step struct {
	name        string
	number      int64
	status      string
	conclusion  string
	startedAt   time.Time
	completedAt time.Time
}

type job struct {
	id          int64
	run         *run
	attempt     int
	spec        JobSpec
	name        string
	labels      []string
	status      string
	conclusion  string
	createdAt   time.Time
	startedAt   time.Time
	completedAt time.Time
	steps       []step

	// Assignment: runner fields stay after completion, like GitHub's.
	runner          *runner
	runnerID        int64
	runnerName      string
	runnerGroupID   int64
	runnerGroupName string

	offerableAt time.Time // broker delay / stuck fault
	epoch       uint64    // bumps to invalidate a scheduled completion
	needs       []*job
}

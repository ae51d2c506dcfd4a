package sim

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"
)

// buildWorld turns a Config into the initial world. It is also how Validate
// checks a configuration, so every error names the offending item.
func buildWorld(cfg Config, now time.Time) (*world, error) {
	w := &world{
		ids:       newIDs(),
		orgs:      map[string]*org{},
		repos:     map[string]*repo{},
		labels:    map[string]int64{},
		runners:   map[int64]*runner{},
		workflows: map[int64]*workflow{},
		runs:      map[int64]*run{},
		jobs:      map[int64]*job{},
		tokens:    map[string]*token{},
	}
	for i, tc := range cfg.Tokens {
		if _, err := w.addToken(tc); err != nil {
			return nil, fmt.Errorf("tokens[%d]: %w", i, err)
		}
	}
	for i, rc := range cfg.Repos {
		if _, err := w.addRepo(rc); err != nil {
			return nil, fmt.Errorf("repos[%d]: %w", i, err)
		}
	}
	for i, gc := range cfg.RunnerGroups {
		if _, err := w.addGroup(gc); err != nil {
			return nil, fmt.Errorf("runner_groups[%d]: %w", i, err)
		}
	}
	for i, rc := range cfg.Runners {
		if _, err := w.addRunner(rc); err != nil {
			return nil, fmt.Errorf("runners[%d] %q: %w", i, rc.Name, err)
		}
	}
	for i, ws := range cfg.Workflows {
		if _, err := w.addWorkflow(ws, now); err != nil {
			return nil, fmt.Errorf("workflows[%d] %q: %w", i, ws.File, err)
		}
	}
	for i, hc := range cfg.Hooks {
		if _, err := w.addHook(hc); err != nil {
			return nil, fmt.Errorf("hooks[%d]: %w", i, err)
		}
	}
	for i, b := range cfg.Background {
		if _, err := w.workflowByRef(b.Repo, b.Workflow); err != nil {
			return nil, fmt.Errorf("background[%d]: %w", i, err)
		}
		if b.Every <= 0 {
			return nil, fmt.Errorf("background[%d]: every must be > 0", i)
		}
	}
	for i, f := range cfg.Faults {
		if err := f.validate(); err != nil {
			return nil, fmt.Errorf("faults[%d]: %w", i, err)
		}
	}
	return w, nil
}

func (w *world) ensureOrg(login string) (*org, error) {
	if login == "" || strings.ContainsAny(login, "/ ") {
		return nil, fmt.Errorf("bad owner %q", login)
	}
	key := strings.ToLower(login)
	if o, ok := w.orgs[key]; ok {
		return o, nil
	}
	o := &org{login: login, id: nextID(&w.ids.org)}
	w.orgs[key] = o
	w.orgList = append(w.orgList, o)
	// Every organisation has the Default runner group, id 1 on GitHub.
	g := &runnerGroup{id: 1, org: o, name: "Default", visibility: "all", isDefault: true, allowsPublic: true}
	w.groupList = append(w.groupList, g)
	return o, nil
}

func (w *world) addRepo(rc RepoConfig) (*repo, error) {
	if rc.Name == "" || strings.ContainsAny(rc.Name, "/ ") {
		return nil, fmt.Errorf("bad repo name %q", rc.Name)
	}
	o, err := w.ensureOrg(rc.Owner)
	if err != nil {
		return nil, err
	}
	key := strings.ToLower(rc.Owner + "/" + rc.Name)
	if _, dup := w.repos[key]; dup {
		return nil, fmt.Errorf("repo %s declared twice", key)
	}
	def := rc.DefaultBranch
	if def == "" {
		def = "main"
	}
	branches := []string{def}
	for _, b := range rc.Branches {
		if !slices.Contains(branches, b) {
			branches = append(branches, b)
		}
	}
	r := &repo{id: nextID(&w.ids.repo), owner: o, name: rc.Name, defaultBranch: def,
		branches: branches, tags: slices.Clone(rc.Tags), public: rc.Public}
	w.repos[key] = r
	w.repoList = append(w.repoList, r)
	return r, nil
}

// repoByName finds a repository; "owner/name" is case-insensitive.
func (w *world) repoByName(owner, name string) *repo {
	return w.repos[strings.ToLower(owner+"/"+name)]
}

// ensureRepo returns the named repository, creating it with defaults so
// that a workflow or runner may mention a repository not declared first.
func (w *world) ensureRepo(full string) (*repo, error) {
	owner, name, ok := strings.Cut(full, "/")
	if !ok {
		return nil, fmt.Errorf("repo %q: want owner/name", full)
	}
	if r := w.repoByName(owner, name); r != nil {
		return r, nil
	}
	return w.addRepo(RepoConfig{Owner: owner, Name: name})
}

func (w *world) addGroup(gc RunnerGroupConfig) (*runnerGroup, error) {
	o, err := w.ensureOrg(gc.Org)
	if err != nil {
		return nil, err
	}
	if gc.Name == "" {
		return nil, fmt.Errorf("runner group needs a name")
	}
	if w.groupByName(o.login, gc.Name) != nil {
		return nil, fmt.Errorf("runner group %q declared twice in %s", gc.Name, o.login)
	}
	vis := gc.Visibility
	switch vis {
	case "":
		vis = "all"
	case "all", "selected", "private":
	default:
		return nil, fmt.Errorf("runner group %q: visibility %q: want all, selected or private", gc.Name, vis)
	}
	g := &runnerGroup{id: nextID(&w.ids.group), org: o, name: gc.Name, visibility: vis,
		selectedRepos: map[string]bool{}, allowsPublic: gc.AllowsPublicRepositories,
		restricted: gc.RestrictedToWorkflows, selectedWorkflows: slices.Clone(gc.SelectedWorkflows)}
	for _, full := range gc.SelectedRepos {
		g.selectedRepos[strings.ToLower(full)] = true
	}
	w.groupList = append(w.groupList, g)
	return g, nil
}

// groupByName finds an organisation's runner group (case-insensitive).
func (w *world) groupByName(orgLogin, name string) *runnerGroup {
	for _, g := range w.groupList {
		if g.org != nil && strings.EqualFold(g.org.login, orgLogin) && strings.EqualFold(g.name, name) {
			return g
		}
	}
	return nil
}

// groupByID finds an organisation's runner group by id.
func (w *world) groupByID(orgLogin string, id int64) *runnerGroup {
	for _, g := range w.groupList {
		if g.org != nil && strings.EqualFold(g.org.login, orgLogin) && g.id == id {
			return g
		}
	}
	return nil
}

// defaultLabels are the labels the runner application adds by itself; the
// API types them "read-only".
var defaultLabels = map[string]bool{
	"self-hosted": true, "linux": true, "windows": true, "macos": true,
	"x64": true, "arm": true, "arm64": true,
}

func (w *world) labelFor(name string) label {
	key := strings.ToLower(name)
	id, ok := w.labels[key]
	if !ok {
		id = nextID(&w.ids.label)
		w.labels[key] = id
	}
	return label{id: id, name: name, readOnly: defaultLabels[key]}
}

func (w *world) addRunner(rc RunnerConfig) (*runner, error) {
	scope := rc.Scope
	if scope == "" {
		scope = scopeOrg
	}
	osName := rc.OS
	if osName == "" {
		osName = "linux"
	}
	r := &runner{scope: scope, os: osName, ephemeral: rc.Ephemeral, owner: rc.Owner}
	switch scope {
	case scopeOrg:
		o, err := w.ensureOrg(rc.Owner)
		if err != nil {
			return nil, err
		}
		r.owner = o.login
		name := rc.Group
		if name == "" {
			name = "Default"
		}
		if r.group = w.groupByName(o.login, name); r.group == nil {
			return nil, fmt.Errorf("unknown runner group %q in %s", name, o.login)
		}
	case scopeRepo:
		repo, err := w.ensureRepo(rc.Owner + "/" + rc.Repo)
		if err != nil {
			return nil, err
		}
		r.repo, r.owner = repo, repo.owner.login
	case scopeEnterprise:
		if rc.Owner == "" {
			return nil, fmt.Errorf("enterprise runner needs owner (the enterprise slug)")
		}
		r.group = &runnerGroup{id: 1, name: "Default", visibility: "all", isDefault: true, allowsPublic: true}
	default:
		return nil, fmt.Errorf("scope %q: want org, repo or enterprise", scope)
	}
	r.id = nextID(&w.ids.runner)
	r.name = rc.Name
	if r.name == "" {
		r.name = fmt.Sprintf("runner-%d", r.id)
	}
	names := rc.Labels
	if len(names) == 0 {
		names = []string{"self-hosted", osName, "X64"}
	}
	for _, n := range names {
		r.labels = append(r.labels, w.labelFor(n))
	}
	r.connected = !rc.Offline
	r.status = "online"
	if rc.Offline {
		r.status = "offline"
	}
	w.runners[r.id] = r
	w.runnerIDs = append(w.runnerIDs, r.id)
	return r, nil
}

func (w *world) addWorkflow(ws WorkflowSpec, now time.Time) (*workflow, error) {
	repo, err := w.ensureRepo(ws.Repo)
	if err != nil {
		return nil, err
	}
	ext := path.Ext(ws.File)
	if ws.File == "" || strings.Contains(ws.File, "/") || (ext != ".yml" && ext != ".yaml") {
		return nil, fmt.Errorf("file %q: want a base name ending in .yml or .yaml", ws.File)
	}
	if wf, _ := w.workflowByRef(ws.Repo, ws.File); wf != nil {
		return nil, fmt.Errorf("workflow %s declared twice in %s", ws.File, ws.Repo)
	}
	if err := validateSpec(&ws); err != nil {
		return nil, err
	}
	state := ws.State
	if state == "" {
		state = "active"
	}
	name := ws.Name
	if name == "" {
		name = strings.TrimSuffix(ws.File, ext)
	}
	wf := &workflow{id: nextID(&w.ids.workflow), repo: repo, spec: ws, name: name,
		path: ".github/workflows/" + ws.File, state: state, createdAt: now, updatedAt: now, nextNumber: 1}
	w.workflows[wf.id] = wf
	w.workflowList = append(w.workflowList, wf)
	return wf, nil
}

var jobConclusions = map[string]bool{
	conclusionSuccess: true, conclusionFailure: true, conclusionCancelled: true,
	conclusionTimedOut: true, conclusionNeutral: true, conclusionSkipped: true,
	conclusionActionRequired: true,
}

var runFailureConclusions = map[string]bool{
	conclusionStartupFailure: true, conclusionStale: true, conclusionActionRequired: true,
}

// validateSpec checks a workflow declaration and fills the default job.
func validateSpec(ws *WorkflowSpec) error {
	seen := map[string]bool{}
	for _, in := range ws.Inputs {
		if in.Name == "" || seen[in.Name] {
			return fmt.Errorf("input %q: empty or declared twice", in.Name)
		}
		seen[in.Name] = true
	}
	if len(ws.Jobs) == 0 {
		ws.Jobs = []JobSpec{{Name: "build", RunsOn: []string{"self-hosted"}}}
	}
	jobs := map[string]bool{}
	for _, j := range ws.Jobs {
		if j.Name == "" || jobs[j.Name] {
			return fmt.Errorf("job %q: empty or declared twice", j.Name)
		}
		for k := range j.Outcomes {
			if !jobConclusions[k] {
				return fmt.Errorf("job %q: unknown outcome %q", j.Name, k)
			}
		}
		// needs may only name earlier jobs: this keeps the graph acyclic.
		for _, n := range j.Needs {
			if !jobs[n] {
				return fmt.Errorf("job %q: needs %q, which is not declared before it", j.Name, n)
			}
		}
		jobs[j.Name] = true
	}
	for k, p := range ws.RunFailures {
		if !runFailureConclusions[k] || p < 0 || p > 1 {
			return fmt.Errorf("run_failures %q=%v: want startup_failure, stale or action_required with 0..1", k, p)
		}
	}
	return nil
}

// workflowByRef finds a workflow of "owner/name" by numeric id or file name.
func (w *world) workflowByRef(full, ref string) (*workflow, error) {
	owner, name, ok := strings.Cut(full, "/")
	if !ok {
		return nil, fmt.Errorf("repo %q: want owner/name", full)
	}
	repo := w.repoByName(owner, name)
	if repo == nil {
		return nil, fmt.Errorf("unknown repo %s", full)
	}
	if wf := w.findWorkflow(repo, ref); wf != nil {
		return wf, nil
	}
	return nil, fmt.Errorf("unknown workflow %s in %s", ref, full)
}

// findWorkflow resolves {workflow_id}: a numeric id or a file base name.
func (w *world) findWorkflow(repo *repo, ref string) *workflow {
	for _, wf := range w.workflowList {
		if wf.repo != repo {
			continue
		}
		if fmt.Sprint(wf.id) == ref || wf.spec.File == ref || wf.path == ref {
			return wf
		}
	}
	return nil
}

func (w *world) addToken(tc TokenConfig) (*token, error) {
	if tc.Token == "" {
		return nil, fmt.Errorf("empty token")
	}
	if _, dup := w.tokens[tc.Token]; dup {
		return nil, fmt.Errorf("token declared twice")
	}
	kind := tc.Kind
	if kind == "" {
		kind = tokenPAT
	}
	if !tokenKinds[kind] {
		return nil, fmt.Errorf("kind %q: want pat, app, github_token or oauth", kind)
	}
	t := &token{value: tc.Token, kind: kind, login: tc.Login, userID: tc.UserID, limit: tc.Limit,
		perms: map[string]bool{}, repos: map[string]bool{}}
	if t.login == "" {
		t.login = "sim-user"
	}
	if t.userID == 0 {
		t.userID = nextID(&w.ids.user)
	}
	for _, p := range tc.Permissions {
		t.perms[p] = true
	}
	for _, r := range tc.Repos {
		t.repos[strings.ToLower(r)] = true
	}
	w.tokens[t.value] = t
	return t, nil
}

package state

import (
	"fmt"
	"slices"
	"sort"
)

// State is the whole in-memory state: one partition per group, plus the auth
// and runner partitions. In the live system each partition is owned by one
// actor; replay and tests drive the whole State directly.
type State struct {
	Groups  map[string]*GroupState
	Auth    *AuthState
	Runners *RunnerState
}

// New returns an empty state.
func New() *State {
	return &State{
		Groups:  map[string]*GroupState{},
		Auth:    NewAuthState(),
		Runners: NewRunnerState(),
	}
}

// GroupState is one group's partition: its definition, templates and jobs.
type GroupState struct {
	// Index is the journal index of the last event applied to this partition.
	Index        uint64
	Group        Group
	Templates    map[string]*Template
	Jobs         map[string]*Job
	NextPosition int64

	// Derived indexes, rebuilt from Jobs after a snapshot load.
	pending       []*Job // priority desc, position asc, id asc
	active        []*Job // dispatching_at asc, id asc
	history       []*Job // completed_at asc, id asc
	pausedPending int    // paused jobs in pending
}

// NewGroupState returns an empty partition for group id.
func NewGroupState(id string) *GroupState {
	return &GroupState{
		Group:     Group{ID: id},
		Templates: map[string]*Template{},
		Jobs:      map[string]*Job{},
	}
}

// Apply applies one event at journal index idx. An index at or below the
// partition's Index was already folded into a snapshot and is skipped; idx 0
// means "unknown" and is always applied (tests, speculative application).
//
// An error means the event does not fit the state (for example it names a
// job that does not exist). Decide never produces such events, so an error
// here points at a bug or a damaged journal; callers log it and go on, which
// is deterministic because every replica and every replay makes the same
// decision.
func (s *State) Apply(idx uint64, e *Event) error {
	switch e.Partition() {
	case "auth":
		return s.Auth.Apply(idx, e)
	case "runners":
		return s.Runners.Apply(idx, e)
	}
	g, ok := s.Groups[e.GroupID]
	if !ok {
		if e.Type != GroupConfigured {
			return fmt.Errorf("apply %s: unknown group %q", e.Type, e.GroupID)
		}
		g = NewGroupState(e.GroupID)
		s.Groups[e.GroupID] = g
	}
	return g.Apply(idx, e)
}

// Apply applies a group event to this partition.
func (g *GroupState) Apply(idx uint64, e *Event) error {
	if idx != 0 && idx <= g.Index {
		return nil
	}
	if err := g.apply(e); err != nil {
		return err
	}
	g.stamp(idx, e)
	if idx != 0 {
		g.Index = idx
	}
	return nil
}

// stamp records idx as the revision of the jobs e changed.
func (g *GroupState) stamp(idx uint64, e *Event) {
	switch {
	case e.Type == JobsReordered:
		for _, id := range e.JobIDs {
			if j := g.Jobs[id]; j != nil {
				j.rev = idx
			}
		}
	case e.Type == JobEnqueued && e.Job != nil:
		if j := g.Jobs[e.Job.ID]; j != nil {
			j.rev = idx
		}
	case e.JobID != "":
		if j := g.Jobs[e.JobID]; j != nil {
			j.rev = idx
		}
	}
}

func (g *GroupState) apply(e *Event) error {
	switch e.Type {
	case GroupConfigured:
		return g.applyConfigured(e)
	case GroupRemoved:
		g.Group.InConfig = false
		g.Group.Enabled = false
		g.Group.UpdatedAt = e.Time
		for _, t := range g.Templates {
			g.unconfigureTemplate(t, e)
		}
		return nil
	case GroupPaused, GroupUnpaused:
		g.Group.Paused = e.Type == GroupPaused
		g.Group.UpdatedAt = e.Time
		return nil
	case JobEnqueued:
		if e.Job == nil {
			return fmt.Errorf("apply %s: no job", e.Type)
		}
		if _, dup := g.Jobs[e.Job.ID]; dup {
			return fmt.Errorf("apply %s: job %s exists", e.Type, e.Job.ID)
		}
		j := e.Job.Clone()
		g.Jobs[j.ID] = j
		if j.Position >= g.NextPosition {
			g.NextPosition = j.Position + 1
		}
		g.index(j)
		return nil
	case JobsReordered:
		if len(e.JobIDs) != len(e.Positions) {
			return fmt.Errorf("apply %s: %d ids, %d positions", e.Type, len(e.JobIDs), len(e.Positions))
		}
		// Check every id before moving any job: a refused event must leave
		// the state (and the sorted pending index) untouched.
		for _, id := range e.JobIDs {
			if _, ok := g.Jobs[id]; !ok {
				return fmt.Errorf("apply %s: unknown job %s", e.Type, id)
			}
		}
		for i, id := range e.JobIDs {
			j := g.own(g.Jobs[id])
			j.Position = e.Positions[i]
			j.UpdatedAt = e.Time
		}
		g.sortPending()
		return nil
	case HistoryPruned:
		for _, id := range e.JobIDs {
			if j, ok := g.Jobs[id]; ok {
				g.unindex(j)
				delete(g.Jobs, id)
			}
		}
		return nil
	}

	j, ok := g.Jobs[e.JobID]
	if !ok {
		return fmt.Errorf("apply %s: unknown job %q", e.Type, e.JobID)
	}
	if e.Type != JobRemoved {
		j = g.own(j)
	}
	switch e.Type {
	case JobUpdated:
		if e.Patch == nil {
			return fmt.Errorf("apply %s: no patch", e.Type)
		}
		reorder := e.Patch.Priority != nil && *e.Patch.Priority != j.Priority
		if reorder {
			g.unindex(j)
		}
		e.Patch.applyTo(j)
		if reorder {
			g.index(j)
		}
	case JobRemoved:
		g.unindex(j)
		delete(g.Jobs, j.ID)
		return nil
	case JobPaused, JobUnpaused:
		g.unindex(j)
		j.Paused = e.Type == JobPaused
		g.index(j)
	case JobRequeueSet:
		if e.AutoRequeue != nil {
			j.AutoRequeue = *e.AutoRequeue
		}
		j.RequeueLimit = cloneInt(e.RequeueLimit)
	case JobDispatching:
		g.unindex(j)
		j.Status = StatusDispatching
		j.DispatchKey = e.DispatchKey
		j.DispatchingAt = e.Time
		j.RunnerID = e.RunnerID
		j.RunnerName = e.RunnerName
		g.index(j)
	case JobDispatchUndone:
		g.unindex(j)
		j.Status = StatusPending
		j.DispatchKey = ""
		j.DispatchingAt = zeroTime
		j.RunnerID = 0
		j.RunnerName = ""
		g.freePosition(j)
		g.index(j)
	case JobTriggered:
		// Re-index: these events are built outside Decide and may reach a
		// job that is not dispatching (a pending one must leave the queue).
		g.unindex(j)
		j.Status = StatusTriggered
		j.TriggeredAt = e.Time
		j.RunID = e.RunID
		j.RunURL = e.RunURL
		g.index(j)
	case JobRunLinked:
		j.RunID = e.RunID
		j.RunURL = e.RunURL
	case JobRunning:
		g.unindex(j)
		j.Status = StatusRunning
		g.index(j)
		if e.RunnerID != 0 {
			j.RunnerID = e.RunnerID
		}
		if e.RunnerName != "" {
			j.RunnerName = e.RunnerName
		}
		j.StartedAt = e.Time
	case JobCancelRequest:
		j.CancelRequested = true
	case JobFinished:
		if !e.Status.Terminal() {
			return fmt.Errorf("apply %s: status %q is not terminal", e.Type, e.Status)
		}
		g.unindex(j)
		j.Status = e.Status
		j.CompletedAt = e.Time
		j.ErrorMessage = e.Error
		j.Conclusion = e.Conclusion
		if e.RunID != 0 {
			j.RunID = e.RunID
			j.RunURL = e.RunURL
		}
		g.index(j)
	default:
		return fmt.Errorf("apply: unknown event type %q for group partition", e.Type)
	}
	j.UpdatedAt = e.Time
	return nil
}

func (g *GroupState) applyConfigured(e *Event) error {
	if e.Group == nil {
		return fmt.Errorf("apply %s: no group", e.Type)
	}
	created := g.Group.CreatedAt
	paused := g.Group.Paused
	g.Group = *e.Group
	g.Group.RunnerLabels = slices.Clone(e.Group.RunnerLabels)
	g.Group.Repos = slices.Clone(e.Group.Repos)
	g.Group.Paused = paused // pausing is an operator decision that config reloads keep
	g.Group.Enabled = true
	g.Group.InConfig = true
	if created.IsZero() {
		created = e.Time
	}
	g.Group.CreatedAt = created
	g.Group.UpdatedAt = e.Time

	seen := make(map[string]bool, len(e.Templates))
	for i := range e.Templates {
		t := e.Templates[i]
		t.GroupID = g.Group.ID
		t.InConfig = true
		t.DefaultInputs = cloneMap(t.DefaultInputs)
		t.Labels = cloneMap(t.Labels)
		if old, ok := g.Templates[t.ID]; ok {
			t.CreatedAt = old.CreatedAt
		} else {
			t.CreatedAt = e.Time
		}
		t.UpdatedAt = e.Time
		g.Templates[t.ID] = &t
		seen[t.ID] = true
	}
	for id, t := range g.Templates {
		if !seen[id] {
			g.unconfigureTemplate(t, e)
		}
	}
	return nil
}

// unconfigureTemplate drops a template that left the config, unless jobs
// still reference it: then it stays, marked not in config, so their history
// keeps its name and labels.
func (g *GroupState) unconfigureTemplate(t *Template, e *Event) {
	for _, j := range g.Jobs {
		if j.TemplateID == t.ID {
			if t.InConfig {
				t.InConfig = false
				t.UpdatedAt = e.Time
			}
			return
		}
	}
	delete(g.Templates, t.ID)
}

func (p *JobPatch) applyTo(j *Job) {
	if p.SetInputs {
		j.Inputs = cloneMap(p.Inputs)
	}
	if p.Name != nil {
		j.Name = cloneStr(p.Name)
	}
	if p.Owner != nil {
		j.Owner = cloneStr(p.Owner)
	}
	if p.Repo != nil {
		j.Repo = cloneStr(p.Repo)
	}
	if p.WorkflowID != nil {
		j.WorkflowID = cloneStr(p.WorkflowID)
	}
	if p.Ref != nil {
		j.Ref = cloneStr(p.Ref)
	}
	if p.SetLabels {
		j.Labels = cloneMap(p.Labels)
	}
	if p.Priority != nil {
		j.Priority = *p.Priority
	}
}

// freePosition gives a job returning to the queue a position no pending job
// holds. Its old one may have been handed out by a full reorder while it was
// away (those number the pending jobs 0, 1, 2, ...), and two jobs sharing a
// position could never be swapped by a partial reorder. The job was at the
// head of the line when it was dispatched, so it goes back to the head.
func (g *GroupState) freePosition(j *Job) {
	head, taken := j.Position, false
	for _, p := range g.pending {
		taken = taken || p.Position == j.Position
		head = min(head, p.Position)
	}
	if taken {
		j.Position = head - 1
	}
}

// own replaces j in the partition (its map entry and its index slot) with a
// copy and returns the copy for the event to change. Jobs are copy-on-write:
// a *Job handed to a reader never changes afterwards, so readers on other
// goroutines share jobs instead of copying them (a dashboard reads whole
// queues of thousands), and (ID, Rev) names one content for their caches.
// Maps and pointers inside a job are shared between the copies: Apply
// replaces them whole and never writes into them.
func (g *GroupState) own(j *Job) *Job {
	c := new(Job)
	*c = *j
	g.Jobs[c.ID] = c
	switch {
	case j.Status == StatusPending:
		replaceSorted(g.pending, j, c, pendingLess)
	case j.Status.Active():
		replaceSorted(g.active, j, c, activeLess)
	case j.Status.Terminal():
		replaceSorted(g.history, j, c, historyLess)
	}
	return c
}

// --- derived indexes ---

// pendingLess orders the queue: higher priority first, then lower position.
func pendingLess(a, b *Job) bool {
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	if a.Position != b.Position {
		return a.Position < b.Position
	}
	return a.ID < b.ID
}

// activeLess orders the jobs handed to GitHub by when they were dispatched.
func activeLess(a, b *Job) bool {
	if c := a.DispatchingAt.Compare(b.DispatchingAt); c != 0 {
		return c < 0
	}
	return a.ID < b.ID
}

func historyLess(a, b *Job) bool {
	if !a.CompletedAt.Equal(b.CompletedAt) {
		return a.CompletedAt.Before(b.CompletedAt)
	}
	return a.ID < b.ID
}

func (g *GroupState) index(j *Job) {
	switch {
	case j.Status == StatusPending:
		i := sort.Search(len(g.pending), func(i int) bool { return pendingLess(j, g.pending[i]) })
		g.pending = slices.Insert(g.pending, i, j)
		if j.Paused {
			g.pausedPending++
		}
	case j.Status.Active():
		i := sort.Search(len(g.active), func(i int) bool { return activeLess(j, g.active[i]) })
		g.active = slices.Insert(g.active, i, j)
	case j.Status.Terminal():
		i := sort.Search(len(g.history), func(i int) bool { return historyLess(j, g.history[i]) })
		g.history = slices.Insert(g.history, i, j)
	}
}

func (g *GroupState) unindex(j *Job) {
	switch {
	case j.Status == StatusPending:
		n := len(g.pending)
		g.pending = removeSorted(g.pending, j, pendingLess)
		if j.Paused && len(g.pending) < n {
			g.pausedPending--
		}
	case j.Status.Active():
		g.active = removeSorted(g.active, j, activeLess)
	case j.Status.Terminal():
		g.history = removeSorted(g.history, j, historyLess)
	}
}

func removeSorted(list []*Job, j *Job, less func(a, b *Job) bool) []*Job {
	i := sort.Search(len(list), func(i int) bool { return !less(list[i], j) })
	for ; i < len(list); i++ {
		if list[i] == j {
			return slices.Delete(list, i, i+1)
		}
		if less(j, list[i]) {
			break
		}
	}
	// Not where the order says: fall back to a scan so the index can never
	// keep a stale pointer.
	if k := slices.Index(list, j); k >= 0 {
		return slices.Delete(list, k, k+1)
	}
	return list
}

// replaceSorted puts c in old's slot of a sorted index (c sorts as old does).
func replaceSorted(list []*Job, old, c *Job, less func(a, b *Job) bool) {
	i := sort.Search(len(list), func(i int) bool { return !less(list[i], old) })
	for ; i < len(list) && !less(old, list[i]); i++ {
		if list[i] == old {
			list[i] = c
			return
		}
	}
	if k := slices.Index(list, old); k >= 0 {
		list[k] = c
	}
}

func (g *GroupState) sortPending() { sortJobs(g.pending, pendingLess) }

// sortJobs sorts an index by its order.
func sortJobs(list []*Job, less func(a, b *Job) bool) {
	slices.SortFunc(list, func(a, b *Job) int {
		if less(a, b) {
			return -1
		}
		if less(b, a) {
			return 1
		}
		return 0
	})
}

// Reindex rebuilds the derived indexes from Jobs (after a snapshot load).
func (g *GroupState) Reindex() {
	g.pending = g.pending[:0]
	g.active = g.active[:0]
	g.history = g.history[:0]
	g.pausedPending = 0
	for _, j := range g.Jobs {
		switch {
		case j.Status == StatusPending:
			g.pending = append(g.pending, j)
			if j.Paused {
				g.pausedPending++
			}
		case j.Status.Active():
			g.active = append(g.active, j)
		case j.Status.Terminal():
			g.history = append(g.history, j)
		}
	}
	g.sortPending()
	sortJobs(g.active, activeLess)
	sortJobs(g.history, historyLess)
}

// Ahead counts the unpaused pending jobs before j in dispatch order (j
// pending). With no paused job in the queue it is a binary search, so
// answering for a freshly enqueued job does not scan the whole queue.
func (g *GroupState) Ahead(j *Job) int {
	i := sort.Search(len(g.pending), func(i int) bool { return !pendingLess(g.pending[i], j) })
	if g.pausedPending == 0 {
		return i
	}
	n := 0
	for _, p := range g.pending[:i] {
		if !p.Paused {
			n++
		}
	}
	return n
}

// Pending returns the pending jobs in dispatch order. The slice is the
// partition's own: callers must not modify it or keep it across events.
func (g *GroupState) Pending() []*Job { return g.pending }

// History returns the finished jobs, oldest completion first. Same caveat as
// Pending.
func (g *GroupState) History() []*Job { return g.history }

// Active returns the jobs handed to GitHub and not finished, ordered by when
// they were dispatched. Same caveat as Pending.
func (g *GroupState) Active() []*Job { return g.active }

// Template returns the group's template id, or nil.
func (g *GroupState) Template(id string) *Template { return g.Templates[id] }

// FindTemplate looks a template up across groups. A template that moved
// between groups exists twice (the old copy kept for its jobs' history): the
// one in config wins.
func (s *State) FindTemplate(id string) *Template {
	var found *Template
	for _, g := range s.Groups {
		if t := g.Templates[id]; t != nil {
			if t.InConfig {
				return t
			}
			found = t
		}
	}
	return found
}

// FindJob looks a job up across groups.
func (s *State) FindJob(id string) *Job {
	for _, g := range s.Groups {
		if j := g.Jobs[id]; j != nil {
			return j
		}
	}
	return nil
}

func cloneInt(p *int) *int {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

func ctlGroups(ctx context.Context, c *ctl, args []string) error {
	if _, err := c.parse(c.flags("groups", "groups"), args, 0, 0); err != nil {
		return err
	}
	if err := c.requireToken(); err != nil {
		return err
	}
	var groups []ctlGroup
	raw, err := c.client.get(ctx, "/api/v1/groups", &groups)
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(c.env.stdout, raw)
	}
	return writeTable(c.env.stdout, groupsTable(groups))
}

// templateNames maps a group's template ids to their names, for titles.
func (c *ctl) templateNames(ctx context.Context, group string) (map[string]string, error) {
	var ts []ctlTemplate
	if _, err := c.client.get(ctx, "/api/v1/groups/"+pathEscape(group)+"/templates", &ts); err != nil {
		return nil, err
	}
	names := make(map[string]string, len(ts))
	for _, t := range ts {
		names[t.ID] = t.Name
	}
	return names, nil
}

func ctlQueue(ctx context.Context, c *ctl, args []string) error {
	pos, err := c.parse(c.flags("queue", "queue GROUP"), args, 1, 1)
	if err != nil {
		return err
	}
	if err := c.requireToken(); err != nil {
		return err
	}
	return c.showQueue(ctx, pos[0])
}

// showQueue prints a group's queue. The group is read first: the queue
// route does not say whether a group exists.
func (c *ctl) showQueue(ctx context.Context, group string) error {
	if _, err := c.client.get(ctx, "/api/v1/groups/"+pathEscape(group), nil); err != nil {
		return err
	}
	var jobs []ctlJob
	raw, err := c.client.get(ctx, "/api/v1/groups/"+pathEscape(group)+"/queue", &jobs)
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(c.env.stdout, raw)
	}
	names, err := c.templateNames(ctx, group)
	if err != nil {
		return err
	}
	return writeTable(c.env.stdout, queueTable(jobs, names))
}

func ctlRunners(ctx context.Context, c *ctl, args []string) error {
	pos, err := c.parse(c.flags("runners", "runners [GROUP]"), args, 0, 1)
	if err != nil {
		return err
	}
	if err := c.requireToken(); err != nil {
		return err
	}
	path := "/api/v1/runners"
	if len(pos) == 1 {
		path = "/api/v1/groups/" + pathEscape(pos[0]) + "/runners"
	}
	var runners []ctlRunner
	raw, err := c.client.get(ctx, path, &runners)
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(c.env.stdout, raw)
	}
	return writeTable(c.env.stdout, runnersTable(runners))
}

func ctlShowJob(ctx context.Context, c *ctl, args []string) error {
	pos, err := c.parse(c.flags("job", "job JOB"), args, 1, 1)
	if err != nil {
		return err
	}
	if err := c.requireToken(); err != nil {
		return err
	}
	return c.showJob(ctx, pos[0])
}

func (c *ctl) showJob(ctx context.Context, id string) error {
	var j ctlJob
	raw, err := c.client.get(ctx, "/api/v1/jobs/"+pathEscape(id), &j)
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(c.env.stdout, raw)
	}
	names, err := c.templateNames(ctx, j.GroupID)
	if err != nil {
		return err
	}
	return writeTable(c.env.stdout, jobDetails(j, names))
}

// addRequest is POST /api/v1/groups/{id}/queue.
type addRequest struct {
	TemplateID   string            `json:"template_id,omitempty"`
	Inputs       map[string]string `json:"inputs,omitempty"`
	AutoRequeue  bool              `json:"auto_requeue,omitempty"`
	RequeueLimit *int              `json:"requeue_limit,omitempty"`
	Priority     int               `json:"priority,omitempty"`
	Name         string            `json:"name,omitempty"`
	Owner        string            `json:"owner,omitempty"`
	Repo         string            `json:"repo,omitempty"`
	WorkflowID   string            `json:"workflow_id,omitempty"`
	Ref          string            `json:"ref,omitempty"`
	Labels       map[string]string `json:"labels,omitempty"`
}

const addUsage = "add GROUP --template ID [--input K=V]... [--auto-requeue] [--requeue-limit N] [--priority N]\n" +
	"       dispatchoor ctl add GROUP --owner O --repo R --workflow FILE --ref REF [--name NAME] [--input K=V]... [--label K=V]..."

func ctlAdd(ctx context.Context, c *ctl, args []string) error {
	fs := c.flags("add", addUsage)
	req := addRequest{Inputs: keyValues{}, Labels: keyValues{}}
	fs.StringVar(&req.TemplateID, "template", "", "template id")
	fs.Var(keyValues(req.Inputs), "input", "workflow input K=V (repeatable)")
	fs.BoolVar(&req.AutoRequeue, "auto-requeue", false, "enqueue the job again each time it finishes")
	limit := fs.Int("requeue-limit", -1, "stop requeueing after N times (default: no limit)")
	fs.IntVar(&req.Priority, "priority", 0, "priority, -1000..1000: higher goes first")
	fs.StringVar(&req.Name, "name", "", "job name")
	fs.StringVar(&req.Owner, "owner", "", "repository owner (manual job)")
	fs.StringVar(&req.Repo, "repo", "", "repository (manual job)")
	fs.StringVar(&req.WorkflowID, "workflow", "", "workflow file or id (manual job)")
	fs.StringVar(&req.Ref, "ref", "", "branch or tag (manual job)")
	fs.Var(keyValues(req.Labels), "label", "label K=V (repeatable)")
	pos, err := c.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	manual := req.Owner != "" || req.Repo != "" || req.WorkflowID != "" || req.Ref != ""
	switch {
	case req.TemplateID == "" && !manual:
		return c.usageError("add: give --template, or --owner, --repo, --workflow and --ref for a manual job")
	case req.TemplateID == "" && (req.Owner == "" || req.Repo == "" || req.WorkflowID == "" || req.Ref == ""):
		return c.usageError("add: a manual job needs --owner, --repo, --workflow and --ref")
	case *limit >= 0 && !req.AutoRequeue:
		return c.usageError("add: --requeue-limit needs --auto-requeue")
	}
	if *limit >= 0 {
		req.RequeueLimit = limit
	}
	if err := c.requireToken(); err != nil {
		return err
	}
	var j ctlJob
	raw, err := c.client.send(ctx, "POST", "/api/v1/groups/"+pathEscape(pos[0])+"/queue", req, &j)
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(c.env.stdout, raw)
	}
	fmt.Fprintf(c.env.stdout, "Enqueued %s in %s", j.ID, j.GroupID)
	if j.PendingReason != "" {
		fmt.Fprintf(c.env.stdout, ": %s", j.PendingReason)
	}
	fmt.Fprintln(c.env.stdout, ".")
	return nil
}

func ctlCancel(ctx context.Context, c *ctl, args []string) error {
	pos, err := c.parse(c.flags("cancel", "cancel JOB"), args, 1, 1)
	if err != nil {
		return err
	}
	if err := c.requireToken(); err != nil {
		return err
	}
	var j ctlJob
	raw, err := c.client.send(ctx, "POST", "/api/v1/jobs/"+pathEscape(pos[0])+"/cancel", nil, &j)
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(c.env.stdout, raw)
	}
	if finishedStatus(j.Status) {
		fmt.Fprintf(c.env.stdout, "Cancelled %s.\n", j.ID)
	} else {
		fmt.Fprintf(c.env.stdout, "Cancel requested for %s: its GitHub run is being cancelled.\n", j.ID)
	}
	return nil
}

// ctlPause pauses (or resumes) a group, or with --job one pending job.
func ctlPause(pause bool) ctlCommand {
	verb, route, done := "pause", "pause", "Paused"
	if !pause {
		verb, route, done = "resume", "unpause", "Resumed"
	}
	return func(ctx context.Context, c *ctl, args []string) error {
		fs := c.flags(verb, verb+" GROUP | "+verb+" --job JOB")
		job := fs.String("job", "", "a pending job instead of a group")
		pos, err := c.parse(fs, args, 0, 1)
		if err != nil {
			return err
		}
		if (*job == "") == (len(pos) == 0) {
			return c.usageError("%s: give a GROUP or --job JOB", verb)
		}
		if err := c.requireToken(); err != nil {
			return err
		}
		path, what := "/api/v1/jobs/"+pathEscape(*job)+"/"+route, *job
		if *job == "" {
			path, what = "/api/v1/groups/"+pathEscape(pos[0])+"/"+route, "group "+pos[0]
		}
		raw, err := c.client.send(ctx, "POST", path, nil, nil)
		if err != nil {
			return err
		}
		if c.json {
			return printJSON(c.env.stdout, raw)
		}
		fmt.Fprintf(c.env.stdout, "%s %s.\n", done, what)
		return nil
	}
}

// ctlReorder moves the given pending jobs to the front of the queue in the
// given order; the other pending jobs keep their order behind them. The
// API reorders exactly the list it gets, so the full order is sent.
func ctlReorder(ctx context.Context, c *ctl, args []string) error {
	pos, err := c.parse(c.flags("reorder", "reorder GROUP JOB..."), args, 2, -1)
	if err != nil {
		return err
	}
	if err := c.requireToken(); err != nil {
		return err
	}
	group, first := pos[0], pos[1:]
	var jobs []ctlJob
	if _, err := c.client.get(ctx, "/api/v1/groups/"+pathEscape(group)+"/queue", &jobs); err != nil {
		return err
	}
	order := slices.Clone(first)
	for _, j := range jobs {
		if j.Status == "pending" && !slices.Contains(first, j.ID) {
			order = append(order, j.ID)
		}
	}
	body := map[string][]string{"job_ids": order}
	if _, err := c.client.send(ctx, "PUT", "/api/v1/groups/"+pathEscape(group)+"/queue/reorder", body, nil); err != nil {
		return err
	}
	if !c.json {
		fmt.Fprintf(c.env.stdout, "Moved %s to the front of %s.\n", strings.Join(first, ", "), group)
	}
	return c.showQueue(ctx, group)
}

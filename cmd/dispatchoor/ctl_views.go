package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// The API's JSON as ctl reads it: only the fields the tables show. --json
// prints the server's own bytes, never these.

type ctlGroup struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Description   string   `json:"description"`
	RunnerLabels  []string `json:"runner_labels"`
	Enabled       bool     `json:"enabled"`
	Paused        bool     `json:"paused"`
	QueuedJobs    int      `json:"queued_jobs"`
	RunningJobs   int      `json:"running_jobs"`
	IdleRunners   int      `json:"idle_runners"`
	BusyRunners   int      `json:"busy_runners"`
	TotalRunners  int      `json:"total_runners"`
	TemplateCount int      `json:"template_count"`
}

type ctlTemplate struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type ctlJob struct {
	ID            string            `json:"id"`
	GroupID       string            `json:"group_id"`
	TemplateID    string            `json:"template_id"`
	Priority      int               `json:"priority"`
	Position      int64             `json:"position"`
	Status        string            `json:"status"`
	Paused        bool              `json:"paused"`
	AutoRequeue   bool              `json:"auto_requeue"`
	RequeueLimit  *int              `json:"requeue_limit"`
	RequeueCount  int               `json:"requeue_count"`
	Inputs        map[string]string `json:"inputs"`
	CreatedBy     string            `json:"created_by"`
	CreatedAt     time.Time         `json:"created_at"`
	TriggeredAt   *time.Time        `json:"triggered_at"`
	StartedAt     *time.Time        `json:"started_at"`
	CompletedAt   *time.Time        `json:"completed_at"`
	RunURL        string            `json:"run_url"`
	RunnerName    string            `json:"runner_name"`
	ErrorMessage  string            `json:"error_message"`
	Conclusion    string            `json:"conclusion"`
	Name          *string           `json:"name"`
	Owner         *string           `json:"owner"`
	Repo          *string           `json:"repo"`
	WorkflowID    *string           `json:"workflow_id"`
	Ref           *string           `json:"ref"`
	Labels        map[string]string `json:"labels"`
	PendingReason string            `json:"pending_reason"`
	ETA           *time.Time        `json:"eta"`
	CancelReq     bool              `json:"cancel_requested"`
}

type ctlRunner struct {
	ID     int64    `json:"id"`
	Name   string   `json:"name"`
	OS     string   `json:"os"`
	Labels []string `json:"labels"`
	Status string   `json:"status"`
	Busy   bool     `json:"busy"`
}

// terminal reports whether a job status is final.
func finishedStatus(status string) bool {
	return status == "completed" || status == "failed" || status == "cancelled"
}

// title names a job for people: its name, its template's name, or the
// workflow of a manual job.
func (j ctlJob) title(templates map[string]string) string {
	switch {
	case j.Name != nil && *j.Name != "":
		return *j.Name
	case templates[j.TemplateID] != "":
		return templates[j.TemplateID]
	case j.TemplateID != "":
		return j.TemplateID
	}
	return strings.TrimPrefix(ctlDeref(j.Owner)+"/"+ctlDeref(j.Repo)+" "+ctlDeref(j.WorkflowID), "/")
}

// state is the status as the dashboard shows it: paused pending jobs are
// "paused".
func (j ctlJob) state() string {
	if j.Status == "pending" && j.Paused {
		return "paused"
	}
	return j.Status
}

func (r ctlRunner) state() string {
	switch {
	case r.Busy:
		return "busy"
	case r.Status != "online":
		return "offline"
	}
	return "idle"
}

func ctlDeref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// table writes aligned columns; the first row is the header.
func writeTable(w io.Writer, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.TrimRight(strings.Join(r, "\t"), "\t"))
	}
	return tw.Flush()
}

// printJSON writes the server's JSON indented, with a final newline.
func printJSON(w io.Writer, raw []byte) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return fmt.Errorf("server answered invalid JSON: %w", err)
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}

func groupsTable(groups []ctlGroup) [][]string {
	rows := [][]string{{"ID", "NAME", "STATE", "QUEUED", "RUNNING", "IDLE", "BUSY", "RUNNERS", "TEMPLATES"}}
	for _, g := range groups {
		st := "active"
		switch {
		case !g.Enabled:
			st = "removed"
		case g.Paused:
			st = "paused"
		}
		rows = append(rows, []string{g.ID, g.Name, st, ctlItoa(g.QueuedJobs), ctlItoa(g.RunningJobs), ctlItoa(g.IdleRunners),
			ctlItoa(g.BusyRunners), ctlItoa(g.TotalRunners), ctlItoa(g.TemplateCount)})
	}
	return rows
}

// queueTable lists active jobs (position "-") and then pending ones by
// their place in the queue, 1 first.
func queueTable(jobs []ctlJob, templates map[string]string) [][]string {
	rows := [][]string{{"#", "ID", "STATUS", "JOB", "RUNNER", "NOTE"}}
	place := 0
	for _, j := range jobs {
		pos, note := "-", j.RunURL
		if j.Status == "pending" {
			place++
			pos, note = ctlItoa(place), j.PendingReason
		}
		if j.CancelReq {
			note = "cancel requested"
		}
		rows = append(rows, []string{pos, j.ID, j.state(), j.title(templates), j.RunnerName, note})
	}
	return rows
}

func runnersTable(runners []ctlRunner) [][]string {
	rows := [][]string{{"NAME", "STATUS", "OS", "LABELS"}}
	for _, r := range runners {
		rows = append(rows, []string{r.Name, r.state(), r.OS, strings.Join(r.Labels, ",")})
	}
	return rows
}

// jobDetails is the job as "Field: value" lines, empty fields left out.
func jobDetails(j ctlJob, templates map[string]string) [][]string {
	var rows [][]string
	add := func(k, v string) {
		if v != "" {
			rows = append(rows, []string{k + ":", v})
		}
	}
	add("ID", j.ID)
	add("Group", j.GroupID)
	add("Status", j.state())
	add("Job", j.title(templates))
	add("Template", j.TemplateID)
	if j.Priority != 0 {
		add("Priority", ctlItoa(j.Priority))
	}
	add("Workflow", strings.TrimSpace(strings.Join([]string{ownerRepo(j), ctlDeref(j.WorkflowID), atRef(j.Ref)}, " ")))
	add("Inputs", keyValueList(j.Inputs))
	add("Labels", keyValueList(j.Labels))
	if j.AutoRequeue {
		limit := "unlimited"
		if j.RequeueLimit != nil {
			limit = ctlItoa(*j.RequeueLimit)
		}
		add("Auto-requeue", fmt.Sprintf("on, %d of %s done", j.RequeueCount, limit))
	}
	add("Pending", j.PendingReason)
	add("Runner", j.RunnerName)
	add("Run", j.RunURL)
	add("Conclusion", j.Conclusion)
	add("Error", j.ErrorMessage)
	add("Created", ctlStamp(&j.CreatedAt)+byUser(j.CreatedBy))
	add("Triggered", ctlStamp(j.TriggeredAt))
	add("Started", ctlStamp(j.StartedAt))
	add("Completed", ctlStamp(j.CompletedAt))
	return rows
}

func ownerRepo(j ctlJob) string {
	if j.Owner == nil && j.Repo == nil {
		return ""
	}
	return ctlDeref(j.Owner) + "/" + ctlDeref(j.Repo)
}

func atRef(ref *string) string {
	if ref == nil {
		return ""
	}
	return "@ " + *ref
}

func byUser(u string) string {
	if u == "" {
		return ""
	}
	return " by " + u
}

func keyValueList(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, " ")
}

func ctlStamp(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func ctlItoa(n int) string { return strconv.Itoa(n) }

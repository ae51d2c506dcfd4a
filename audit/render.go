package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// Column widths of the event table. Values longer than their column push
// the rest of the line right rather than being cut: an audit must never
// hide part of a job id or an actor.
const (
	widthIndex = 7
	widthTime  = 20
	widthActor = 18
	widthIP    = 15
	widthType  = 20
	widthGroup = 12
	widthJob   = 36
)

// TableHeader writes the event table's heading line.
func TableHeader(w io.Writer) error {
	_, err := fmt.Fprintf(w, "%-*s %-*s %-*s %-*s %-*s %-*s %-*s %s\n",
		widthIndex, "INDEX", widthTime, "TIME", widthActor, "ACTOR", widthIP, "IP",
		widthType, "TYPE", widthGroup, "GROUP", widthJob, "JOB", "SUMMARY")
	return err
}

// TableRow writes one entry as a table line. The reason follows the
// summary after "; reason: ".
func TableRow(w io.Writer, e Entry) error {
	summary := e.Summary
	if e.Reason != "" {
		summary += "; reason: " + e.Reason
	}
	_, err := fmt.Fprintf(w, "%-*d %-*s %-*s %-*s %-*s %-*s %-*s %s\n",
		widthIndex, e.Index, widthTime, e.Time.UTC().Format(time.RFC3339),
		widthActor, dash(e.Actor), widthIP, dash(e.IP), widthType, e.Type,
		widthGroup, dash(e.GroupID), widthJob, dash(e.JobID), oneLine(summary))
	return err
}

// JSONLine writes one record as a line of JSON: the entry's fields plus
// the event exactly as journaled under "event".
func JSONLine(w io.Writer, r Record) error {
	line := struct {
		Entry
		Event json.RawMessage `json:"event"`
	}{r.Entry(), r.Payload}
	b, err := json.Marshal(line)
	if err != nil {
		return fmt.Errorf("encode record %d: %w", r.Index, err)
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// WriteStateTable prints a state view for people.
func WriteStateTable(w io.Writer, v StateView) error {
	p := &printer{w: w}
	if v.At.IsZero() {
		p.linef("state at the end of the log: through index %d, state hash %s", v.Through, v.StateHash)
	} else {
		p.linef("state at %s: through index %d, state hash %s", v.At.UTC().Format(time.RFC3339Nano), v.Through, v.StateHash)
	}
	if v.Compaction != "" {
		p.linef("note: %s", v.Compaction)
	}
	if len(v.Groups) == 0 {
		p.linef("no groups")
	}
	for _, g := range v.Groups {
		writeGroup(p, g)
	}
	return p.err
}

func writeGroup(p *printer, g GroupView) {
	var flags []string
	if g.Paused {
		flags = append(flags, "paused")
	}
	if !g.InConfig {
		flags = append(flags, "not in config")
	}
	p.linef("")
	head := fmt.Sprintf("group %s %q", g.ID, g.Name)
	if len(flags) > 0 {
		head += " (" + strings.Join(flags, ", ") + ")"
	}
	p.linef("%s", head)
	c := g.Counts
	p.linef("  pending %d (%d paused), dispatching %d, triggered %d, running %d; finished: %d completed, %d failed, %d cancelled",
		c.Pending, c.PausedPending, c.Dispatching, c.Triggered, c.Running, c.Completed, c.Failed, c.Cancelled)
	if len(g.Active) > 0 {
		p.linef("  active, by dispatch time:")
		for _, j := range g.Active {
			p.linef("    %-36s %-11s %s%s", j.ID, j.Status, jobWhat(j), onRunner(j.RunnerName, j.RunnerID))
		}
	}
	if len(g.Pending) > 0 {
		p.linef("  pending, in dispatch order:")
		for i, j := range g.Pending {
			extra := ""
			if j.Paused {
				extra = "  paused"
			}
			p.linef("    %3d. %-36s %s, priority %d, by %s%s", i+1, j.ID, jobWhat(j), j.Priority, dash(j.CreatedBy), extra)
		}
	}
}

// jobWhat names what a job runs: its template, or the manual workflow.
func jobWhat(j *state.Job) string {
	if j.TemplateID != "" {
		return "template " + j.TemplateID
	}
	return fmt.Sprintf("%s/%s %s@%s", deref(j.Owner), deref(j.Repo), deref(j.WorkflowID), deref(j.Ref))
}

// printer writes lines and keeps the first error.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) linef(format string, args ...any) {
	if p.err != nil {
		return
	}
	_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLine keeps a table row on one line whatever a reason contains.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dispatchoor/dispatchoor/audit"
	"github.com/dispatchoor/dispatchoor/wal"
)

// errVerifyFailed is returned when --verify found a problem; the report
// has already said what and where.
var errVerifyFailed = errors.New("journal verification failed")

// replayCmd is `dispatchoor replay`: the audit of a journal, read-only, also
// while a server appends to it.
type replayCmd struct {
	stdout, stderr io.Writer
	now            func() time.Time
	// tailWait is the pause before looking again at a log that ends in an
	// incomplete record (a write in progress beside a running server).
	tailWait time.Duration

	data, job, at, since, until string
	groups, actors, types       listFlag
	json, verify                bool
}

func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := &replayCmd{stdout: stdout, stderr: stderr, now: time.Now, tailWait: 100 * time.Millisecond}
	return c.run(ctx, args)
}

func (c *replayCmd) flags() *flag.FlagSet {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.StringVar(&c.data, "data", "", "data directory (storage.dir); the journal is DIR/journal")
	fs.BoolVar(&c.json, "json", false, "print JSON (one event per line; one document for --at and --verify)")
	fs.StringVar(&c.job, "job", "", "only events of this job and of its requeued generations")
	fs.Var(&c.groups, "group", "only events of this group (repeatable)")
	fs.Var(&c.actors, "actor", `only events by this actor (repeatable); "system" matches every part of the system`)
	fs.Var(&c.types, "type", "only events of this type (repeatable, or a comma-separated list)")
	fs.StringVar(&c.since, "since", "", "only events at or after TIME (RFC 3339, a date, or a duration ago: 2h, 7d)")
	fs.StringVar(&c.until, "until", "", "only events at or before TIME")
	fs.StringVar(&c.at, "at", "", "print the queues and jobs as they were at TIME instead of events")
	fs.BoolVar(&c.verify, "verify", false, "check every checksum and the hash chain, and print the final state hash")
	fs.Usage = func() {
		fmt.Fprint(c.stderr, `Usage: dispatchoor replay --data DIR [filters] [--json]
       dispatchoor replay --data DIR --at TIME [--group ID] [--json]
       dispatchoor replay --data DIR --verify [--json]

Prints the journal's events in order: index, time, actor, ip, type, group,
job and a summary with the reason. Reads without locking, so it may run
beside a server.

`)
		fs.PrintDefaults()
	}
	return fs
}

func (c *replayCmd) run(ctx context.Context, args []string) error {
	fs := c.flags()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if err := c.checkFlags(fs); err != nil {
		fmt.Fprintf(c.stderr, "dispatchoor replay: %v\n", err)
		return errUsage
	}
	r, err := c.openReader()
	if err != nil {
		return err
	}
	out := bufio.NewWriter(c.stdout)
	switch {
	case c.verify:
		err = c.runVerify(r, out)
	case c.at != "":
		err = c.runAt(r, out)
	default:
		err = c.runEvents(ctx, r, out)
	}
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	return err
}

// checkFlags refuses combinations that would silently ignore a flag.
func (c *replayCmd) checkFlags(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.data == "" {
		return errors.New("--data is required")
	}
	eventFilters := c.job != "" || len(c.actors) > 0 || len(c.types) > 0 || c.since != "" || c.until != ""
	switch {
	case c.verify && (c.at != "" || eventFilters || len(c.groups) > 0):
		return errors.New("--verify checks the whole journal; it takes no filters and no --at")
	case c.at != "" && eventFilters:
		return errors.New("--at prints the state at a moment; of the filters it only takes --group")
	}
	return nil
}

func (c *replayCmd) openReader() (*wal.Reader, error) {
	dir := filepath.Join(c.data, "journal")
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("no journal in %s: %w", c.data, err)
	}
	logger := slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return wal.OpenReader(dir, logger)
}

func (c *replayCmd) filter() (audit.Filter, error) {
	f := audit.Filter{Job: c.job, Groups: c.groups, Actors: c.actors}
	var err error
	if f.Types, err = audit.ParseTypes(c.types...); err != nil {
		return f, err
	}
	if c.since != "" {
		if f.Since, err = audit.ParseTime(c.since, c.now()); err != nil {
			return f, fmt.Errorf("--since: %w", err)
		}
	}
	if c.until != "" {
		if f.Until, err = audit.ParseTime(c.until, c.now()); err != nil {
			return f, fmt.Errorf("--until: %w", err)
		}
	}
	return f, nil
}

func (c *replayCmd) runEvents(ctx context.Context, r *wal.Reader, out *bufio.Writer) error {
	f, err := c.filter()
	if err != nil {
		fmt.Fprintf(c.stderr, "dispatchoor replay: %v\n", err)
		return errUsage
	}
	comp, _, err := audit.ReadCompaction(r)
	if err != nil {
		return err
	}
	if note := comp.Note(); note != "" {
		if c.json {
			fmt.Fprintf(c.stderr, "note: %s\n", note)
		} else {
			fmt.Fprintf(out, "note: %s\n", note)
		}
	}
	if !c.json {
		if err := audit.TableHeader(out); err != nil {
			return err
		}
	}
	n := 0
	return audit.Scan(r, f, func(rec audit.Record) error {
		if n++; n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if c.json {
			return audit.JSONLine(out, rec)
		}
		return audit.TableRow(out, rec.Entry())
	})
}

func (c *replayCmd) runAt(r *wal.Reader, out *bufio.Writer) error {
	t, err := audit.ParseTime(c.at, c.now())
	if err != nil {
		fmt.Fprintf(c.stderr, "dispatchoor replay: --at: %v\n", err)
		return errUsage
	}
	rb, err := audit.At(r, t)
	if err != nil {
		return err
	}
	if rb.Rejected > 0 {
		fmt.Fprintf(c.stderr, "warning: %d events did not apply (the live system skipped them too)\n", rb.Rejected)
	}
	v := audit.NewStateView(rb, c.groups)
	if c.json {
		return writeJSONDoc(out, v)
	}
	return audit.WriteStateTable(out, v)
}

func writeJSONDoc(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

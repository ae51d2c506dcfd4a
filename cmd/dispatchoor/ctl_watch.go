package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fasthttp/websocket"
)

// watch follows one job over the live WebSocket until it finishes. The
// job is read over REST first and again after each (re)subscription, so a
// change that happened while no connection was listening is not missed.

const (
	// watchIdle: a connection silent this long (the server pings every
	// 30 s) is dead and replaced.
	watchIdle = 90 * time.Second
	// watchRetries bounds consecutive failed connections.
	watchRetries = 5
)

// liveMessage is the WebSocket envelope.
type liveMessage struct {
	Type    string          `json:"type"`
	GroupID string          `json:"group_id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// watcher prints a job's changes.
type watcher struct {
	c    *ctl
	id   string
	last string // the last line printed, to print changes only
}

func ctlWatch(ctx context.Context, c *ctl, args []string) error {
	pos, err := c.parse(c.flags("watch", "watch JOB"), args, 1, 1)
	if err != nil {
		return err
	}
	if err := c.requireToken(); err != nil {
		return err
	}
	w := &watcher{c: c, id: pos[0]}
	j, raw, err := w.fetch(ctx)
	if err != nil {
		return err
	}
	if done, err := w.show(j, raw); done {
		return err
	}
	failures := 0
	for {
		err := w.follow(ctx, j.GroupID)
		var end *watchEnd
		switch {
		case errors.As(err, &end):
			return end.err
		case ctx.Err() != nil:
			return fmt.Errorf("watch %s: %w", w.id, ctx.Err())
		}
		failures++
		if failures > watchRetries {
			return &ctlExit{code: exitError, err: fmt.Errorf("watch %s: live updates lost: %w", w.id, err)}
		}
		fmt.Fprintf(c.env.stderr, "dispatchoor ctl: live updates interrupted (%v); reconnecting\n", err)
		select {
		case <-time.After(time.Duration(failures) * time.Second):
		case <-ctx.Done():
			return fmt.Errorf("watch %s: %w", w.id, ctx.Err())
		}
	}
}

// watchEnd ends the watch: the job finished (err is its exit) or vanished.
type watchEnd struct{ err error }

func (e *watchEnd) Error() string { return "watch ended" }

func (w *watcher) fetch(ctx context.Context) (ctlJob, []byte, error) {
	var j ctlJob
	raw, err := w.c.client.get(ctx, "/api/v1/jobs/"+pathEscape(w.id), &j)
	return j, raw, err
}

// follow subscribes to the job's group and prints the job's changes until
// it finishes (a *watchEnd) or the connection fails.
func (w *watcher) follow(ctx context.Context, group string) error {
	conn, err := w.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	if err := conn.WriteJSON(liveMessage{Type: "subscribe", GroupID: group}); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	for {
		var m liveMessage
		if err := conn.ReadJSON(&m); err != nil {
			return fmt.Errorf("read: %w", err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(watchIdle))
		switch m.Type {
		case "subscribed":
			// Changes before the subscription took effect reached no
			// one: read the job once more.
			j, raw, err := w.fetch(ctx)
			if err != nil {
				return &watchEnd{err: err}
			}
			if done, err := w.show(j, raw); done {
				return &watchEnd{err: err}
			}
		case "job_state":
			var j ctlJob
			if json.Unmarshal(m.Payload, &j) != nil || j.ID != w.id {
				continue
			}
			if done, err := w.show(j, m.Payload); done {
				return &watchEnd{err: err}
			}
		case "job_removed":
			var r struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(m.Payload, &r) == nil && r.ID == w.id {
				fmt.Fprintf(w.c.env.stdout, "%s was removed from the queue\n", w.id)
				return &watchEnd{err: exitWith(exitJobCancelled, "job %s was removed", w.id)}
			}
		}
	}
}

// dial opens the WebSocket with the session token in the Authorization
// header (not the URL, which proxies log).
func (w *watcher) dial(ctx context.Context) (*websocket.Conn, error) {
	u := "ws" + strings.TrimPrefix(w.c.url, "http") + "/api/v1/ws"
	h := http.Header{"Authorization": {"Bearer " + w.c.client.token}}
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, Proxy: http.ProxyFromEnvironment}
	conn, resp, err := d.DialContext(ctx, u, h)
	if err != nil {
		if resp != nil && resp.StatusCode >= 400 {
			e := &apiError{status: resp.StatusCode}
			return nil, &watchEnd{err: &ctlExit{code: e.exitCode(), err: fmt.Errorf("live updates: %w", e)}}
		}
		return nil, fmt.Errorf("connect %s: %w", u, err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(watchIdle))
	conn.SetPingHandler(func(data string) error {
		_ = conn.SetReadDeadline(time.Now().Add(watchIdle))
		return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(10*time.Second))
	})
	return conn, nil
}

// show prints the job if it changed, and reports whether it is finished,
// with the error (exit code) the watch ends with.
func (w *watcher) show(j ctlJob, raw []byte) (done bool, err error) {
	line := describeJob(j)
	if line != w.last {
		w.last = line
		if w.c.json {
			var compact bytes.Buffer
			if err := json.Compact(&compact, raw); err == nil {
				fmt.Fprintln(w.c.env.stdout, compact.String())
			}
		} else {
			fmt.Fprintf(w.c.env.stdout, "%s %s\n", j.ID, line)
		}
	}
	switch j.Status {
	case "completed":
		return true, nil
	case "failed":
		return true, exitWith(exitJobFailed, "job %s failed: %s", j.ID, j.ErrorMessage)
	case "cancelled":
		return true, exitWith(exitJobCancelled, "job %s was cancelled", j.ID)
	}
	return false, nil
}

// describeJob says where a job is, in a few words.
func describeJob(j ctlJob) string {
	switch j.state() {
	case "pending":
		if j.PendingReason != "" {
			return "pending: " + j.PendingReason
		}
		return "pending"
	case "paused":
		return "paused"
	case "dispatching":
		return "dispatching to " + j.RunnerName
	case "triggered":
		if j.RunURL != "" {
			return "triggered: " + j.RunURL
		}
		return "triggered"
	case "running":
		return "running on " + j.RunnerName
	case "completed":
		if j.Conclusion != "" {
			return "completed (" + j.Conclusion + ")"
		}
		return "completed"
	case "failed":
		return "failed: " + j.ErrorMessage
	}
	return j.Status
}

package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// serveControl implements the simulator-only API under /_sim/ (spec §8.11).
// It is not GitHub-shaped: errors are {"error": "..."}.
func (s *Sim) serveControl(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		controlError(w, http.StatusBadRequest, fmt.Errorf("read body: %w", err))
		return
	}
	segs := splitPath(strings.TrimPrefix(r.URL.Path, "/_sim"))
	key := r.Method + " " + strings.Join(segs, "/")
	if len(segs) == 2 {
		key = r.Method + " " + segs[0] + "/{id}"
	}
	status, out, err := s.control(key, segs, r, body)
	if err != nil {
		controlError(w, status, err)
		return
	}
	writeJSON(w, status, out)
}

func (s *Sim) control(key string, segs []string, r *http.Request, body []byte) (int, any, error) {
	switch key {
	case "GET state":
		return http.StatusOK, s.State(), nil
	case "POST reset":
		return okOr(http.StatusOK, map[string]any{}, s.Reset())
	case "POST clock/{id}":
		if segs[1] != "advance" {
			break
		}
		d, err := time.ParseDuration(r.URL.Query().Get("d"))
		if err != nil {
			return http.StatusBadRequest, nil, fmt.Errorf("advance: d: %w", err)
		}
		if err := s.Advance(d); err != nil {
			return http.StatusConflict, nil, err
		}
		return http.StatusOK, map[string]any{"now": s.Now()}, nil
	case "POST runners":
		var rc RunnerConfig
		if err := decodeStrict(body, &rc); err != nil {
			return http.StatusBadRequest, nil, err
		}
		id, err := s.AddRunner(rc)
		return okOr(http.StatusCreated, map[string]any{"id": id}, err)
	case "PATCH runners/{id}":
		var p RunnerPatch
		if err := decodeStrict(body, &p); err != nil {
			return http.StatusBadRequest, nil, err
		}
		id, ok := parseID(segs[1])
		if !ok {
			return http.StatusNotFound, nil, ErrUnknownRunner
		}
		return okOr(http.StatusOK, map[string]any{}, s.PatchRunner(id, p))
	case "DELETE runners/{id}":
		id, ok := parseID(segs[1])
		if !ok {
			return http.StatusNotFound, nil, ErrUnknownRunner
		}
		return okOr(http.StatusOK, map[string]any{}, s.RemoveRunner(id))
	case "POST repos":
		var rc RepoConfig
		if err := decodeStrict(body, &rc); err != nil {
			return http.StatusBadRequest, nil, err
		}
		return okOr(http.StatusCreated, map[string]any{}, s.AddRepo(rc))
	case "POST workflows":
		var ws WorkflowSpec
		if err := decodeStrict(body, &ws); err != nil {
			return http.StatusBadRequest, nil, err
		}
		id, err := s.AddWorkflow(ws)
		return okOr(http.StatusCreated, map[string]any{"id": id}, err)
	case "PATCH workflows/{id}":
		var p struct {
			Repo  string `json:"repo"`
			State string `json:"state"`
		}
		if err := decodeStrict(body, &p); err != nil {
			return http.StatusBadRequest, nil, err
		}
		return okOr(http.StatusOK, map[string]any{}, s.SetWorkflowState(p.Repo, segs[1], p.State))
	case "POST tokens":
		var tc TokenConfig
		if err := decodeStrict(body, &tc); err != nil {
			return http.StatusBadRequest, nil, err
		}
		return okOr(http.StatusCreated, map[string]any{}, s.AddToken(tc))
	case "POST hooks":
		var hc HookConfig
		if err := decodeStrict(body, &hc); err != nil {
			return http.StatusBadRequest, nil, err
		}
		id, err := s.AddHook(hc)
		return okOr(http.StatusCreated, map[string]any{"id": id}, err)
	case "POST faults":
		return s.controlAddFault(r, body)
	case "DELETE faults":
		s.ClearFaults()
		return http.StatusOK, map[string]any{}, nil
	case "DELETE faults/{id}":
		if !s.RemoveFault(segs[1]) {
			return http.StatusNotFound, nil, fmt.Errorf("no fault %q", segs[1])
		}
		return http.StatusOK, map[string]any{}, nil
	}
	return http.StatusNotFound, nil, fmt.Errorf("no control endpoint %s", key)
}

// controlAddFault accepts a FaultRule; ?in=10s&for=30s set From and Until
// relative to the current virtual time, which is handy from a shell.
func (s *Sim) controlAddFault(r *http.Request, body []byte) (int, any, error) {
	var f FaultRule
	if err := decodeStrict(body, &f); err != nil {
		return http.StatusBadRequest, nil, err
	}
	now := s.Now()
	if v := r.URL.Query().Get("in"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return http.StatusBadRequest, nil, fmt.Errorf("in: %w", err)
		}
		f.From = now.Add(d)
	}
	if v := r.URL.Query().Get("for"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return http.StatusBadRequest, nil, fmt.Errorf("for: %w", err)
		}
		start := f.From
		if start.IsZero() {
			start = now
		}
		f.Until = start.Add(d)
	}
	id, err := s.AddFault(f)
	if err != nil {
		return http.StatusBadRequest, nil, err
	}
	return http.StatusCreated, map[string]any{"id": id}, nil
}

func okOr(status int, out any, err error) (int, any, error) {
	switch {
	case err == nil:
		return status, out, nil
	case errors.Is(err, ErrUnknownRunner), errors.Is(err, ErrUnknownWorkflow), errors.Is(err, ErrUnknownToken):
		return http.StatusNotFound, nil, err
	}
	return http.StatusBadRequest, nil, err
}

func decodeStrict(body []byte, v any) error {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decode body: %w", err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func controlError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

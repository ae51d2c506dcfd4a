package state

import (
	"encoding/json"
	"fmt"
)

// snapshotDoc is the serialised form of a State. Each partition carries the
// journal index it was captured at: partitions are owned by different actors
// and captured one after another, so replay after a snapshot applies an event
// only to a partition that has not seen it yet.
type snapshotDoc struct {
	Version int                  `json:"version"`
	Groups  map[string]*groupDoc `json:"groups"`
	Auth    *AuthState           `json:"auth"`
	Runners *runnerDoc           `json:"runners"`
}

type groupDoc struct {
	Index        uint64      `json:"index"`
	Group        Group       `json:"group"`
	Templates    []*Template `json:"templates"`
	Jobs         []*Job      `json:"jobs"`
	NextPosition int64       `json:"next_position"`
}

type runnerDoc struct {
	Index   uint64    `json:"index"`
	Runners []*Runner `json:"runners"`
}

const snapshotVersion = 1

// MarshalGroup serialises one group partition (the unit an actor hands over
// when a snapshot is taken).
func (g *GroupState) MarshalGroup() ([]byte, error) {
	d := groupDoc{Index: g.Index, Group: g.Group, NextPosition: g.NextPosition}
	for _, id := range sortedKeys(g.Templates) {
		d.Templates = append(d.Templates, g.Templates[id])
	}
	for _, id := range sortedKeys(g.Jobs) {
		d.Jobs = append(d.Jobs, g.Jobs[id])
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("marshal group %s: %w", g.Group.ID, err)
	}
	return b, nil
}

// MarshalAuth serialises the auth partition.
func (a *AuthState) MarshalAuth() ([]byte, error) { return json.Marshal(a) }

// MarshalRunners serialises the runner partition.
func (r *RunnerState) MarshalRunners() ([]byte, error) {
	d := runnerDoc{Index: r.Index}
	for _, run := range r.Runners {
		d.Runners = append(d.Runners, run)
	}
	return json.Marshal(d)
}

// Parts is a snapshot in pieces, as captured from the partition owners.
type Parts struct {
	Groups  map[string]json.RawMessage
	Auth    json.RawMessage
	Runners json.RawMessage
}

// EncodeSnapshot assembles captured partitions into one snapshot document.
func EncodeSnapshot(p Parts) ([]byte, error) {
	doc := struct {
		Version int                        `json:"version"`
		Groups  map[string]json.RawMessage `json:"groups"`
		Auth    json.RawMessage            `json:"auth"`
		Runners json.RawMessage            `json:"runners"`
	}{snapshotVersion, p.Groups, p.Auth, p.Runners}
	return json.Marshal(doc)
}

// Snapshot serialises the whole state (replay tool, tests).
func (s *State) Snapshot() ([]byte, error) {
	p := Parts{Groups: map[string]json.RawMessage{}}
	for id, g := range s.Groups {
		b, err := g.MarshalGroup()
		if err != nil {
			return nil, err
		}
		p.Groups[id] = b
	}
	var err error
	if p.Auth, err = s.Auth.MarshalAuth(); err != nil {
		return nil, fmt.Errorf("marshal auth: %w", err)
	}
	if p.Runners, err = s.Runners.MarshalRunners(); err != nil {
		return nil, fmt.Errorf("marshal runners: %w", err)
	}
	return EncodeSnapshot(p)
}

// Restore rebuilds a state from a snapshot document.
func Restore(b []byte) (*State, error) {
	var d snapshotDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("decode snapshot: %w", err)
	}
	if d.Version != snapshotVersion {
		return nil, fmt.Errorf("decode snapshot: unsupported version %d", d.Version)
	}
	s := New()
	for id, gd := range d.Groups {
		g := NewGroupState(id)
		g.Index = gd.Index
		g.Group = gd.Group
		g.NextPosition = gd.NextPosition
		for _, t := range gd.Templates {
			g.Templates[t.ID] = t
		}
		for _, j := range gd.Jobs {
			j.rev = gd.Index // its content as of the snapshot
			g.Jobs[j.ID] = j
		}
		g.Reindex()
		s.Groups[id] = g
	}
	if d.Auth != nil {
		s.Auth = d.Auth
		if s.Auth.Sessions == nil {
			s.Auth.Sessions = map[string]*Session{}
		}
		if s.Auth.Users == nil {
			s.Auth.Users = map[string]*User{}
		}
	}
	if d.Runners != nil {
		s.Runners.Index = d.Runners.Index
		for _, r := range d.Runners.Runners {
			s.Runners.Runners[r.ID] = r
		}
	}
	return s, nil
}

// MinIndex is the lowest partition index: replay after a snapshot starts
// just after it.
func (s *State) MinIndex() uint64 {
	min := s.Auth.Index
	if s.Runners.Index < min {
		min = s.Runners.Index
	}
	for _, g := range s.Groups {
		if g.Index < min {
			min = g.Index
		}
	}
	return min
}

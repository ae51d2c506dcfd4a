package actors

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// background runs the periodic work: a snapshot every SnapshotEvery events,
// history retention and session expiry.
func (s *System) background() {
	defer s.wg.Done()
	check := time.NewTicker(time.Second)
	defer check.Stop()
	cleanup := time.NewTicker(s.opts.CleanupInterval)
	defer cleanup.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-s.failed:
			return
		case <-check.C:
			if s.appended.Load()-s.lastSnapshot.Load() >= uint64(s.opts.SnapshotEvery) {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				if err := s.Snapshot(ctx); err != nil {
					s.log.Error("snapshot", "err", err)
				}
				cancel()
			}
		case <-cleanup.C:
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			if err := s.Cleanup(ctx); err != nil {
				s.log.Error("cleanup", "err", err)
			}
			cancel()
		}
	}
}

// Snapshot captures every partition and stores the result in the journal.
//
// The partitions are owned by different actors and captured one after the
// other while others keep working, so each records its own journal index.
// floor is read before any capture starts: every record up to it was
// applied by its owner before the owner handles the capture request (owners
// apply in the same step as they append), so a partition that has seen no
// event of its own up to floor may claim floor as its index. The snapshot is
// written only once every captured event is durable.
func (s *System) Snapshot(ctx context.Context) (err error) {
	s.snapshotMu.Lock()
	defer s.snapshotMu.Unlock()
	if s.opts.OnSnapshot != nil {
		start := time.Now()
		defer func() { s.opts.OnSnapshot(time.Since(start), err) }()
	}
	appended := s.appended.Load()
	floor := s.journal.LastIndex()
	parts := state.Parts{Groups: map[string]json.RawMessage{}}
	var waits []*batch
	maxIdx, minIdx := floor, ^uint64(0)
	note := func(idx uint64) {
		if idx > maxIdx {
			maxIdx = idx
		}
		if idx < minIdx {
			minIdx = idx
		}
	}
	for _, id := range s.groupIDs() {
		pid, err := s.groupPID(id)
		if err != nil {
			return err
		}
		res, err := s.actors.Root.RequestFuture(pid, &captureMsg{floor: floor}, s.opts.RequestTimeout).Result()
		if err != nil {
			return fmt.Errorf("capture group %s: %w", id, err)
		}
		r := res.(*reply)
		if r.err != nil {
			return fmt.Errorf("capture group %s: %w", id, r.err)
		}
		c := r.value.(captured)
		parts.Groups[id] = c.data
		waits = append(waits, r.wait)
		note(c.index)
	}
	idx, data, w, err := s.auth.capture(floor)
	if err != nil {
		return fmt.Errorf("capture auth: %w", err)
	}
	parts.Auth, waits = data, append(waits, w)
	note(idx)
	idx, data, w, err = s.runners.capture(floor)
	if err != nil {
		return fmt.Errorf("capture runners: %w", err)
	}
	parts.Runners, waits = data, append(waits, w)
	note(idx)
	for _, w := range waits {
		if err := w.Wait(ctx); err != nil {
			return fmt.Errorf("wait for captured events: %w", err)
		}
	}
	doc, err := state.EncodeSnapshot(parts)
	if err != nil {
		return err
	}
	// The snapshot is labelled with the lowest partition index: every record
	// up to it is inside, so compaction may drop those records.
	if err := s.journal.SaveSnapshot(minIdx, doc); err != nil {
		return fmt.Errorf("save snapshot: %w", err)
	}
	s.lastSnapshot.Store(appended)
	s.mu.Lock()
	s.snapshot = SnapshotInfo{Index: minIdx, Time: s.opts.Now()}
	s.checkpoints = append(s.checkpoints, s.snapshot)
	s.mu.Unlock()
	s.log.Info("snapshot saved", "index", minIdx, "max_index", maxIdx, "bytes", len(doc))
	return s.compact()
}

// compact removes journal records older than the history-retention horizon
// that a snapshot already covers. Older records are kept until then because
// the audit replays them.
func (s *System) compact() error {
	if s.opts.RetentionDays < 0 {
		return nil // history kept forever: so is the journal
	}
	horizon := s.opts.Now().Add(-time.Duration(s.opts.RetentionDays) * 24 * time.Hour)
	s.mu.Lock()
	var upTo uint64
	keep := s.checkpoints[:0]
	for _, c := range s.checkpoints {
		if c.Time.Before(horizon) {
			upTo = c.Index
			continue
		}
		keep = append(keep, c)
	}
	s.checkpoints = keep
	s.mu.Unlock()
	if upTo == 0 {
		return nil
	}
	if err := s.journal.Compact(upTo); err != nil {
		return fmt.Errorf("compact journal up to %d: %w", upTo, err)
	}
	return nil
}

// Cleanup prunes history past retention and expired sessions.
func (s *System) Cleanup(ctx context.Context) error {
	now := s.opts.Now().UTC()
	if s.opts.RetentionDays > 0 {
		cutoff := now.Add(-time.Duration(s.opts.RetentionDays) * 24 * time.Hour)
		for _, id := range s.groupIDs() {
			if _, err := s.command(ctx, id, Who{Username: state.ActorRetention},
				func(g *state.GroupState, m state.Meta) ([]state.Event, error) { return g.PruneHistory(m, cutoff), nil },
				func(*groupActor, []state.Event) any { return nil }); err != nil {
				return fmt.Errorf("prune history of %s: %w", id, err)
			}
		}
	}
	return s.auth.expireSessions(ctx, now)
}

// Status reports the journal and state for /api/v1/status.
func (s *System) Status(ctx context.Context) (Status, error) {
	st := Status{
		JournalFirstIndex: s.journal.FirstIndex(),
		JournalLastIndex:  s.journal.DurableIndex(),
		JournalBytes:      s.journal.SizeBytes(),
		StartedAt:         s.started,
	}
	s.mu.Lock()
	st.LastSnapshotIndex, st.LastSnapshotAt = s.snapshot.Index, s.snapshot.Time
	s.mu.Unlock()
	hash, err := s.StateHash(ctx)
	if err != nil {
		return st, err
	}
	st.StateHash = hash
	for _, id := range s.groupIDs() {
		v, err := s.query(ctx, id, func(a *groupActor) (any, error) {
			var c [4]int
			c[0] = len(a.g.Pending())
			for _, j := range a.g.Jobs {
				switch j.Status {
				case state.StatusDispatching:
					c[1]++
				case state.StatusTriggered:
					c[2]++
				case state.StatusRunning:
					c[3]++
				}
			}
			return c, nil
		})
		if err != nil {
			return st, err
		}
		c := v.([4]int)
		st.Pending += c[0]
		st.Dispatching += c[1]
		st.Triggered += c[2]
		st.Running += c[3]
	}
	return st, nil
}

// StateHash is the digest of the whole state, comparable with
// `dispatchoor replay --verify` and across cluster nodes. Each partition is
// hashed by its owner; the combination equals state.State.Hash of the same
// events.
func (s *System) StateHash(ctx context.Context) (string, error) {
	groups := map[string]string{}
	for _, id := range s.groupIDs() {
		v, err := s.query(ctx, id, func(a *groupActor) (any, error) { return a.g.GroupHash(), nil })
		if err != nil {
			return "", err
		}
		groups[id] = v.(string)
	}
	s.auth.mu.Lock()
	auth, aw := s.auth.st.PartHash(), s.auth.last
	s.auth.mu.Unlock()
	s.runners.mu.Lock()
	runners, rw := s.runners.st.PartHash(), s.runners.last
	s.runners.mu.Unlock()
	for _, w := range []*batch{aw, rw} {
		if w != nil {
			if err := w.Wait(ctx); err != nil {
				return "", err
			}
		}
	}
	return state.CombineHashes(groups, auth, runners), nil
}

func timeUntil(t time.Time) time.Duration { return time.Until(t) }

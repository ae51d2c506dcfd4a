package audit

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// sliceSource is a log held in memory, indexes from 1.
type sliceSource [][]byte

func (s sliceSource) Replay(from uint64, fn func(uint64, []byte) error) error {
	for i := max(from, 1); i <= uint64(len(s)); i++ {
		if err := fn(i, s[i-1]); err != nil {
			return err
		}
	}
	return nil
}

func eventsSource(t *testing.T, n int) sliceSource {
	t.Helper()
	var src sliceSource
	for i := 0; i < n; i++ {
		e := state.Event{Type: state.JobPaused, Time: time.Unix(int64(i), 0).UTC(), Actor: fmt.Sprint("user-", i), GroupID: "g", JobID: "j"}
		b, err := e.Encode()
		if err != nil {
			t.Fatal(err)
		}
		src = append(src, b)
	}
	return src
}

// TestReplayDecodedOrder: events arrive decoded, each once, in index
// order, across many batches decoded in parallel.
func TestReplayDecodedOrder(t *testing.T) {
	const n = 5*decodeBatch + 17
	src := eventsSource(t, n)
	next := uint64(3)
	err := replayDecoded(src, 3, func(index uint64, e *state.Event) error {
		if index != next || e.Actor != fmt.Sprint("user-", index-1) {
			return fmt.Errorf("got %d (%s); want %d", index, e.Actor, next)
		}
		next++
		return nil
	})
	if err != nil || next != n+1 {
		t.Fatalf("replay: %v, stopped before %d; want all %d", err, next, n)
	}
}

// TestReplayDecodedErrors: a record that does not decode and an apply
// error both stop the replay with their error, nothing applied after.
func TestReplayDecodedErrors(t *testing.T) {
	src := eventsSource(t, 3*decodeBatch)
	src[decodeBatch+5] = []byte(`{"type":`)
	last := uint64(0)
	err := replayDecoded(src, 0, func(index uint64, _ *state.Event) error { last = index; return nil })
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("record %d", decodeBatch+6)) {
		t.Fatalf("bad record: %v; want an error naming record %d", err, decodeBatch+6)
	}
	if last != decodeBatch {
		t.Fatalf("applied up to %d; want %d, the batch before the bad one", last, decodeBatch)
	}
	stop := errors.New("stop here")
	err = replayDecoded(eventsSource(t, 3*decodeBatch), 0, func(index uint64, _ *state.Event) error {
		if index == 10 {
			return stop
		}
		if index > 10 {
			t.Fatalf("applied %d after the error", index)
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("apply error: %v; want %v", err, stop)
	}
}

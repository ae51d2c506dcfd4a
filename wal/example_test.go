package wal_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/dispatchoor/dispatchoor/wal"
)

// Start-up restores the newest snapshot and replays the records after it;
// from then on every change is appended before it is applied.
func Example() {
	dir, err := os.MkdirTemp("", "journal")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	j, err := wal.Open(dir, wal.DefaultOptions())
	if err != nil {
		log.Fatal(err)
	}
	defer j.Close()

	var from uint64 = 1
	snap, err := j.LatestSnapshot()
	switch {
	case err == nil:
		from = snap.Index + 1 // restore state from snap.Data here
	case !errors.Is(err, wal.ErrNoSnapshot):
		log.Fatal(err)
	}
	err = j.Replay(from, func(index uint64, payload []byte) error {
		return nil // apply the event
	})
	if err != nil {
		log.Fatal(err)
	}

	first, err := j.Append(context.Background(), []byte(`{"kind":"JobEnqueued"}`), []byte(`{"kind":"JobEnqueued"}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("appended from", first, "durable up to", j.DurableIndex())

	if err := j.SaveSnapshot(j.DurableIndex(), []byte("state")); err != nil {
		log.Fatal(err)
	}
	if err := j.Compact(j.DurableIndex()); err != nil {
		log.Fatal(err)
	}
	fmt.Println("snapshot at", j.Stats().SnapshotIndex)
	// Output:
	// appended from 1 durable up to 2
	// snapshot at 2
}

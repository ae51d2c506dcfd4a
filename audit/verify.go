package audit

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dispatchoor/dispatchoor/wal"
)

// Report is the outcome of Verify.
type Report struct {
	wal.VerifyResult
	Compaction Compaction
	// StateHash is the hash of the state at the end of the log, computed as
	// the server computes journal.state_hash: newest snapshot plus the
	// records after it.
	StateHash string
	Through   uint64
	Rejected  int // events that did not fit the state (see Rebuilt)
	// ScratchHash is the hash from replaying every record from an empty
	// state, when a snapshot exists and the log still starts at index 1.
	// It must equal StateHash; a difference means the snapshot does not
	// hold what the log says.
	ScratchHash string
	// Problems lists what is wrong besides a corrupt record: damaged
	// snapshots, a damaged tail, a snapshot that disagrees with the log.
	Problems []string
}

// OK reports whether the journal passed every check.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// VerifyOptions tune Verify.
type VerifyOptions struct {
	// TailRetries is how many times to look again when the log ends in an
	// incomplete record: beside a running server that is usually a write
	// in progress, which the next look finds complete. TailWait is the
	// pause before each look.
	TailRetries int
	TailWait    time.Duration
}

// Verify checks every record's checksum and place in the hash chain, every
// snapshot, and that the snapshot agrees with the records, and computes the
// final state hash. Damage to a record comes back as a *wal.CorruptError
// naming its segment file and offset; everything else it finds is listed
// in Report.Problems.
func Verify(r *wal.Reader, opts VerifyOptions) (*Report, error) {
	var (
		wg                sync.WaitGroup
		res               wal.VerifyResult
		verr              error
		final, scratch    *Rebuilt
		finalErr, scrErr  error
		compaction, _, ce = ReadCompaction(r)
	)
	if ce != nil {
		return nil, ce
	}
	// The checks read the log independently; on a machine with spare cores
	// they overlap.
	wg.Add(2)
	go func() {
		defer wg.Done()
		res, verr = verifyLog(r, opts)
	}()
	go func() {
		defer wg.Done()
		final, finalErr = Final(r)
		if finalErr == nil && final.FromSnapshot && !compaction.Compacted() {
			scratch, scrErr = FromScratch(r)
		}
	}()
	wg.Wait()
	if verr != nil {
		return nil, verr
	}
	rep := &Report{VerifyResult: res, Compaction: compaction}
	for _, e := range res.SnapshotErrors {
		rep.Problems = append(rep.Problems, "damaged snapshot: "+e.Error())
	}
	if t := res.Tail; t != nil {
		rep.Problems = append(rep.Problems, fmt.Sprintf("damaged tail: record %d in %s at offset %d (%d bytes): %s",
			t.Index, t.Segment, t.Offset, t.Bytes, t.Reason))
	}
	if finalErr != nil {
		return rep, finalErr
	}
	rep.StateHash, rep.Through, rep.Rejected = final.State.Hash(), final.Through, final.Rejected
	if scrErr != nil {
		return rep, scrErr
	}
	if scratch != nil {
		rep.ScratchHash = scratch.State.Hash()
		if rep.ScratchHash != rep.StateHash {
			rep.Problems = append(rep.Problems, fmt.Sprintf(
				"snapshot %d disagrees with the log: snapshot plus tail gives state hash %s, replaying every record gives %s",
				compaction.SnapshotIndex, rep.StateHash, rep.ScratchHash))
		}
	}
	return rep, nil
}

// verifyLog runs wal's full check, looking again at a damaged tail.
func verifyLog(r *wal.Reader, opts VerifyOptions) (wal.VerifyResult, error) {
	for attempt := 0; ; attempt++ {
		res, err := r.Verify()
		if err != nil || res.Tail == nil || attempt >= opts.TailRetries {
			return res, err
		}
		time.Sleep(opts.TailWait)
	}
}

// CorruptRecord returns the *wal.CorruptError inside err, if any.
func CorruptRecord(err error) (*wal.CorruptError, bool) {
	var ce *wal.CorruptError
	ok := errors.As(err, &ce)
	return ce, ok
}

package main

import (
	"bufio"
	"fmt"

	"github.com/dispatchoor/dispatchoor/audit"
	"github.com/dispatchoor/dispatchoor/wal"
)

// verifyView is the JSON form of `replay --verify --json`.
type verifyView struct {
	OK           bool         `json:"ok"`
	FirstIndex   uint64       `json:"first_index"`
	LastIndex    uint64       `json:"last_index"`
	Records      uint64       `json:"records"`
	Segments     int          `json:"segments"`
	Snapshots    int          `json:"snapshots"`
	Compaction   string       `json:"compaction,omitempty"`
	StateHash    string       `json:"state_hash,omitempty"`
	ThroughIndex uint64       `json:"through_index,omitempty"`
	Rejected     int          `json:"rejected_events,omitempty"`
	Problems     []string     `json:"problems,omitempty"`
	Corrupt      *corruptView `json:"corrupt,omitempty"`
}

type corruptView struct {
	Segment string `json:"segment"`
	Offset  int64  `json:"offset"`
	Index   uint64 `json:"index"`
	Reason  string `json:"reason"`
}

// runVerify checks the journal and prints what it found. The first damaged
// record is named by segment file and byte offset; any problem makes the
// command fail (exit code 1).
func (c *replayCmd) runVerify(r *wal.Reader, out *bufio.Writer) error {
	rep, err := audit.Verify(r, audit.VerifyOptions{TailRetries: 2, TailWait: c.tailWait})
	ce, corrupt := audit.CorruptRecord(err)
	if err != nil && !corrupt {
		return err
	}
	v := verifyView{}
	if rep != nil {
		v = verifyView{
			FirstIndex: rep.FirstIndex, LastIndex: rep.LastIndex, Records: rep.Records, Segments: rep.Segments,
			Snapshots: rep.Snapshots, Compaction: rep.Compaction.Note(), StateHash: rep.StateHash,
			ThroughIndex: rep.Through, Rejected: rep.Rejected, Problems: rep.Problems,
		}
	}
	if corrupt {
		v.Corrupt = &corruptView{Segment: ce.Segment, Offset: ce.Offset, Index: ce.Index, Reason: ce.Reason}
	}
	v.OK = v.Corrupt == nil && len(v.Problems) == 0
	if c.json {
		err = writeJSONDoc(out, v)
	} else {
		err = writeVerifyText(out, v)
	}
	if err != nil {
		return err
	}
	if !v.OK {
		return errVerifyFailed
	}
	return nil
}

func writeVerifyText(out *bufio.Writer, v verifyView) error {
	if ce := v.Corrupt; ce != nil {
		_, err := fmt.Fprintf(out, "CORRUPT: record %d in segment %s at offset %d: %s\n", ce.Index, ce.Segment, ce.Offset, ce.Reason)
		return err
	}
	segments := "segments"
	if v.Segments == 1 {
		segments = "segment"
	}
	fmt.Fprintf(out, "records:    %d..%d (%d records in %d %s)\n", v.FirstIndex, v.LastIndex, v.Records, v.Segments, segments)
	fmt.Fprintf(out, "snapshots:  %d valid\n", v.Snapshots)
	if v.Compaction != "" {
		fmt.Fprintf(out, "note:       %s\n", v.Compaction)
	}
	fmt.Fprintln(out, "checksums:  every record's CRC-32C, index and hash chain verified")
	if v.StateHash != "" {
		fmt.Fprintf(out, "state hash: %s (through index %d; compare with journal.state_hash of GET /api/v1/status)\n", v.StateHash, v.ThroughIndex)
	}
	if v.Rejected > 0 {
		fmt.Fprintf(out, "warning:    %d events did not apply (the live system skipped them too)\n", v.Rejected)
	}
	for _, p := range v.Problems {
		fmt.Fprintf(out, "PROBLEM:    %s\n", p)
	}
	if v.OK {
		_, err := fmt.Fprintln(out, "ok")
		return err
	}
	return nil
}

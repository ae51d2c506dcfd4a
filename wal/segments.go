package wal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// tidwall/wal names a segment file by the index of its first entry in 20
// digits. While it truncates, it writes the surviving part of a segment to
// NAME.START (front) or NAME.END (back) and then removes and renames; a crash
// in between leaves those files behind, and its Open finishes the job. The
// read-only Reader must see the log the way that Open will, so the rules are
// repeated here as a pure plan over the directory listing.
const (
	segmentNameLen = 20
	startSuffix    = ".START"
	endSuffix      = ".END"
	tempSuffix     = ".TEMP"
)

func segmentName(first uint64) string { return fmt.Sprintf("%020d", first) }

// segmentFile is one segment as the log will see it once pending truncations
// are finished. path may still name a .START or .END file.
type segmentFile struct {
	first uint64
	path  string
}

// segmentPlan is the directory after pending truncations, plus the file
// operations that make the disk match it.
type segmentPlan struct {
	segments []segmentFile
	remove   []string    // files to delete
	rename   [][2]string // from, to
}

func (p segmentPlan) pending() bool { return len(p.remove) > 0 || len(p.rename) > 0 }

// planSegments reads dir and works out its segments the way tidwall/wal's
// Open does, without touching anything.
func planSegments(dir string) (segmentPlan, error) {
	entries, err := os.ReadDir(dir) // sorted by name, like tidwall's listing
	if err != nil {
		return segmentPlan{}, fmt.Errorf("list segments in %s: %w", dir, err)
	}
	var (
		plan           segmentPlan
		startAt, endAt = -1, -1
		segments       []segmentFile
	)
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || len(name) < segmentNameLen {
			continue
		}
		first, err := strconv.ParseUint(name[:segmentNameLen], 10, 64)
		if err != nil || first == 0 {
			continue
		}
		suffix := name[segmentNameLen:]
		switch suffix {
		case "":
		case startSuffix:
			startAt = len(segments)
		case endSuffix:
			if endAt == -1 {
				endAt = len(segments)
			}
		default:
			if strings.HasSuffix(suffix, tempSuffix) {
				// A temp file of an atomic write that never completed.
				plan.remove = append(plan.remove, filepath.Join(dir, name))
			}
			continue
		}
		segments = append(segments, segmentFile{first: first, path: filepath.Join(dir, name)})
	}
	if startAt != -1 && endAt != -1 {
		return segmentPlan{}, fmt.Errorf("%w: %s holds both a .START and an .END segment", ErrCorrupt, dir)
	}
	if startAt != -1 {
		// The front truncation had written its new first segment: everything
		// before it was meant to go.
		for _, s := range segments[:startAt] {
			plan.remove = append(plan.remove, s.path)
		}
		segments = segments[startAt:]
		plan.rename = append(plan.rename, [2]string{segments[0].path, plainPath(segments[0].path)})
	}
	if endAt != -1 {
		for _, s := range segments[endAt+1:] {
			plan.remove = append(plan.remove, s.path)
		}
		segments = segments[:endAt+1]
		if n := len(segments); n > 1 && segments[n-2].first == segments[n-1].first {
			// The .END file replaces the segment of the same name; the rename
			// overwrites it.
			segments = append(segments[:n-2], segments[n-1])
		}
		last := segments[len(segments)-1]
		plan.rename = append(plan.rename, [2]string{last.path, plainPath(last.path)})
	}
	plan.segments = segments
	return plan, nil
}

// plainPath strips a .START or .END suffix.
func plainPath(path string) string {
	dir, name := filepath.Split(path)
	return filepath.Join(dir, name[:segmentNameLen])
}

// apply performs the plan's file operations and makes them durable.
func (p segmentPlan) apply(dir string) (segmentPlan, error) {
	for _, path := range p.remove {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return p, fmt.Errorf("finish interrupted truncation: %w", err)
		}
	}
	for _, r := range p.rename {
		if err := os.Rename(r[0], r[1]); err != nil {
			return p, fmt.Errorf("finish interrupted truncation: %w", err)
		}
	}
	if err := syncDir(dir); err != nil {
		return p, err
	}
	done := segmentPlan{segments: append([]segmentFile(nil), p.segments...)}
	for i := range done.segments {
		done.segments[i].path = plainPath(done.segments[i].path)
	}
	return done, nil
}

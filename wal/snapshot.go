package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Snapshot file layout (integers big-endian), in snapshots/snap-<index>.bin:
//
//	magic (8) | index (8) | chain hash at index (16) | created, Unix ns (8) |
//	data length (8) | CRC-32C of data (4) | CRC-32C of the preceding header (4) |
//	data
//
// The chain hash ties the snapshot to the log: the record after it must name
// that hash, and a snapshot taken from another log is caught on replay.
const (
	snapshotDirName    = "snapshots"
	snapshotMagic      = "DPWALSNP"
	snapshotPrefix     = "snap-"
	snapshotSuffix     = ".bin"
	snapshotHeaderSize = len(snapshotMagic) + 8 + HashSize + 8 + 8 + crcSize + crcSize
	// snapshotsKept is how many snapshot files survive a save: the newest
	// and one to fall back on if the newest turns out damaged.
	snapshotsKept = 2
)

// Snapshot is caller state as of a log index.
type Snapshot struct {
	Index     uint64 // last record the state includes
	ChainHash Hash   // chain hash of the record at Index
	Created   time.Time
	Data      []byte
}

// snapshotMeta is what the journal keeps in memory about a valid snapshot.
type snapshotMeta struct {
	index   uint64
	hash    Hash
	created time.Time
	path    string
	size    int64 // file size
}

func snapshotFileName(index uint64) string {
	return fmt.Sprintf("%s%020d%s", snapshotPrefix, index, snapshotSuffix)
}

type snapshotFile struct {
	index uint64
	path  string
}

// listSnapshotFiles returns the snapshot files in dir, newest first.
func listSnapshotFiles(dir string) ([]snapshotFile, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	var files []snapshotFile
	for _, e := range entries {
		name := e.Name()
		digits, ok := strings.CutPrefix(name, snapshotPrefix)
		digits, ok2 := strings.CutSuffix(digits, snapshotSuffix)
		if !ok || !ok2 || len(digits) != segmentNameLen || e.IsDir() {
			continue
		}
		index, err := strconv.ParseUint(digits, 10, 64)
		if err != nil {
			continue
		}
		files = append(files, snapshotFile{index: index, path: filepath.Join(dir, name)})
	}
	sort.Slice(files, func(a, b int) bool { return files[a].index > files[b].index })
	return files, nil
}

func encodeSnapshotHeader(m snapshotMeta, data []byte) []byte {
	b := make([]byte, 0, snapshotHeaderSize)
	b = append(b, snapshotMagic...)
	b = binary.BigEndian.AppendUint64(b, m.index)
	b = append(b, m.hash[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(m.created.UnixNano()))
	b = binary.BigEndian.AppendUint64(b, uint64(len(data)))
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(data, castagnoli))
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// readSnapshot reads and fully checks one snapshot file.
func readSnapshot(f snapshotFile) (Snapshot, error) {
	b, err := os.ReadFile(f.path)
	if err != nil {
		return Snapshot{}, fmt.Errorf("read snapshot: %w", err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: snapshot %s: %s", ErrCorrupt, f.path, fmt.Sprintf(format, args...))
	}
	if len(b) < snapshotHeaderSize {
		return Snapshot{}, bad("%d bytes, header needs %d", len(b), snapshotHeaderSize)
	}
	if string(b[:len(snapshotMagic)]) != snapshotMagic {
		return Snapshot{}, bad("bad magic")
	}
	hdr := b[:snapshotHeaderSize-crcSize]
	if crc32.Checksum(hdr, castagnoli) != binary.BigEndian.Uint32(b[len(hdr):]) {
		return Snapshot{}, bad("header checksum mismatch")
	}
	p := len(snapshotMagic)
	s := Snapshot{Index: binary.BigEndian.Uint64(b[p:])}
	p += 8
	p += copy(s.ChainHash[:], b[p:])
	s.Created = time.Unix(0, int64(binary.BigEndian.Uint64(b[p:]))).UTC()
	size := binary.BigEndian.Uint64(b[p+8:])
	dataCRC := binary.BigEndian.Uint32(b[p+16:])
	if s.Index != f.index {
		return Snapshot{}, bad("header says index %d", s.Index)
	}
	s.Data = b[snapshotHeaderSize:]
	if uint64(len(s.Data)) != size {
		return Snapshot{}, bad("%d data bytes, header says %d", len(s.Data), size)
	}
	if crc32.Checksum(s.Data, castagnoli) != dataCRC {
		return Snapshot{}, bad("data checksum mismatch")
	}
	return s, nil
}

// writeSnapshot stores a snapshot atomically under dir.
func writeSnapshot(dir string, m snapshotMeta, data []byte) error {
	if err := writeFileAtomic(dir, filepath.Base(m.path), encodeSnapshotHeader(m, data), data); err != nil {
		return fmt.Errorf("write snapshot %d: %w", m.index, err)
	}
	return nil
}

// loadLatestSnapshot returns the newest snapshot that checks out, logging and
// skipping damaged ones.
func loadLatestSnapshot(dir string, logger *slog.Logger) (Snapshot, error) {
	files, err := listSnapshotFiles(dir)
	if err != nil {
		return Snapshot{}, err
	}
	for _, f := range files {
		s, err := readSnapshot(f)
		if err == nil {
			return s, nil
		}
		logger.Warn("wal: skipping damaged snapshot", "path", f.path, "err", err)
	}
	if len(files) > 0 {
		return Snapshot{}, fmt.Errorf("%w: all %d snapshots damaged", ErrNoSnapshot, len(files))
	}
	return Snapshot{}, ErrNoSnapshot
}

// loadSnapshotMetas checks every snapshot in dir and returns the valid ones,
// newest first. It also removes temp files of saves that never finished.
func loadSnapshotMetas(dir string, logger *slog.Logger) ([]snapshotMeta, error) {
	if err := removeStaleTemps(dir); err != nil {
		return nil, err
	}
	files, err := listSnapshotFiles(dir)
	if err != nil {
		return nil, err
	}
	var metas []snapshotMeta
	for _, f := range files {
		s, err := readSnapshot(f)
		if err != nil {
			logger.Warn("wal: skipping damaged snapshot", "path", f.path, "err", err)
			continue
		}
		metas = append(metas, snapshotMeta{index: s.Index, hash: s.ChainHash, created: s.Created,
			path: f.path, size: int64(snapshotHeaderSize + len(s.Data))})
	}
	return metas, nil
}

func removeStaleTemps(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list snapshots: %w", err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("remove stale snapshot temp file: %w", err)
			}
		}
	}
	return nil
}

func snapshotPins(metas []snapshotMeta) []pin {
	pins := make([]pin, 0, len(metas))
	for _, m := range metas {
		pins = append(pins, pin{index: m.index, hash: m.hash, source: "snapshot " + m.path})
	}
	return pins
}

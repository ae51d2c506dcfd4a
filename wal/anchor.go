package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
)

// The chain anchor records the hash of the last record that compaction
// removed, so the first remaining record's prevHash can still be checked.
// It is written before any segment is removed; a crash in between leaves an
// anchor that points inside the log, which readers check as a pin instead.
//
// Layout: magic (8) | index (8, big-endian) | hash (16) | CRC-32C of the
// preceding bytes (4).
const (
	anchorName  = "chain.anchor"
	anchorMagic = "DPWALANC"
	anchorSize  = len(anchorMagic) + 8 + HashSize + crcSize
)

type anchor struct {
	index uint64
	hash  Hash
}

func (a anchor) encode() []byte {
	b := make([]byte, 0, anchorSize)
	b = append(b, anchorMagic...)
	b = binary.BigEndian.AppendUint64(b, a.index)
	b = append(b, a.hash[:]...)
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

func writeAnchor(dir string, a anchor) error {
	if err := writeFileAtomic(dir, anchorName, a.encode()); err != nil {
		return fmt.Errorf("write chain anchor: %w", err)
	}
	return nil
}

// readAnchor returns the anchor in dir, or nil if there is none.
func readAnchor(dir string) (*anchor, error) {
	path := filepath.Join(dir, anchorName)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read chain anchor: %w", err)
	}
	if len(b) != anchorSize || string(b[:len(anchorMagic)]) != anchorMagic {
		return nil, fmt.Errorf("%w: chain anchor %s: bad size or magic", ErrCorrupt, path)
	}
	body := b[:anchorSize-crcSize]
	if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(b[len(body):]) {
		return nil, fmt.Errorf("%w: chain anchor %s: checksum mismatch", ErrCorrupt, path)
	}
	a := &anchor{index: binary.BigEndian.Uint64(b[len(anchorMagic):])}
	copy(a.hash[:], b[len(anchorMagic)+8:])
	return a, nil
}

package wal

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
)

// Record layout (all integers big-endian):
//
//	offset  size  field
//	0       4     CRC-32C (Castagnoli) of every byte after this field
//	4       1     format version, recordVersion
//	5       8     index
//	13      16    prevHash: SHA-256 of the previous record's bytes, first 16 bytes
//	29      n     payload
//
// The CRC covers the version, index, prevHash and payload, so a record that
// is moved, truncated or altered fails on its own; the chain makes removing,
// reordering or rewriting whole records detectable from the next record on.
const (
	recordVersion = 1
	crcSize       = 4
	HashSize      = 16
	headerSize    = crcSize + 1 + 8 + HashSize

	offVersion = crcSize
	offIndex   = offVersion + 1
	offPrev    = offIndex + 8
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Hash is a record's chain hash: the SHA-256 of its full encoded bytes,
// truncated to 16 bytes. 128 bits keep a second preimage, which is what
// forging a record would need, out of reach while halving the overhead.
type Hash [HashSize]byte

func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// Record is a decoded journal record. Payload aliases the decoded bytes.
type Record struct {
	Index    uint64
	PrevHash Hash
	Payload  []byte
}

// DecodeRecord parses and checks one encoded record. It verifies length,
// version and checksum; whether Index and PrevHash fit the records around it
// is for the caller to judge. The returned Payload aliases b.
func DecodeRecord(b []byte) (Record, error) {
	if len(b) < headerSize {
		return Record{}, fmt.Errorf("%w: %d bytes, header needs %d", ErrShortRecord, len(b), headerSize)
	}
	if v := b[offVersion]; v != recordVersion {
		return Record{}, fmt.Errorf("%w: version %d, want %d", ErrUnknownVersion, v, recordVersion)
	}
	want := binary.BigEndian.Uint32(b)
	if got := crc32.Checksum(b[crcSize:], castagnoli); got != want {
		return Record{}, fmt.Errorf("%w: computed %08x, stored %08x", ErrChecksum, got, want)
	}
	r := Record{Index: binary.BigEndian.Uint64(b[offIndex:]), Payload: b[headerSize:]}
	copy(r.PrevHash[:], b[offPrev:headerSize])
	return r, nil
}

// appendRecord encodes a record at the end of dst and returns the extended
// slice.
func appendRecord(dst []byte, index uint64, prev Hash, payload []byte) []byte {
	start := len(dst)
	var hdr [headerSize]byte
	hdr[offVersion] = recordVersion
	binary.BigEndian.PutUint64(hdr[offIndex:], index)
	copy(hdr[offPrev:], prev[:])
	dst = append(dst, hdr[:]...)
	dst = append(dst, payload...)
	rec := dst[start:]
	binary.BigEndian.PutUint32(rec, crc32.Checksum(rec[crcSize:], castagnoli))
	return dst
}

// hashRecord returns the chain hash of an encoded record.
func hashRecord(raw []byte) Hash {
	sum := sha256.Sum256(raw)
	var h Hash
	copy(h[:], sum[:HashSize])
	return h
}

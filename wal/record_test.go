package wal

import (
	"bytes"
	"errors"
	"testing"
)

func TestRecordRoundTrip(t *testing.T) {
	prev := Hash{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	f := func(index uint64, payload []byte) {
		t.Helper()
		raw := appendRecord([]byte("prefix"), index, prev, payload)[len("prefix"):]
		if len(raw) != headerSize+len(payload) {
			t.Fatalf("encoded %d bytes; want %d", len(raw), headerSize+len(payload))
		}
		rec, err := DecodeRecord(raw)
		if err != nil {
			t.Fatalf("DecodeRecord: %v", err)
		}
		if rec.Index != index || rec.PrevHash != prev || !bytes.Equal(rec.Payload, payload) {
			t.Fatalf("got %d %s %q; want %d %s %q", rec.Index, rec.PrevHash, rec.Payload, index, prev, payload)
		}
	}
	f(1, nil)
	f(2, []byte{})
	f(3, []byte(`{"kind":"JobEnqueued"}`))
	f(1<<63+5, bytes.Repeat([]byte{0xAB}, 100_000))
}

func TestDecodeRecordErrors(t *testing.T) {
	good := appendRecord(nil, 7, Hash{9}, []byte("payload"))
	flip := func(at int) []byte {
		b := bytes.Clone(good)
		b[at] ^= 0x01
		return b
	}
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrShortRecord},
		{"header cut", good[:headerSize-1], ErrShortRecord},
		{"payload cut", good[:len(good)-1], ErrChecksum},
		{"crc flipped", flip(0), ErrChecksum},
		{"version changed", flip(offVersion), ErrUnknownVersion},
		{"index flipped", flip(offIndex + 7), ErrChecksum},
		{"prev hash flipped", flip(offPrev + 3), ErrChecksum},
		{"payload flipped", flip(len(good) - 1), ErrChecksum},
		{"zeros", make([]byte, 64), ErrUnknownVersion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeRecord(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v; want %v", err, tt.want)
			}
		})
	}
}

func TestHashRecordChains(t *testing.T) {
	a := appendRecord(nil, 1, Hash{}, []byte("a"))
	b := appendRecord(nil, 2, hashRecord(a), []byte("a"))
	if hashRecord(a) == hashRecord(b) {
		t.Fatal("records with different index share a hash")
	}
	if hashRecord(a) != hashRecord(bytes.Clone(a)) {
		t.Fatal("hash is not a function of the bytes")
	}
	if rec, _ := DecodeRecord(b); rec.PrevHash != hashRecord(a) {
		t.Fatalf("prev hash %s; want %s", rec.PrevHash, hashRecord(a))
	}
}

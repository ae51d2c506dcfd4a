package wal

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecodeRecord checks that DecodeRecord never panics, that anything it
// accepts re-encodes to the same bytes, and that rejections name a reason.
// The seed corpus runs under plain go test.
func FuzzDecodeRecord(f *testing.F) {
	valid := appendRecord(nil, 42, Hash{0xFF, 1}, []byte(`{"kind":"JobEnqueued","id":"j-1"}`))
	f.Add(valid)
	f.Add(appendRecord(nil, 1, Hash{}, nil))
	f.Add(valid[:headerSize])
	f.Add(valid[:headerSize-1])
	f.Add(make([]byte, headerSize+8))
	f.Add([]byte{})
	corrupted := bytes.Clone(valid)
	corrupted[headerSize+2] ^= 0x80
	f.Add(corrupted)
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := DecodeRecord(b)
		if err != nil {
			if !errors.Is(err, ErrShortRecord) && !errors.Is(err, ErrUnknownVersion) && !errors.Is(err, ErrChecksum) {
				t.Fatalf("error %v names no known reason", err)
			}
			return
		}
		again := appendRecord(nil, rec.Index, rec.PrevHash, rec.Payload)
		if !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs:\n got %x\nwant %x", again, b)
		}
	})
}

package actors

import (
	"crypto/rand"
	"fmt"
)

// NewUUID returns a random (version 4) UUID string. Job ids are UUIDs as in
// the reference, so existing clients that parse them keep working.
func NewUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand never fails on supported platforms; if it does,
		// continuing would hand out predictable ids.
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

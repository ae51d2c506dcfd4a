package httpd

import "github.com/dispatchoor/dispatchoor/actors"

// The live state must satisfy the interface the handlers are written
// against.
var _ Service = (*actors.System)(nil)

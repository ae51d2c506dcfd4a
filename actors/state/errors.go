package state

import (
	"errors"
	"fmt"
)

// Sentinel kinds of command failure. Callers map them to HTTP statuses with
// errors.Is; the message of the wrapping error is what the user sees.
var (
	// ErrNotFound: the job, group or template does not exist (404).
	ErrNotFound = errors.New("not found")
	// ErrInvalid: the command is malformed or not allowed in the current
	// state (400).
	ErrInvalid = errors.New("invalid")
)

// notFound builds an error that matches ErrNotFound and reads naturally.
func notFound(format string, args ...any) error {
	return &kindError{kind: ErrNotFound, msg: fmt.Sprintf(format, args...)}
}

// invalid builds an error that matches ErrInvalid.
func invalid(format string, args ...any) error {
	return &kindError{kind: ErrInvalid, msg: fmt.Sprintf(format, args...)}
}

type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string        { return e.msg }
func (e *kindError) Is(target error) bool { return target == e.kind }

// NotFoundf builds an error matching ErrNotFound whose text is exactly the
// formatted message (no ": not found" suffix), for callers outside Decide.
func NotFoundf(format string, args ...any) error { return notFound(format, args...) }

// Invalidf builds an error matching ErrInvalid whose text is exactly the
// formatted message.
func Invalidf(format string, args ...any) error { return invalid(format, args...) }

//go:build !unix

package wal

// dirLock is a no-op where flock is unavailable; dispatchoor deploys on
// Unix, and this file only keeps the package building elsewhere.
type dirLock struct{}

func lockDir(string) (*dirLock, error) { return &dirLock{}, nil }

func (*dirLock) release() error { return nil }

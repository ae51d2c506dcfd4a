package httpd

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// stateKeyLen is the size of a per-deployment state key.
const stateKeyLen = 32

// LoadOrCreateStateKey reads the per-deployment key that, with the client
// secret, signs GitHub sign-in states (OAuthOptions.StateKey), creating it
// with 32 random bytes (mode 0600) on first use. Nodes of a cluster accept
// each other's states only if they hold the same file, so copy it to every
// node.
func LoadOrCreateStateKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	switch {
	case err == nil:
		if len(key) != stateKeyLen {
			return nil, fmt.Errorf("oauth state key %s: %d bytes, want %d", path, len(key), stateKeyLen)
		}
		return key, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read oauth state key: %w", err)
	}
	key = make([]byte, stateKeyLen)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("oauth state key: %w", err)
	}
	// Written to a temporary file and linked into place, so a crash never
	// leaves a short key behind, and two processes starting together end
	// up with the same key rather than overwriting each other's.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".oauth-state-key-*")
	if err != nil {
		return nil, fmt.Errorf("create oauth state key: %w", err)
	}
	defer os.Remove(tmp.Name()) // the temporary name only; the link stays
	if _, err := tmp.Write(key); err != nil {
		_ = tmp.Close()
		return nil, fmt.Errorf("write oauth state key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return nil, fmt.Errorf("sync oauth state key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("close oauth state key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Another process created it first: use theirs.
			return LoadOrCreateStateKey(path)
		}
		return nil, fmt.Errorf("install oauth state key: %w", err)
	}
	return key, nil
}

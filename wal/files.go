package wal

import (
	"fmt"
	"os"
	"path/filepath"
)

const filePerm = 0o640

// syncDir fsyncs a directory so that files created, renamed or removed in it
// survive a crash; fsyncing the files alone does not cover their names.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	return nil
}

// writeFileAtomic replaces dir/name with the given parts: it writes a temp
// file, fsyncs it, renames it over the target and fsyncs dir. A crash leaves
// either the old file or the new one, never a mix; at worst a stale temp
// file stays behind.
func writeFileAtomic(dir, name string, parts ...[]byte) error {
	path := filepath.Join(dir, name)
	tmp := path + ".tmp"
	if err := writeAndSync(tmp, parts); err != nil {
		_ = os.Remove(tmp) // best effort: a stale temp file is harmless
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("rename %s: %w", tmp, err)
	}
	return syncDir(dir)
}

func writeAndSync(path string, parts [][]byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, filePerm)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	for _, p := range parts {
		if _, err := f.Write(p); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return nil
}

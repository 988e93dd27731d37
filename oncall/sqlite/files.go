package sqlite

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

const (
	dbFileMode = 0o660 // members share the file through a group, never the world
	dbDirMode  = 0o770
)

// createDBFile creates path (and its immediate parent directory) if missing
// and reports whether it did. The modes are set with chmod after creation
// because the umask could otherwise strip the group write bit.
func createDBFile(path string) (bool, error) {
	if _, err := os.Stat(path); err == nil {
		return false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	if err := ensureDir(filepath.Dir(path)); err != nil {
		return false, err
	}
	// O_EXCL: when two processes race on a fresh path only one creates (and
	// chmods) it; the other just opens what is there.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, dbFileMode)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := f.Chmod(dbFileMode); err != nil {
		f.Close()
		return false, err
	}
	return true, f.Close()
}

// ensureDir creates dir with mode 0770 if it is missing. Its own missing
// ancestors (e.g. ~/.local/share) get ordinary 0755-minus-umask: making those
// group-writable would open the home directory to the group.
func ensureDir(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	err := os.Mkdir(dir, dbDirMode)
	if errors.Is(err, fs.ErrExist) {
		return nil // another process made it first; its mode is its business
	}
	if err != nil {
		return err
	}
	return os.Chmod(dir, dbDirMode)
}

// fixSidecarModes gives the WAL and shared-memory files the database file's
// group bits. SQLite already copies the main file's mode when it creates
// them; this makes sure of it and creates a missing -wal early (an empty WAL
// file is valid) so the first one is never made by another user's umask.
func fixSidecarModes(path string) error {
	for _, suffix := range []string{"-wal", "-shm"} {
		p := path + suffix
		if suffix == "-wal" {
			f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, dbFileMode)
			if err != nil {
				return err
			}
			f.Close()
		}
		if err := os.Chmod(p, dbFileMode); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

package meta

import (
	"errors"
	"fmt"
)

// ErrNotFound reports that a stream, shard, consumer, policy, setting or
// index entry does not exist. Errors returned by a Tx wrap it with context.
var ErrNotFound = errors.New("not found")

// ErrExists reports that a stream, StreamId or ARN that must be new is
// already in the catalog.
var ErrExists = errors.New("already exists")

// FormatVersionError reports a catalog written by a newer eddy. The catalog
// is left untouched.
type FormatVersionError struct {
	Path      string
	Found     uint32 // the version in the file
	Supported uint32 // the newest version this build reads
}

func (e *FormatVersionError) Error() string {
	return fmt.Sprintf("meta: catalog %s has format version %d but this eddy supports up to version %d; use a newer eddy",
		e.Path, e.Found, e.Supported)
}

// FormatError reports a bbolt file that is not an eddy catalog, or whose
// meta bucket is damaged.
type FormatError struct {
	Path   string
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("meta: %s is not a usable eddy catalog: %s", e.Path, e.Reason)
}

// CorruptError reports a value in the catalog that does not decode. It names
// the bucket path and key so the damage can be located.
type CorruptError struct {
	Bucket string // slash-separated bucket path, e.g. "ns/123456789012/us-east-1/streams/orders"
	Key    []byte
	Err    error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("meta: corrupt value at %s key %q: %v", e.Bucket, e.Key, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

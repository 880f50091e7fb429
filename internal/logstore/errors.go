package logstore

import (
	"errors"
	"fmt"
)

var (
	// ErrLogNotFound reports a log id that does not exist (never created, or deleted).
	ErrLogNotFound = errors.New("logstore: log not found")
	// ErrLogClosed reports an append to a log closed by CloseLog.
	ErrLogClosed = errors.New("logstore: log is closed")
	// ErrStoreClosed reports a call on a Store after Close.
	ErrStoreClosed = errors.New("logstore: store is closed")
	// ErrDiskFull reports that an append could not be written because the
	// filesystem is out of space. Nothing of the failed call was kept; the
	// store accepts appends again once space frees.
	ErrDiskFull = errors.New("logstore: disk full")
	// ErrReadOnly reports that the store stopped accepting writes after an
	// fsync or write error whose outcome on disk is unknown. Reads still work;
	// a restart (which recovers from the journal) is needed to write again.
	ErrReadOnly = errors.New("logstore: store is read-only after an I/O error")
	// ErrInvalidRecord reports a record that breaks a shape rule (partition
	// key length, explicit hash key length).
	ErrInvalidRecord = errors.New("logstore: invalid record")
	// ErrInvalidArgument reports a bad argument (retention, read bounds).
	ErrInvalidArgument = errors.New("logstore: invalid argument")
)

// RecordTooLargeError reports an entry whose partition key + explicit hash
// key + data exceed Options.MaxRecordBytes. Nothing of the call was written.
type RecordTooLargeError struct {
	Batch, Entry int // indexes into the Append call's batches and the batch's entries
	Size, Max    int
}

func (e *RecordTooLargeError) Error() string {
	return fmt.Sprintf("logstore: record %d of batch %d is %d bytes, more than the %d allowed", e.Entry, e.Batch, e.Size, e.Max)
}

// BatchTooLargeError reports an Append call whose records add up to more
// than Options.MaxAppendBytes. Nothing of the call was written.
type BatchTooLargeError struct {
	Size, Max int
}

func (e *BatchTooLargeError) Error() string {
	return fmt.Sprintf("logstore: append of %d bytes exceeds the %d allowed per call", e.Size, e.Max)
}

// CorruptionError describes damaged or missing data. Log is 0 and the range is
// empty when the damage cannot be attributed (for example a damaged journal
// frame whose contents are unreadable). FirstLost/LastLost are record numbers
// (inclusive) when known, 0 otherwise.
type CorruptionError struct {
	Log       LogID
	FirstLost uint64
	LastLost  uint64
	File      string
	Offset    int64
	Reason    string
}

func (e *CorruptionError) Error() string {
	s := "logstore: corruption"
	if e.Log != 0 {
		s += fmt.Sprintf(" in log %d", e.Log)
	}
	if e.FirstLost != 0 || e.LastLost != 0 {
		s += fmt.Sprintf(", records %d..%d lost", e.FirstLost, e.LastLost)
	}
	if e.File != "" {
		s += fmt.Sprintf(" (%s at offset %d)", e.File, e.Offset)
	}
	return s + ": " + e.Reason
}

// FormatVersionError reports a file written in a format version this build
// does not know (typically by a newer eddy).
type FormatVersionError struct {
	File      string
	Found     uint16
	Supported uint16
}

func (e *FormatVersionError) Error() string {
	return fmt.Sprintf("logstore: %s has format version %d; this build supports version %d (written by a newer eddy?)", e.File, e.Found, e.Supported)
}

// JournalCorruptionError is returned by Open when the journal is damaged
// before its last frame (so it is not a torn tail) and Options.Salvage is not
// set. Affected lists what could be determined about lost records.
type JournalCorruptionError struct {
	File     string
	Offset   int64
	Reason   string
	Affected []*CorruptionError
}

func (e *JournalCorruptionError) Error() string {
	s := fmt.Sprintf("logstore: journal %s damaged at offset %d: %s; refusing to open (set Salvage to open and record the damage)", e.File, e.Offset, e.Reason)
	for _, a := range e.Affected {
		s += fmt.Sprintf("; log %d records %d..%d", a.Log, a.FirstLost, a.LastLost)
	}
	return s
}

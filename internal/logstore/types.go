package logstore

import "time"

// LogID identifies a log node-wide; the catalog assigns it. 0 is not a valid id.
type LogID uint64

// LogConfig configures a log at creation.
type LogConfig struct {
	// Retention is how long records stay readable after their arrival.
	// Any positive duration is accepted; 0 means the default of 24 hours.
	Retention time.Duration
}

// DefaultRetention applies when LogConfig.Retention is 0.
const DefaultRetention = 24 * time.Hour

// Entry is one record to append.
type Entry struct {
	PartitionKey    []byte // 1..768 bytes (256 UTF-16 code units of UTF-8)
	ExplicitHashKey []byte // nil or 16 bytes (big-endian 128-bit)
	Data            []byte // 0..MaxRecordBytes - keys
	Flags           uint8  // opaque to the log
}

// Batch is a run of entries for one log; they receive consecutive record
// numbers and the same arrival timestamp.
type Batch struct {
	Log     LogID
	Entries []Entry
}

// Appended is the outcome of one Batch.
type Appended struct {
	First     uint64 // record number of Entries[0]; the rest follow consecutively
	Timestamp int64  // arrival time, unix ms, shared by the batch's records
	Err       error  // ErrLogNotFound or ErrLogClosed; nothing of this batch was written
}

// Record is a stored record. Its slices alias immutable internal buffers:
// callers must not modify them; they stay valid as long as referenced.
type Record struct {
	Number          uint64
	Timestamp       int64
	PartitionKey    []byte
	ExplicitHashKey []byte
	Data            []byte
	Flags           uint8
}

// ReadResult is what Read returns.
type ReadResult struct {
	Records       []Record
	Next          uint64 // after the last returned record, or the effective start when none
	Tail          uint64 // the next record number to be written
	TailTimestamp int64  // arrival of the newest record, ms; 0 if none
	Closed        bool   // the log is closed and Next == Tail: nothing more will come
}

// LogInfo describes a log.
type LogInfo struct {
	ID            LogID
	Closed        bool
	TrimHorizon   uint64 // first retained record number (== Tail if none)
	Tail          uint64
	TailTimestamp int64
	Retention     time.Duration
	BytesOnDisk   int64
	Damage        []*CorruptionError
}

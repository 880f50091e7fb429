package meta

import (
	"time"

	"github.com/eddy-streams/eddy/internal/hashkey"
)

// Namespaces: every stream lives in a namespace, an opaque non-empty string
// chosen by the caller. eddy uses "ACCOUNT/REGION", e.g.
// "123456789012/us-east-1". The catalog only requires that it is not empty.

// Stream is a stream's catalog record. Enumerated fields (Status, Mode,
// EncryptionType, ...) hold the Kinesis wire values as strings ("ACTIVE",
// "ON_DEMAND", "KMS"); the catalog stores them without interpreting them.
type Stream struct {
	Namespace string // from the key; not stored in the value
	Name      string // from the key; not stored in the value

	ARN string // set at creation, immutable; indexed (Tx.Resolve)
	// ID is AWS's StreamId ([a-z0-9]{20}-[a-z0-9]{3}); CreateStream generates
	// it when empty. Immutable; indexed (Tx.StreamByID).
	ID string
	// Incarnation distinguishes this stream from earlier streams of the same
	// name; sequence numbers embed it. 40 bits, never 0; CreateStream
	// generates it when 0.
	Incarnation uint64

	Status      string    // CREATING, ACTIVE, UPDATING, DELETING
	StatusUntil time.Time // when the pending status transition completes (zero if none)
	Created     time.Time

	Mode        string      // PROVISIONED or ON_DEMAND
	ModeChanges []time.Time // history of mode changes, for rolling-window limits

	RetentionHours    int
	EncryptionType    string // NONE or KMS
	KeyID             string
	ShardLevelMetrics []string // enhanced monitoring metric names, in the caller's order
	MaxRecordSizeKiB  int

	WarmThroughput WarmThroughput

	// Tags are stored sorted by key, so encoding is deterministic.
	Tags map[string]string

	// NextShardIndex is the index the next new shard gets (shardId-%012d).
	NextShardIndex uint64
	// ShardCountUpdates is the history of UpdateShardCount calls (and other
	// rescalings the caller wants to count), for rolling-window limits.
	ShardCountUpdates []time.Time
	// Resharding is an opaque description of a resharding in progress, owned
	// by the caller (nil when none).
	Resharding []byte
}

// WarmThroughput is an on-demand stream's warm throughput setting.
type WarmThroughput struct {
	TargetMiBps  int
	CurrentMiBps int
	Status       string
}

// Shard is one shard of a stream.
type Shard struct {
	Index uint64 // shardId-%012d; the key
	// LogID names the shard's log in the log store; allocated by
	// Tx.NextLogID, never reused, and fixed for the life of the shard.
	LogID           uint64
	StartingHashKey hashkey.Key
	EndingHashKey   hashkey.Key

	HasParent           bool
	ParentIndex         uint64
	HasAdjacentParent   bool
	AdjacentParentIndex uint64

	Created time.Time
	Closed  bool
	// ClosedAt is when the shard stopped taking appends.
	ClosedAt time.Time
	// EndingRecord is the number of the last record of a closed shard in its
	// log (0 if the shard closed empty).
	EndingRecord uint64
}

// Consumer is an enhanced fan-out consumer of a stream.
type Consumer struct {
	StreamName string // from the key
	Name       string // from the key

	// ARN is arn:aws:kinesis:REGION:ACCOUNT:stream/NAME/consumer/CONSUMER:EPOCH;
	// indexed (Tx.Resolve).
	ARN         string
	Status      string // CREATING, ACTIVE, DELETING
	Created     time.Time
	StatusUntil time.Time // when the pending status transition completes
	Tags        map[string]string
}

// AccountSettings are the per-namespace settings of DescribeAccountSettings.
type AccountSettings struct {
	MinimumThroughputBillingCommitment BillingCommitment
}

// BillingCommitment is the MinimumThroughputBillingCommitment state.
type BillingCommitment struct {
	Status               string // ENABLED, DISABLED, ENABLED_UNTIL_EARLIEST_ALLOWED_END
	StartedAt            time.Time
	EndedAt              time.Time
	EarliestAllowedEndAt time.Time
}

// Ref names what an index entry points at: a stream, or a consumer of a
// stream when Consumer is not empty.
type Ref struct {
	Namespace string
	Stream    string
	Consumer  string
}

package logstore

import (
	"log/slog"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/eddy-streams/eddy/internal/clock"
	"github.com/eddy-streams/eddy/internal/vfs"
)

// Durability selects when an append is acknowledged.
type Durability int

const (
	// SyncEachCommit acknowledges an append only after the journal write that
	// holds it has been fsynced (shared by every append in the group commit).
	SyncEachCommit Durability = iota
	// SyncInterval acknowledges an append once it is written to the journal
	// (in the OS page cache) and fsyncs the journal every SyncInterval. A
	// power loss or kernel crash can lose records acknowledged during the
	// last interval; a process crash cannot.
	SyncInterval
)

func (d Durability) String() string {
	switch d {
	case SyncEachCommit:
		return "sync-each-commit"
	case SyncInterval:
		return "sync-interval"
	}
	return "unknown"
}

// Options configure a Store. Zero values take the defaults listed per field.
type Options struct {
	FS      vfs.FS       // required
	Dir     string       // required: the store's directory (created if missing)
	Clock   clock.Clock  // default clock.Real
	Logger  *slog.Logger // default: discard
	Metrics *metrics.Set // default: a private set

	Durability   Durability
	SyncInterval time.Duration // SyncInterval mode only; default 50ms

	MaxRecordBytes int // partition key + hash key + data per record; default 10 MiB + 272
	MaxAppendBytes int // sum over one Append call; default 32 MiB

	SegmentBytes  int64         // seal a segment once it holds this much; default 64 MiB
	SegmentMaxAge time.Duration // seal a segment whose first record is older; default 15 min
	IndexInterval int           // bytes of records between sparse index entries; default 16 KiB

	JournalSegmentBytes int64 // rotate journal files at this size; default 64 MiB
	// JournalSpares is how many journal files are kept ready for reuse
	// (old ones recycled after checkpoints, or zero-filled in the
	// background at Open): writing over existing bytes makes each commit's
	// fdatasync cheaper. Default 2; negative for none.
	JournalSpares      int
	CheckpointInterval time.Duration // default 1 min
	CheckpointBytes    int64         // checkpoint when this much journal accumulated; default 256 MiB

	// TailMemoryBytes bounds the records held in memory for tails. Records
	// not yet written to segments count against it; when they alone exceed
	// it, appends wait for the flusher. Default 64 MiB.
	TailMemoryBytes int64
	// TailKeepBytes is how much of each log's newest, already flushed records
	// stay in memory for tail reads, at most; the logs written together
	// share half of TailMemoryBytes for this. Default 1 MiB.
	TailKeepBytes int64
	// IdleAfter drops the in-memory tail of a log not appended to for this
	// long, so idle logs cost little memory. Default 1 min.
	IdleAfter time.Duration

	MaxOpenFiles    int           // segment and index descriptors kept open; default 512
	IndexCacheBytes int64         // sparse indexes of segments kept in memory; default 64 MiB
	SweepInterval   time.Duration // retention sweep and age sealing; default 1 min
	GroupMaxBytes   int           // a group commit stops taking appends past this size; default 16 MiB

	// Salvage makes Open proceed past a damaged journal (not a torn tail):
	// the damage is recorded (Damage, Info, reads of the lost range) instead
	// of failing Open.
	Salvage bool
}

const (
	defaultMaxRecordBytes = 10<<20 + 256 + 16
	defaultMaxAppendBytes = 32 << 20
)

func (o *Options) setDefaults() {
	if o.Clock == nil {
		o.Clock = clock.Real
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Metrics == nil {
		o.Metrics = metrics.NewSet()
	}
	def := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	defi := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defd := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	defd(&o.SyncInterval, 50*time.Millisecond)
	defi(&o.MaxRecordBytes, defaultMaxRecordBytes)
	defi(&o.MaxAppendBytes, defaultMaxAppendBytes)
	def(&o.SegmentBytes, 64<<20)
	defd(&o.SegmentMaxAge, 15*time.Minute)
	defi(&o.IndexInterval, 16<<10)
	def(&o.JournalSegmentBytes, 64<<20)
	if o.JournalSpares == 0 {
		o.JournalSpares = 2
	}
	o.JournalSpares = max(o.JournalSpares, 0)
	defd(&o.CheckpointInterval, time.Minute)
	def(&o.CheckpointBytes, 256<<20)
	def(&o.TailMemoryBytes, 64<<20)
	def(&o.TailKeepBytes, 1<<20)
	defd(&o.IdleAfter, time.Minute)
	defi(&o.MaxOpenFiles, 512)
	def(&o.IndexCacheBytes, 64<<20)
	defd(&o.SweepInterval, time.Minute)
	defi(&o.GroupMaxBytes, 16<<20)
}

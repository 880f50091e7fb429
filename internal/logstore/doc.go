// Package logstore is eddy's durable shard log: a node-wide store of
// append-only record logs, each identified by a LogID that the catalog
// assigns. The store knows nothing of streams, shards or Kinesis; it keeps
// records at dense record numbers 1, 2, 3, ... and serves appends, reads,
// timestamp seeks, waits for new records, closing, retention and deletion.
//
// Shape (docs/design/storage.md has the reasoning and the measurements):
//
//   - Appends from any number of logs are encoded into one group-commit
//     buffer and written to a node-wide write-ahead journal, then fsynced
//     once for the whole group. Nothing is acknowledged before that fsync
//     (unless Options.Durability is SyncInterval).
//   - The committed group buffer is immutable; each log's in-memory tail
//     references slices of it (no copy). Tail reads decode from there.
//   - A background flusher writes those same bytes, unchanged, into the
//     log's active segment file, and appends sparse index entries (record
//     number, timestamp, offset) to the segment's index file. Segments are
//     sealed by size or age; retention deletes whole expired segments.
//   - A checkpoint fsyncs the segments and index files written since the
//     last one and records, per log, which segments hold which records and
//     where journal replay starts; older journal files are then deleted.
//   - Open replays the journal from the last checkpoint. A torn tail of the
//     journal is truncated; anything else that is damaged is reported as a
//     *CorruptionError naming the log and the lost record range.
//
// The on-disk formats are specified in docs/format/{journal,segment,index,
// checkpoint}.md.
package logstore

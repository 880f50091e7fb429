// Package meta is eddy's catalog: the durable, transactional record of every
// stream, shard, consumer, resource policy and account setting, kept in one
// bbolt file.
//
// The catalog stores; it does not decide. Kinesis rules (status transitions,
// limits, validation, ARN formats, error types) live in internal/streams,
// which reads and writes the catalog through View and Update. Every Update is
// one atomic bbolt transaction, fsynced before it returns: a failing Update
// changes nothing, and a successful one survives a crash.
//
// Layout (buckets, keys and value encodings) is specified in
// docs/format/catalog.md. Values use a small versioned binary encoding
// (codec.go, values.go) rather than JSON: loading a stream with 10,000 shards
// decodes 10,000 fixed-size shard records, and that has to stay cheap.
//
// Two rules callers must follow:
//
//   - Values returned by a Tx are copies: they stay valid after the
//     transaction ends, and changing them changes nothing until they are put
//     back inside an Update.
//   - A LogID handed out by NextLogID inside an Update that fails is handed
//     out again by a later Update. Create the shard's log in the log store only
//     after the Update that allocated its LogID has returned nil. LogIDs of
//     deleted shards and streams are queued (DeadLogs) so that their logs can
//     be deleted after the commit, and again after a crash.
package meta

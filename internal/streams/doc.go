// Package streams implements the Kinesis Data Streams API: stream and shard
// lifecycle, routing records to shards by hash key, sequence numbers, shard
// iterators, reads, resharding, consumers and fan-out.
//
// Each API operation lives in its own file (putrecords.go, getrecords.go, ...)
// opening with a short comment on what it supports. The Service type
// implements kinesisapi.API; the HTTP handlers and every other eddy service
// (Firehose, SQL, functions, console) use that same Go interface.
package streams

// Package bench is the engine of `eddy bench`: a lean Kinesis load generator
// that also proves integrity.
//
// Producers send PutRecords (or PutRecord) over a small hand-written
// HTTP/1.1 client: request bodies are appended into reused buffers, the
// base64 of each record's constant filler is computed once, connections are
// kept alive, and the SigV4 Authorization header is computed once per second
// per connection. No AWS SDK is on the hot path, so the generator spends far
// less CPU per record than the server it measures.
//
// Every record carries a header (run, producer, per-producer counter, send
// time, partition-key hash, size, CRC32C) inside its data. Producers keep an
// acknowledgement table per producer (shard and a hash of the sequence
// number of every acknowledged record, and which entries were retried or had
// an attempt with an unknown outcome); consumers (GetRecords polling or
// SubscribeToShard) keep a read log per shard. At the end the Verifier joins
// the two and reports every missing, duplicated, reordered, corrupted or
// unexpected record precisely. The same tables can be saved to an ack log and
// checked later against a whole stream (`eddy bench verify`).
package bench

// Package codec is the runtime that generated API packages (such as
// internal/kinesisapi) call to read and write request and response bodies in
// the AWS JSON 1.1 and CBOR encodings, and to report model constraint
// violations the way AWS does.
//
// Everything here is built for straight-line generated code: no reflection,
// sticky errors (a decoder stops at its first error and every later call is
// a cheap no-op), writers that append to a caller's buffer, and decoded
// strings and blobs of list elements carved out of one allocation per request
// (see JSONDecoder.StringSlab) so that a 500-record PutRecords body costs a
// handful of allocations rather than a few per record.
//
// Error texts follow AWS (the Coral framework behind Kinesis): see
// internal/kinesisapi/VALIDATION.md for the facts and their sources.
package codec

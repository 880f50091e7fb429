// Package kinesisapi is the Kinesis Data Streams API as Go types, generated
// from AWS's API model by internal/tools/apigen (see generate.go).
//
// For every structure of the model there is a Go struct with the model's
// member names. Required scalar members are plain values; optional ones are
// pointers (nil when absent). Blobs are []byte (nil when absent), lists are
// slices (nil when absent, empty when sent empty), maps are maps, nested
// structures are pointers, enums are string types with constants. Every
// structure can be decoded from and encoded to both AWS wire encodings (JSON
// 1.1 and CBOR, see awsproto.Encoding) with DecodeAWS and AppendAWS, and
// every operation input has Validate, which reports the model's constraint
// violations in AWS's words (see VALIDATION.md).
//
// API has one method per operation; NewService binds an implementation to
// the awsproto handler. Event-stream operations (SubscribeToShard) receive
// an awsproto.EventSender; the event shapes implement awsproto.Output and
// SendSubscribeToShardEvent sends one.
//
// Decoded strings and blobs of list elements (the records of PutRecords) share
// one allocation per request. A handler that keeps such a value beyond the
// request (rather than copying it into storage) keeps that whole allocation
// alive and should copy it (strings.Clone, bytes.Clone).
package kinesisapi

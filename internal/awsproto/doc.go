// Package awsproto speaks the AWS wire protocols so that service handlers
// never touch bytes.
//
// It owns: the JSON 1.1 and CBOR body codecs used by generated API shapes,
// dispatch on the X-Amz-Target header, SigV4 header and presigned-query
// parsing (the caller's account and region), the error envelope and the one
// catalog of wire exceptions (type, HTTP status, retryable) shared by the
// server and eddy's clients, and event-stream framing for push APIs such as
// SubscribeToShard.
//
// Services register typed operations (see Operation); generated packages such
// as internal/kinesisapi provide the shapes and the glue.
package awsproto

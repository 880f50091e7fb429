// Package e2e holds end-to-end tests of the Kinesis Data Streams API: a
// complete eddy node (internal/testenv: real log store, catalog and HTTP
// server) driven by the AWS SDK for Go v2 over HTTP/1.1, h2c and TLS h2, and
// by raw JSON and CBOR requests where the SDK would hide the wire (exact
// error bodies, validation the SDK does client-side, CBOR encodings).
//
// The expected behaviour is AWS's, as researched in the project's Kinesis
// behaviour notes; where eddy deliberately differs or AWS's wording is not
// public, the test says so in a comment and checks eddy's own behaviour.
// The package has no non-test code.
package e2e

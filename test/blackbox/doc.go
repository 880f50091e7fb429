// Package blackbox tests the built eddy binary from the outside with the
// clients people use against Kinesis: the AWS CLI, boto3 and the AWS SDK for
// JavaScript v3 (over HTTP/1.1, cleartext HTTP/2 and HTTP/2 over TLS).
//
// TestMain builds cmd/eddy with `go build`; each client test starts its own
// `eddy serve` on loopback ports in a temporary data directory, drives it
// with the real client in a hermetic environment (no inherited AWS_*
// variables, dummy credentials, no shared config files) and checks what the
// client saw. The scripts the clients run live in python/ and js/; each
// prints a JSON summary that Go checks judge, so the clients are held to
// one set of expectations. Where one client must act while another runs
// (boto3 writing while the AWS CLI reshards, or while it turns encryption
// on and off), the script is steered line by line: the test writes a
// command to its stdin and reads one JSON answer (lineClient).
//
// What is covered: the stream operations (session_test.go, awscli_test.go),
// enhanced fan-out with boto3 over HTTP/1.1 and with the JavaScript SDK
// over h2c and TLS h2 (efo_test.go, efo_javascript_test.go), resharding
// with lineage-following reads and every ListShards filter
// (reshard_test.go), capacity modes (awscli_modes_test.go), encryption at
// rest down to the bytes in the data directory (encryption_test.go), and
// AWS's per-shard quotas under --limits aws (limits_test.go).
//
// Clients are found through $EDDY_AWS_CLI and $EDDY_PYTHON (else `aws` and
// `python3` on PATH) and $EDDY_NODE (else `node` on PATH), with
// js/node_modules installed by
// `npm ci`. A missing client skips its test, unless EDDY_BLACKBOX_REQUIRE=1
// (set by CI), which turns the skip into a failure.
//
// There is no non-test code here: this file only documents the package.
package blackbox

// Package blackbox tests the built eddy binary from the outside with the
// clients people use against Kinesis: the AWS CLI, boto3 and the AWS SDK for
// JavaScript v3 (over HTTP/1.1, cleartext HTTP/2 and HTTP/2 over TLS).
//
// TestMain builds cmd/eddy with `go build`; each client test starts its own
// `eddy serve` on loopback ports in a temporary data directory, drives it
// with the real client in a hermetic environment (no inherited AWS_*
// variables, dummy credentials, no shared config files) and checks what the
// client saw. The scripts the clients run live in python/ and js/; both
// print a JSON summary that the same Go checks judge, so the two SDKs are
// held to one set of expectations.
//
// Clients are found through $EDDY_AWS_CLI and $EDDY_PYTHON (else `aws` and
// `python3` on PATH) and $EDDY_NODE (else `node` on PATH), with
// js/node_modules installed by
// `npm ci`. A missing client skips its test, unless EDDY_BLACKBOX_REQUIRE=1
// (set by CI), which turns the skip into a failure.
//
// There is no non-test code here: this file only documents the package.
package blackbox

// Package archtest holds tests that keep eddy's architecture honest: which
// packages may import which, and that only cmd/ reads flags and the
// environment. It has no non-test code.
package archtest

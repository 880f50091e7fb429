package awsproto

import (
	"errors"
	"fmt"
)

// Exception is one kind of error as it appears on the wire.
type Exception struct {
	// Type is the __type sent to clients, e.g. "ResourceNotFoundException".
	Type string
	// Status is the HTTP status code AWS uses for it.
	Status int
	// Retryable reports whether AWS SDKs retry it (throttles and faults).
	Retryable bool
}

// The catalog of wire exceptions. Server and clients use these values; add
// new ones here rather than spelling type strings at call sites.
var (
	// Kinesis Data Streams (and shared with other services).
	AccessDenied                  = &Exception{"AccessDeniedException", 400, false}
	ExpiredIterator               = &Exception{"ExpiredIteratorException", 400, false}
	ExpiredNextToken              = &Exception{"ExpiredNextTokenException", 400, false}
	InternalFailure               = &Exception{"InternalFailureException", 500, true}
	InvalidArgument               = &Exception{"InvalidArgumentException", 400, false}
	KMSAccessDenied               = &Exception{"KMSAccessDeniedException", 400, false}
	KMSDisabled                   = &Exception{"KMSDisabledException", 400, false}
	KMSInvalidState               = &Exception{"KMSInvalidStateException", 400, false}
	KMSNotFound                   = &Exception{"KMSNotFoundException", 400, false}
	KMSOptInRequired              = &Exception{"KMSOptInRequired", 400, false}
	KMSThrottling                 = &Exception{"KMSThrottlingException", 400, true}
	LimitExceeded                 = &Exception{"LimitExceededException", 400, true}
	ProvisionedThroughputExceeded = &Exception{"ProvisionedThroughputExceededException", 400, true}
	ResourceInUse                 = &Exception{"ResourceInUseException", 400, false}
	ResourceNotFound              = &Exception{"ResourceNotFoundException", 400, false}
	Validation                    = &Exception{"ValidationException", 400, false}
	// Protocol-level errors produced before an operation runs.
	UnknownOperation           = &Exception{"UnknownOperationException", 400, false}
	Serialization              = &Exception{"SerializationException", 400, false}
	MissingAuthenticationToken = &Exception{"MissingAuthenticationTokenException", 400, false}
	IncompleteSignature        = &Exception{"IncompleteSignatureException", 400, false}
	InvalidSignature           = &Exception{"InvalidSignatureException", 400, false}
	UnrecognizedClient         = &Exception{"UnrecognizedClientException", 400, false}
	RequestEntityTooLarge      = &Exception{"RequestEntityTooLargeException", 413, false}
	ServiceUnavailable         = &Exception{"ServiceUnavailableException", 503, true}
	Throttling                 = &Exception{"ThrottlingException", 400, true}
)

// Catalog lists every exception above, for lookups by type name (clients
// decoding an error body) and for tests that check the catalog is complete.
var Catalog = []*Exception{
	AccessDenied, ExpiredIterator, ExpiredNextToken, InternalFailure, InvalidArgument,
	KMSAccessDenied, KMSDisabled, KMSInvalidState, KMSNotFound, KMSOptInRequired, KMSThrottling,
	LimitExceeded, ProvisionedThroughputExceeded, ResourceInUse, ResourceNotFound, Validation,
	UnknownOperation, Serialization, MissingAuthenticationToken, IncompleteSignature,
	InvalidSignature, UnrecognizedClient, RequestEntityTooLarge, ServiceUnavailable, Throttling,
}

// LookupException returns the catalog entry for a wire type name, or nil.
func LookupException(typ string) *Exception {
	for _, e := range Catalog {
		if e.Type == typ {
			return e
		}
	}
	return nil
}

// Error is an error that is sent to the client as an AWS exception.
type Error struct {
	Exception *Exception
	Message   string
	// Err is the internal cause, logged but never sent to the client.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Exception.Type, e.Message, e.Err)
	}
	return e.Exception.Type + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of kind exc with a formatted message.
func Errorf(exc *Exception, format string, args ...any) *Error {
	return &Error{Exception: exc, Message: fmt.Sprintf(format, args...)}
}

// AsError finds the *Error in err's chain. Anything else becomes an
// InternalFailure whose cause is kept for the log.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Exception: InternalFailure, Message: "Internal service failure.", Err: err}
}

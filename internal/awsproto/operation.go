package awsproto

import "context"

// Encoding is a body encoding of the AWS JSON-family protocols.
type Encoding uint8

const (
	// JSON is application/x-amz-json-1.1: timestamps are epoch seconds with
	// a fraction, blobs are base64 strings.
	JSON Encoding = iota + 1
	// CBOR is application/x-amz-cbor-1.1: timestamps are epoch milliseconds,
	// blobs are CBOR byte strings.
	CBOR
)

// Content types of the encodings.
const (
	ContentTypeJSON = "application/x-amz-json-1.1"
	ContentTypeCBOR = "application/x-amz-cbor-1.1"
)

// ContentType returns the Content-Type header value for e.
func (e Encoding) ContentType() string {
	if e == CBOR {
		return ContentTypeCBOR
	}
	return ContentTypeJSON
}

// Input is a generated operation input shape.
type Input interface {
	// DecodeAWS fills the shape from a request body. Malformed bodies and
	// values of the wrong type give a SerializationException *Error.
	DecodeAWS(enc Encoding, body []byte) error
	// Validate checks the model's constraints (required, min, max, pattern,
	// enum) and returns a ValidationException *Error whose message lists
	// every violation the way AWS does, or nil.
	Validate() error
}

// Output is a generated operation output shape (or event payload).
type Output interface {
	// AppendAWS appends the shape's body in encoding enc to dst.
	AppendAWS(enc Encoding, dst []byte) []byte
}

// Operation is one API operation bound to its handler.
type Operation struct {
	// Name is the operation name, the part of X-Amz-Target after the dot.
	Name string
	// NewInput returns an empty input shape to decode into.
	NewInput func() Input
	// Call runs a request/response operation. A nil Output means an empty
	// body. Errors are converted with AsError.
	Call func(ctx context.Context, in Input) (Output, error)
	// Stream runs an event-stream operation (Call is nil). It validates,
	// calls es.Start (which sends the 200 response headers and the
	// initial-response event), then sends events until ctx ends or it
	// returns. An error returned before Start is sent as an ordinary error
	// response, after Start as an exception event that ends the stream.
	Stream func(ctx context.Context, in Input, es EventSender) error
}

// EventSender writes the events of one event-stream response.
type EventSender interface {
	// Start commits the response: status 200, event-stream headers and the
	// initial-response event. Send calls Start if it has not been called.
	Start() error
	// Send writes one event of type eventType (e.g. "SubscribeToShardEvent")
	// with payload encoded in the request's encoding, and flushes it.
	Send(eventType string, payload Output) error
}

// Service is a set of operations served under one X-Amz-Target prefix.
type Service struct {
	// TargetPrefix is the X-Amz-Target prefix, e.g. "Kinesis_20131202".
	TargetPrefix string
	// SigningName is the SigV4 service name, e.g. "kinesis".
	SigningName string
	// Operations by name.
	Operations map[string]*Operation
}

// Caller identifies who sent a request, taken from its SigV4 credential.
type Caller struct {
	// AccessKeyID from the credential scope.
	AccessKeyID string
	// Account is the access key id if it is 12 digits, else "000000000000".
	Account string
	// Region from the credential scope.
	Region string
}

type callerKey struct{}

// WithCaller returns ctx carrying c.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller carried by ctx and whether there was one.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}

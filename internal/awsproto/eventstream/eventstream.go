// Package eventstream encodes and decodes application/vnd.amazon.eventstream
// messages, the binary framing AWS uses for push APIs such as Kinesis
// SubscribeToShard.
//
// A message is laid out as
//
//	total length   uint32 big-endian, the whole message including both CRCs
//	headers length uint32 big-endian
//	prelude CRC    CRC32 (IEEE) of the 8 bytes above
//	headers        name length (uint8), name, value type (uint8), value
//	payload        opaque bytes
//	message CRC    CRC32 (IEEE) of everything before it
//
// The server encodes with AppendMessage or the Begin/Finish pair, which lets a
// payload be appended in place (no copy). The Decoder is for eddy's own
// clients and tests: it checks both CRCs and every length before it trusts
// one, and it never allocates more than a length that has been checked
// against the configured limits.
package eventstream

import (
	"errors"
	"fmt"
)

// Limits of the format as the AWS SDKs define them.
const (
	// PreludeLen is the size of the prelude including its CRC.
	PreludeLen = 12
	// Overhead is the size of a message with no headers and no payload.
	Overhead = PreludeLen + 4
	// MaxHeaderNameLen is the longest header name (its length is one byte).
	MaxHeaderNameLen = 255
	// MaxHeaderValueLen is the longest string or bytes header value.
	MaxHeaderValueLen = 1<<15 - 1
	// MaxHeadersLen is the largest headers section the SDKs accept.
	MaxHeadersLen = 128 * 1024
	// MaxPayloadLen is the largest payload the SDKs accept.
	MaxPayloadLen = 16 * 1024 * 1024
	// MaxMessageLen is the largest message this package encodes or decodes.
	MaxMessageLen = Overhead + MaxHeadersLen + MaxPayloadLen
)

// Well-known header names and values used by AWS event streams.
const (
	HeaderMessageType   = ":message-type"
	HeaderEventType     = ":event-type"
	HeaderExceptionType = ":exception-type"
	HeaderContentType   = ":content-type"
	HeaderErrorCode     = ":error-code"
	HeaderErrorMessage  = ":error-message"

	MessageTypeEvent     = "event"
	MessageTypeException = "exception"
	MessageTypeError     = "error"
)

// Errors returned by the encoder and decoder. Decoding errors wrap
// ErrMalformed so callers can tell a broken stream from an I/O error.
var (
	ErrMalformed   = errors.New("eventstream: malformed message")
	ErrTooLarge    = errors.New("eventstream: message too large")
	ErrPreludeCRC  = fmt.Errorf("%w: prelude CRC mismatch", ErrMalformed)
	ErrMessageCRC  = fmt.Errorf("%w: message CRC mismatch", ErrMalformed)
	errHeaderValue = errors.New("eventstream: header value too long")
)

// HeaderType is the one-byte type tag of a header value.
type HeaderType uint8

// Header value types, as numbered on the wire.
const (
	TypeBoolTrue  HeaderType = 0
	TypeBoolFalse HeaderType = 1
	TypeByte      HeaderType = 2
	TypeShort     HeaderType = 3
	TypeInt       HeaderType = 4
	TypeLong      HeaderType = 5
	TypeBytes     HeaderType = 6
	TypeString    HeaderType = 7
	TypeTimestamp HeaderType = 8 // milliseconds since the Unix epoch
	TypeUUID      HeaderType = 9
)

func (t HeaderType) String() string {
	switch t {
	case TypeBoolTrue:
		return "bool(true)"
	case TypeBoolFalse:
		return "bool(false)"
	case TypeByte:
		return "byte"
	case TypeShort:
		return "short"
	case TypeInt:
		return "int"
	case TypeLong:
		return "long"
	case TypeBytes:
		return "bytes"
	case TypeString:
		return "string"
	case TypeTimestamp:
		return "timestamp"
	case TypeUUID:
		return "uuid"
	}
	return fmt.Sprintf("HeaderType(%d)", uint8(t))
}

// Value is a typed header value. Build values with the constructors below;
// note that the zero Value has type 0, which is the boolean true.
type Value struct {
	Type HeaderType
	// Int holds byte, short, int, long and timestamp values.
	Int int64
	// Str holds string values.
	Str string
	// Bytes holds bytes values and the 16 bytes of a UUID.
	Bytes []byte
}

// Bool returns a boolean header value.
func Bool(b bool) Value {
	if b {
		return Value{Type: TypeBoolTrue}
	}
	return Value{Type: TypeBoolFalse}
}

// Byte returns a byte (int8) header value.
func Byte(v int8) Value { return Value{Type: TypeByte, Int: int64(v)} }

// Short returns a short (int16) header value.
func Short(v int16) Value { return Value{Type: TypeShort, Int: int64(v)} }

// Int returns an int (int32) header value.
func Int(v int32) Value { return Value{Type: TypeInt, Int: int64(v)} }

// Long returns a long (int64) header value.
func Long(v int64) Value { return Value{Type: TypeLong, Int: v} }

// Timestamp returns a timestamp header value in milliseconds since the epoch.
func Timestamp(ms int64) Value { return Value{Type: TypeTimestamp, Int: ms} }

// String returns a string header value.
func String(s string) Value { return Value{Type: TypeString, Str: s} }

// Bytes returns a bytes header value.
func Bytes(b []byte) Value { return Value{Type: TypeBytes, Bytes: b} }

// UUID returns a UUID header value.
func UUID(u [16]byte) Value { return Value{Type: TypeUUID, Bytes: u[:]} }

// Bool reports the value of a boolean header.
func (v Value) Bool() bool { return v.Type == TypeBoolTrue }

// String renders the value for messages and tests.
func (v Value) String() string {
	switch v.Type {
	case TypeBoolTrue:
		return "true"
	case TypeBoolFalse:
		return "false"
	case TypeString:
		return v.Str
	case TypeBytes, TypeUUID:
		return fmt.Sprintf("%x", v.Bytes)
	}
	return fmt.Sprint(v.Int)
}

// Header is one named header of a message.
type Header struct {
	Name  string
	Value Value
}

// Message is a decoded message.
type Message struct {
	Headers []Header
	Payload []byte
}

// Get returns the value of the first header called name, if any.
func (m *Message) Get(name string) (Value, bool) {
	for _, h := range m.Headers {
		if h.Name == name {
			return h.Value, true
		}
	}
	return Value{}, false
}

// GetString returns the string value of header name, or "" if it is absent
// or not a string.
func (m *Message) GetString(name string) string {
	v, ok := m.Get(name)
	if !ok || v.Type != TypeString {
		return ""
	}
	return v.Str
}

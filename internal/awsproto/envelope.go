package awsproto

import (
	"encoding/base64"
	"math/rand/v2"
	"net/http"
	"strconv"

	"github.com/eddy-streams/eddy/internal/awsproto/jsontext"
)

// Response header names, spelled as AWS spells them. HTTP/1.1 writes
// non-canonical keys as they are stored; HTTP/2 lowercases them anyway.
const (
	hdrRequestID   = "x-amzn-RequestId"
	hdrID2         = "x-amz-id-2"
	hdrErrorType   = "x-amzn-ErrorType"
	hdrContentType = "Content-Type"
	hdrContentLen  = "Content-Length"
)

// ContentTypeEventStream is the Content-Type of event-stream responses.
const ContentTypeEventStream = "application/vnd.amazon.eventstream"

// Shared, never-mutated header value slices for the constant headers.
var (
	valJSON        = []string{ContentTypeJSON}
	valCBOR        = []string{ContentTypeCBOR}
	valJSONPlain   = []string{"application/json"}
	valEventStream = []string{ContentTypeEventStream}
	valZero        = []string{"0"}
)

// id2Bytes is how many random bytes x-amz-id-2 carries (kinesalite checked
// AWS's at 64 to 80 bytes once base64-decoded).
const id2Bytes = 72

// setIDHeaders sets x-amzn-RequestId (a random UUID) and, if withID2,
// x-amz-id-2 on h, and returns the request id. It makes one string for both
// values and one slice for both header entries, because it runs on every
// request. The ids identify requests in logs; they need to be unique, not
// unpredictable, so the runtime's fast generator is enough.
func setIDHeaders(h http.Header, withID2 bool) string {
	var buf [36 + (id2Bytes/3)*4]byte
	n := 36
	appendUUID(buf[:0])
	if withID2 {
		var raw [id2Bytes]byte
		for i := 0; i < id2Bytes; i += 8 {
			u := rand.Uint64()
			for j := 0; j < 8; j++ {
				raw[i+j] = byte(u >> (8 * j))
			}
		}
		base64.StdEncoding.Encode(buf[36:], raw[:])
		n = len(buf)
	}
	s := string(buf[:n])
	vals := make([]string, 2)
	vals[0] = s[:36]
	h[hdrRequestID] = vals[0:1:1]
	if withID2 {
		vals[1] = s[36:]
		h[hdrID2] = vals[1:2:2]
	}
	return s[:36]
}

// appendUUID writes a random version-4 UUID in its 36-character form.
func appendUUID(dst []byte) []byte {
	const hex = "0123456789abcdef"
	hi, lo := rand.Uint64(), rand.Uint64()
	hi = hi&^(0xf<<12) | 4<<12   // version 4
	lo = lo&^(0x3<<62) | 0x2<<62 // RFC 4122 variant
	var b [16]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hex[c>>4], hex[c&0xf])
	}
	return dst
}

func setContentLength(h http.Header, n int) {
	if n == 0 {
		h[hdrContentLen] = valZero
		return
	}
	h[hdrContentLen] = []string{strconv.Itoa(n)}
}

// messageKey is the body key that holds an error's message. AWS's JSON
// services use "message", except that SerializationException (raised by the
// request deserializer) uses "Message" (kinesalite, checked against AWS).
func messageKey(exc *Exception) string {
	if exc == Serialization {
		return "Message"
	}
	return "message"
}

// AppendErrorBody appends the body of an error response in encoding enc:
// {"__type":"<Type>","message":"..."} in JSON, the same map in CBOR. An
// empty message is left out, as AWS leaves it out of protocol errors such
// as UnknownOperationException.
func AppendErrorBody(dst []byte, enc Encoding, e *Error) []byte {
	key := messageKey(e.Exception)
	if enc == CBOR {
		// AWS sends these as indefinite-length maps (0xbf ... 0xff).
		dst = append(dst, 0xbf)
		dst = appendCBORText(dst, "__type")
		dst = appendCBORText(dst, e.Exception.Type)
		if e.Message != "" {
			dst = appendCBORText(dst, key)
			dst = appendCBORText(dst, e.Message)
		}
		return append(dst, 0xff)
	}
	dst = append(dst, `{"__type":`...)
	dst = jsontext.AppendString(dst, e.Exception.Type)
	if e.Message != "" {
		dst = append(dst, ',', '"')
		dst = append(dst, key...)
		dst = append(dst, '"', ':')
		dst = jsontext.AppendString(dst, e.Message)
	}
	return append(dst, '}')
}

// appendExceptionPayload appends the payload of an event-stream exception
// message: the exception shape's members, which for Kinesis is {"message"}.
func appendExceptionPayload(dst []byte, enc Encoding, msg string) []byte {
	if enc == CBOR {
		dst = append(dst, 0xbf)
		if msg != "" {
			dst = appendCBORText(dst, "message")
			dst = appendCBORText(dst, msg)
		}
		return append(dst, 0xff)
	}
	if msg == "" {
		return append(dst, '{', '}')
	}
	dst = append(dst, `{"message":`...)
	dst = jsontext.AppendString(dst, msg)
	return append(dst, '}')
}

// appendEmptyObject appends {} in encoding enc (the initial-response payload).
func appendEmptyObject(dst []byte, enc Encoding) []byte {
	if enc == CBOR {
		return append(dst, 0xbf, 0xff)
	}
	return append(dst, '{', '}')
}

// appendCBORText appends s as a CBOR text string (major type 3) with the
// shortest length encoding.
func appendCBORText(dst []byte, s string) []byte {
	n := uint64(len(s))
	switch {
	case n < 24:
		dst = append(dst, 0x60|byte(n))
	case n <= 0xff:
		dst = append(dst, 0x78, byte(n))
	case n <= 0xffff:
		dst = append(dst, 0x79, byte(n>>8), byte(n))
	case n <= 0xffffffff:
		dst = append(dst, 0x7a, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	default:
		dst = append(dst, 0x7b, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32), byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(dst, s...)
}

// Fixed bodies of the responses AWS sends before it has found an operation
// (kinesalite's connection tests, checked against AWS).
const (
	xmlAccessDenied = "<AccessDeniedException>\n" +
		"  <Message>Unable to determine service/operation name to be authorized</Message>\n" +
		"</AccessDeniedException>\n"
	xmlUnknownOperation        = "<UnknownOperationException/>\n"
	deprecatedSerialization    = `{"Output":{"__type":"com.amazon.coral.service#SerializationException","Message":null},"Version":"1.0"}`
	deprecatedUnknownOperation = `{"Output":{"__type":"com.amazon.coral.service#UnknownOperationException","message":null},"Version":"1.0"}`
)

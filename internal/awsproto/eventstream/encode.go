package eventstream

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// AppendMessage appends one encoded message to dst.
func AppendMessage(dst []byte, headers []Header, payload []byte) ([]byte, error) {
	dst, start, err := Begin(dst, headers)
	if err != nil {
		return dst, err
	}
	dst = append(dst, payload...)
	return Finish(dst, start)
}

// Begin appends a prelude and the encoded headers to dst and returns the
// message's start offset. The caller then appends the payload directly to the
// returned slice and calls Finish with the offset, which fills in the total
// length and the CRCs. This lets a server encode a payload in place instead
// of encoding it elsewhere and copying it. On error dst is returned as it was.
func Begin(dst []byte, headers []Header) ([]byte, int, error) {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	for i := range headers {
		var err error
		if dst, err = appendHeader(dst, &headers[i]); err != nil {
			return dst[:start], start, err
		}
	}
	hl := len(dst) - start - PreludeLen
	if hl > MaxHeadersLen {
		return dst[:start], start, fmt.Errorf("%w: headers are %d bytes, limit %d", ErrTooLarge, hl, MaxHeadersLen)
	}
	// The headers length goes into its final place now; Finish reads it
	// back, so the pair needs no state beyond the start offset.
	binary.BigEndian.PutUint32(dst[start+4:start+8], uint32(hl))
	return dst, start, nil
}

// Finish completes the message begun at start (see Begin): it writes the
// total length and the prelude CRC and appends the message CRC. On error dst
// is truncated to start.
func Finish(dst []byte, start int) ([]byte, error) {
	if start < 0 || len(dst)-start < PreludeLen {
		return dst, fmt.Errorf("eventstream: Finish with bad start offset %d", start)
	}
	msg := dst[start:]
	headersLen := int(binary.BigEndian.Uint32(msg[4:8]))
	if headersLen > len(msg)-PreludeLen {
		return dst[:start], fmt.Errorf("eventstream: Finish: headers length %d exceeds message", headersLen)
	}
	if pl := len(msg) - PreludeLen - headersLen; pl > MaxPayloadLen {
		return dst[:start], fmt.Errorf("%w: payload is %d bytes, limit %d", ErrTooLarge, pl, MaxPayloadLen)
	}
	total := len(msg) + 4
	binary.BigEndian.PutUint32(msg[0:4], uint32(total))
	binary.BigEndian.PutUint32(msg[8:12], crc32.ChecksumIEEE(msg[:8]))
	return binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(msg)), nil
}

func appendHeader(dst []byte, h *Header) ([]byte, error) {
	if len(h.Name) == 0 || len(h.Name) > MaxHeaderNameLen {
		return dst, fmt.Errorf("eventstream: header name %q: length must be 1 to %d", h.Name, MaxHeaderNameLen)
	}
	dst = append(dst, byte(len(h.Name)))
	dst = append(dst, h.Name...)
	v := &h.Value
	dst = append(dst, byte(v.Type))
	switch v.Type {
	case TypeBoolTrue, TypeBoolFalse:
	case TypeByte:
		dst = append(dst, byte(int8(v.Int)))
	case TypeShort:
		dst = binary.BigEndian.AppendUint16(dst, uint16(int16(v.Int)))
	case TypeInt:
		dst = binary.BigEndian.AppendUint32(dst, uint32(int32(v.Int)))
	case TypeLong, TypeTimestamp:
		dst = binary.BigEndian.AppendUint64(dst, uint64(v.Int))
	case TypeString:
		if len(v.Str) > MaxHeaderValueLen {
			return dst, fmt.Errorf("%w: header %s is %d bytes", errHeaderValue, h.Name, len(v.Str))
		}
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(v.Str)))
		dst = append(dst, v.Str...)
	case TypeBytes:
		if len(v.Bytes) > MaxHeaderValueLen {
			return dst, fmt.Errorf("%w: header %s is %d bytes", errHeaderValue, h.Name, len(v.Bytes))
		}
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(v.Bytes)))
		dst = append(dst, v.Bytes...)
	case TypeUUID:
		if len(v.Bytes) != 16 {
			return dst, fmt.Errorf("eventstream: header %s: a UUID is 16 bytes, not %d", h.Name, len(v.Bytes))
		}
		dst = append(dst, v.Bytes...)
	default:
		return dst, fmt.Errorf("eventstream: header %s: unknown value type %d", h.Name, v.Type)
	}
	return dst, nil
}

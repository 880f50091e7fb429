package eventstream

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Parse decodes exactly one message from b. Header values of type string and
// bytes, and the payload, alias b: copy them if b is reused.
func Parse(b []byte) (Message, error) {
	var m Message
	if len(b) < Overhead {
		return m, fmt.Errorf("%w: %d bytes is shorter than the %d-byte minimum", ErrMalformed, len(b), Overhead)
	}
	total, headersLen, err := checkPrelude(b[:PreludeLen], MaxMessageLen)
	if err != nil {
		return m, err
	}
	if total != len(b) {
		return m, fmt.Errorf("%w: total length %d but %d bytes given", ErrMalformed, total, len(b))
	}
	if want, got := binary.BigEndian.Uint32(b[total-4:]), crc32.ChecksumIEEE(b[:total-4]); want != got {
		return m, fmt.Errorf("%w (got %08x, want %08x)", ErrMessageCRC, got, want)
	}
	headers := b[PreludeLen : PreludeLen+headersLen]
	if m.Headers, err = parseHeaders(headers); err != nil {
		return m, err
	}
	if pl := b[PreludeLen+headersLen : total-4]; len(pl) > 0 {
		m.Payload = pl
	}
	return m, nil
}

// checkPrelude validates a 12-byte prelude against maxLen and returns the
// total and headers lengths. Every later length is bounded by these.
func checkPrelude(p []byte, maxLen int) (total, headersLen int, err error) {
	if want, got := binary.BigEndian.Uint32(p[8:12]), crc32.ChecksumIEEE(p[:8]); want != got {
		return 0, 0, fmt.Errorf("%w (got %08x, want %08x)", ErrPreludeCRC, got, want)
	}
	t := binary.BigEndian.Uint32(p[0:4])
	h := binary.BigEndian.Uint32(p[4:8])
	if t < Overhead {
		return 0, 0, fmt.Errorf("%w: total length %d is below the %d-byte minimum", ErrMalformed, t, Overhead)
	}
	if uint64(t) > uint64(maxLen) {
		return 0, 0, fmt.Errorf("%w: total length %d exceeds the limit %d", ErrTooLarge, t, maxLen)
	}
	if h > MaxHeadersLen {
		return 0, 0, fmt.Errorf("%w: headers length %d exceeds the limit %d", ErrTooLarge, h, MaxHeadersLen)
	}
	if uint64(h) > uint64(t)-Overhead {
		return 0, 0, fmt.Errorf("%w: headers length %d does not fit in total length %d", ErrMalformed, h, t)
	}
	if t-Overhead-h > MaxPayloadLen {
		return 0, 0, fmt.Errorf("%w: payload length %d exceeds the limit %d", ErrTooLarge, t-Overhead-h, MaxPayloadLen)
	}
	return int(t), int(h), nil
}

func parseHeaders(b []byte) ([]Header, error) {
	var hs []Header
	for len(b) > 0 {
		nameLen := int(b[0])
		if nameLen == 0 {
			return nil, fmt.Errorf("%w: empty header name", ErrMalformed)
		}
		if len(b) < 1+nameLen+1 {
			return nil, fmt.Errorf("%w: header name runs past the headers", ErrMalformed)
		}
		h := Header{Name: string(b[1 : 1+nameLen])}
		typ := HeaderType(b[1+nameLen])
		b = b[2+nameLen:]
		h.Value.Type = typ
		need := 0
		switch typ {
		case TypeBoolTrue, TypeBoolFalse:
		case TypeByte:
			need = 1
		case TypeShort:
			need = 2
		case TypeInt:
			need = 4
		case TypeLong, TypeTimestamp:
			need = 8
		case TypeUUID:
			need = 16
		case TypeString, TypeBytes:
			if len(b) < 2 {
				return nil, fmt.Errorf("%w: header %s: value length runs past the headers", ErrMalformed, h.Name)
			}
			n := int(binary.BigEndian.Uint16(b))
			if n > MaxHeaderValueLen {
				return nil, fmt.Errorf("%w: header %s: value length %d exceeds %d", ErrMalformed, h.Name, n, MaxHeaderValueLen)
			}
			b = b[2:]
			need = n
		default:
			return nil, fmt.Errorf("%w: header %s: unknown value type %d", ErrMalformed, h.Name, uint8(typ))
		}
		if len(b) < need {
			return nil, fmt.Errorf("%w: header %s: value runs past the headers", ErrMalformed, h.Name)
		}
		v := b[:need]
		switch typ {
		case TypeByte:
			h.Value.Int = int64(int8(v[0]))
		case TypeShort:
			h.Value.Int = int64(int16(binary.BigEndian.Uint16(v)))
		case TypeInt:
			h.Value.Int = int64(int32(binary.BigEndian.Uint32(v)))
		case TypeLong, TypeTimestamp:
			h.Value.Int = int64(binary.BigEndian.Uint64(v))
		case TypeString:
			h.Value.Str = string(v)
		case TypeBytes, TypeUUID:
			h.Value.Bytes = v
		}
		b = b[need:]
		hs = append(hs, h)
	}
	return hs, nil
}

// Decoder reads messages from a stream.
type Decoder struct {
	r   io.Reader
	max int
	buf []byte
}

// NewDecoder returns a Decoder reading from r that accepts messages up to
// MaxMessageLen bytes.
func NewDecoder(r io.Reader) *Decoder { return &Decoder{r: r, max: MaxMessageLen} }

// SetMaxMessageLen lowers (or restores) the largest accepted message. Values
// outside [Overhead, MaxMessageLen] are clamped.
func (d *Decoder) SetMaxMessageLen(n int) {
	d.max = min(max(n, Overhead), MaxMessageLen)
}

// Decode reads the next message. It returns io.EOF at a clean end of stream
// and io.ErrUnexpectedEOF if the stream ends inside a message. The returned
// message's payload and byte values alias an internal buffer that the next
// call reuses.
func (d *Decoder) Decode() (Message, error) {
	var prelude [PreludeLen]byte
	if _, err := io.ReadFull(d.r, prelude[:]); err != nil {
		return Message{}, err
	}
	total, _, err := checkPrelude(prelude[:], d.max)
	if err != nil {
		return Message{}, err
	}
	// total is now bounded by d.max, so this allocation is safe.
	if cap(d.buf) < total {
		d.buf = make([]byte, total)
	}
	buf := d.buf[:total]
	copy(buf, prelude[:])
	if _, err := io.ReadFull(d.r, buf[PreludeLen:]); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return Message{}, err
	}
	return Parse(buf)
}

package awsproto

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
)

// DefaultMaxBodyBytes caps request bodies. The largest legal request is a
// PutRecords of 500 records whose data totals 10 MiB: base64 makes that
// 13.4 MiB, and 500 partition keys of up to 256 characters (escaped in the
// worst case) plus explicit hash keys and punctuation add under 1 MiB.
const DefaultMaxBodyBytes = 16 << 20

// errBodyTooLarge reports a request body over the cap.
var errBodyTooLarge = errors.New("awsproto: request body too large")

// Buffers for request and response bodies are pooled: the handler runs for
// every request and bodies reach megabytes. Very large buffers are dropped
// rather than pooled so that one huge request does not pin its memory.
const maxPooledBuf = 4 << 20

var bufPool = sync.Pool{New: func() any {
	b := make([]byte, 0, 16<<10)
	return &b
}}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if b == nil || cap(*b) > maxPooledBuf {
		return
	}
	*b = (*b)[:0]
	bufPool.Put(b)
}

// readBody reads r's body into buf (reusing its capacity) and fails with
// errBodyTooLarge, without reading further, once it exceeds limit bytes. A
// declared Content-Length over the limit fails before anything is read.
func readBody(r *http.Request, buf []byte, limit int64) ([]byte, error) {
	buf = buf[:0]
	if r.Body == nil || r.Body == http.NoBody {
		return buf, nil
	}
	if r.ContentLength > limit {
		return buf, errBodyTooLarge
	}
	if r.ContentLength > 0 {
		n := int(r.ContentLength)
		if cap(buf) < n {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		if _, err := io.ReadFull(r.Body, buf); err != nil {
			return buf[:0], err
		}
		return buf, nil
	}
	// Unknown length (chunked, or HTTP/2 without content-length): read in
	// steps, never holding more than limit+1 bytes.
	for {
		if len(buf) == cap(buf) {
			next := max(2*cap(buf), 16<<10)
			if int64(next) > limit+1 {
				next = int(limit + 1)
			}
			if next <= len(buf) {
				return buf[:0], errBodyTooLarge
			}
			nb := make([]byte, len(buf), next)
			copy(nb, buf)
			buf = nb
		}
		n, err := r.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return buf[:0], errBodyTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf[:0], err
		}
	}
}

// jsonObjectOrArray reports whether body is well-formed JSON whose top level
// is an object or an array. AWS rejects anything else (a bare string,
// number, true, null or malformed text) with SerializationException before
// it looks at the target or the signature. The handler calls this only on
// paths that end in an error; a request bound for an operation has its body
// checked by the decoder, which keeps the full scan off the hot path.
func jsonObjectOrArray(body []byte) bool {
	for _, c := range body {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{', '[':
			return json.Valid(body)
		}
		return false
	}
	return false
}

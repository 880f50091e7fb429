package codec

import (
	"sync"
	"unsafe"
)

// slab is the shared backing store for the strings and blobs a decoder
// produces for list elements. It is allocated once per request with the
// capacity of the body: decoded text and base64 are never longer than their
// encoding, so it never grows and the strings carved from it stay valid. A
// string kept after the request keeps the whole slab alive, which is why only
// list elements (records, entries) use it; see JSONDecoder.StringSlab.
type slab struct {
	buf  []byte
	size int      // capacity to allocate on first use
	strs []string // chunk that *string values are carved from
}

func (s *slab) reset(size int) {
	s.buf = nil
	s.size = size
	s.strs = nil
}

// alloc returns n bytes of the slab for the caller to fill. The slice's
// capacity ends at its length so an append by a user cannot overwrite the
// next value.
func (s *slab) alloc(n int) []byte {
	if s.buf == nil {
		size := s.size
		if size < n {
			size = n
		}
		s.buf = make([]byte, 0, size)
	}
	start := len(s.buf)
	if cap(s.buf)-start < n {
		// Cannot happen while decoded values are no longer than their
		// encoding; stay correct anyway with a private allocation.
		return make([]byte, n)
	}
	s.buf = s.buf[:start+n]
	return s.buf[start : start+n : start+n]
}

// str copies b into the slab and returns it as a string without a further
// allocation.
func (s *slab) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	p := s.alloc(len(b))
	copy(p, b)
	return unsafe.String(&p[0], len(p))
}

// strPtr returns a pointer to a copy of v carved from a chunk of strings, so
// that optional strings of list elements do not cost an allocation each.
func (s *slab) strPtr(v string) *string {
	if len(s.strs) == cap(s.strs) {
		n := 2 * cap(s.strs)
		if n < 16 {
			n = 16
		} else if n > 512 {
			n = 512
		}
		s.strs = make([]string, 0, n)
	}
	s.strs = append(s.strs, v)
	return &s.strs[len(s.strs)-1]
}

// SlicePool recycles the scratch slices that list decoding collects elements
// into before copying them into one exactly sized slice, so that decoding a
// list of unknown length costs one allocation instead of one per doubling.
// The zero value is ready to use.
type SlicePool[T any] struct {
	p sync.Pool
}

// MaxPrealloc bounds the length of a list that generated code allocates at
// once from the element count a CBOR array announces; longer lists grow
// through a SlicePool, so a small hostile body cannot make it allocate much.
const MaxPrealloc = 10000

// maxPooled bounds the scratch slices kept for reuse.
const maxPooled = 4096

// Get returns an empty scratch slice.
func (p *SlicePool[T]) Get() *[]T {
	if v, ok := p.p.Get().(*[]T); ok {
		return v
	}
	s := make([]T, 0, 16)
	return &s
}

// Finish copies the collected elements s (grown from *scratch) into a new
// slice of exactly their length, clears the scratch so it does not pin
// decoded data, and returns it to the pool. An empty list gives a non-nil
// empty slice: nil means the member was absent.
func (p *SlicePool[T]) Finish(scratch *[]T, s []T) []T {
	out := make([]T, len(s))
	copy(out, s)
	clear(s)
	if cap(s) <= maxPooled {
		*scratch = s[:0]
		p.p.Put(scratch)
	}
	return out
}

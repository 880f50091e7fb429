package bench

import (
	"bytes"
	"errors"
)

// putResult is one entry of a PutRecords response; the slices alias the
// response body.
type putResult struct {
	seq, shard, errCode []byte
}

var errPutResponse = errors.New("malformed PutRecords response")

// scanPutRecords reads the Records of a PutRecords response into dst
// without allocating: the generator's hottest parse. It accepts any member
// order and whitespace, and skips members it does not need.
func scanPutRecords(body []byte, dst []putResult) ([]putResult, error) {
	s := jscan{b: body}
	dst = dst[:0]
	found := false
	err := s.object(func(key []byte) error {
		if string(key) != "Records" {
			return s.skip()
		}
		found = true
		return s.array(func() error {
			var r putResult
			err := s.object(func(k []byte) error {
				var p *[]byte
				switch string(k) {
				case "SequenceNumber":
					p = &r.seq
				case "ShardId":
					p = &r.shard
				case "ErrorCode":
					p = &r.errCode
				default:
					return s.skip()
				}
				if s.null() {
					return nil
				}
				v, err := s.str()
				*p = v
				return err
			})
			dst = append(dst, r)
			return err
		})
	})
	if err == nil && !found {
		err = errPutResponse
	}
	return dst, err
}

// jscan is a minimal JSON scanner over a complete document.
type jscan struct {
	b []byte
	i int
}

func (s *jscan) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *jscan) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *jscan) expect(c byte) error {
	if s.peek() != c {
		return errPutResponse
	}
	s.i++
	return nil
}

// object calls member for each key, with the scanner before the value.
func (s *jscan) object(member func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		key, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return errPutResponse
		}
	}
}

func (s *jscan) array(elem func() error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return errPutResponse
		}
	}
}

// str returns a string's raw contents (escapes left as they are: the values
// the generator compares never contain any).
func (s *jscan) str() ([]byte, error) {
	if err := s.expect('"'); err != nil {
		return nil, err
	}
	start := s.i
	for {
		j := bytes.IndexByte(s.b[s.i:], '"')
		if j < 0 {
			return nil, errPutResponse
		}
		if k := bytes.IndexByte(s.b[s.i:s.i+j], '\\'); k >= 0 {
			s.i += k + 2 // skip the escaped character
			if s.i > len(s.b) {
				return nil, errPutResponse
			}
			continue
		}
		s.i += j
		v := s.b[start:s.i]
		s.i++
		return v, nil
	}
}

func (s *jscan) null() bool {
	if s.peek() == 'n' && bytes.HasPrefix(s.b[s.i:], []byte("null")) {
		s.i += 4
		return true
	}
	return false
}

// skip passes over one value of any type.
func (s *jscan) skip() error {
	switch c := s.peek(); {
	case c == '"':
		_, err := s.str()
		return err
	case c == '{':
		return s.object(func([]byte) error { return s.skip() })
	case c == '[':
		return s.array(s.skip)
	case c == 0:
		return errPutResponse
	default: // number, true, false, null
		start := s.i
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				if s.i == start {
					return errPutResponse
				}
				return nil
			}
			s.i++
		}
		return errPutResponse
	}
}

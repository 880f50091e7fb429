package bench

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strconv"
)

// rawRecord is one record of a GetRecords response or a fan-out event; the
// slices alias the response body or the scanner's data buffer and are valid
// until the next scan.
type rawRecord struct {
	seq, pk, data []byte
}

// readResult is a scanned GetRecords response or SubscribeToShardEvent.
type readResult struct {
	records []rawRecord
	// next is NextShardIterator (GetRecords) or ContinuationSequenceNumber
	// (events); hasNext is false when it is absent or null.
	next    []byte
	hasNext bool
	// behind is MillisBehindLatest (-1 when absent).
	behind      int64
	childShards bool
	data        []byte // decoded record data, reused
}

var errReadResponse = errors.New("malformed records response")

// scanRecords reads a GetRecords response or a SubscribeToShardEvent
// payload (the same members under other names) without allocating per
// record: the generator must read faster than servers can serve.
func scanRecords(body []byte, res *readResult) error {
	res.records, res.next, res.hasNext, res.behind, res.childShards = res.records[:0], nil, false, -1, false
	s := jscan{b: body}
	res.data = res.data[:0]
	err := s.object(func(key []byte) error {
		switch string(key) {
		case "Records":
			return s.array(func() error {
				var r rawRecord
				var b64 []byte
				err := s.object(func(k []byte) error {
					switch string(k) {
					case "SequenceNumber":
						v, err := s.str()
						r.seq = v
						return err
					case "PartitionKey":
						v, err := s.str()
						r.pk = v
						return err
					case "Data":
						v, err := s.str()
						b64 = v
						return err
					}
					return s.skip()
				})
				if err != nil {
					return err
				}
				if r.seq == nil || b64 == nil {
					return errReadResponse
				}
				b64 = unescapeSlash(b64)
				start := len(res.data)
				n := base64.StdEncoding.DecodedLen(len(b64))
				res.data = grow(res.data, start+n)
				m, err := base64.StdEncoding.Decode(res.data[start:], b64)
				if err != nil {
					return errReadResponse
				}
				res.data = res.data[:start+m]
				r.data = res.data[start : start+m : start+m] // re-sliced below if the buffer moves
				res.records = append(res.records, r)
				return nil
			})
		case "NextShardIterator", "ContinuationSequenceNumber":
			if s.null() {
				return nil
			}
			v, err := s.str()
			res.next, res.hasNext = v, err == nil
			return err
		case "MillisBehindLatest":
			start := s.i
			if err := s.skip(); err != nil {
				return err
			}
			v, err := strconv.ParseInt(string(s.b[start:s.i]), 10, 64)
			if err == nil {
				res.behind = v
			}
			return nil
		case "ChildShards":
			if s.null() {
				return nil
			}
			n := 0
			err := s.array(func() error { n++; return s.skip() })
			res.childShards = n > 0
			return err
		}
		return s.skip()
	})
	if err != nil {
		return err
	}
	// The data buffer may have moved while growing: re-slice every record.
	off := 0
	for i := range res.records {
		n := len(res.records[i].data)
		res.records[i].data = res.data[off : off+n : off+n]
		off += n
	}
	return nil
}

// unescapeSlash undoes the one escape a JSON encoder may put in base64
// ("\/"), in place.
func unescapeSlash(b []byte) []byte {
	if bytes.IndexByte(b, '\\') < 0 {
		return b
	}
	j := 0
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) {
			i++
		}
		b[j] = b[i]
		j++
	}
	return b[:j]
}

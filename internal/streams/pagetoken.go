package streams

import (
	"encoding/binary"
	"errors"
	"time"
)

// pageToken is the content of a NextToken (ListStreams, ListShards,
// ListStreamConsumers): which listing it continues, in which namespace and
// stream, after which key, and when it was issued (tokens expire after 300
// seconds, as AWS's do).
type pageToken struct {
	Kind     byte   // which operation issued it
	NS       string // namespace
	Stream   string // stream name (ListShards, ListStreamConsumers)
	Epoch    uint32 // stream incarnation, so a token does not outlive its stream
	After    string // the last key returned
	IssuedMs int64
	// Filter carries what the first call asked for, for operations whose
	// later pages must apply it again (ListShards' ShardFilter).
	Filter []byte
}

const (
	pageListStreams byte = 1 + iota
	pageListShards
	pageListConsumers
)

const pageTokenVersion = 2

func (s *Service) sealPage(t pageToken) string {
	b := []byte{t.Kind}
	b = binary.BigEndian.AppendUint64(b, uint64(t.IssuedMs))
	b = binary.BigEndian.AppendUint32(b, t.Epoch)
	for _, f := range []string{t.NS, t.Stream, t.After, string(t.Filter)} {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return s.pages.seal(pageTokenVersion, b)
}

var errTokenFormat = errors.New("bad page token")

// openPage authenticates a NextToken of the given kind, checking that it is
// for the caller's namespace and not expired.
func (s *Service) openPage(tok string, kind byte, ns string) (pageToken, error) {
	v, b, err := s.pages.open(tok)
	if err != nil || v != pageTokenVersion || len(b) < 13 || b[0] != kind {
		return pageToken{}, errInvalidNextToken()
	}
	t := pageToken{Kind: b[0], IssuedMs: int64(binary.BigEndian.Uint64(b[1:])), Epoch: binary.BigEndian.Uint32(b[9:])}
	b = b[13:]
	var fields [4]string
	for i := range fields {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return pageToken{}, errInvalidNextToken()
		}
		fields[i] = string(b[k : k+int(n)])
		b = b[k+int(n):]
	}
	t.NS, t.Stream, t.After, t.Filter = fields[0], fields[1], fields[2], []byte(fields[3])
	if t.NS != ns {
		return pageToken{}, errInvalidNextToken()
	}
	if s.now().Sub(time.UnixMilli(t.IssuedMs)) > nextTokenLifetime {
		return pageToken{}, errExpiredNextToken()
	}
	return t, nil
}

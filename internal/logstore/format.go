package logstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// All integers on disk are little-endian. Every file starts with an 8-byte
// magic and a 2-byte format version; see docs/format/*.md.

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func crc(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

var le = binary.LittleEndian

const (
	journalMagic    = "EDDYJRNL"
	segmentMagic    = "EDDYSEGM"
	indexMagic      = "EDDYINDX"
	checkpointMagic = "EDDYCKPT"

	journalVersion    = 1
	segmentVersion    = 1
	indexVersion      = 1
	checkpointVersion = 1
)

// errBadHeader marks a header that is not one of ours (wrong magic, bad
// checksum, short); a version mismatch is a *FormatVersionError instead.
var errBadHeader = errors.New("bad file header")

// Journal file header (40 bytes):
//
//	0  8 magic "EDDYJRNL"
//	8  2 version
//	10 2 header length (40)
//	12 4 reserved (0)
//	16 8 file sequence number
//	24 8 end offset of the previous journal file's frames (0 if none): the
//	     previous file may be a recycled one with stale bytes past its end
//	32 4 reserved (0)
//	36 4 crc32c of bytes 0..36
const journalHeaderLen = 40

func encodeJournalHeader(seq uint64, prevEnd int64) []byte {
	b := make([]byte, journalHeaderLen)
	copy(b, journalMagic)
	le.PutUint16(b[8:], journalVersion)
	le.PutUint16(b[10:], journalHeaderLen)
	le.PutUint64(b[16:], seq)
	le.PutUint64(b[24:], uint64(prevEnd))
	le.PutUint32(b[36:], crc(b[:36]))
	return b
}

func decodeJournalHeader(b []byte, name string) (seq uint64, prevEnd int64, err error) {
	if err := checkMagicVersion(b, journalMagic, journalVersion, name); err != nil {
		return 0, 0, err
	}
	if len(b) < journalHeaderLen || le.Uint16(b[10:]) != journalHeaderLen || crc(b[:36]) != le.Uint32(b[36:]) {
		return 0, 0, errBadHeader
	}
	return le.Uint64(b[16:]), int64(le.Uint64(b[24:])), nil
}

// checkMagicVersion checks the magic and, if it matches, the version; a
// newer version is reported as *FormatVersionError before anything else is
// interpreted (the rest of a newer header may mean something else).
func checkMagicVersion(b []byte, magic string, version uint16, name string) error {
	if len(b) < 10 || string(b[:8]) != magic {
		return errBadHeader
	}
	if v := le.Uint16(b[8:]); v != version {
		return &FormatVersionError{File: name, Found: v, Supported: version}
	}
	return nil
}

// segHeaderLen is the header of segment and index files:
//
//	0  8 magic
//	8  2 version
//	10 2 header length (40)
//	12 4 reserved (0)
//	16 8 log id
//	24 8 base record number (first record the file covers)
//	32 4 reserved (0)
//	36 4 crc32c of bytes 0..36
const segHeaderLen = 40

func encodeSegHeader(magic string, version uint16, log LogID, base uint64) []byte {
	b := make([]byte, segHeaderLen)
	copy(b, magic)
	le.PutUint16(b[8:], version)
	le.PutUint16(b[10:], segHeaderLen)
	le.PutUint64(b[16:], uint64(log))
	le.PutUint64(b[24:], base)
	le.PutUint32(b[36:], crc(b[:36]))
	return b
}

func decodeSegHeader(b []byte, magic string, version uint16, name string) (log LogID, base uint64, err error) {
	if err := checkMagicVersion(b, magic, version, name); err != nil {
		return 0, 0, err
	}
	if len(b) < segHeaderLen || le.Uint16(b[10:]) != segHeaderLen || crc(b[:36]) != le.Uint32(b[36:]) {
		return 0, 0, errBadHeader
	}
	return LogID(le.Uint64(b[16:])), le.Uint64(b[24:]), nil
}

// Record frame, identical in journal runs and segment files:
//
//	0  4 body length B (bytes after this 8-byte prefix)
//	4  4 crc32c of the body
//	8  8 record number
//	16 8 arrival timestamp, unix ms
//	24 1 attributes (bit 0: explicit hash key present)
//	25 1 flags (the caller's)
//	26 2 partition key length K
//	28 K partition key
//	   16 explicit hash key, if attribute bit 0
//	   .. data (the rest of the body)
const (
	recHeaderLen   = 28
	recBodyFixed   = recHeaderLen - 8
	attrHasHashKey = 1
	hashKeyLen     = 16
	// maxKeyLen is the longest partition key in bytes: Kinesis allows 256
	// characters (UTF-16 code units), which is up to 768 bytes of UTF-8.
	maxKeyLen = 768
)

func frameLen(e *Entry) int {
	return recHeaderLen + len(e.PartitionKey) + len(e.ExplicitHashKey) + len(e.Data)
}

// appendRecord encodes one record frame at the end of b.
func appendRecord(b []byte, num uint64, ts int64, e *Entry) []byte {
	n := frameLen(e)
	off := len(b)
	b = grow(b, n)
	f := b[off : off+n]
	le.PutUint32(f[0:], uint32(n-8))
	le.PutUint64(f[8:], num)
	le.PutUint64(f[16:], uint64(ts))
	var attrs byte
	if len(e.ExplicitHashKey) == hashKeyLen {
		attrs |= attrHasHashKey
	}
	f[24] = attrs
	f[25] = e.Flags
	le.PutUint16(f[26:], uint16(len(e.PartitionKey)))
	p := recHeaderLen
	p += copy(f[p:], e.PartitionKey)
	p += copy(f[p:], e.ExplicitHashKey)
	copy(f[p:], e.Data)
	le.PutUint32(f[4:], crc(f[8:]))
	return b
}

// grow extends b by n bytes, reallocating with headroom if needed.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b[:len(b)+n]
	}
	nb := make([]byte, len(b)+n, 2*cap(b)+n)
	copy(nb, b)
	return nb
}

// errShortFrame means the buffer ends inside a frame (more bytes needed).
var errShortFrame = errors.New("short record frame")

// recordFrameSize returns the total size of the frame at the start of b, or
// errShortFrame if b does not hold its 8-byte prefix.
func recordFrameSize(b []byte) (int, error) {
	if len(b) < 8 {
		return 0, errShortFrame
	}
	n := int(le.Uint32(b)) + 8
	if n < recHeaderLen {
		return 0, fmt.Errorf("record frame length %d below minimum", n)
	}
	return n, nil
}

// decodeRecord decodes the frame at the start of b into r (whose slices alias
// b) and returns the frame size. verify checks the CRC; in-memory tails skip
// it because they were encoded by this process.
func decodeRecord(b []byte, r *Record, verify bool) (int, error) {
	n, err := recordFrameSize(b)
	if err != nil {
		return 0, err
	}
	if n > len(b) {
		return n, errShortFrame
	}
	f := b[:n]
	if verify && crc(f[8:]) != le.Uint32(f[4:]) {
		return n, errors.New("record checksum mismatch")
	}
	k := int(le.Uint16(f[26:]))
	attrs := f[24]
	if attrs&^attrHasHashKey != 0 {
		return n, fmt.Errorf("unknown record attributes %#x", attrs)
	}
	p := recHeaderLen + k
	h := 0
	if attrs&attrHasHashKey != 0 {
		h = hashKeyLen
	}
	if k == 0 || k > maxKeyLen || p+h > n {
		return n, fmt.Errorf("record key lengths %d/%d do not fit frame of %d bytes", k, h, n)
	}
	r.Number = le.Uint64(f[8:])
	r.Timestamp = int64(le.Uint64(f[16:]))
	r.Flags = f[25]
	r.PartitionKey = f[recHeaderLen:p:p]
	if h != 0 {
		r.ExplicitHashKey = f[p : p+h : p+h]
	} else {
		r.ExplicitHashKey = nil
	}
	r.Data = f[p+h : n : n]
	return n, nil
}

// recordHead reads just the number and timestamp of the frame at b (used
// while indexing, without decoding keys).
func recordHead(b []byte) (num uint64, ts int64) {
	return le.Uint64(b[8:]), int64(le.Uint64(b[16:]))
}

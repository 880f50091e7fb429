package bench

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
)

// Record layout. Every record written by eddy bench starts with a HeaderLen
// header; the rest is a filler that is constant per producer, so that its
// base64 and its CRC are computed once. HeaderLen is a multiple of 3, so the
// base64 of a record is the base64 of its header followed by the base64 of
// its filler: only the header is encoded per record.
//
//	0  magic    "EdB1"
//	4  run      uint32  identifies one `eddy bench` run
//	8  producer uint32
//	12 keyHash  uint32  FNV-1a of the partition key
//	16 counter  uint64  per producer, from 0
//	24 sendNs   int64   Unix nanoseconds of the first send
//	32 size     uint32  length of the whole record
//	36 reserved uint16  zero
//	38 crc      uint32  CRC32C of the filler followed by bytes 0..37
const (
	HeaderLen = 42
	magic     = "EdB1"
	crcOffset = 38
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Header is the decoded header of a bench record.
type Header struct {
	Run      uint32
	Producer uint32
	KeyHash  uint32
	Counter  uint64
	SendNs   int64
	Size     uint32
}

// Errors of ParseRecord. ErrForeign means the data was not written by eddy
// bench at all; the others mean a bench record arrived damaged.
var (
	ErrForeign  = errors.New("not an eddy bench record")
	ErrCorrupt  = errors.New("corrupted record")
	ErrWrongKey = errors.New("record read under another partition key")
)

// ParseRecord decodes and checks a record read back under partition key pk.
func ParseRecord(data []byte, pk string) (Header, error) {
	h, err := parseRecord(data, KeyHash(pk))
	if err == ErrWrongKey {
		return h, fmt.Errorf("%w: partition key %q hashes to %08x, record was written under %08x", ErrWrongKey, pk, KeyHash(pk), h.KeyHash)
	}
	return h, err
}

// parseRecord is ParseRecord for a partition key hash; a key mismatch is
// ErrWrongKey itself (the caller words it).
func parseRecord(data []byte, keyHash uint32) (Header, error) {
	if len(data) < HeaderLen || string(data[:4]) != magic {
		return Header{}, ErrForeign
	}
	h := Header{
		Run:      binary.BigEndian.Uint32(data[4:]),
		Producer: binary.BigEndian.Uint32(data[8:]),
		KeyHash:  binary.BigEndian.Uint32(data[12:]),
		Counter:  binary.BigEndian.Uint64(data[16:]),
		SendNs:   int64(binary.BigEndian.Uint64(data[24:])),
		Size:     binary.BigEndian.Uint32(data[32:]),
	}
	if int(h.Size) != len(data) {
		return h, fmt.Errorf("%w: length %d, header says %d", ErrCorrupt, len(data), h.Size)
	}
	want := binary.BigEndian.Uint32(data[crcOffset:])
	got := crc32.Update(crc32.Checksum(data[HeaderLen:], castagnoli), castagnoli, data[:crcOffset])
	if got != want {
		return h, fmt.Errorf("%w: CRC32C %08x, header says %08x", ErrCorrupt, got, want)
	}
	if keyHash != h.KeyHash {
		return h, ErrWrongKey
	}
	return h, nil
}

// KeyHash is the 32-bit FNV-1a hash of a partition key.
func KeyHash(pk string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(pk); i++ {
		h ^= uint32(pk[i])
		h *= 16777619
	}
	return h
}

// seqHash is a 64-bit hash of a sequence number: the acknowledgement table
// stores it instead of the ~56-byte string. It must be the same in every
// process (ack logs are checked by another run), so it is not maphash.
func seqHash(s string) uint64 { return seqHashBytes([]byte(s)) }

// seqHashBytes hashes 8 bytes at a time and finishes with the splitmix64
// mixer; it is for telling sequence numbers apart, not for adversaries.
func seqHashBytes(b []byte) uint64 {
	const m = 0x9e3779b97f4a7c15
	h := uint64(len(b)) * m
	for len(b) >= 8 {
		h = (h ^ binary.LittleEndian.Uint64(b)) * m
		h ^= h >> 29
		b = b[8:]
	}
	var tail uint64
	for i, c := range b {
		tail |= uint64(c) << (8 * i)
	}
	h = (h ^ tail) * m
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	return h ^ h>>31
}

// recordMaker builds the records of one producer.
type recordMaker struct {
	run, producer uint32
	size          int
	filler        []byte
	fillerB64     []byte
	fillerCRC     uint32
	hdr           [HeaderLen]byte
}

func newRecordMaker(run, producer uint32, size int) *recordMaker {
	if size < HeaderLen {
		size = HeaderLen
	}
	m := &recordMaker{run: run, producer: producer, size: size}
	m.filler = make([]byte, size-HeaderLen)
	r := rand.New(rand.NewPCG(uint64(run), uint64(producer)))
	for i := range m.filler {
		m.filler[i] = byte(r.Uint32())
	}
	m.fillerB64 = make([]byte, base64.StdEncoding.EncodedLen(len(m.filler)))
	base64.StdEncoding.Encode(m.fillerB64, m.filler)
	m.fillerCRC = crc32.Checksum(m.filler, castagnoli)
	copy(m.hdr[:4], magic)
	binary.BigEndian.PutUint32(m.hdr[4:], run)
	binary.BigEndian.PutUint32(m.hdr[8:], producer)
	binary.BigEndian.PutUint32(m.hdr[32:], uint32(size))
	return m
}

// header fills in the per-record fields and the CRC.
func (m *recordMaker) header(keyHash uint32, counter uint64, sendNs int64) *[HeaderLen]byte {
	binary.BigEndian.PutUint32(m.hdr[12:], keyHash)
	binary.BigEndian.PutUint64(m.hdr[16:], counter)
	binary.BigEndian.PutUint64(m.hdr[24:], uint64(sendNs))
	binary.BigEndian.PutUint32(m.hdr[crcOffset:], crc32.Update(m.fillerCRC, castagnoli, m.hdr[:crcOffset]))
	return &m.hdr
}

// appendB64 appends the base64 of a record (header then filler).
func (m *recordMaker) appendB64(dst []byte, keyHash uint32, counter uint64, sendNs int64) []byte {
	h := m.header(keyHash, counter, sendNs)
	n := len(dst)
	dst = append(dst, make([]byte, base64.StdEncoding.EncodedLen(HeaderLen))...)
	base64.StdEncoding.Encode(dst[n:], h[:])
	return append(dst, m.fillerB64...)
}

// data returns the raw bytes of a record (for tests and for fault injection).
func (m *recordMaker) data(keyHash uint32, counter uint64, sendNs int64) []byte {
	h := m.header(keyHash, counter, sendNs)
	return append(append([]byte(nil), h[:]...), m.filler...)
}

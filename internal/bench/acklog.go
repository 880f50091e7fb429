package bench

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
)

// Ack log format (all integers big-endian), written by put runs with
// --ack-log and read by verify runs:
//
//	magic "EDBACK01"
//	u32 number of tables, then per table:
//	  u32 run, u32 producer
//	  u32 number of shard names, each u16 length + bytes
//	  u64 number of records, each u8 state, u32 shard index, u64 sequence hash
//	u32 CRC32C of everything before it
const ackMagic = "EDBACK01"

// WriteAckLog saves tables to path (atomically: a temporary file renamed).
func WriteAckLog(path string, tables []*ackTable) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("ack log: %w", err)
	}
	defer os.Remove(tmp)
	crc := crc32.New(castagnoli)
	w := bufio.NewWriterSize(io.MultiWriter(f, crc), 1<<20)
	var b [13]byte
	w.WriteString(ackMagic)
	binary.BigEndian.PutUint32(b[:], uint32(len(tables)))
	w.Write(b[:4])
	for _, t := range tables {
		binary.BigEndian.PutUint32(b[:], t.Run)
		binary.BigEndian.PutUint32(b[4:], t.Producer)
		binary.BigEndian.PutUint32(b[8:], uint32(len(t.Shards)))
		w.Write(b[:12])
		for _, s := range t.Shards {
			binary.BigEndian.PutUint16(b[:], uint16(len(s)))
			w.Write(b[:2])
			w.WriteString(s)
		}
		binary.BigEndian.PutUint64(b[:], uint64(len(t.State)))
		w.Write(b[:8])
		for i := range t.State {
			b[0] = t.State[i]
			binary.BigEndian.PutUint32(b[1:], t.Shard[i])
			binary.BigEndian.PutUint64(b[5:], t.Seq[i])
			w.Write(b[:13])
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("ack log: %w", err)
	}
	binary.BigEndian.PutUint32(b[:], crc.Sum32())
	if _, err := f.Write(b[:4]); err != nil {
		f.Close()
		return fmt.Errorf("ack log: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("ack log: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("ack log: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("ack log: %w", err)
	}
	return nil
}

// ReadAckLog loads the tables saved by WriteAckLog.
func ReadAckLog(path string) ([]*ackTable, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ack log: %w", err)
	}
	defer f.Close()
	crc := crc32.New(castagnoli)
	r := &crcReader{r: bufio.NewReaderSize(f, 1<<20), h: crc}
	tables, err := readTables(r)
	if err != nil {
		return nil, fmt.Errorf("ack log %s: %w", path, err)
	}
	sum := crc.Sum32()
	var b [4]byte
	if _, err := io.ReadFull(r.r, b[:]); err != nil || binary.BigEndian.Uint32(b[:]) != sum {
		return nil, fmt.Errorf("ack log %s: checksum mismatch (truncated or damaged file)", path)
	}
	return tables, nil
}

type crcReader struct {
	r io.Reader
	h hash.Hash32
}

func (c *crcReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	return n, err
}

func readTables(r io.Reader) ([]*ackTable, error) {
	var b [13]byte
	if _, err := io.ReadFull(r, b[:8]); err != nil || string(b[:8]) != ackMagic {
		return nil, errors.New("not an eddy bench ack log")
	}
	if _, err := io.ReadFull(r, b[:4]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(b[:])
	var tables []*ackTable
	for range n {
		if _, err := io.ReadFull(r, b[:12]); err != nil {
			return nil, err
		}
		t := newAckTable(binary.BigEndian.Uint32(b[:]), binary.BigEndian.Uint32(b[4:]))
		ns := binary.BigEndian.Uint32(b[8:])
		for range ns {
			if _, err := io.ReadFull(r, b[:2]); err != nil {
				return nil, err
			}
			name := make([]byte, binary.BigEndian.Uint16(b[:]))
			if _, err := io.ReadFull(r, name); err != nil {
				return nil, err
			}
			t.Shards = append(t.Shards, string(name))
		}
		if _, err := io.ReadFull(r, b[:8]); err != nil {
			return nil, err
		}
		count := binary.BigEndian.Uint64(b[:])
		if count > 1<<34 {
			return nil, fmt.Errorf("implausible record count %d", count)
		}
		for range count {
			if _, err := io.ReadFull(r, b[:13]); err != nil {
				return nil, err
			}
			ix := binary.BigEndian.Uint32(b[1:])
			if b[0]&stAcked != 0 && int(ix) >= len(t.Shards) {
				return nil, fmt.Errorf("shard index %d out of range", ix)
			}
			t.State = append(t.State, b[0])
			t.Shard = append(t.Shard, ix)
			t.Seq = append(t.Seq, binary.BigEndian.Uint64(b[5:]))
		}
		tables = append(tables, t)
	}
	return tables, nil
}

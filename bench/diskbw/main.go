// Command diskbw measures the disk ceilings of the side-by-side benchmark
// in a directory: sequential write bandwidth in 1 MiB blocks, each followed
// by fdatasync, and the rate of small synced writes (4 KiB + fdatasync), the
// cost a durable single-record append cannot go below. It prints JSON.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

type result struct {
	Dir            string  `json:"dir"`
	SeqMiB         int     `json:"seq_mib"`
	SeqMBPerSec    float64 `json:"seq_sync_mb_per_s"`
	SmallWrites    int     `json:"small_writes"`
	SmallPerSec    float64 `json:"small_sync_writes_per_s"`
	SmallLatencyMs float64 `json:"small_sync_write_ms"`
}

func main() {
	dir := flag.String("dir", ".", "`directory` on the disk to measure")
	mib := flag.Int("mib", 256, "MiB to write in 1 MiB synced blocks")
	small := flag.Int("small", 2000, "number of 4 KiB synced writes")
	flag.Parse()
	r, err := measure(*dir, *mib, *small)
	if err != nil {
		fmt.Fprintf(os.Stderr, "diskbw: %v\n", err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(r)
}

func measure(dir string, mib, small int) (*result, error) {
	path := filepath.Join(dir, fmt.Sprintf(".diskbw-%d", os.Getpid()))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	defer os.Remove(path)
	defer f.Close()
	block := make([]byte, 1<<20)
	for i := range block {
		block[i] = byte(i * 7)
	}
	r := &result{Dir: dir, SeqMiB: mib, SmallWrites: small}
	start := time.Now()
	for range mib {
		if _, err := f.Write(block); err != nil {
			return nil, err
		}
		if err := unix.Fdatasync(int(f.Fd())); err != nil {
			return nil, err
		}
	}
	r.SeqMBPerSec = float64(mib<<20) / 1e6 / time.Since(start).Seconds()
	if _, err := f.Seek(0, 0); err != nil {
		return nil, err
	}
	start = time.Now()
	for range small {
		if _, err := f.Write(block[:4096]); err != nil {
			return nil, err
		}
		if err := unix.Fdatasync(int(f.Fd())); err != nil {
			return nil, err
		}
	}
	el := time.Since(start)
	r.SmallPerSec = float64(small) / el.Seconds()
	r.SmallLatencyMs = el.Seconds() * 1e3 / float64(small)
	return r, nil
}

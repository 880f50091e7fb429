package logstore

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/vfs"
)

const killChildEnv = "EDDY_LOGSTORE_KILL_CHILD"

// TestKill9 runs the store in a child process (this test binary again)
// that appends concurrently and prints what was acknowledged; the parent
// kills it with SIGKILL at random moments and verifies recovery each time.
func TestKill9(t *testing.T) {
	if dir := os.Getenv(killChildEnv); dir != "" {
		killChild(dir)
		return
	}
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	acked := map[LogID]map[uint64]string{}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for round := range 4 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKill9$", "-test.count=1")
		cmd.Env = append(os.Environ(), killChildEnv+"="+dir, fmt.Sprintf("EDDY_LOGSTORE_KILL_ROUND=%d", round))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		deadline := time.After(time.Duration(50+rng.IntN(300)) * time.Millisecond)
		n := 0
	read:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatal("child exited early")
				}
				n += parseAck(t, l, acked)
			case <-deadline:
				if n == 0 {
					deadline = time.After(50 * time.Millisecond) // wait for the first acks
					continue
				}
				break read
			}
		}
		cmd.Process.Signal(syscall.SIGKILL)
		for l := range lines { // acks printed before the kill still count
			n += parseAck(t, l, acked)
		}
		cmd.Wait()
		s, err := Open(Options{FS: vfs.OS, Dir: dir})
		if err != nil {
			t.Fatalf("round %d: Open after SIGKILL: %v", round, err)
		}
		total := 0
		for log, m := range acked {
			recs := readAllStore(t, s, log)
			for num, data := range m {
				if num > uint64(len(recs)) {
					t.Fatalf("round %d: log %d: acknowledged record %d lost (log has %d)", round, log, num, len(recs))
				}
				if got := string(recs[num-1].Data); got != data {
					t.Fatalf("round %d: log %d record %d = %q, want %q", round, log, num, got, data)
				}
			}
			for i, r := range recs {
				if r.Number != uint64(i+1) || !strings.HasPrefix(string(r.Data), fmt.Sprintf("%d/", log)) {
					t.Fatalf("round %d: log %d: bad record at %d", round, log, i+1)
				}
			}
			total += len(m)
		}
		if d := s.Damage(); len(d) != 0 {
			t.Fatalf("round %d: damage: %v", round, d[0])
		}
		s.Close()
		t.Logf("round %d: %d acknowledged this round, %d in total, all recovered", round, n, total)
	}
}

func readAllStore(t *testing.T, s *Store, log LogID) []Record {
	var out []Record
	from := uint64(1)
	for {
		r, err := s.Read(log, from, 10000, 8<<20)
		if err != nil {
			t.Fatalf("read log %d: %v", log, err)
		}
		if len(r.Records) == 0 {
			return out
		}
		out = append(out, r.Records...)
		from = r.Next
	}
}

// parseAck records "log first token count" lines; record first+k holds
// data token/k.
func parseAck(t *testing.T, line string, acked map[LogID]map[uint64]string) int {
	var log LogID
	var first uint64
	var token string
	var count int
	if _, err := fmt.Sscanf(line, "ack %d %d %s %d", &log, &first, &token, &count); err != nil {
		return 0 // a line cut by the kill
	}
	if acked[log] == nil {
		acked[log] = map[uint64]string{}
	}
	for k := range count {
		if _, dup := acked[log][first+uint64(k)]; dup {
			t.Fatalf("record %d of log %d acknowledged twice", first+uint64(k), log)
		}
		acked[log][first+uint64(k)] = fmt.Sprintf("%s/%d", token, k)
	}
	return count
}

// killChild appends until killed, printing acknowledgements.
func killChild(dir string) {
	s, err := Open(Options{FS: vfs.OS, Dir: dir, CheckpointBytes: 256 << 10, SegmentBytes: 128 << 10, JournalSegmentBytes: 128 << 10})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(1)
	}
	for i := 1; i <= 4; i++ {
		s.CreateLog(LogID(i), LogConfig{})
	}
	round := os.Getenv("EDDY_LOGSTORE_KILL_ROUND")
	var mu sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				log := LogID(1 + (g+i)%4)
				token := fmt.Sprintf("%d/r%sg%di%d", log, round, g, i)
				n := 1 + i%50
				es := make([]Entry, n)
				for k := range es {
					es[k] = Entry{PartitionKey: []byte("k"), Data: fmt.Appendf(nil, "%s/%d", token, k)}
				}
				res, err := s.Append(context.Background(), []Batch{{Log: log, Entries: es}})
				if err != nil {
					fmt.Fprintln(os.Stderr, "child append:", err)
					os.Exit(1)
				}
				mu.Lock()
				fmt.Fprintf(w, "ack %d %d %s %d\n", log, res[0].First, token, n)
				w.Flush()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

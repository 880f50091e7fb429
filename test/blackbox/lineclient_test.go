package blackbox

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// lineClient is a client script that the test steers while other clients
// run: it answers each command line written to its stdin with one JSON line
// on stdout. The tests use it where a client's steps must interleave with
// another client's (boto3 writing while the AWS CLI reshards).
type lineClient struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	cancel context.CancelFunc
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr lockedBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // cmd.Wait's result, set before done is closed
}

// lockedBuffer collects a process's stderr while the test may read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startLineClient starts name with args in env and dir, killing it if it
// runs longer than two minutes or outlives the test.
func startLineClient(t *testing.T, env []string, dir, name string, args ...string) *lineClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	c := &lineClient{t: t, name: name, cancel: cancel, done: make(chan struct{})}
	c.cmd = exec.CommandContext(ctx, name, args...)
	c.cmd.Env, c.cmd.Dir = env, dir
	c.cmd.Stderr = &c.stderr
	var err error
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.stdout = bufio.NewReaderSize(out, 1<<20)
	if err := c.cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		cancel()
		<-c.done
	})
	return c
}

// send writes one command line.
func (c *lineClient) send(line string) {
	c.t.Helper()
	if _, err := io.WriteString(c.stdin, line+"\n"); err != nil {
		c.fail("writing %q: %v", line, err)
	}
}

// recv reads one answer into v.
func (c *lineClient) recv(v any) {
	c.t.Helper()
	line, err := c.stdout.ReadBytes('\n')
	if err != nil {
		c.fail("reading an answer: %v", err)
	}
	if err := json.Unmarshal(line, v); err != nil {
		c.fail("answer is not the expected JSON (%v): %s", err, line)
	}
}

// call sends a command and reads its answer into v.
func (c *lineClient) call(line string, v any) {
	c.t.Helper()
	c.send(line)
	c.recv(v)
}

// wait waits for the client to exit after its last command and fails the
// test unless it exited with status 0.
func (c *lineClient) wait() {
	c.t.Helper()
	c.stdin.Close()
	<-c.done
	if c.err != nil {
		c.t.Fatalf("%s: %v\nstderr:\n%s", c.name, c.err, c.stderr.String())
	}
}

// fail reports the client's stderr along with what went wrong (a client
// that died mid-conversation explains itself there).
func (c *lineClient) fail(format string, args ...any) {
	c.t.Helper()
	c.stdin.Close()
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
	}
	c.t.Fatalf("%s: "+format+"\nstderr:\n%s", append([]any{c.name}, append(args, c.stderr.String())...)...)
}

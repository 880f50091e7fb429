package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"time"
)

// endpoint is where requests go.
type endpoint struct {
	addr     string // host:port to dial
	host     string // Host header value
	tls      bool
	insecure bool
}

func parseEndpoint(raw string, insecure bool) (endpoint, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return endpoint{}, fmt.Errorf("endpoint %q: %w", raw, err)
	}
	e := endpoint{host: u.Host, insecure: insecure}
	switch u.Scheme {
	case "http":
	case "https":
		e.tls = true
	default:
		return endpoint{}, fmt.Errorf("endpoint %q: scheme must be http or https", raw)
	}
	if u.Host == "" {
		return endpoint{}, fmt.Errorf("endpoint %q: no host", raw)
	}
	e.addr = u.Host
	if u.Port() == "" {
		if e.tls {
			e.addr = net.JoinHostPort(u.Hostname(), "443")
		} else {
			e.addr = net.JoinHostPort(u.Hostname(), "80")
		}
	}
	return e, nil
}

// conn is one kept-alive HTTP/1.1 connection owned by one goroutine. It
// writes a request (head and body) with one writev and reads the response
// into a reused buffer. It speaks just enough HTTP/1.1 for AWS JSON APIs:
// Content-Length and chunked bodies, Connection: close.
type conn struct {
	ep      endpoint
	signer  *signer
	timeout time.Duration

	nc   net.Conn
	br   *bufio.Reader
	head []byte
	body []byte // the last response body; valid until the next request
	arr  [2][]byte
	bufs net.Buffers // over arr: WriteTo consumes it
}

func newConn(ep endpoint, s *signer, timeout time.Duration) *conn {
	return &conn{ep: ep, signer: s, timeout: timeout, head: make([]byte, 0, 512)}
}

// errConnection marks failures of the transport: the request may or may not
// have reached the server. errNotSent marks those where it certainly did not
// (no connection could be made).
var (
	errConnection = errors.New("connection")
	errNotSent    = errors.New("request not sent")
)

func (c *conn) dial(ctx context.Context) error {
	d := net.Dialer{Timeout: c.timeout, KeepAlive: 30 * time.Second}
	nc, err := d.DialContext(ctx, "tcp", c.ep.addr)
	if err != nil {
		return fmt.Errorf("%w: %w: dial %s: %w", errConnection, errNotSent, c.ep.addr, err)
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	if c.ep.tls {
		host, _, _ := net.SplitHostPort(c.ep.addr)
		tc := tls.Client(nc, &tls.Config{ServerName: host, InsecureSkipVerify: c.ep.insecure, NextProtos: []string{"http/1.1"}})
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return fmt.Errorf("%w: %w: TLS handshake with %s: %w", errConnection, errNotSent, c.ep.addr, err)
		}
		nc = tc
	}
	c.nc = nc
	if c.br == nil {
		c.br = bufio.NewReaderSize(nc, 64<<10)
	} else {
		c.br.Reset(nc)
	}
	return nil
}

// Close closes the connection.
func (c *conn) Close() {
	if c.nc != nil {
		c.nc.Close()
		c.nc = nil
	}
}

// do posts body to operation target and returns the status and the response
// body (valid until the next call). A transport failure returns an error
// wrapping errConnection and closes the connection; the next call redials.
func (c *conn) do(ctx context.Context, target string, body []byte) (int, []byte, error) {
	if c.nc == nil {
		if err := c.dial(ctx); err != nil {
			return 0, nil, err
		}
	}
	now := time.Now()
	c.head = c.head[:0]
	c.head = append(c.head, "POST / HTTP/1.1\r\nHost: "...)
	c.head = append(c.head, c.ep.host...)
	c.head = append(c.head, "\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: Kinesis_20131202."...)
	c.head = append(c.head, target...)
	c.head = append(c.head, "\r\nX-Amz-Date: "...)
	date, auth := c.signer.header(now, target)
	c.head = append(c.head, date...)
	c.head = append(c.head, "\r\nAuthorization: "...)
	c.head = append(c.head, auth...)
	c.head = append(c.head, "\r\nContent-Length: "...)
	c.head = strconv.AppendInt(c.head, int64(len(body)), 10)
	c.head = append(c.head, "\r\n\r\n"...)
	if c.timeout > 0 {
		c.nc.SetDeadline(now.Add(c.timeout))
	}
	c.bufs = append(net.Buffers(c.arr[:0]), c.head, body)
	if _, err := c.bufs.WriteTo(c.nc); err != nil {
		c.Close()
		return 0, nil, fmt.Errorf("%w: writing request: %w", errConnection, err)
	}
	status, err := c.readResponse()
	if err != nil {
		c.Close()
		return 0, nil, fmt.Errorf("%w: reading response: %w", errConnection, err)
	}
	return status, c.body, nil
}

// readResponse reads a status line, the headers and the body.
func (c *conn) readResponse() (int, error) {
	line, err := c.readLine()
	if err != nil {
		return 0, err
	}
	// HTTP/1.1 200 OK
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, fmt.Errorf("bad status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, fmt.Errorf("bad status line %q", line)
	}
	length, chunked, closeAfter := -1, false, false
	for {
		line, err := c.readLine()
		if err != nil {
			return 0, err
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, fmt.Errorf("bad header line %q", line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case asciiEqualFold(name, "content-length"):
			n, err := strconv.Atoi(string(value))
			if err != nil || n < 0 {
				return 0, fmt.Errorf("bad Content-Length %q", value)
			}
			length = n
		case asciiEqualFold(name, "transfer-encoding"):
			chunked = asciiEqualFold(value, "chunked")
		case asciiEqualFold(name, "connection"):
			closeAfter = asciiEqualFold(value, "close")
		}
	}
	c.body = c.body[:0]
	switch {
	case chunked:
		if err := c.readChunked(); err != nil {
			return 0, err
		}
	case length >= 0:
		c.body = grow(c.body, length)
		if _, err := io.ReadFull(c.br, c.body); err != nil {
			return 0, err
		}
	default:
		b, err := io.ReadAll(c.br)
		if err != nil {
			return 0, err
		}
		c.body = b
		closeAfter = true
	}
	if closeAfter {
		c.Close()
	}
	return status, nil
}

func (c *conn) readChunked() error {
	for {
		line, err := c.readLine()
		if err != nil {
			return err
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		n, err := strconv.ParseUint(string(bytes.TrimSpace(line)), 16, 32)
		if err != nil {
			return fmt.Errorf("bad chunk size %q", line)
		}
		if n == 0 {
			for { // trailers
				line, err := c.readLine()
				if err != nil {
					return err
				}
				if len(line) == 0 {
					return nil
				}
			}
		}
		start := len(c.body)
		c.body = grow(c.body, start+int(n))
		if _, err := io.ReadFull(c.br, c.body[start:]); err != nil {
			return err
		}
		if line, err := c.readLine(); err != nil || len(line) != 0 {
			return fmt.Errorf("chunk not followed by CRLF")
		}
	}
}

// readLine returns a line without its CRLF; it is valid until the next read.
func (c *conn) readLine() ([]byte, error) {
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("header line longer than %d bytes", c.br.Size())
		}
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// grow returns b resized to n bytes, reusing its array when it is big enough.
func grow(b []byte, n int) []byte {
	if cap(b) >= n {
		return b[:n]
	}
	nb := make([]byte, n, n+n/4)
	copy(nb, b)
	return nb
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

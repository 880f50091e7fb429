package awsproto

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Hand-written shapes standing in for the generated ones.

type testInput struct {
	Name  string
	Count int
}

func (in *testInput) DecodeAWS(enc Encoding, body []byte) error {
	if enc == CBOR {
		// The tests send CBOR only as a map with an optional "Name" text.
		name, ok := cborName(body)
		if !ok {
			return &Error{Exception: Serialization}
		}
		in.Name = name
		return nil
	}
	if !json.Valid(body) {
		return &Error{Exception: Serialization}
	}
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		return &Error{Exception: Serialization, Message: "Start of list found where not expected"}
	}
	if v, ok := raw["Name"]; ok {
		s, ok := v.(string)
		if !ok {
			return Errorf(Serialization, "class java.math.BigDecimal can not be converted to an String")
		}
		in.Name = s
	}
	if v, ok := raw["Count"].(float64); ok {
		in.Count = int(v)
	}
	return nil
}

func (in *testInput) Validate() error {
	if in.Name == "invalid!" {
		return Errorf(Validation, "1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", in.Name)
	}
	return nil
}

// cborName reads {"Name": text} (or an empty map) in the shapes the tests
// send: a definite map of at most one pair, or an indefinite one.
func cborName(b []byte) (string, bool) {
	if len(b) == 2 && (b[0] == 0xa0 || (b[0] == 0xbf && b[1] == 0xff)) {
		return "", true
	}
	if len(b) < 7 || (b[0] != 0xa1 && b[0] != 0xbf) || !bytes.Equal(b[1:6], []byte("\x64Name")) {
		return "", false
	}
	n := int(b[6] & 0x1f)
	if b[6]&0xe0 != 0x60 || n > 23 || len(b) < 7+n {
		return "", false
	}
	return string(b[7 : 7+n]), true
}

type testOutput struct {
	Name, Account, Region, AccessKey string
}

func (o *testOutput) AppendAWS(enc Encoding, dst []byte) []byte {
	if enc == CBOR {
		dst = append(dst, 0xbf)
		for _, kv := range [][2]string{{"Name", o.Name}, {"Account", o.Account}, {"Region", o.Region}} {
			dst = appendCBORText(dst, kv[0])
			dst = appendCBORText(dst, kv[1])
		}
		return append(dst, 0xff)
	}
	b, _ := json.Marshal(o)
	return append(dst, b...)
}

// rawOutput is an Output whose encoding is fixed bytes.
type rawOutput string

func (r rawOutput) AppendAWS(_ Encoding, dst []byte) []byte { return append(dst, r...) }

const testPrefix = "Kinesis_20131202"

func testService(streamFn func(ctx context.Context, in Input, es EventSender) error) *Service {
	in := func() Input { return &testInput{} }
	ops := map[string]*Operation{
		"ListStreams": {Name: "ListStreams", NewInput: in, Call: func(ctx context.Context, i Input) (Output, error) {
			c, _ := CallerFrom(ctx)
			return &testOutput{Name: i.(*testInput).Name, Account: c.Account, Region: c.Region, AccessKey: c.AccessKeyID}, nil
		}},
		"AddTagsToStream": {Name: "AddTagsToStream", NewInput: in, Call: func(context.Context, Input) (Output, error) {
			return nil, nil
		}},
		"DescribeStream": {Name: "DescribeStream", NewInput: in, Call: func(context.Context, Input) (Output, error) {
			return nil, Errorf(ResourceNotFound, "Stream missing under account 000000000000 not found.")
		}},
		"GetRecords": {Name: "GetRecords", NewInput: in, Call: func(context.Context, Input) (Output, error) {
			return nil, fmt.Errorf("reading segment 7: %w", io.ErrUnexpectedEOF)
		}},
		"PutRecord": {Name: "PutRecord", NewInput: in, Call: func(context.Context, Input) (Output, error) {
			panic("boom")
		}},
	}
	if streamFn != nil {
		ops["SubscribeToShard"] = &Operation{Name: "SubscribeToShard", NewInput: in, Stream: streamFn}
	}
	return &Service{TargetPrefix: testPrefix, SigningName: "kinesis", Operations: ops}
}

// logBuffer collects log output for assertions.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newTestServer(t *testing.T, opts HandlerOptions, svcs ...*Service) (*httptest.Server, *Handler, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	if len(svcs) == 0 {
		svcs = []*Service{testService(nil)}
	}
	h, err := NewHandler(opts, svcs...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, h, logs
}

const (
	goodAuth = "AWS4-HMAC-SHA256 Credential=123456789012/20240102/eu-central-1/kinesis/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123abcd"
	ctJSON   = "application/x-amz-json-1.1"
)

type req struct {
	method  string
	path    string
	headers map[string]string
	body    string
	sign    bool // add a well-formed Authorization and X-Amz-Date
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func do(t *testing.T, srv *httptest.Server, r req) resp {
	t.Helper()
	if r.method == "" {
		r.method = http.MethodPost
	}
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr, err := http.NewRequest(r.method, srv.URL+r.path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range r.headers {
		hr.Header[k] = []string{v} // as given, not canonicalized
	}
	if r.sign {
		hr.Header.Set("Authorization", goodAuth)
		hr.Header.Set("X-Amz-Date", "20240102T030405Z")
	}
	res, err := srv.Client().Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{res.StatusCode, res.Header, b}
}

func cborError(typ string) []byte {
	return AppendErrorBody(nil, CBOR, &Error{Exception: LookupException(typ)})
}

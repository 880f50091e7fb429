package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"golang.org/x/net/http2"

	"github.com/eddy-streams/eddy/internal/testenv"
)

// protoRecorder is an http.RoundTripper that records the protocol of
// every response, so a test can prove which one was spoken.
type protoRecorder struct {
	rt     http.RoundTripper
	mu     sync.Mutex
	protos map[string]int
}

func (p *protoRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := p.rt.RoundTrip(r)
	if err == nil {
		p.mu.Lock()
		p.protos[res.Proto]++
		p.mu.Unlock()
	}
	return res, err
}

func (p *protoRecorder) only(t *testing.T, proto string) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.protos) != 1 || p.protos[proto] == 0 {
		t.Fatalf("responses by protocol: %v, want only %s", p.protos, proto)
	}
}

// h2cClient speaks HTTP/2 with prior knowledge over cleartext TCP.
func h2cClient() *protoRecorder {
	tr := &http2.Transport{
		AllowHTTP: true,
		DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
	return &protoRecorder{rt: tr, protos: map[string]int{}}
}

// tlsClient speaks HTTPS to the self-signed listener; ALPN picks h2.
func tlsClient() *protoRecorder {
	return &protoRecorder{rt: testenv.InsecureTLS().Transport, protos: map[string]int{}}
}

// exercise runs a small session through k: create, wait, put, get,
// describe, an error, concurrent calls on one connection.
func exercise(t *testing.T, k *kinesis.Client) {
	t.Helper()
	_, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(2)})
	noErr(t, err)
	waitActive(t, k, "s")
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB: several DATA frames each way
	put, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("a"), Data: big[:1<<20-1]})
	noErr(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := k.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{
				{PartitionKey: aws.String("a"), Data: []byte("c" + itoa(i))}, {PartitionKey: aws.String("b"), Data: []byte("c" + itoa(i))}}})
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		noErr(t, err)
	}
	it := iter(t, k, "s", *put.ShardId, types.ShardIteratorTypeTrimHorizon)
	r, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it})
	noErr(t, err)
	if len(r.Records) != 21 || !bytes.Equal(r.Records[0].Data, big[:1<<20-1]) {
		t.Fatalf("read %d records", len(r.Records))
	}
	d, err := k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s")})
	noErr(t, err)
	if len(d.StreamDescription.Shards) != 2 {
		t.Fatalf("%d shards", len(d.StreamDescription.Shards))
	}
	_, err = k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("nope")})
	wantErr(t, err, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")
	_, err = k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("AAAA")})
	wantErr(t, err, "InvalidArgumentException", "Invalid ShardIterator.")
}

func TestH2C(t *testing.T) {
	e := start(t)
	rec := h2cClient()
	k := e.Client(func(o *kinesis.Options) { o.HTTPClient = &http.Client{Transport: rec, Timeout: 30 * time.Second} })
	exercise(t, k)
	rec.only(t, "HTTP/2.0")
}

func TestTLSHTTP2(t *testing.T) {
	e := start(t)
	rec := tlsClient()
	k := e.Client(func(o *kinesis.Options) {
		o.BaseEndpoint = aws.String(e.TLSURL)
		o.HTTPClient = &http.Client{Transport: rec, Timeout: 30 * time.Second}
	})
	exercise(t, k)
	rec.only(t, "HTTP/2.0")
}

// TestTLSHTTP1 checks that the TLS listener also speaks HTTP/1.1 to
// clients that do not offer h2, and that the plain listener's responses
// carry AWS's headers.
func TestTLSHTTP1(t *testing.T) {
	e := start(t)
	rec := &protoRecorder{rt: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, protos: map[string]int{}}
	k := e.Client(func(o *kinesis.Options) {
		o.BaseEndpoint = aws.String(e.TLSURL)
		o.HTTPClient = &http.Client{Transport: rec, Timeout: 30 * time.Second}
	})
	_, err := k.ListStreams(ctx, &kinesis.ListStreamsInput{})
	noErr(t, err)
	rec.only(t, "HTTP/1.1")

	for ct, want := range map[string]string{"application/x-amz-json-1.1": "application/x-amz-json-1.1", cborType: cborType} {
		req, _ := http.NewRequest("POST", e.URL+"/", bytes.NewReader(map[string][]byte{"application/x-amz-json-1.1": []byte(`{}`), cborType: {0xa0}}[ct]))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
		req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
		res, err := http.DefaultClient.Do(req)
		noErr(t, err)
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != want || len(res.Header.Get("x-amzn-RequestId")) != 36 || res.Header.Get("x-amz-id-2") == "" {
			t.Fatalf("%s: %d %v", ct, res.StatusCode, res.Header)
		}
	}
}

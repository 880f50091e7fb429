// Command sink is the HTTP ceiling of the side-by-side benchmark: a server
// that reads and discards Kinesis request bodies and answers with fixed,
// valid responses, so that `eddy bench` driven against it measures what
// HTTP alone costs on this machine (no parsing, no storage).
//
// It answers DescribeStreamSummary (an ACTIVE stream), ListShards (one
// shard), PutRecord and PutRecords (the same sequence number for every
// entry; the number of entries is counted from the body so that any batch
// size gets a response of the right length) and CreateStream.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
)

const (
	summary = `{"StreamDescriptionSummary":{"StreamName":"sink","StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/sink","StreamStatus":"ACTIVE","RetentionPeriodHours":24,"StreamCreationTimestamp":1700000000,"EnhancedMonitoring":[],"OpenShardCount":1}}`
	shards  = `{"Shards":[{"ShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"340282366920938463463374607431768211455"},"SequenceNumberRange":{"StartingSequenceNumber":"49000000000000000000000000000000000000000000000000000000"}}]}`
	entry   = `{"SequenceNumber":"49000000000000000000000000000000000000000000000000000001","ShardId":"shardId-000000000000"}`
)

var (
	mu        sync.Mutex
	responses = map[int][]byte{}
	pkField   = []byte(`"PartitionKey"`)
)

// putRecordsResponse is the cached response for n entries.
func putRecordsResponse(n int) []byte {
	mu.Lock()
	defer mu.Unlock()
	if b, ok := responses[n]; ok {
		return b
	}
	b := []byte(`{"FailedRecordCount":0,"Records":[` + strings.TrimSuffix(strings.Repeat(entry+",", n), ",") + `]}`)
	responses[n] = b
	return b
}

func main() {
	listen := flag.String("listen", "127.0.0.1:4599", "`address` to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "sink listening on %s\n", ln.Addr())
	pool := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := pool.Get().(*bytes.Buffer)
		buf.Reset()
		defer pool.Put(buf)
		if _, err := io.Copy(buf, r.Body); err != nil {
			return
		}
		w.Header()["Content-Type"] = []string{"application/x-amz-json-1.1"}
		var resp []byte
		switch strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Kinesis_20131202.") {
		case "PutRecords":
			resp = putRecordsResponse(bytes.Count(buf.Bytes(), pkField))
		case "PutRecord":
			resp = []byte(entry)
		case "DescribeStreamSummary":
			resp = []byte(summary)
		case "ListShards":
			resp = []byte(shards)
		case "CreateStream":
			resp = []byte(`{}`)
		default:
			w.WriteHeader(400)
			resp = []byte(`{"__type":"UnknownOperationException","message":"the sink answers only the calls of eddy bench put"}`)
		}
		w.Write(resp)
	})
	log.Fatal(http.Serve(ln, h))
}

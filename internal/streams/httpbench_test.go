package streams_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/internal/testenv"
)

// putRecordsBody builds a PutRecords JSON body of n records of size bytes.
func putRecordsBody(stream string, n, size, salt int) []byte {
	data := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{'x'}, size))
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"StreamName":%q,"Records":[`, stream)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"Data":%q,"PartitionKey":"k%d-%d"}`, data, salt, i)
	}
	b.WriteString("]}")
	return b.Bytes()
}

func post(b *testing.B, client *http.Client, url, op string, body []byte) []byte {
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	req.Header.Set("X-Amz-Date", "20240101T000000Z")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	res, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	out, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		b.Fatalf("%s: %d %s", op, res.StatusCode, out)
	}
	return out
}

// BenchmarkHTTPPutRecords measures PutRecords through the whole server
// (HTTP, JSON, routing, the durable log with fsync), client in-process.
func BenchmarkHTTPPutRecords(b *testing.B) {
	for _, c := range []struct{ shards, batch, size int }{{4, 500, 100}, {1000, 500, 100}, {4, 500, 1024}, {4, 1, 100}} {
		b.Run(fmt.Sprintf("shards=%d/batch=%d/size=%d", c.shards, c.batch, c.size), func(b *testing.B) {
			e := testenv.Start(b, testenv.Options{})
			if _, err := e.Kinesis.CreateStream(context.Background(), &kinesis.CreateStreamInput{StreamName: aws.String("b"), ShardCount: aws.Int32(int32(c.shards))}); err != nil {
				b.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
			body := putRecordsBody("b", c.batch, c.size, 0)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			b.SetBytes(int64(c.batch * c.size))
			b.ReportAllocs()
			b.SetParallelism(8) // 16 client goroutines: enough to fill group commits
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					post(b, client, e.URL, "PutRecords", body)
				}
			})
			b.ReportMetric(float64(b.N*c.batch)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkHTTPGetRecords measures GetRecords of 10,000 records of 100 B
// through the whole server.
func BenchmarkHTTPGetRecords(b *testing.B) {
	e := testenv.Start(b, testenv.Options{})
	ctx := context.Background()
	if _, err := e.Kinesis.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("g"), ShardCount: aws.Int32(1)}); err != nil {
		b.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	client := &http.Client{}
	for i := 0; i < 20; i++ {
		post(b, client, e.URL, "PutRecords", putRecordsBody("g", 500, 100, i))
	}
	it, err := e.Kinesis.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("g"), ShardId: aws.String("0"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"ShardIterator":` + strconv.Quote(*it.ShardIterator) + `}`)
	b.SetBytes(10000 * 100)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		post(b, client, e.URL, "GetRecords", body)
	}
	b.ReportMetric(float64(b.N*10000)/b.Elapsed().Seconds(), "records/s")
}

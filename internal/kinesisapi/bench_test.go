package kinesisapi

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/awsproto"
)

// putRecordsBody is a PutRecords request of n records of size bytes each,
// as an SDK sends it.
func putRecordsBody(enc awsproto.Encoding, n, size int, hashKeys bool) []byte {
	in := PutRecordsInput{StreamName: ptr("bench-stream")}
	for i := range n {
		data := make([]byte, size)
		for j := range data {
			data[j] = byte(i*31 + j)
		}
		e := PutRecordsRequestEntry{Data: data, PartitionKey: "partition-key-" + strconv.Itoa(i)}
		if hashKeys {
			e.ExplicitHashKey = ptr("170141183460469231731687303715884105728")
		}
		in.Records = append(in.Records, e)
	}
	return in.AppendAWS(enc, nil)
}

// perRecord reports wall and CPU time per record (see cpuMeter).
func perRecord(b *testing.B, cpu cpuMeter, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/record")
	cpu.report(b, n)
}

var encodings = []struct {
	name string
	enc  awsproto.Encoding
}{{"json", awsproto.JSON}, {"cbor", awsproto.CBOR}}

// javaPutRecordsBody is putRecordsBody in CBOR as the AWS SDK for Java
// writes it: indefinite-length map and array.
func javaPutRecordsBody(n, size int) []byte {
	var b jcbor
	b.startMap().text("StreamName").text("bench-stream").text("Records").startArray()
	for i := range n {
		data := make([]byte, size)
		for j := range data {
			data[j] = byte(i*31 + j)
		}
		b.startMap().text("Data").bytes(data).text("PartitionKey").text("partition-key-" + strconv.Itoa(i)).end()
	}
	return b.end().end().Bytes()
}

func BenchmarkDecodePutRecords(b *testing.B) {
	const n, size = 500, 100
	for _, e := range encodings {
		for _, hk := range []bool{false, true} {
			body := putRecordsBody(e.enc, n, size, hk)
			b.Run(fmt.Sprintf("enc=%s/records=%d/size=%d/hashkey=%v", e.name, n, size, hk), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(body)))
				cpu := startCPU()
				for b.Loop() {
					in := new(PutRecordsInput)
					if err := in.DecodeAWS(e.enc, body); err != nil {
						b.Fatal(err)
					}
				}
				perRecord(b, cpu, n)
			})
		}
	}
}

func BenchmarkValidatePutRecords(b *testing.B) {
	const n, size = 500, 100
	for _, hk := range []bool{false, true} {
		var in PutRecordsInput
		if err := in.DecodeAWS(awsproto.JSON, putRecordsBody(awsproto.JSON, n, size, hk)); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("records=%d/hashkey=%v", n, hk), func(b *testing.B) {
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				if err := in.Validate(); err != nil {
					b.Fatal(err)
				}
			}
			perRecord(b, cpu, n)
		})
	}
}

// The server's path per request: decode then validate.
func BenchmarkDecodeValidatePutRecords(b *testing.B) {
	const n, size = 500, 100
	cases := []struct {
		name string
		enc  awsproto.Encoding
		body []byte
	}{
		{"json", awsproto.JSON, putRecordsBody(awsproto.JSON, n, size, false)},
		{"cbor", awsproto.CBOR, putRecordsBody(awsproto.CBOR, n, size, false)},
		{"cbor-java", awsproto.CBOR, javaPutRecordsBody(n, size)},
	}
	for _, e := range cases {
		body := e.body
		b.Run(fmt.Sprintf("enc=%s/records=%d/size=%d", e.name, n, size), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			cpu := startCPU()
			for b.Loop() {
				in := new(PutRecordsInput)
				if err := in.DecodeAWS(e.enc, body); err != nil {
					b.Fatal(err)
				}
				if err := in.Validate(); err != nil {
					b.Fatal(err)
				}
			}
			perRecord(b, cpu, n)
		})
	}
}

func BenchmarkEncodeGetRecords(b *testing.B) {
	const n, size = 10000, 100
	at := time.UnixMilli(1441215410867)
	out := GetRecordsOutput{NextShardIterator: ptr("AAAAAAAAAAH9xxy2hZ7TmmTwHDJl1RZg"), MillisBehindLatest: ptr(int64(0))}
	for i := range n {
		data := make([]byte, size)
		for j := range data {
			data[j] = byte(i + j)
		}
		out.Records = append(out.Records, Record{
			SequenceNumber:              "4959033827149025660855969253836157109592157598913658" + strconv.Itoa(1000+i%9000),
			ApproximateArrivalTimestamp: &at,
			Data:                        data,
			PartitionKey:                "partition-key-" + strconv.Itoa(i),
		})
	}
	for _, e := range encodings {
		b.Run(fmt.Sprintf("enc=%s/records=%d/size=%d", e.name, n, size), func(b *testing.B) {
			buf := out.AppendAWS(e.enc, nil) // the caller's pooled buffer
			b.ReportAllocs()
			b.SetBytes(int64(len(buf)))
			cpu := startCPU()
			for b.Loop() {
				buf = out.AppendAWS(e.enc, buf[:0])
			}
			perRecord(b, cpu, n)
		})
	}
}

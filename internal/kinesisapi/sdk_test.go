package kinesisapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/internal/awsproto"
)

// fakeAWS is an HTTP client for the AWS SDK for Go v2 that hands each
// request body to a function standing in for the server: there our decoders
// read what the SDK wrote, and the SDK reads what our encoders wrote.
type fakeAWS struct {
	t     *testing.T
	serve func(op string, body []byte) awsproto.Output
}

func (f *fakeAWS) Do(r *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	if ct := r.Header.Get("Content-Type"); ct != awsproto.ContentTypeJSON {
		f.t.Errorf("request content type %q", ct)
	}
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix+".")
	out := f.serve(op, body)
	var resp []byte
	if out != nil {
		resp = out.AppendAWS(awsproto.JSON, nil)
	}
	return &http.Response{
		StatusCode: 200,
		Header:     http.Header{"Content-Type": {awsproto.ContentTypeJSON}},
		Body:       io.NopCloser(bytes.NewReader(resp)),
		Request:    r,
	}, nil
}

func sdkClient(t *testing.T, serve func(op string, body []byte) awsproto.Output) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://127.0.0.1:1"),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}, nil
		}),
		HTTPClient:       &fakeAWS{t: t, serve: serve},
		RetryMaxAttempts: 1,
	})
}

// decodeAs decodes an SDK request body into in and validates it.
func decodeAs(t *testing.T, in awsproto.Input, body []byte) {
	t.Helper()
	if err := in.DecodeAWS(awsproto.JSON, body); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	if err := in.Validate(); err != nil {
		t.Fatalf("validate %s: %v", body, err)
	}
}

func TestSDKPutRecords(t *testing.T) {
	ctx := context.Background()
	c := sdkClient(t, func(op string, body []byte) awsproto.Output {
		if op != "PutRecords" {
			t.Fatalf("operation %s", op)
		}
		var in PutRecordsInput
		decodeAs(t, &in, body)
		if len(in.Records) != 3 || *in.StreamName != "s" || !bytes.Equal(in.Records[1].Data, []byte("\x00\xffhello")) ||
			in.Records[2].PartitionKey != "p\u00e9" || *in.Records[2].ExplicitHashKey != "12345" || len(in.Records[0].Data) != 0 {
			t.Errorf("decoded %+v", in)
		}
		out := &PutRecordsOutput{FailedRecordCount: ptr(int32(1)), EncryptionType: ptr(EncryptionTypeKms)}
		for i := range in.Records {
			if i == 1 {
				out.Records = append(out.Records, PutRecordsResultEntry{ErrorCode: ptr("ProvisionedThroughputExceededException"), ErrorMessage: ptr("Rate exceeded")})
				continue
			}
			out.Records = append(out.Records, PutRecordsResultEntry{SequenceNumber: ptr("49590338271490256608559692538361571095921575989136588898"), ShardId: ptr("shardId-000000000000")})
		}
		return out
	})
	out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{
		StreamName: aws.String("s"),
		Records: []types.PutRecordsRequestEntry{
			{Data: []byte{}, PartitionKey: aws.String("p")},
			{Data: []byte("\x00\xffhello"), PartitionKey: aws.String("p")},
			{Data: []byte("x"), PartitionKey: aws.String("p\u00e9"), ExplicitHashKey: aws.String("12345")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if *out.FailedRecordCount != 1 || len(out.Records) != 3 || *out.Records[1].ErrorCode != "ProvisionedThroughputExceededException" ||
		*out.Records[0].SequenceNumber != "49590338271490256608559692538361571095921575989136588898" || out.EncryptionType != types.EncryptionTypeKms {
		t.Errorf("SDK read %+v", out)
	}
}

func TestSDKGetRecordsAndTimestamps(t *testing.T) {
	ctx := context.Background()
	at := time.UnixMilli(1441215410867).UTC()
	c := sdkClient(t, func(op string, body []byte) awsproto.Output {
		switch op {
		case "GetShardIterator":
			var in GetShardIteratorInput
			decodeAs(t, &in, body)
			if in.ShardIteratorType != ShardIteratorTypeAtTimestamp || !in.Timestamp.Equal(at) {
				t.Errorf("decoded %+v", in)
			}
			return &GetShardIteratorOutput{ShardIterator: ptr("AAAA")}
		case "GetRecords":
			var in GetRecordsInput
			decodeAs(t, &in, body)
			if in.ShardIterator != "AAAA" || *in.Limit != 10000 {
				t.Errorf("decoded %+v", in)
			}
			return &GetRecordsOutput{
				Records: []Record{
					{SequenceNumber: "1", ApproximateArrivalTimestamp: &at, Data: []byte("d"), PartitionKey: "p"},
					{SequenceNumber: "2", ApproximateArrivalTimestamp: ptr(at.Add(time.Millisecond * 133)), Data: nil, PartitionKey: "q"},
				},
				MillisBehindLatest: ptr(int64(0)),
				ChildShards: []ChildShard{{ShardId: "shardId-000000000002", ParentShards: []string{"shardId-000000000000"},
					HashKeyRange: &HashKeyRange{StartingHashKey: "0", EndingHashKey: "340282366920938463463374607431768211455"}}},
			}
		case "DescribeStreamSummary":
			return &DescribeStreamSummaryOutput{StreamDescriptionSummary: &StreamDescriptionSummary{
				StreamName: "s", StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/s", StreamStatus: StreamStatusActive,
				StreamModeDetails:    &StreamModeDetails{StreamMode: StreamModeOnDemand},
				RetentionPeriodHours: 24, StreamCreationTimestamp: at, EnhancedMonitoring: []EnhancedMetrics{{ShardLevelMetrics: []MetricsName{MetricsNameAll}}},
				OpenShardCount: 4,
			}}
		}
		t.Fatalf("operation %s", op)
		return nil
	})
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"),
		ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: &at})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(10000)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Records) != 2 || !out.Records[0].ApproximateArrivalTimestamp.Equal(at) ||
		!out.Records[1].ApproximateArrivalTimestamp.Equal(at.Add(133*time.Millisecond)) || string(out.Records[0].Data) != "d" ||
		len(out.Records[1].Data) != 0 || *out.MillisBehindLatest != 0 || out.NextShardIterator != nil ||
		len(out.ChildShards) != 1 || *out.ChildShards[0].HashKeyRange.EndingHashKey != "340282366920938463463374607431768211455" {
		t.Errorf("SDK read %+v", out)
	}
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	d := sum.StreamDescriptionSummary
	if !d.StreamCreationTimestamp.Equal(at) || d.StreamStatus != types.StreamStatusActive || d.StreamModeDetails.StreamMode != types.StreamModeOnDemand ||
		d.EnhancedMonitoring[0].ShardLevelMetrics[0] != types.MetricsNameAll || *d.OpenShardCount != 4 {
		t.Errorf("SDK read %+v", d)
	}
}

func TestSDKTagsAndEmptyOutputs(t *testing.T) {
	ctx := context.Background()
	c := sdkClient(t, func(op string, body []byte) awsproto.Output {
		switch op {
		case "CreateStream":
			var in CreateStreamInput
			decodeAs(t, &in, body)
			if in.Tags["k"] != "v" || in.Tags["empty"] != "" || len(in.Tags) != 2 || in.StreamModeDetails.StreamMode != StreamModeProvisioned {
				t.Errorf("decoded %+v", in)
			}
			return nil
		case "DescribeLimits":
			decodeAs(t, &DescribeLimitsInput{}, body)
			return &DescribeLimitsOutput{ShardLimit: 500, OpenShardCount: 3, OnDemandStreamCount: 0, OnDemandStreamCountLimit: 50}
		}
		t.Fatalf("operation %s", op)
		return nil
	})
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(2),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned},
		Tags:              map[string]string{"k": "v", "empty": ""}}); err != nil {
		t.Fatal(err)
	}
	lim, err := c.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *lim.ShardLimit != 500 || *lim.OpenShardCount != 3 || *lim.OnDemandStreamCount != 0 || *lim.OnDemandStreamCountLimit != 50 {
		t.Errorf("SDK read %+v", lim)
	}
}

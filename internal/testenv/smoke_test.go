package testenv

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func TestSmoke(t *testing.T) {
	e := Start(t, Options{})
	ctx := context.Background()
	k := e.Kinesis
	if _, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	w := kinesis.NewStreamExistsWaiter(k, func(o *kinesis.StreamExistsWaiterOptions) { o.MinDelay = 1e6; o.MaxDelay = 1e7 })
	if err := w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s")}, 5e9); err != nil {
		t.Fatal(err)
	}
	put, err := k.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{
		{Data: []byte("a"), PartitionKey: aws.String("a")}, {Data: []byte("b"), PartitionKey: aws.String("b")},
	}})
	if err != nil || *put.FailedRecordCount != 0 {
		t.Fatal(err)
	}
	it, err := k.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: put.Records[0].ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	got, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil || len(got.Records) == 0 || *got.Records[0].SequenceNumber != *put.Records[0].SequenceNumber {
		t.Fatalf("%v %+v", err, got)
	}
	e = e.Restart()
	got2, err := e.Kinesis.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil || len(got2.Records) != len(got.Records) {
		t.Fatalf("after restart: %v %+v", err, got2)
	}
}

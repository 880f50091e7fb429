"""Enhanced fan-out with boto3 against an eddy server; prints one JSON summary.

Run by test/blackbox/efo_test.go, which starts the server and checks the
summary: consumer registration and description, subscribe_to_shard from the
trim horizon, the rule that refuses a second subscription for the same
consumer and shard, resuming after the last ContinuationSequenceNumber,
errors, and deregistration. boto3 speaks HTTP/1.1, so the events arrive
over a chunked HTTP/1.1 response.

Usage: efo_subscribe.py --endpoint URL --prefix NAME [--ca-bundle FILE]
"""

import argparse
import json
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

RECORDS = ["efo-%02d" % i for i in range(20)]
LATER = ["later-%d" % i for i in range(3)]


def error_of(call):
    """Runs call, which must fail with a service error, and describes it."""
    try:
        call()
    except ClientError as e:
        return {
            "code": e.response["Error"]["Code"],
            "message": e.response["Error"].get("Message", ""),
            "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
        }
    raise AssertionError("call succeeded but should have failed")


def wait_consumer(kinesis, arn, status):
    for _ in range(100):
        desc = kinesis.describe_stream_consumer(ConsumerARN=arn)["ConsumerDescription"]
        if desc["ConsumerStatus"] == status:
            return desc
        time.sleep(0.05)
    raise AssertionError("consumer %s never became %s" % (arn, status))


def read(kinesis, arn, shard, want, **position):
    """Subscribes and reads events until want records arrived; returns the
    events (records' data and sequence numbers, continuation numbers) and the
    open event stream."""
    resp = kinesis.subscribe_to_shard(ConsumerARN=arn, ShardId=shard, StartingPosition=position)
    stream = resp["EventStream"]
    events, got = [], 0
    for event in stream:
        ev = event["SubscribeToShardEvent"]
        records = [{"data": r["Data"].decode(), "seq": r["SequenceNumber"]} for r in ev["Records"]]
        got += len(records)
        events.append({
            "records": records,
            "continuation": ev.get("ContinuationSequenceNumber"),
            "behind": ev["MillisBehindLatest"],
        })
        if got >= want:
            break
    return events, stream


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--ca-bundle")
    args = ap.parse_args()

    def client():
        return boto3.client(
            "kinesis",
            endpoint_url=args.endpoint,
            verify=args.ca_bundle if args.ca_bundle else True,
            config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, read_timeout=30),
        )

    kinesis = client()
    stream = args.prefix + "-efo"
    out = {}
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    stream_arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    shard = kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]

    reg = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="reader")["Consumer"]
    arn = reg["ConsumerARN"]
    desc = wait_consumer(kinesis, arn, "ACTIVE")
    out["consumer"] = {
        "streamArn": stream_arn,
        "arn": arn,
        "registeredStatus": reg["ConsumerStatus"],
        "describedStatus": desc["ConsumerStatus"],
        "describedStreamArn": desc["StreamARN"],
        "listed": [c["ConsumerName"] for c in kinesis.list_stream_consumers(StreamARN=stream_arn)["Consumers"]],
    }

    seqs = []
    for data in RECORDS:
        seqs.append(kinesis.put_record(StreamName=stream, Data=data.encode(), PartitionKey="pk")["SequenceNumber"])
    out["putSequenceNumbers"] = seqs

    events, first = read(kinesis, arn, shard, len(RECORDS), Type="TRIM_HORIZON")
    out["events"] = events
    # While the first subscription is open, a second one is refused.
    out["secondSubscription"] = error_of(lambda: client().subscribe_to_shard(
        ConsumerARN=arn, ShardId=shard, StartingPosition={"Type": "LATEST"}))
    first.close()

    for data in LATER:
        kinesis.put_record(StreamName=stream, Data=data.encode(), PartitionKey="pk")
    # Resume after the last continuation number. The server frees the slot
    # when it notices the closed connection: retry briefly meanwhile.
    last = events[-1]["continuation"]
    for attempt in range(50):
        try:
            resumed, stream_resumed = read(kinesis, arn, shard, len(LATER), Type="AFTER_SEQUENCE_NUMBER", SequenceNumber=last)
            break
        except ClientError as e:
            if e.response["Error"]["Code"] != "ResourceInUseException" or attempt == 49:
                raise
            time.sleep(0.1)
    stream_resumed.close()
    out["resumed"] = [r["data"] for ev in resumed for r in ev["records"]]

    out["errors"] = {
        "unknownShard": error_of(lambda: kinesis.subscribe_to_shard(
            ConsumerARN=arn, ShardId="shardId-000000000099", StartingPosition={"Type": "LATEST"})),
        "badPosition": error_of(lambda: kinesis.subscribe_to_shard(
            ConsumerARN=arn, ShardId=shard, StartingPosition={"Type": "AT_SEQUENCE_NUMBER"})),
        "unknownConsumer": error_of(lambda: kinesis.describe_stream_consumer(
            StreamARN=stream_arn, ConsumerName="nobody")),
    }

    kinesis.deregister_stream_consumer(StreamARN=stream_arn, ConsumerName="reader")
    out["afterDeregister"] = error_of(lambda: kinesis.subscribe_to_shard(
        ConsumerARN=arn, ShardId=shard, StartingPosition={"Type": "LATEST"}))
    kinesis.delete_stream(StreamName=stream, EnforceConsumerDeletion=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()

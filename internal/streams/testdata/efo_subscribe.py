"""SubscribeToShard with boto3, driven by TestFanOutBoto3 (efo_boto3_test.go).

Usage: efo_subscribe.py ENDPOINT CONSUMER_ARN SHARD_ID RECORDS

Subscribes at TRIM_HORIZON, reads events until RECORDS records arrived and
prints one JSON line per event (records' data and sequence numbers, the
continuation number, MillisBehindLatest). Then it subscribes to a shard that
does not exist and prints the error code and message. Credentials are dummies;
the test clears the AWS_* environment.
"""

import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def main():
    endpoint, consumer_arn, shard_id, want = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    client = boto3.client(
        "kinesis",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        config=Config(retries={"max_attempts": 1}, read_timeout=30),
    )
    resp = client.subscribe_to_shard(
        ConsumerARN=consumer_arn,
        ShardId=shard_id,
        StartingPosition={"Type": "TRIM_HORIZON"},
    )
    stream = resp["EventStream"]
    got = 0
    for event in stream:
        ev = event["SubscribeToShardEvent"]
        records = [{"data": r["Data"].decode(), "seq": r["SequenceNumber"]} for r in ev["Records"]]
        got += len(records)
        print(json.dumps({
            "records": records,
            "continuation": ev.get("ContinuationSequenceNumber"),
            "behind": ev["MillisBehindLatest"],
        }), flush=True)
        if got >= want:
            break
    stream.close()

    try:
        client.subscribe_to_shard(
            ConsumerARN=consumer_arn,
            ShardId="shardId-000000000099",
            StartingPosition={"Type": "LATEST"},
        )
        print(json.dumps({"error": None}))
    except ClientError as e:
        print(json.dumps({"error": e.response["Error"]["Code"], "message": e.response["Error"]["Message"]}))


if __name__ == "__main__":
    main()

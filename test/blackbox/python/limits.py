"""Runs into the per-shard throughput limits with boto3; prints one JSON
summary.

Run by test/blackbox/limits_test.go against a server started with
--limits aws, which checks the summary: three PutRecords calls of 500 small
records each, sent back to back to a 1-shard stream (1,500 records against
a quota of 1,000 a second: the excess fails record by record), then
GetRecords calls back to back until one is throttled (the quota is 5 calls
a second). Times are measured around the calls so that the test can bound
what the quotas allow in the time taken.

Usage: limits.py --endpoint URL --stream NAME [--ca-bundle FILE]
"""

import argparse
import json
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--stream", required=True)
    ap.add_argument("--ca-bundle")
    args = ap.parse_args()
    # One attempt: boto3 would retry throttled calls otherwise.
    kinesis = boto3.client(
        "kinesis",
        endpoint_url=args.endpoint,
        verify=args.ca_bundle if args.ca_bundle else True,
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    stream = args.stream
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    out = {"puts": []}

    batches = [[{"PartitionKey": "pk-%d" % (i % 10), "Data": ("r-%04d" % i).encode()}
                for i in range(b * 500, (b + 1) * 500)] for b in range(3)]
    start = time.monotonic()
    results = [kinesis.put_records(StreamName=stream, Records=batch) for batch in batches]
    out["putSeconds"] = time.monotonic() - start
    for batch, res in zip(batches, results):
        failures = {}
        for entry, r in zip(batch, res["Records"]):
            if "ErrorCode" in r:
                k = (r["ErrorCode"], r.get("ErrorMessage", ""), "SequenceNumber" in r or "ShardId" in r)
                failures[k] = failures.get(k, 0) + 1
        out["puts"].append({
            "failedRecordCount": res["FailedRecordCount"],
            "records": len(res["Records"]),
            "succeeded": [e["Data"].decode() for e, r in zip(batch, res["Records"]) if "ErrorCode" not in r],
            "failures": [{"code": c, "message": m, "withSequenceNumber": s, "count": n} for (c, m, s), n in failures.items()],
        })

    shard = kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    it = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    out["reads"] = []
    start = time.monotonic()
    for _ in range(20):
        try:
            res = kinesis.get_records(ShardIterator=it)
        except ClientError as e:
            out["reads"].append({"error": {
                "code": e.response["Error"]["Code"],
                "message": e.response["Error"].get("Message", ""),
                "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
            }})
            break
        out["reads"].append({"records": [r["Data"].decode() for r in res["Records"]]})
        it = res["NextShardIterator"]
    out["readSeconds"] = time.monotonic() - start
    print(json.dumps(out))


if __name__ == "__main__":
    main()

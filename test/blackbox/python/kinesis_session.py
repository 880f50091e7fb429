"""Drives an eddy server with boto3 and prints what it saw as one JSON object.

Run by the Go black-box tests (test/blackbox/boto3_test.go), which start the
server, choose the endpoint and check the summary this prints. The script
itself only fails on what boto3 raises unexpectedly; the expectations about
eddy's answers live in the Go test, shared with the JavaScript session, so
that both clients are held to the same rules.

Usage: kinesis_session.py --endpoint URL --prefix NAME [--ca-bundle FILE]
"""

import argparse
import base64
import hashlib
import json
import sys
from datetime import datetime, timezone

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

# The records every session writes; the Go test knows the same list
# (sessionRecords in session_test.go).
SINGLE = ("pk-single", b"hello from the session")
BATCH = [("pk-%d" % i, ("record-%d" % i).encode()) for i in range(5)]
BINARY = ("pk-binary", bytes(range(256)))
# ExplicitHashKey overrides the partition key's hash: the top of the hash key
# space belongs to the last shard whatever the key hashes to.
EXPLICIT = ("pk-explicit", b"explicit hash key", str(2**128 - 1))
# The largest record a stream takes by default: data and partition key
# together are at most 1 MiB.
LARGE = ("pk-large", bytes((i * 7) % 251 for i in range((1 << 20) - len("pk-large"))))


def b64(data):
    return base64.b64encode(data).decode("ascii")


def ms(ts):
    """Epoch milliseconds of a datetime boto3 parsed from the wire."""
    return int(round(ts.timestamp() * 1000))


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


def read_shard(kinesis, stream, shard_id, iterator_type, **extra):
    """Reads a shard from an iterator until it returns no more records."""
    it = kinesis.get_shard_iterator(
        StreamName=stream, ShardId=shard_id, ShardIteratorType=iterator_type, **extra
    )["ShardIterator"]
    records, calls = [], 0
    while it and calls < 20:
        out = kinesis.get_records(ShardIterator=it, Limit=100)
        calls += 1
        for r in out["Records"]:
            records.append(
                {
                    "sequenceNumber": r["SequenceNumber"],
                    "partitionKey": r["PartitionKey"],
                    "data": b64(r["Data"]),
                    "arrivalMillis": ms(r["ApproximateArrivalTimestamp"]),
                }
            )
        if not out["Records"]:
            return records, out.get("MillisBehindLatest"), "NextShardIterator" in out
        it = out.get("NextShardIterator")
    return records, None, it is not None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--ca-bundle")
    args = ap.parse_args()

    kinesis = boto3.client(
        "kinesis",
        endpoint_url=args.endpoint,
        verify=args.ca_bundle if args.ca_bundle else True,
        # Failures must show at once, not after retries with back-off.
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    out = {"client": "boto3 %s (botocore %s)" % (boto3.__version__, botocore.__version__)}
    main_stream = args.prefix + "-main"
    extras = [args.prefix + "-list-a", args.prefix + "-list-b"]
    out["streams"] = [main_stream] + extras

    kinesis.create_stream(StreamName=main_stream, ShardCount=2)
    kinesis.get_waiter("stream_exists").wait(
        StreamName=main_stream, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    for name in extras:
        kinesis.create_stream(StreamName=name, ShardCount=1)

    desc = kinesis.describe_stream(StreamName=main_stream)["StreamDescription"]
    out["describe"] = {
        "status": desc["StreamStatus"],
        "arn": desc["StreamARN"],
        "hasMoreShards": desc["HasMoreShards"],
        "retention": desc["RetentionPeriodHours"],
        "shards": [
            {
                "shardId": s["ShardId"],
                "startingHashKey": s["HashKeyRange"]["StartingHashKey"],
                "endingHashKey": s["HashKeyRange"]["EndingHashKey"],
                "startingSequenceNumber": s["SequenceNumberRange"]["StartingSequenceNumber"],
            }
            for s in desc["Shards"]
        ],
    }
    summary = kinesis.describe_stream_summary(StreamName=main_stream)["StreamDescriptionSummary"]
    out["summary"] = {
        "status": summary["StreamStatus"],
        "arn": summary["StreamARN"],
        "openShardCount": summary["OpenShardCount"],
        "retention": summary["RetentionPeriodHours"],
        "encryption": summary["EncryptionType"],
        "mode": summary.get("StreamModeDetails", {}).get("StreamMode", ""),
    }

    # The paginator walks one stream per page; it continues with
    # ExclusiveStartStreamName (older botocore) or NextToken (newer).
    out["listStreamsPages"] = [
        page["StreamNames"]
        for page in kinesis.get_paginator("list_streams").paginate(
            PaginationConfig={"PageSize": 1}
        )
    ]

    # ListShards pages continue with NextToken alone: AWS refuses a request
    # that names the stream as well as giving a token.
    pages, token = [], None
    while True:
        req = {"NextToken": token} if token else {"StreamName": main_stream}
        res = kinesis.list_shards(MaxResults=1, **req)
        pages.append([s["ShardId"] for s in res["Shards"]])
        token = res.get("NextToken")
        if not token or len(pages) > 10:
            break
    out["listShardsPages"] = pages
    out["listShardsPaginator"] = [
        [s["ShardId"] for s in page["Shards"]]
        for page in kinesis.get_paginator("list_shards").paginate(StreamName=main_stream)
    ]
    # botocore's paginator repeats StreamName with the token, which AWS
    # rejects; the server must reject it the same way.
    out["listShardsPaginatorError"] = error_of(
        lambda: list(
            kinesis.get_paginator("list_shards").paginate(
                StreamName=main_stream, PaginationConfig={"PageSize": 1}
            )
        )
    )

    put = kinesis.put_record(StreamName=main_stream, PartitionKey=SINGLE[0], Data=SINGLE[1])
    out["putRecord"] = {"shardId": put["ShardId"], "sequenceNumber": put["SequenceNumber"]}
    entries = [{"PartitionKey": k, "Data": d} for k, d in BATCH + [BINARY]]
    entries.append({"PartitionKey": EXPLICIT[0], "Data": EXPLICIT[1], "ExplicitHashKey": EXPLICIT[2]})
    res = kinesis.put_records(StreamName=main_stream, Records=entries)
    out["putRecords"] = {
        "failed": res["FailedRecordCount"],
        "results": [{"shardId": r.get("ShardId", ""), "sequenceNumber": r.get("SequenceNumber", "")} for r in res["Records"]],
    }
    large = kinesis.put_record(StreamName=main_stream, PartitionKey=LARGE[0], Data=LARGE[1])
    out["putLarge"] = {"shardId": large["ShardId"], "sequenceNumber": large["SequenceNumber"]}

    shards = {}
    for s in out["describe"]["shards"]:
        records, behind, has_next = read_shard(kinesis, main_stream, s["shardId"], "TRIM_HORIZON")
        for r in records:
            # A 1 MiB record is summarised, not echoed.
            if r["partitionKey"] == LARGE[0]:
                raw = base64.b64decode(r["data"])
                r["data"] = ""
                r["length"] = len(raw)
                r["sha256"] = hashlib.sha256(raw).hexdigest()
        shards[s["shardId"]] = {"records": records, "millisBehindLatest": behind, "hasNextIterator": has_next}
    out["shards"] = shards
    out["largeSha256"] = hashlib.sha256(LARGE[1]).hexdigest()

    at, _, _ = read_shard(kinesis, main_stream, put["ShardId"], "AT_SEQUENCE_NUMBER", StartingSequenceNumber=put["SequenceNumber"])
    after, _, _ = read_shard(kinesis, main_stream, put["ShardId"], "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=put["SequenceNumber"])
    latest, _, _ = read_shard(kinesis, main_stream, put["ShardId"], "LATEST")
    since, _, _ = read_shard(kinesis, main_stream, put["ShardId"], "AT_TIMESTAMP", Timestamp=datetime(2000, 1, 1, tzinfo=timezone.utc))
    # AT_TIMESTAMP at the start of the second of the last record's arrival:
    # botocore sends JSON timestamps in whole seconds (the JavaScript session
    # checks milliseconds).
    last_ms = shards[put["ShardId"]]["records"][-1]["arrivalMillis"] // 1000 * 1000
    exact, _, _ = read_shard(
        kinesis, main_stream, put["ShardId"], "AT_TIMESTAMP",
        Timestamp=datetime.fromtimestamp(last_ms // 1000, tz=timezone.utc),
    )
    out["iterators"] = {
        "atSequence": [r["sequenceNumber"] for r in at],
        "afterSequence": [r["sequenceNumber"] for r in after],
        "latest": [r["sequenceNumber"] for r in latest],
        "atTimestamp": [r["sequenceNumber"] for r in since],
        "atTimestampMillis": last_ms,
        "atTimestampExact": [r["sequenceNumber"] for r in exact],
    }

    kinesis.add_tags_to_stream(StreamName=main_stream, Tags={"team": "eddy", "env": "test"})
    added = kinesis.list_tags_for_stream(StreamName=main_stream)["Tags"]
    kinesis.remove_tags_from_stream(StreamName=main_stream, TagKeys=["env"])
    left = kinesis.list_tags_for_stream(StreamName=main_stream)["Tags"]
    out["tags"] = {
        "afterAdd": {t["Key"]: t["Value"] for t in added},
        "afterRemove": {t["Key"]: t["Value"] for t in left},
    }

    retention = []
    kinesis.increase_stream_retention_period(StreamName=main_stream, RetentionPeriodHours=48)
    retention.append(kinesis.describe_stream_summary(StreamName=main_stream)["StreamDescriptionSummary"]["RetentionPeriodHours"])
    kinesis.decrease_stream_retention_period(StreamName=main_stream, RetentionPeriodHours=24)
    retention.append(kinesis.describe_stream_summary(StreamName=main_stream)["StreamDescriptionSummary"]["RetentionPeriodHours"])
    out["retention"] = retention

    en = kinesis.enable_enhanced_monitoring(StreamName=main_stream, ShardLevelMetrics=["IncomingBytes", "OutgoingBytes"])
    dis = kinesis.disable_enhanced_monitoring(StreamName=main_stream, ShardLevelMetrics=["IncomingBytes"])
    out["monitoring"] = {
        "enable": {"current": en["CurrentShardLevelMetrics"], "desired": en["DesiredShardLevelMetrics"]},
        "disable": {"current": dis["CurrentShardLevelMetrics"], "desired": dis["DesiredShardLevelMetrics"]},
    }

    lim = kinesis.describe_limits()
    out["limits"] = {
        "shardLimit": lim["ShardLimit"],
        "openShardCount": lim["OpenShardCount"],
        "onDemandStreamCount": lim.get("OnDemandStreamCount", -1),
        "onDemandStreamCountLimit": lim.get("OnDemandStreamCountLimit", -1),
    }

    out["errors"] = {
        "notFound": error_of(lambda: kinesis.describe_stream(StreamName=args.prefix + "-missing")),
        "validation": error_of(lambda: kinesis.create_stream(StreamName="bad name!", ShardCount=1)),
    }

    for name in extras:
        kinesis.delete_stream(StreamName=name)
    kinesis.delete_stream(StreamName=main_stream)
    kinesis.get_waiter("stream_not_exists").wait(
        StreamName=main_stream, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    out["afterDelete"] = error_of(lambda: kinesis.describe_stream_summary(StreamName=main_stream))

    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

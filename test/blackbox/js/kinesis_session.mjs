// Drives an eddy server with the AWS SDK for JavaScript v3 and prints what it
// saw as one JSON object.
//
// Run by the Go black-box tests (test/blackbox/js_test.go), which start the
// server, choose the endpoint and check the summary this prints against the
// same expectations as the boto3 session. This script fails only on what the
// SDK throws unexpectedly.
//
// Usage: node kinesis_session.mjs --endpoint URL --prefix NAME [--handler default|h2-shared|http1]
//
// The Kinesis client's default request handler is NodeHttp2Handler with one
// HTTP/2 session per request: HTTP/2 over TLS (ALPN h2) for https://
// endpoints and cleartext HTTP/2 with prior knowledge (h2c) for http:// ones.
// --handler h2-shared lets requests share sessions as concurrent streams;
// --handler http1 swaps in NodeHttpHandler (HTTP/1.1). To prove which
// protocol really carried the requests, the script watches every HTTP/2
// session the SDK opens and reports its negotiated protocol. For https://
// the caller sets NODE_EXTRA_CA_CERTS to eddy's certificate.

import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";

import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DeleteStreamCommand,
  DescribeLimitsCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  DisableEnhancedMonitoringCommand,
  EnableEnhancedMonitoringCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  IncreaseStreamRetentionPeriodCommand,
  KinesisClient,
  ListShardsCommand,
  ListTagsForResourceCommand,
  ListTagsForStreamCommand,
  PutRecordCommand,
  PutRecordsCommand,
  RemoveTagsFromStreamCommand,
  TagResourceCommand,
  UntagResourceCommand,
  paginateListStreams,
  waitUntilStreamExists,
  waitUntilStreamNotExists,
} from "@aws-sdk/client-kinesis";
import { NodeHttp2Handler, NodeHttpHandler } from "@smithy/node-http-handler";

// Count the HTTP/2 sessions the SDK opens and note their negotiated protocol
// ("h2" over TLS, "h2c" in cleartext). The handler looks http2.connect up on
// the shared CommonJS module object at call time, so wrapping it here sees
// every connection.
const http2 = createRequire(import.meta.url)("node:http2");
const sessions = { count: 0, protocols: [] };
const connect = http2.connect;
http2.connect = function (...args) {
  const session = connect.apply(this, args);
  sessions.count++;
  session.once("connect", () => sessions.protocols.push(session.alpnProtocol ?? ""));
  return session;
};

// The records every session writes; the Go test knows the same list
// (sessionRecords in session_test.go).
const text = (s) => new TextEncoder().encode(s);
const SINGLE = ["pk-single", text("hello from the session")];
const BATCH = [0, 1, 2, 3, 4].map((i) => [`pk-${i}`, text(`record-${i}`)]);
const BINARY = ["pk-binary", Uint8Array.from({ length: 256 }, (_, i) => i)];
// ExplicitHashKey overrides the partition key's hash: the top of the hash key
// space belongs to the last shard whatever the key hashes to.
const EXPLICIT = ["pk-explicit", text("explicit hash key"), (2n ** 128n - 1n).toString()];
// The largest record a stream takes by default: data and partition key
// together are at most 1 MiB.
const LARGE = ["pk-large", Uint8Array.from({ length: (1 << 20) - "pk-large".length }, (_, i) => (i * 7) % 251)];

const b64 = (data) => Buffer.from(data).toString("base64");
const sha256 = (data) => createHash("sha256").update(data).digest("hex");

async function errorOf(promise) {
  try {
    await promise;
  } catch (e) {
    if (!e.$metadata) throw e; // not a service error
    return { code: e.name, message: e.message, status: e.$metadata.httpStatusCode };
  }
  throw new Error("call succeeded but should have failed");
}

async function readShard(client, stream, shardId, type, extra = {}) {
  let it = (
    await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: type, ...extra }))
  ).ShardIterator;
  const records = [];
  for (let calls = 0; it && calls < 20; calls++) {
    const out = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: 100 }));
    for (const r of out.Records) {
      records.push({
        sequenceNumber: r.SequenceNumber,
        partitionKey: r.PartitionKey,
        data: b64(r.Data),
        arrivalMillis: r.ApproximateArrivalTimestamp.getTime(),
      });
    }
    if (out.Records.length === 0) {
      return { records, millisBehindLatest: out.MillisBehindLatest, hasNextIterator: out.NextShardIterator !== undefined };
    }
    it = out.NextShardIterator;
  }
  return { records, millisBehindLatest: null, hasNextIterator: it !== undefined };
}

async function session(client, prefix) {
  const pkg = createRequire(import.meta.url)("@aws-sdk/client-kinesis/package.json");
  const out = { client: `@aws-sdk/client-kinesis ${pkg.version} (node ${process.version})` };
  const mainStream = `${prefix}-main`;
  const extras = [`${prefix}-list-a`, `${prefix}-list-b`];
  out.streams = [mainStream, ...extras];
  const waiter = { client, minDelay: 1, maxDelay: 2, maxWaitTime: 30 };

  await client.send(new CreateStreamCommand({ StreamName: mainStream, ShardCount: 2 }));
  await waitUntilStreamExists(waiter, { StreamName: mainStream });
  for (const name of extras) {
    await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  }

  const desc = (await client.send(new DescribeStreamCommand({ StreamName: mainStream }))).StreamDescription;
  out.describe = {
    status: desc.StreamStatus,
    arn: desc.StreamARN,
    hasMoreShards: desc.HasMoreShards,
    retention: desc.RetentionPeriodHours,
    shards: desc.Shards.map((s) => ({
      shardId: s.ShardId,
      startingHashKey: s.HashKeyRange.StartingHashKey,
      endingHashKey: s.HashKeyRange.EndingHashKey,
      startingSequenceNumber: s.SequenceNumberRange.StartingSequenceNumber,
    })),
  };
  const sum = (await client.send(new DescribeStreamSummaryCommand({ StreamName: mainStream }))).StreamDescriptionSummary;
  out.summary = {
    status: sum.StreamStatus,
    arn: sum.StreamARN,
    openShardCount: sum.OpenShardCount,
    retention: sum.RetentionPeriodHours,
    encryption: sum.EncryptionType,
    mode: sum.StreamModeDetails?.StreamMode ?? "",
  };

  // This SDK's paginator continues ListStreams with NextToken.
  out.listStreamsPages = [];
  for await (const page of paginateListStreams({ client, pageSize: 1 }, {})) {
    out.listStreamsPages.push(page.StreamNames);
  }

  // ListShards pages continue with NextToken alone (AWS refuses a token
  // together with the stream's name).
  out.listShardsPages = [];
  let token;
  do {
    const req = token ? { NextToken: token } : { StreamName: mainStream };
    const res = await client.send(new ListShardsCommand({ MaxResults: 1, ...req }));
    out.listShardsPages.push(res.Shards.map((s) => s.ShardId));
    token = res.NextToken;
  } while (token && out.listShardsPages.length <= 10);

  const put = await client.send(new PutRecordCommand({ StreamName: mainStream, PartitionKey: SINGLE[0], Data: SINGLE[1] }));
  out.putRecord = { shardId: put.ShardId, sequenceNumber: put.SequenceNumber };
  const entries = [...BATCH, BINARY].map(([k, d]) => ({ PartitionKey: k, Data: d }));
  entries.push({ PartitionKey: EXPLICIT[0], Data: EXPLICIT[1], ExplicitHashKey: EXPLICIT[2] });
  const res = await client.send(new PutRecordsCommand({ StreamName: mainStream, Records: entries }));
  out.putRecords = {
    failed: res.FailedRecordCount,
    results: res.Records.map((r) => ({ shardId: r.ShardId ?? "", sequenceNumber: r.SequenceNumber ?? "" })),
  };
  const large = await client.send(new PutRecordCommand({ StreamName: mainStream, PartitionKey: LARGE[0], Data: LARGE[1] }));
  out.putLarge = { shardId: large.ShardId, sequenceNumber: large.SequenceNumber };

  out.shards = {};
  for (const s of out.describe.shards) {
    const read = await readShard(client, mainStream, s.shardId, "TRIM_HORIZON");
    for (const r of read.records) {
      // A 1 MiB record is summarised, not echoed.
      if (r.partitionKey === LARGE[0]) {
        const raw = Buffer.from(r.data, "base64");
        r.data = "";
        r.length = raw.length;
        r.sha256 = sha256(raw);
      }
    }
    out.shards[s.shardId] = read;
  }
  out.largeSha256 = sha256(LARGE[1]);

  const seqs = (read) => read.records.map((r) => r.sequenceNumber);
  const from = { StartingSequenceNumber: put.SequenceNumber };
  // AT_TIMESTAMP at the last record's arrival, to the millisecond: the
  // fraction of the second must count.
  const lastMillis = out.shards[put.ShardId].records.at(-1).arrivalMillis;
  out.iterators = {
    atTimestampMillis: lastMillis,
    atTimestampExact: seqs(await readShard(client, mainStream, put.ShardId, "AT_TIMESTAMP", { Timestamp: new Date(lastMillis) })),
    atSequence: seqs(await readShard(client, mainStream, put.ShardId, "AT_SEQUENCE_NUMBER", from)),
    afterSequence: seqs(await readShard(client, mainStream, put.ShardId, "AFTER_SEQUENCE_NUMBER", from)),
    latest: seqs(await readShard(client, mainStream, put.ShardId, "LATEST")),
    atTimestamp: seqs(
      await readShard(client, mainStream, put.ShardId, "AT_TIMESTAMP", { Timestamp: new Date(Date.UTC(2000, 0, 1)) }),
    ),
  };

  const tagMap = (tags) => Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
  await client.send(new AddTagsToStreamCommand({ StreamName: mainStream, Tags: { team: "eddy", env: "test" } }));
  const added = (await client.send(new ListTagsForStreamCommand({ StreamName: mainStream }))).Tags;
  await client.send(new RemoveTagsFromStreamCommand({ StreamName: mainStream, TagKeys: ["env"] }));
  const left = (await client.send(new ListTagsForStreamCommand({ StreamName: mainStream }))).Tags;
  out.tags = { afterAdd: tagMap(added), afterRemove: tagMap(left) };

  // The ARN-addressed tagging operations (newer than boto3's Debian model).
  const arn = desc.StreamARN;
  await client.send(new TagResourceCommand({ ResourceARN: arn, Tags: { owner: "blackbox" } }));
  const tagged = (await client.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags;
  await client.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ["owner"] }));
  const untagged = (await client.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags;
  out.resourceTags = { afterTag: tagMap(tagged), afterUntag: tagMap(untagged) };

  const retention = async () =>
    (await client.send(new DescribeStreamSummaryCommand({ StreamName: mainStream }))).StreamDescriptionSummary
      .RetentionPeriodHours;
  out.retention = [];
  await client.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: mainStream, RetentionPeriodHours: 48 }));
  out.retention.push(await retention());
  await client.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: mainStream, RetentionPeriodHours: 24 }));
  out.retention.push(await retention());

  const en = await client.send(
    new EnableEnhancedMonitoringCommand({ StreamName: mainStream, ShardLevelMetrics: ["IncomingBytes", "OutgoingBytes"] }),
  );
  const dis = await client.send(new DisableEnhancedMonitoringCommand({ StreamName: mainStream, ShardLevelMetrics: ["IncomingBytes"] }));
  out.monitoring = {
    enable: { current: en.CurrentShardLevelMetrics, desired: en.DesiredShardLevelMetrics },
    disable: { current: dis.CurrentShardLevelMetrics, desired: dis.DesiredShardLevelMetrics },
  };

  // Concurrent requests: with a shared HTTP/2 session they are multiplexed
  // as streams of one connection.
  const concurrentStream = extras[0];
  const puts = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      client.send(new PutRecordCommand({ StreamName: concurrentStream, PartitionKey: `c-${i}`, Data: text(`concurrent-${i}`) })),
    ),
  );
  const summaries = await Promise.all(
    Array.from({ length: 10 }, () => client.send(new DescribeStreamSummaryCommand({ StreamName: concurrentStream }))),
  );
  const back = await readShard(client, concurrentStream, "shardId-000000000000", "TRIM_HORIZON");
  out.concurrent = {
    puts: puts.length,
    distinctSequenceNumbers: new Set(puts.map((p) => p.SequenceNumber)).size,
    summaries: summaries.filter((s) => s.StreamDescriptionSummary.StreamStatus === "ACTIVE").length,
    readBack: back.records.map((r) => Buffer.from(r.data, "base64").toString()).sort(),
  };

  const lim = await client.send(new DescribeLimitsCommand({}));
  out.limits = {
    shardLimit: lim.ShardLimit,
    openShardCount: lim.OpenShardCount,
    onDemandStreamCount: lim.OnDemandStreamCount ?? -1,
    onDemandStreamCountLimit: lim.OnDemandStreamCountLimit ?? -1,
  };

  out.errors = {
    notFound: await errorOf(client.send(new DescribeStreamCommand({ StreamName: `${prefix}-missing` }))),
    validation: await errorOf(client.send(new CreateStreamCommand({ StreamName: "bad name!", ShardCount: 1 }))),
  };

  for (const name of extras) {
    await client.send(new DeleteStreamCommand({ StreamName: name }));
  }
  await client.send(new DeleteStreamCommand({ StreamName: mainStream }));
  await waitUntilStreamNotExists(waiter, { StreamName: mainStream });
  out.afterDelete = await errorOf(client.send(new DescribeStreamSummaryCommand({ StreamName: mainStream })));
  return out;
}

const { values: args } = parseArgs({
  options: {
    endpoint: { type: "string" },
    prefix: { type: "string" },
    handler: { type: "string", default: "default" },
  },
});
const handlers = {
  default: () => ({}),
  "h2-shared": () => ({ requestHandler: new NodeHttp2Handler({ disableConcurrentStreams: false }) }),
  http1: () => ({ requestHandler: new NodeHttpHandler() }),
};
if (!args.endpoint || !args.prefix || !handlers[args.handler]) {
  console.error("usage: node kinesis_session.mjs --endpoint URL --prefix NAME [--handler default|h2-shared|http1]");
  process.exit(2);
}
const client = new KinesisClient({
  endpoint: args.endpoint,
  // Failures must show at once, not after retries with back-off.
  maxAttempts: 1,
  ...handlers[args.handler](),
});
try {
  const out = await session(client, args.prefix);
  out.handler = client.config.requestHandler.metadata?.handlerProtocol ?? "";
  out.http2Sessions = sessions;
  process.stdout.write(JSON.stringify(out) + "\n");
} finally {
  client.destroy();
}

package e2e

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func TestDescribeLimits(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	lim, err := k.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
	noErr(t, err)
	if *lim.ShardLimit != 20000 || *lim.OpenShardCount != 0 || *lim.OnDemandStreamCount != 0 || *lim.OnDemandStreamCountLimit != 50 {
		t.Fatalf("empty account: %+v", lim)
	}
	create(t, e, k, "a", 3)
	create(t, e, k, "b", 2)
	_, err = k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	noErr(t, err)
	waitActive(t, k, "od")
	lim, err = k.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
	noErr(t, err)
	// eddy counts every open shard, on-demand streams' too (the behaviour
	// notes suggest provisioned shards only; AWS documents neither).
	if *lim.OpenShardCount != 9 || *lim.OnDemandStreamCount != 1 {
		t.Fatalf("after three streams: %+v", lim)
	}
	_, err = k.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("a")})
	noErr(t, err)
	w := kinesis.NewStreamNotExistsWaiter(k, func(o *kinesis.StreamNotExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Millisecond, 10*time.Millisecond
	})
	noErr(t, w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("a")}, 10*time.Second))
	lim, err = k.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
	noErr(t, err)
	if *lim.OpenShardCount != 6 {
		t.Fatalf("after deleting a: %+v", lim)
	}
	// All four members are always present.
	code, body := callJSON(t, e, "DescribeLimits", `{}`)
	if code != 200 || len(body) != 4 {
		t.Fatalf("raw: %d %v", code, body)
	}
}

func TestAccountSettings(t *testing.T) {
	e, fc := startFake(t)
	k := e.Kinesis
	d, err := k.DescribeAccountSettings(ctx, &kinesis.DescribeAccountSettingsInput{})
	noErr(t, err)
	if c := d.MinimumThroughputBillingCommitment; c == nil || c.Status != types.MinimumThroughputBillingCommitmentOutputStatusDisabled || c.StartedAt != nil || c.EndedAt != nil {
		t.Fatalf("default: %+v", c)
	}
	update := func(s types.MinimumThroughputBillingCommitmentInputStatus) *types.MinimumThroughputBillingCommitmentOutput {
		t.Helper()
		out, err := k.UpdateAccountSettings(ctx, &kinesis.UpdateAccountSettingsInput{MinimumThroughputBillingCommitment: &types.MinimumThroughputBillingCommitmentInput{Status: s}})
		noErr(t, err)
		return out.MinimumThroughputBillingCommitment
	}
	c := update(types.MinimumThroughputBillingCommitmentInputStatusEnabled)
	if c.Status != types.MinimumThroughputBillingCommitmentOutputStatusEnabled || !c.StartedAt.Equal(t0) || !c.EarliestAllowedEndAt.Equal(t0.Add(24*time.Hour)) || c.EndedAt != nil {
		t.Fatalf("enabled: %+v", c)
	}
	// Disabling within 24 hours schedules the end; enabling again cancels it.
	fc.Advance(time.Hour)
	c = update(types.MinimumThroughputBillingCommitmentInputStatusDisabled)
	if c.Status != types.MinimumThroughputBillingCommitmentOutputStatusEnabledUntilEarliestAllowedEnd {
		t.Fatalf("disabled early: %+v", c)
	}
	c = update(types.MinimumThroughputBillingCommitmentInputStatusEnabled)
	if c.Status != types.MinimumThroughputBillingCommitmentOutputStatusEnabled || !c.StartedAt.Equal(t0) {
		t.Fatalf("re-enabled: %+v", c)
	}
	c = update(types.MinimumThroughputBillingCommitmentInputStatusDisabled)
	fc.Advance(23 * time.Hour)
	d, err = k.DescribeAccountSettings(ctx, &kinesis.DescribeAccountSettingsInput{})
	noErr(t, err)
	if c := d.MinimumThroughputBillingCommitment; c.Status != types.MinimumThroughputBillingCommitmentOutputStatusDisabled || !c.EndedAt.Equal(t0.Add(24*time.Hour)) {
		t.Fatalf("after the earliest end: %+v", c)
	}
	// Settings are per account and region.
	other, err := client(e, "111111111111", "").DescribeAccountSettings(ctx, &kinesis.DescribeAccountSettingsInput{})
	noErr(t, err)
	update(types.MinimumThroughputBillingCommitmentInputStatusEnabled)
	other, err = client(e, "111111111111", "").DescribeAccountSettings(ctx, &kinesis.DescribeAccountSettingsInput{})
	noErr(t, err)
	if other.MinimumThroughputBillingCommitment.Status != types.MinimumThroughputBillingCommitmentOutputStatusDisabled {
		t.Fatalf("another account's settings changed: %+v", other.MinimumThroughputBillingCommitment)
	}
	// Timestamps are epoch seconds on the wire; validation of the input.
	_, body := callJSON(t, e, "DescribeAccountSettings", `{}`)
	if started := body["MinimumThroughputBillingCommitment"].(map[string]any)["StartedAt"]; started == nil {
		t.Fatalf("raw: %v", body)
	}
	code, body := callJSON(t, e, "UpdateAccountSettings", `{"MinimumThroughputBillingCommitment":{"Status":"MAYBE"}}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value 'MAYBE' at 'minimumThroughputBillingCommitment.status' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]")
	code, body = callJSON(t, e, "UpdateAccountSettings", `{}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value null at 'minimumThroughputBillingCommitment' failed to satisfy constraint: Member must not be null")
}

func TestResourcePolicies(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	create(t, e, k, "s", 1)
	arn := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s")
	get := func() string {
		t.Helper()
		out, err := k.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn})
		noErr(t, err)
		return *out.Policy
	}
	if p := get(); p != "{}" {
		t.Fatalf("no policy: %q", p)
	}
	const policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"kinesis:GetRecords","Resource":"arn:aws:kinesis:us-east-1:000000000000:stream/s"}]}`
	_, err := k.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String(policy)})
	noErr(t, err)
	if p := get(); p != policy {
		t.Fatalf("stored policy: %q", p)
	}
	// eddy's text for a malformed document (AWS's is not public).
	_, err = k.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String("not json")})
	wantErrPrefix(t, err, "InvalidArgumentException", "Policy is not a valid JSON policy document: ")
	if p := get(); p != policy {
		t.Fatalf("policy after a refused put: %q", p)
	}
	code, body := callJSON(t, e, "DeleteResourcePolicy", map[string]any{"ResourceARN": *arn})
	if code != 200 || body != nil {
		t.Fatalf("DeleteResourcePolicy answers with an empty body: %d %v", code, body)
	}
	if p := get(); p != "{}" {
		t.Fatalf("after delete: %q", p)
	}
	_, err = k.DeleteResourcePolicy(ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: arn})
	wantErr(t, err, "ResourceNotFoundException", "No resource policy found for resource ARN arn:aws:kinesis:us-east-1:000000000000:stream/s.")

	// Policies go with their stream.
	_, err = k.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String(policy)})
	noErr(t, err)
	_, err = k.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s")})
	noErr(t, err)
	w := kinesis.NewStreamNotExistsWaiter(k, func(o *kinesis.StreamNotExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Millisecond, 10*time.Millisecond
	})
	noErr(t, w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s")}, 10*time.Second))
	_, err = k.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn})
	wantErr(t, err, "ResourceNotFoundException", "Stream s under account 000000000000 not found.")
	_, err = k.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String(policy)})
	wantErr(t, err, "ResourceNotFoundException", "Stream s under account 000000000000 not found.")
	create(t, e, k, "s", 1)
	if p := get(); p != "{}" {
		t.Fatalf("recreated stream inherited a policy: %q", p)
	}
	code, body = callJSON(t, e, "PutResourcePolicy", map[string]any{"ResourceARN": *arn})
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value null at 'policy' failed to satisfy constraint: Member must not be null")
}

func TestUpdateMaxRecordSize(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	create(t, e, k, "s", 1)
	arn := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s")
	pk := aws.String("k")
	mid := make([]byte, 5<<20) // between 1 and 10 MiB
	for i := range mid {
		mid[i] = byte(i)
	}
	_, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: pk, Data: mid})
	wantErr(t, err, "ValidationException", "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=5242880 cap=5242880]' at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048575")

	_, err = k.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: arn, MaxRecordSizeInKiB: aws.Int32(10240)})
	noErr(t, err)
	s, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	noErr(t, err)
	if *s.StreamDescriptionSummary.MaxRecordSizeInKiB != 10240 || s.StreamDescriptionSummary.StreamStatus != types.StreamStatusActive {
		t.Fatalf("summary: %+v", s.StreamDescriptionSummary)
	}
	p1, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: pk, Data: mid})
	noErr(t, err)
	max := make([]byte, 10<<20-1)
	max[len(max)-1] = 7
	p2, err := k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: pk, Data: max})
	noErr(t, err)
	_, err = k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: pk, Data: make([]byte, 10<<20)})
	wantErr(t, err, "ValidationException", "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=10485760 cap=10485760]' at 'data' failed to satisfy constraint: Member must have length less than or equal to 10485759")
	// PutRecords may carry 10 MiB once records may be larger than 1 MiB.
	half := types.PutRecordsRequestEntry{PartitionKey: pk, Data: make([]byte, 5<<20-1)}
	out, err := k.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{half, half}})
	noErr(t, err)
	if *out.FailedRecordCount != 0 {
		t.Fatal("10 MiB PutRecords failed")
	}
	_, err = k.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{half, half, {PartitionKey: pk, Data: []byte("x")}}})
	wantErr(t, err, "InvalidArgumentException", "Records size exceeds 10 MB limit")

	// Large records read back whole, one per call when they fill 10 MiB.
	it := iter(t, k, "s", "0", types.ShardIteratorTypeTrimHorizon)
	r := read(t, k, it)
	if len(r.Records) != 1 || !equalBytes(r.Records[0].Data, mid) || *r.Records[0].SequenceNumber != *p1.SequenceNumber {
		t.Fatalf("first read: %d records", len(r.Records))
	}
	r = read(t, k, r.NextShardIterator)
	if len(r.Records) != 1 || !equalBytes(r.Records[0].Data, max) || *r.Records[0].SequenceNumber != *p2.SequenceNumber {
		t.Fatalf("second read: %d records", len(r.Records))
	}

	// Lowering applies to later writes only.
	_, err = k.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: arn, MaxRecordSizeInKiB: aws.Int32(1024)})
	noErr(t, err)
	_, err = k.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: pk, Data: mid})
	wantErrPrefix(t, err, "ValidationException", "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=5242880")
	code, body := callJSON(t, e, "UpdateMaxRecordSize", map[string]any{"StreamARN": *arn, "MaxRecordSizeInKiB": 10241})
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value '10241' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value less than or equal to 10240")
	code, body = callJSON(t, e, "UpdateMaxRecordSize", map[string]any{"StreamARN": *arn, "MaxRecordSizeInKiB": 1023})
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value '1023' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value greater than or equal to 1024")
	_, err = k.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/nope"), MaxRecordSizeInKiB: aws.Int32(2048)})
	wantErr(t, err, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")
	// The model has only StreamARN (optional): without it eddy answers
	// with its own text.
	_, err = k.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{MaxRecordSizeInKiB: aws.Int32(2048)})
	wantErr(t, err, "InvalidArgumentException", "Either StreamName or StreamARN must be provided.")
}

func equalBytes(a, b []byte) bool { return string(a) == string(b) }

func TestEnhancedMonitoring(t *testing.T) {
	e := start(t)
	k := e.Kinesis
	create(t, e, k, "s", 1)
	name := aws.String("s")
	enable := func(m ...types.MetricsName) *kinesis.EnableEnhancedMonitoringOutput {
		t.Helper()
		out, err := k.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: name, ShardLevelMetrics: m})
		noErr(t, err)
		return out
	}
	described := func() []types.MetricsName {
		t.Helper()
		d, err := k.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: name})
		noErr(t, err)
		s, err := k.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: name})
		noErr(t, err)
		a, b := d.StreamDescription.EnhancedMonitoring, s.StreamDescriptionSummary.EnhancedMonitoring
		if len(a) != 1 || len(b) != 1 || len(a[0].ShardLevelMetrics) != len(b[0].ShardLevelMetrics) {
			t.Fatalf("EnhancedMonitoring: %+v / %+v", a, b)
		}
		return a[0].ShardLevelMetrics
	}
	out := enable(types.MetricsNameIncomingBytes)
	if *out.StreamName != "s" || *out.StreamARN != "arn:aws:kinesis:us-east-1:000000000000:stream/s" ||
		len(out.CurrentShardLevelMetrics) != 0 || len(out.DesiredShardLevelMetrics) != 1 || out.DesiredShardLevelMetrics[0] != types.MetricsNameIncomingBytes {
		t.Fatalf("enable IncomingBytes: %+v", out)
	}
	if m := described(); len(m) != 1 || m[0] != types.MetricsNameIncomingBytes {
		t.Fatalf("described: %v", m)
	}
	out = enable(types.MetricsNameAll)
	if len(out.CurrentShardLevelMetrics) != 1 || len(out.DesiredShardLevelMetrics) != 7 {
		t.Fatalf("enable ALL: %+v", out)
	}
	dis, err := k.DisableEnhancedMonitoring(ctx, &kinesis.DisableEnhancedMonitoringInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s"),
		ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes, types.MetricsNameIteratorAgeMilliseconds}})
	noErr(t, err)
	if len(dis.CurrentShardLevelMetrics) != 7 || len(dis.DesiredShardLevelMetrics) != 5 {
		t.Fatalf("disable two: %+v", dis)
	}
	for _, m := range dis.DesiredShardLevelMetrics {
		if m == types.MetricsNameIncomingBytes || m == types.MetricsNameIteratorAgeMilliseconds {
			t.Fatalf("%s still enabled", m)
		}
	}
	if m := described(); len(m) != 5 {
		t.Fatalf("described after disable: %v", m)
	}
	dis, err = k.DisableEnhancedMonitoring(ctx, &kinesis.DisableEnhancedMonitoringInput{StreamName: name, ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}})
	noErr(t, err)
	if len(dis.DesiredShardLevelMetrics) != 0 || len(described()) != 0 {
		t.Fatalf("disable ALL: %+v", dis)
	}
	_, err = k.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String("nope"), ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}})
	wantErr(t, err, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")
	code, body := callJSON(t, e, "EnableEnhancedMonitoring", `{"StreamName":"s","ShardLevelMetrics":[]}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value '[]' at 'shardLevelMetrics' failed to satisfy constraint: Member must have length greater than or equal to 1")
	code, body = callJSON(t, e, "EnableEnhancedMonitoring", `{"StreamName":"s","ShardLevelMetrics":["Everything"]}`)
	wantJSONErr(t, code, body, "ValidationException", "1 validation error detected: Value '[Everything]' at 'shardLevelMetrics' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds, ALL]]")
}

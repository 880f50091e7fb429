package logstore

import "github.com/VictoriaMetrics/metrics"

// storeMetrics are the store's metrics, registered in Options.Metrics.
// GetOrCreate lets a store be reopened on the same set (tests, restarts).
type storeMetrics struct {
	appends, records, bytes        *metrics.Counter
	fsyncs, fsyncErrors            *metrics.Counter
	groupBatches, groupBytes       *metrics.Histogram
	fsyncSeconds                   *metrics.Histogram
	checkpoints, checkpointErrors  *metrics.Counter
	checkpointSeconds              *metrics.Histogram
	corruptions, indexRebuilds     *metrics.Counter
	diskFull                       *metrics.Counter
	openFiles, tailBytes, unflushd *metrics.Gauge
	logs                           *metrics.Gauge
	readRecords, readBytes         *metrics.Counter
	segmentsDeleted, flushErrors   *metrics.Counter
	readOnly                       *metrics.Gauge
	journalRecycled                *metrics.Counter
}

func newStoreMetrics(s *metrics.Set) *storeMetrics {
	g := func(name string) *metrics.Gauge { return s.GetOrCreateGauge(name, nil) }
	return &storeMetrics{
		appends:           s.GetOrCreateCounter("eddy_logstore_appends_total"),
		records:           s.GetOrCreateCounter("eddy_logstore_appended_records_total"),
		bytes:             s.GetOrCreateCounter("eddy_logstore_appended_bytes_total"),
		fsyncs:            s.GetOrCreateCounter("eddy_logstore_journal_fsyncs_total"),
		fsyncErrors:       s.GetOrCreateCounter("eddy_logstore_fsync_errors_total"),
		groupBatches:      s.GetOrCreateHistogram("eddy_logstore_group_commit_batches"),
		groupBytes:        s.GetOrCreateHistogram("eddy_logstore_group_commit_bytes"),
		fsyncSeconds:      s.GetOrCreateHistogram("eddy_logstore_journal_fsync_seconds"),
		checkpoints:       s.GetOrCreateCounter("eddy_logstore_checkpoints_total"),
		checkpointErrors:  s.GetOrCreateCounter("eddy_logstore_checkpoint_errors_total"),
		checkpointSeconds: s.GetOrCreateHistogram("eddy_logstore_checkpoint_seconds"),
		corruptions:       s.GetOrCreateCounter("eddy_logstore_corruptions_total"),
		indexRebuilds:     s.GetOrCreateCounter("eddy_logstore_index_rebuilds_total"),
		diskFull:          s.GetOrCreateCounter("eddy_logstore_disk_full_total"),
		openFiles:         g("eddy_logstore_open_files"),
		tailBytes:         g("eddy_logstore_tail_memory_bytes"),
		unflushd:          g("eddy_logstore_unflushed_bytes"),
		logs:              g("eddy_logstore_logs"),
		readRecords:       s.GetOrCreateCounter("eddy_logstore_read_records_total"),
		readBytes:         s.GetOrCreateCounter("eddy_logstore_read_bytes_total"),
		segmentsDeleted:   s.GetOrCreateCounter("eddy_logstore_segments_deleted_total"),
		flushErrors:       s.GetOrCreateCounter("eddy_logstore_flush_errors_total"),
		readOnly:          g("eddy_logstore_read_only"),
		journalRecycled:   s.GetOrCreateCounter("eddy_logstore_journal_files_recycled_total"),
	}
}

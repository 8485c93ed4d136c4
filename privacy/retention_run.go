package privacy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/outbox"
	"github.com/rampart-dev/rampart/store"
)

// Batch bounds of a retention run. Each batch is its own transaction; its
// size adapts so that a batch takes about BatchTarget. On PostgreSQL the
// server enforces the rest (store.RetentionTx): StatementLimit bounds each
// statement and lock wait, IdleLimit the time the transaction may sit
// between statements (a stalled client), so that with its scope and COMMIT
// a batch stays within MaxBatchTx; a batch over a bound is rolled back and
// done again at half the size.
const (
	BatchTarget    = 15 * time.Millisecond
	MaxBatchTx     = 100 * time.Millisecond
	StatementLimit = 50 * time.Millisecond
	IdleLimit      = 20 * time.Millisecond
	// maxFailures is how many failed batches in a row a run retries
	// before it stops with the error; maxPasses how many passes over a
	// category it makes when batches failed.
	maxFailures  = 4
	maxPasses    = 3
	MinBatchRows = 50
	MaxBatchRows = 2000
	// FirstBatchRows is the size a run starts with.
	FirstBatchRows = 500
	// saveEvery is how often a run saves its cursor (and renews its lease).
	saveEvery = time.Second
)

// Retention keeps each tenant's retention policies and applies them. Build
// it with NewRetention.
type Retention struct {
	Store *store.Store
	// Presets tells a tenant's preset, for its defaults; nil: the standard
	// defaults.
	Presets PresetSource
	// Archive keeps what archive_then_delete removes; nil makes such a
	// policy fail (nothing is deleted unarchived).
	Archive Archiver
	// Notify wakes the outbox worker after announcements; may be nil.
	Notify func()
	Log    *slog.Logger
	Now    func() time.Time
	// MaxAttempts of announcement deliveries (0: the outbox default).
	MaxAttempts int
	// FirstBatch is the rows of a run's first batch (0: FirstBatchRows);
	// SaveEvery how often it saves its cursor (0: saveEvery).
	FirstBatch int
	SaveEvery  time.Duration
	// RecordBatches keeps every batch's duration in the report, for
	// benchmarks.
	RecordBatches bool

	rows          *prometheus.CounterVec
	batches       prometheus.Histogram
	announcements prometheus.Counter
}

// NewRetention returns a Retention with its metrics.
func NewRetention(r Retention) *Retention {
	r.rows = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rampart_retention_rows_total",
		Help: "Rows retention changed, by category and action (delete, anonymise, archive_then_delete)."}, []string{"category", "action"})
	r.batches = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "rampart_retention_batch_seconds",
		Help: "Duration of retention batch transactions.", Buckets: []float64{.005, .01, .025, .05, .075, .1, .25, .5}})
	r.announcements = prometheus.NewCounter(prometheus.CounterOpts{Name: "rampart_retention_announcements_total",
		Help: "Platform retention announcements queued for registered systems."})
	if r.Log == nil {
		r.Log = slog.New(slog.DiscardHandler)
	}
	return &r
}

// Collectors are the metrics, for /metrics.
func (r *Retention) Collectors() []prometheus.Collector {
	return []prometheus.Collector{r.rows, r.batches, r.announcements}
}

// Report is what a run did.
type Report struct {
	Rows          map[string]int64 `json:"rows"` // by category
	Announcements int              `json:"announcements"`
	Batches       int              `json:"batches"`
	// Retried counts batches that failed (PostgreSQL cancelled them at
	// StatementLimit or IdleLimit) and were done again at half the size.
	Retried int `json:"retried"`
	// MaxBatch is the longest batch transaction as this process saw it,
	// from sending BEGIN to COMMIT's answer: an upper bound of its length
	// on the server, round trips and scheduling included.
	MaxBatch time.Duration `json:"max_batch_ns"`
	// Durations are every batch's, with RecordBatches.
	Durations []time.Duration `json:"-"`
}

func (rep *Report) String() string {
	var parts []string
	for _, c := range OwnCategories {
		if n := rep.Rows[c]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", c, n))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "no rows due")
	}
	return fmt.Sprintf("%s; %d announcements; %d batches, longest %s", strings.Join(parts, ", "), rep.Announcements, rep.Batches, rep.MaxBatch.Round(time.Millisecond))
}

// runState is a run's progress: the tenant and category it was in, and
// where.
type runState struct {
	Tenant   string `json:"tenant,omitempty"`
	Category string `json:"category,omitempty"`
	Cursor   string `json:"cursor,omitempty"`
	Through  int64  `json:"through,omitempty"`
	Rows     int64  `json:"rows,omitempty"`
}

// Run applies every tenant's policies: the scheduled job. state is a saved
// progress (from save) to resume from; save stores progress.
func (r *Retention) Run(ctx context.Context, state string, save func(string) error) (*Report, error) {
	st := decodeState(state)
	rep := &Report{Rows: map[string]int64{}}
	err := r.Store.EachTenant(ctx, func(t *identity.Tenant) error {
		if st.Tenant != "" && t.ID < st.Tenant {
			return nil // done before the interruption
		}
		if st.Tenant != t.ID {
			st = runState{Tenant: t.ID}
		}
		return r.applyTenant(ctx, t.ID, &st, rep, save)
	})
	return rep, err
}

// Apply applies one tenant's policies now and reports what it did.
func (r *Retention) Apply(ctx context.Context, tenantID string) (*Report, error) {
	rep := &Report{Rows: map[string]int64{}}
	st := runState{Tenant: tenantID}
	return rep, r.applyTenant(ctx, tenantID, &st, rep, nil)
}

func (r *Retention) applyTenant(ctx context.Context, tenantID string, st *runState, rep *Report, save func(string) error) error {
	set, err := r.Policies(ctx, tenantID)
	if err != nil {
		return err
	}
	now := r.now()
	resuming := st.Category
	if !slices.ContainsFunc(set.Policies, func(p Policy) bool { return p.Category == resuming }) {
		resuming = "" // the policies changed since: start the tenant afresh
	}
	for _, p := range set.Policies {
		if resuming != "" {
			if p.Category != resuming {
				continue // done before the interruption
			}
			resuming = ""
		} else {
			st.Category, st.Cursor, st.Through, st.Rows = p.Category, "", 0, 0
		}
		if p.Platform {
			n, err := r.announce(ctx, tenantID, p, now)
			rep.Announcements += n
			if err != nil {
				return err
			}
			continue
		}
		if err := r.applyPolicy(ctx, tenantID, p, now, st, rep, save); err != nil {
			return fmt.Errorf("retention of %s: %w", p.Category, err)
		}
	}
	st.Category, st.Cursor, st.Through, st.Rows = "", "", 0, 0
	return nil
}

func (r *Retention) applyPolicy(ctx context.Context, tenantID string, p Policy, now time.Time, st *runState, rep *Report, save func(string) error) error {
	cutoff := now.Add(-time.Duration(p.Days) * day)
	sc := store.RetentionScope{Category: p.Category, Action: p.Action, Cutoff: cutoff, Now: now, After: st.Cursor, ThroughSeq: st.Through}
	audited := p.Category == store.RetainAuditDetails || p.Category == store.RetainGuardrailEvents
	if audited && st.Through == 0 {
		// The bound goes into the chain first: verification admits
		// tombstones only below a retention record.
		var through, due int64
		if err := r.Store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
			if through, err = tx.AuditThroughSeq(ctx, cutoff); err != nil || through == 0 {
				return err
			}
			sc.ThroughSeq = through
			due, err = tx.CountRetention(ctx, sc)
			return err
		}); err != nil {
			return err
		}
		if due == 0 {
			return nil
		}
		if err := r.Store.InTenant(ctx, tenantID, func(tx *store.Tx) error {
			return tx.AppendAudit(ctx, &audit.Event{Type: audit.DataModification, UserAgent: "rampart-retention", Resource: store.RetentionResource,
				Success: true, Details: retentionRecordDetails(p.Category, p.Action, cutoff, through, -1), CreatedAt: now})
		}); err != nil {
			return err
		}
		st.Through, sc.ThroughSeq = through, through
	}
	var archive func([]map[string]any) error
	if p.Action == ActionArchive {
		if r.Archive == nil {
			return errors.New("archive_then_delete needs an archive (RAMPART_RETENTION_ARCHIVE_DIR); nothing was deleted")
		}
		archive = func(rows []map[string]any) error { return r.Archive.Archive(ctx, tenantID, p.Category, rows) }
	}
	b := &batcher{r: r, tenantID: tenantID, p: p, sc: sc, st: st, rep: rep, save: save, archive: archive, size: FirstBatchRows, every: saveEvery, lastSave: time.Now()}
	if r.FirstBatch > 0 {
		b.size = r.FirstBatch
	}
	if r.SaveEvery > 0 {
		b.every = r.SaveEvery
	}
	// A batch rolled back after the server ended its session may keep its
	// rows locked a moment longer, while the session winds down; the next
	// batch passes over them (SKIP LOCKED). So the key range a failed
	// batch covered is swept again at the end of the pass, bounded to that
	// range (at most maxPasses in all); a later run reaches whatever is
	// still left.
	gaps, err := b.pass(ctx, st.Cursor, "", true)
	for n := 1; err == nil && len(gaps) > 0 && n < maxPasses; n++ {
		var again [][2]string
		for _, g := range gaps {
			more, gerr := b.pass(ctx, g[0], g[1], false)
			if gerr != nil {
				err = gerr
				break
			}
			again = append(again, more...)
		}
		gaps = again
	}
	if err != nil {
		return err
	}
	if st.Rows == 0 {
		return nil
	}
	r.Log.Info("retention applied", "tenant", tenantID, "category", p.Category, "action", p.Action, "rows", st.Rows)
	return r.Store.InTenant(ctx, tenantID, func(tx *store.Tx) error {
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.DataModification, UserAgent: "rampart-retention", Resource: "privacy.retention_done",
			Success: true, Details: retentionRecordDetails(p.Category, p.Action, cutoff, 0, st.Rows), CreatedAt: r.now()})
	})
}

// timedOut reports whether PostgreSQL cancelled a statement for
// statement_timeout (57014) or lock_timeout (55P03), or ended the session
// for idle_in_transaction_session_timeout (25P03).
func timedOut(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "57014" || pg.Code == "55P03" || pg.Code == "25P03")
}

// EventRetentionDue is the type of a platform category's announcement.
const EventRetentionDue = "privacy.retention_due"

// announcement is the body a system receives.
type announcement struct {
	Type      string           `json:"type"`
	Timestamp time.Time        `json:"timestamp"`
	Data      announcementData `json:"data"`
}

type announcementData struct {
	Category  string    `json:"category"`
	Action    string    `json:"action"`
	Days      int       `json:"days"`
	OlderThan time.Time `json:"older_than"`
	System    string    `json:"system"`
}

// announce queues, when due, one message per target system saying that the
// platform's rows of the category older than the cutoff are to get the
// action, and records the announcement, in one transaction.
func (r *Retention) announce(ctx context.Context, tenantID string, p Policy, now time.Time) (int, error) {
	if !announceDue(p, now) {
		return 0, nil
	}
	queued := 0
	cutoff := now.Add(-time.Duration(p.Days) * day)
	err := r.Store.InTenant(ctx, tenantID, func(tx *store.Tx) error {
		all, err := tx.PrivacySystems(ctx)
		if err != nil {
			return err
		}
		targets := targetSystems(all, p.Systems)
		if len(targets) == 0 {
			return nil // announced once a system is registered
		}
		for _, s := range targets {
			body, err := json.Marshal(announcement{Type: EventRetentionDue, Timestamp: now, Data: announcementData{
				Category: p.Category, Action: p.Action, Days: p.Days, OlderThan: cutoff, System: s.Name}})
			if err != nil {
				return err
			}
			m := &outbox.Message{Channel: ChannelSystem, Target: s.ID, EventType: EventRetentionDue,
				IdempotencyKey: "ret_" + p.Category + "_" + s.ID + "_" + now.Format("20060102"), Payload: body, MaxAttempts: r.MaxAttempts}
			ok, err := tx.Enqueue(ctx, m, now)
			if err != nil {
				return err
			}
			if ok {
				queued++
			}
		}
		if err := tx.MarkRetentionAnnounced(ctx, p.Category, now); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.DataModification, UserAgent: "rampart-retention", Resource: "privacy.retention_announced",
			Success: true, Details: map[string]any{"category": p.Category, "action": p.Action, "older_than": cutoff.Format(time.RFC3339), "systems": systemNames(targets)},
			CreatedAt: now})
	})
	if err != nil {
		return 0, err
	}
	if queued > 0 {
		r.announcements.Add(float64(queued))
		if r.Notify != nil {
			r.Notify()
		}
	}
	return queued, nil
}

// batcher runs the batches of one policy.
type batcher struct {
	r        *Retention
	tenantID string
	p        Policy
	sc       store.RetentionScope
	st       *runState
	rep      *Report
	save     func(string) error
	archive  func([]map[string]any) error
	size     int
	every    time.Duration
	lastSave time.Time
}

// pass applies the policy to the rows after the cursor from (up to
// through, when not empty), batch by batch, and returns the key ranges of
// batches that failed before one succeeded (to sweep again). The main pass
// (saving) keeps the run's cursor.
func (b *batcher) pass(ctx context.Context, from, through string, saving bool) ([][2]string, error) {
	r, rep := b.r, b.rep
	sc := b.sc
	sc.After, sc.Through = from, through
	var gaps [][2]string
	failures, gapFrom, inGap := 0, "", false
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var n int
		var next string
		start := time.Now()
		err := r.Store.RetentionTx(ctx, b.tenantID, StatementLimit, IdleLimit, func(tx *store.Tx) (err error) {
			n, next, err = tx.RetentionBatch(ctx, sc, b.size, b.archive)
			return err
		})
		took := time.Since(start)
		r.batches.Observe(took.Seconds())
		rep.Batches++
		rep.MaxBatch = max(rep.MaxBatch, took)
		if r.RecordBatches {
			rep.Durations = append(rep.Durations, took)
		}
		if err != nil {
			// A batch the server cancelled (a bound passed) or whose
			// session it ended (idle too long) was rolled back: again,
			// smaller. Other errors are retried too, a few times.
			if ctx.Err() != nil || failures >= maxFailures {
				return nil, err
			}
			failures++
			rep.Retried++
			b.size = max(b.size/2, MinBatchRows)
			if !inGap {
				inGap, gapFrom = true, sc.After
			}
			level := slog.LevelWarn
			if timedOut(err) {
				level = slog.LevelDebug
			}
			r.Log.Log(ctx, level, "retention batch failed; retrying smaller", "tenant", b.tenantID, "category", b.p.Category, "err", err.Error())
			select { // let the server release the locks of a session it ended
			case <-ctx.Done():
			case <-time.After(2 * IdleLimit):
			}
			continue
		}
		failures = 0
		switch {
		case took > BatchTarget:
			b.size = max(b.size*3/4, MinBatchRows)
		case took < BatchTarget/2:
			b.size = min(b.size*2, MaxBatchRows)
		}
		if n > 0 {
			rep.Rows[b.p.Category] += int64(n)
			b.st.Rows += int64(n)
			r.rows.WithLabelValues(b.p.Category, b.p.Action).Add(float64(n))
		}
		if inGap {
			end := next
			if end == "" {
				end = through // to the end of this pass's range
			}
			gaps = append(gaps, [2]string{gapFrom, end})
			inGap = false
		}
		if next == "" {
			return gaps, nil
		}
		sc.After = next
		if saving {
			b.st.Cursor = next
			if b.save != nil && time.Since(b.lastSave) >= b.every {
				if err := b.save(encodeState(*b.st)); err != nil {
					return nil, err
				}
				b.lastSave = time.Now()
			}
		}
	}
}

package privacy

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // the seeding connection

	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/internal/testdb"
	"github.com/rampart-dev/rampart/store"
)

// TestRetentionMillion is the retention benchmark of issue 18, run on
// demand (RAMPART_BENCH_RETENTION=1; RAMPART_BENCH_RETENTION_ROWS changes
// the count, RAMPART_BENCH_RETENTION_ACTION=anonymise blanks the user ids
// instead of deleting): it seeds 1,000,000 expired usage records and 10,000 recent
// ones in PostgreSQL with generate_series, applies a delete policy while
// another goroutine keeps writing usage records of the same tenant, and
// reports the longest batch transaction, the writer's longest wait and the
// total time. It fails if a batch transaction took over MaxBatchTx.
//
//	CI=true RAMPART_TEST_DATABASE_URL=postgres://... RAMPART_BENCH_RETENTION=1 \
//	  go test ./privacy -run TestRetentionMillion -v -timeout 30m
func TestRetentionMillion(t *testing.T) {
	if os.Getenv("RAMPART_BENCH_RETENTION") != "1" {
		t.Skip("set RAMPART_BENCH_RETENTION=1 to run the retention benchmark")
	}
	rows := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("RAMPART_BENCH_RETENTION_ROWS")); err == nil && v > 0 {
		rows = v
	}
	ctx := context.Background()
	url := testdb.URL(t, "postgres")
	st, err := store.Open(ctx, url, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	tn := &identity.Tenant{ID: uuid.NewString(), Slug: "bench", Name: "Bench", Status: identity.TenantActive, CreatedAt: now, UpdatedAt: now}
	if err := st.AsOperator(ctx, func(tx *store.Tx) error { return tx.CreateTenant(ctx, tn) }); err != nil {
		t.Fatal(err)
	}
	seed, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer seed.Close()
	start := time.Now()
	for _, q := range []struct {
		n   int
		age string
	}{{rows, "500 days"}, {10_000, "1 day"}} {
		if _, err := seed.ExecContext(ctx, `INSERT INTO ai_usage (tenant_id, id, created_at, user_id, endpoint, model, input_tokens, output_tokens, status)
			SELECT $1, gen_random_uuid(), now() - interval '`+q.age+`' + g * interval '1 millisecond', 'user-' || (g % 5000), 'chat', 'model-a', 100, 200, 200
			FROM generate_series(1, $2::int) AS g`, tn.ID, q.n); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := seed.ExecContext(ctx, "ANALYZE ai_usage"); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d expired and 10000 recent usage records in %s", rows, time.Since(start).Round(time.Millisecond))

	var logs strings.Builder
	var logMu sync.Mutex
	r := NewRetention(Retention{Store: st, RecordBatches: true, Log: slog.New(slog.NewTextHandler(lockedWriter{&logMu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	defer func() {
		logMu.Lock()
		defer logMu.Unlock()
		counts := map[string]int{}
		for _, l := range strings.Split(logs.String(), "\n") {
			if _, e, ok := strings.Cut(l, " err="); ok {
				counts[e]++
			}
		}
		for e, n := range counts {
			t.Logf("retried %d× after: %s", n, e)
		}
	}()
	action := ActionDelete
	if os.Getenv("RAMPART_BENCH_RETENTION_ACTION") == ActionAnonymise {
		action = ActionAnonymise
	}
	if _, err := r.SetPolicies(ctx, tn.ID, audit.Actor{}, []Policy{{Category: "usage_logs", Days: 400, Action: action}}); err != nil {
		t.Fatal(err)
	}
	// A writer of the same tenant: its waits show whether retention's
	// locks get in the way of traffic.
	// writer inserts one usage record every 10 ms until stop closes and
	// returns each insert's transaction time.
	writer := func(stop <-chan struct{}) func() []time.Duration {
		var waits []time.Duration
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				select {
				case <-stop:
					return
				case <-time.After(10 * time.Millisecond):
				}
				t0 := time.Now()
				err := st.InTenant(ctx, tn.ID, func(tx *store.Tx) error {
					return tx.AddAIUsage(ctx, []*store.AIUsage{{ID: uuid.NewString(), CreatedAt: time.Now(), UserID: "live", Endpoint: "chat", Model: "m", Status: 200}})
				})
				if err != nil {
					t.Error(err)
					return
				}
				waits = append(waits, time.Since(t0))
			}
		}()
		return func() []time.Duration { <-done; return waits }
	}
	// The writer alone first: what the machine's load does to a one-row
	// transaction, without retention.
	quiet := make(chan struct{})
	baseline := writer(quiet)
	time.Sleep(5 * time.Second)
	close(quiet)
	base := baseline()
	slices.Sort(base)
	t.Logf("writer alone for 5 s: %d writes, median %s, p99 %s, max %s, %d over %s", len(base), base[len(base)/2].Round(100*time.Microsecond),
		base[len(base)*99/100].Round(100*time.Microsecond), base[len(base)-1].Round(100*time.Microsecond), overOf(base), MaxBatchTx)
	stop := make(chan struct{})
	during := writer(stop)
	t.Logf("load average before: %s", loadAverage())
	start = time.Now()
	rep, err := r.Apply(ctx, tn.ID)
	total := time.Since(start)
	close(stop)
	waits := during()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("load average after: %s", loadAverage())
	slices.Sort(waits)
	slices.Sort(rep.Durations)
	pct := func(d []time.Duration, q float64) time.Duration {
		if len(d) == 0 {
			return 0
		}
		return d[min(int(float64(len(d))*q), len(d)-1)].Round(100 * time.Microsecond)
	}
	over := overOf(rep.Durations)
	t.Logf("%s: %d rows in %s (%.0f rows/s); %d batch transactions (%d rolled back by a bound and retried smaller), BEGIN to COMMIT seen by the client: median %s, p99 %s, p99.9 %s, max %s, %d over %s; concurrent writer: %d writes, p99 %s, max %s, %d over %s",
		action, rep.Rows["usage_logs"], total.Round(time.Millisecond), float64(rep.Rows["usage_logs"])/total.Seconds(), rep.Batches, rep.Retried,
		pct(rep.Durations, 0.5), pct(rep.Durations, 0.99), pct(rep.Durations, 0.999), rep.MaxBatch.Round(100*time.Microsecond), over, MaxBatchTx,
		len(waits), pct(waits, 0.99), pct(waits, 1), overOf(waits), MaxBatchTx)
	if rep.Rows["usage_logs"] != int64(rows) {
		t.Fatalf("deleted %d rows, want %d", rep.Rows["usage_logs"], rows)
	}
	if rep.MaxBatch > MaxBatchTx {
		t.Errorf("a batch transaction took %s, over %s (see the load average: the bound is the server's, the figure the client's)", rep.MaxBatch, MaxBatchTx)
	}
	var left int
	q := "SELECT count(*) FROM ai_usage WHERE tenant_id = $1"
	if action == ActionAnonymise {
		q += " AND user_id <> ''"
	}
	if err := seed.QueryRowContext(ctx, q, tn.ID).Scan(&left); err != nil || left != 10_000+len(waits)+len(base) {
		t.Fatalf("rows left %d (%v), want the recent ones and the writer's", left, err)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// loadAverage is the machine's 1, 5 and 15 minute load, where Linux shows it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func overOf(ds []time.Duration) int {
	n := 0
	for _, d := range ds {
		if d > MaxBatchTx {
			n++
		}
	}
	return n
}

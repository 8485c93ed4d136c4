package store

import (
	"context"
	"testing"
	"time"

	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/outbox"
)

// BenchmarkOutboxClaim claims queued messages in batches of 100, as a worker
// does; ns/op is per message (goal: >= 2,000 messages/s on PostgreSQL).
// BenchmarkOutboxClaimSettle also records each one's outcome.
//
//	go test ./store -run XX -bench Outbox -benchmem -benchtime 20000x
func BenchmarkOutboxClaim(b *testing.B)       { benchmarkOutbox(b, false) }
func BenchmarkOutboxClaimSettle(b *testing.B) { benchmarkOutbox(b, true) }

func benchmarkOutbox(b *testing.B, settle bool) {
	for _, d := range []string{"sqlite", "postgres"} {
		b.Run(d, func(b *testing.B) {
			s := openMigrated(b, d)
			ctx := context.Background()
			tn := newTenant(b, s, "bench")
			now := time.Now()
			const chunk = 1000
			for queued := 0; queued < b.N; queued += chunk {
				if err := s.InTenant(ctx, tn.ID, func(tx *Tx) error {
					for i := 0; i < chunk && queued+i < b.N; i++ {
						if _, err := tx.Enqueue(ctx, &outbox.Message{Channel: outbox.ChannelWebhook, EventType: "x", Payload: []byte(`{"a":1}`), MaxAttempts: 8}, now); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			done := 0
			for done < b.N {
				got, err := s.Claim(ctx, "bench", now, time.Minute, 100)
				if err != nil {
					b.Fatal(err)
				}
				if len(got) == 0 {
					b.Fatalf("only %d of %d claimed", done, b.N)
				}
				if settle {
					items := make([]outbox.Settled, len(got))
					for i, m := range got {
						items[i] = outbox.Settled{Message: m, Result: outbox.Result{Status: 200}, Next: now, Now: now}
					}
					if err := s.SettleMany(ctx, "bench", items); err != nil {
						b.Fatal(err)
					}
				}
				done += len(got)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// BenchmarkFeedRead100k reads a tenant's 100,000 events from position 0 in
// pages of 1,000 (goal: under 2 s on SQLite); one op is the whole read.
//
//	go test ./store -run XX -bench FeedRead100k -benchtime 3x
func BenchmarkFeedRead100k(b *testing.B) {
	s := openMigrated(b, "sqlite")
	ctx := context.Background()
	tn := newTenant(b, s, "feed")
	const total, page = 100_000, 1000
	for n := 0; n < total; n += 5000 {
		if err := s.InTenant(ctx, tn.ID, func(tx *Tx) error {
			for i := 0; i < 5000; i++ {
				if err := tx.AppendAudit(ctx, &audit.Event{Type: audit.LoginFailure, IP: "203.0.113.7", Details: map[string]any{"reason": "bad password"}}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var after int64
		read := 0
		for {
			var got int
			if err := s.ReadTenant(ctx, tn.ID, func(tx *Tx) error {
				events, err := tx.FeedEvents(ctx, after, nil, page)
				if len(events) > 0 {
					after = events[len(events)-1].Seq
				}
				got = len(events)
				return err
			}); err != nil {
				b.Fatal(err)
			}
			read += got
			if got < page {
				break
			}
		}
		if read != total {
			b.Fatalf("read %d events", read)
		}
	}
}

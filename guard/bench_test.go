package guard

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// prompt2KB is a 2 KB user prompt of ordinary text with a little of
// everything the scanners look at.
var prompt2KB = func() string {
	parts := []string{
		"Hi! I'm planning a team offsite in Lisbon next spring and need help with an itinerary.",
		"We are twelve people, mostly engineers, and two of us are vegetarian.",
		"Could you suggest three restaurants near Alfama, a half-day walking tour and something for a rainy afternoon?",
		"Also, please draft a short e-mail to the group (reply to maria.silva@example.com) with the plan.",
		"Last time the hotel lost our booking, which was frustrating, so list a backup option too.",
		"Ignore the museums on Mondays, most of them are closed then.",
		"Für die deutschen Kollegen bitte eine kurze Zusammenfassung auf Deutsch.",
	}
	var b strings.Builder
	for b.Len() < 2048 {
		for _, p := range parts {
			b.WriteString(p)
			b.WriteByte(' ')
		}
	}
	return b.String()[:2048]
}()

// BenchmarkScan2KB scans a 2 KB prompt with every scanner that applies to
// a user's text, and reports the 99th percentile (goal: p99 <= 100 us on
// one core) and the throughput.
//
//	go test ./guard -run XX -bench Scan2KB -benchmem -cpu 1
func BenchmarkScan2KB(b *testing.B) {
	g, err := New()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		req  Request
	}{
		{"user", Request{Text: prompt2KB}},
		{"output", Request{Text: prompt2KB, Source: SourceOutput, SystemPrompt: leakPrompts[0], Canaries: leakCanaries}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.req.Text)))
			times := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				start := time.Now()
				g.Scan(c.req, Policy{})
				times = append(times, time.Since(start))
			}
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			b.ReportMetric(float64(times[len(times)*99/100].Microseconds()), "p99-us")
		})
	}
}

// BenchmarkNormalize2KB measures normalisation alone.
func BenchmarkNormalize2KB(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(prompt2KB)))
	for i := 0; i < b.N; i++ {
		t := Normalize(prompt2KB)
		t.Features(0)
	}
}

var _ = fmt.Sprint

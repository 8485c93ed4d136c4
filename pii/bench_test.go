package pii

import (
	"os"
	"strings"
	"testing"
)

// proseCorpus returns testdata/prose.txt (ordinary English with sparse
// personal data) repeated to about 1 MiB.
func proseCorpus(tb testing.TB) string {
	b, err := os.ReadFile("testdata/prose.txt")
	if err != nil {
		tb.Fatal(err)
	}
	return strings.Repeat(string(b), (1<<20)/len(b)+1)
}

// BenchmarkDetectProse measures detection of every type over English prose;
// the goal is at least 100 MB/s per core.
func BenchmarkDetectProse(b *testing.B) {
	text := proseCorpus(b)
	d := NewDetector()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		d.Detect(text, nil)
	}
}

// BenchmarkDetectMessage measures one short chatbot message with personal
// data in it, where the per-call costs show.
func BenchmarkDetectMessage(b *testing.B) {
	const text = "Hi, I'm Jane. My card 4111 1111 1111 1111 was charged twice; call me on (415) 555-0132 or write to jane.doe@example.com."
	d := NewDetector()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		d.Detect(text, nil)
	}
}

// BenchmarkMask measures masking a short message with three findings.
func BenchmarkMask(b *testing.B) {
	const text = "Hi, I'm Jane. My card 4111 1111 1111 1111 was charged twice; call me on (415) 555-0132 or write to jane.doe@example.com."
	fs := NewDetector().Detect(text, nil)
	if len(fs) != 3 {
		b.Fatalf("found %v", fs)
	}
	var m Masker
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := m.Mask(text, fs, StrategyMask, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDetectWorstCase runs the detector on about 1 MiB of shapes that
// make many anchors fire and read ahead, to show that no input makes it
// slow by more than a constant.
func BenchmarkDetectWorstCase(b *testing.B) {
	for _, unit := range []string{"12 ", "1 2 ", "12 Ab ", "(12)", "+1 ", "a@", "a:", "www.", "password=", "phone 555 1234 "} {
		text := strings.Repeat(unit, (1<<20)/len(unit))
		b.Run(strings.TrimSpace(unit), func(b *testing.B) {
			d := NewDetector()
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				d.Detect(text, nil)
			}
		})
	}
}

package stream

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// benchSizes show that allocations per operation (one stream) do not depend
// on the stream's length: every one of them is made once per stream.
var benchSizes = []int{1 << 20, 16 << 20}

// BenchmarkWrite encrypts into io.Discard, written in 32 KiB pieces as
// io.Copy from a file would.
func BenchmarkWrite(b *testing.B) {
	for _, size := range benchSizes {
		plaintext := pattern(size)
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				w, err := NewWriter(io.Discard, testKey, testAAD)
				if err != nil {
					b.Fatal(err)
				}
				for p := plaintext; len(p) > 0; p = p[min(32<<10, len(p)):] {
					if _, err := w.Write(p[:min(32<<10, len(p))]); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRead decrypts a stream held in memory into io.Discard.
func BenchmarkRead(b *testing.B) {
	for _, size := range benchSizes {
		ct := seal(b, pattern(size), testKey, testAAD, defaultShift)
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			src := bytes.NewReader(ct)
			for b.Loop() {
				src.Reset(ct)
				r, err := NewReader(src, testKey, testAAD)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPipeline1GiB streams 1 GiB from a generator through a writer, a
// pipe and a reader, as TestConstantMemory does.
func BenchmarkPipeline1GiB(b *testing.B) {
	b.SetBytes(1 << 30)
	b.ReportAllocs()
	for b.Loop() {
		pipeline(b, 1<<30)
	}
}

package upload

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// BenchmarkValidateStream measures throughput (MB/s) and allocation per file.
// The 1GiB case streams generated text, so its allocations show that memory
// does not grow with the file: run it with
//
//	go test -run '^$' -bench 'ValidateStream/text-1GiB' -benchtime 1x ./upload
func BenchmarkValidateStream(b *testing.B) {
	random := make([]byte, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	pdf := append(pdfFile(""), random...)
	text := bytes.Repeat([]byte(line), (1<<20)/len(line))
	for _, bc := range []struct {
		name, filename string
		body           []byte // nil: generated text of size
		size           int64
	}{
		{"text-1MiB", "a.txt", text, int64(len(text))},
		{"pdf-1MiB", "a.pdf", pdf, int64(len(pdf))},
		{"text-1GiB", "a.txt", nil, 1 << 30},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := Policy{MaxBytes: bc.size}
			b.SetBytes(bc.size)
			b.ReportAllocs()
			for b.Loop() {
				var res Result
				var err error
				if bc.body != nil {
					res, err = ValidateStream(bc.filename, "", bytes.NewReader(bc.body), p)
				} else {
					res, err = ValidateStream(bc.filename, "", &textStream{n: bc.size}, p)
				}
				if err != nil || res.Size != bc.size {
					b.Fatalf("%+v %v", res, err)
				}
			}
		})
	}
}

func BenchmarkValidateForm(b *testing.B) {
	ct, body := form(b, field("title", "Q3"), part{field: "file", filename: "a.pdf", contentType: "application/pdf",
		body: append(pdfFile(""), bytes.Repeat([]byte{0xA5, 0x5A}, 512<<10)...)})
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ValidateForm(ct, bytes.NewReader(body), Policy{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSanitizeFilename(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SanitizeFilename(`C:\Users\me\..\Q3 Résumé (final)‮.pdf`); err != nil {
			b.Fatal(err)
		}
	}
}

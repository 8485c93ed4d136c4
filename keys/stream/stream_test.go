package stream

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	mathrand "math/rand/v2"
	"testing"
	"testing/iotest"
)

// testKey and testAAD are fixed so that failures reproduce.
var (
	testKey = bytes.Repeat([]byte{0x42}, keySize)
	testAAD = []byte("tenant=7;object=backup-2026-01-01")
)

// pattern returns n bytes that differ from segment to segment, so that a
// swapped or duplicated segment cannot decrypt to the same plaintext.
func pattern(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i*7 + i>>8)
	}
	return p
}

// writeIn writes p to w in pieces whose sizes come from next.
func writeIn(t testing.TB, w io.Writer, p []byte, next func() int) {
	t.Helper()
	for len(p) > 0 {
		k := min(max(next(), 1), len(p))
		n, err := w.Write(p[:k])
		if err != nil || n != k {
			t.Fatalf("Write(%d bytes) = %d, %v", k, n, err)
		}
		p = p[k:]
	}
}

// seal encrypts plaintext with segments of 2^shift bytes in one Write.
func seal(t testing.TB, plaintext, key, aad []byte, shift uint8) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := newWriter(&buf, key, aad, shift, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plaintext); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// open decrypts ciphertext completely.
func open(ciphertext, key, aad []byte) ([]byte, error) {
	r, err := NewReader(bytes.NewReader(ciphertext), key, aad)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func TestRoundTrip(t *testing.T) {
	writes := []struct {
		name string
		next func(seg int) func() int
	}{
		{"one write", func(int) func() int { return func() int { return 1 << 40 } }},
		{"1-byte writes", func(int) func() int { return func() int { return 1 } }},
		{"7-byte writes", func(int) func() int { return func() int { return 7 } }},
		{"segment writes", func(seg int) func() int { return func() int { return seg } }},
		{"segment+1 writes", func(seg int) func() int { return func() int { return seg + 1 } }},
		{"random writes", func(seg int) func() int {
			rng := mathrand.New(mathrand.NewPCG(1, 2))
			return func() int { return rng.IntN(3 * seg) }
		}},
	}
	reads := []struct {
		name string
		read func(r io.Reader) ([]byte, error)
	}{
		{"ReadAll", io.ReadAll},
		{"1-byte buffer", readWith(1)},
		{"13-byte buffer", readWith(13)},
		{"64 KiB+1 buffer", readWith(DefaultSegmentSize + 1)},
	}
	for _, shift := range []uint8{minShift, 10, defaultShift} {
		seg := 1 << shift
		for _, size := range []int{0, 1, seg - 1, seg, seg + 1, 3*seg + 7} {
			plaintext := pattern(size)
			for i, wr := range writes {
				rd := reads[i%len(reads)]
				name := fmt.Sprintf("seg=%d/size=%d/%s/%s", seg, size, wr.name, rd.name)
				t.Run(name, func(t *testing.T) {
					var buf bytes.Buffer
					w, err := newWriter(&buf, testKey, testAAD, shift, rand.Reader)
					if err != nil {
						t.Fatal(err)
					}
					writeIn(t, w, plaintext, wr.next(seg))
					if err := w.Close(); err != nil {
						t.Fatal(err)
					}
					if got, want := int64(buf.Len()), ciphertextSize(int64(size), shift); got != want {
						t.Errorf("ciphertext is %d bytes, ciphertextSize says %d", got, want)
					}
					r, err := NewReader(&buf, testKey, testAAD)
					if err != nil {
						t.Fatal(err)
					}
					got, err := rd.read(r)
					if err != nil {
						t.Fatalf("read: %v", err)
					}
					if !bytes.Equal(got, plaintext) {
						t.Fatalf("round trip changed the plaintext (%d bytes in, %d out)", len(plaintext), len(got))
					}
				})
			}
		}
	}
}

// readWith reads r to the end with a buffer of n bytes.
func readWith(n int) func(io.Reader) ([]byte, error) {
	return func(r io.Reader) ([]byte, error) {
		var out []byte
		buf := make([]byte, n)
		for {
			k, err := r.Read(buf)
			out = append(out, buf[:k]...)
			if err == io.EOF {
				return out, nil
			}
			if err != nil {
				return out, err
			}
		}
	}
}

// TestReaderContract checks the io.Reader contract with the standard
// library's checker, and that awkward sources (one byte per Read, data
// returned together with io.EOF) change nothing.
func TestReaderContract(t *testing.T) {
	for _, size := range []int{0, 1, 16, 100} {
		plaintext := pattern(size)
		ct := seal(t, plaintext, testKey, testAAD, minShift)
		sources := map[string]func() io.Reader{
			"plain":    func() io.Reader { return bytes.NewReader(ct) },
			"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(ct)) },
			"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(ct)) },
			"data+EOF": func() io.Reader { return iotest.DataErrReader(bytes.NewReader(ct)) },
		}
		for name, src := range sources {
			t.Run(fmt.Sprintf("size=%d/%s", size, name), func(t *testing.T) {
				r, err := NewReader(src(), testKey, testAAD)
				if err != nil {
					t.Fatal(err)
				}
				if err := iotest.TestReader(r, plaintext); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestSourceError checks that an error from src is passed through as it is
// (it is not an integrity failure) and stays.
func TestSourceError(t *testing.T) {
	ct := seal(t, pattern(100), testKey, testAAD, minShift)
	boom := errors.New("disk on fire")
	for _, at := range []int{0, headerSize - 1, headerSize, headerSize + 20, len(ct) - 1} {
		src := io.MultiReader(bytes.NewReader(ct[:at]), iotest.ErrReader(boom))
		r, err := NewReader(src, testKey, testAAD)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(r); err != boom {
			t.Errorf("source fails after %d bytes: got %v, want %v", at, err, boom)
		}
		if _, err := r.Read(make([]byte, 1)); err != boom {
			t.Errorf("source fails after %d bytes: error not sticky, got %v", at, err)
		}
	}
}

func TestCiphertextSize(t *testing.T) {
	const seg, hdr, tag = DefaultSegmentSize, headerSize, tagSize
	tests := []struct {
		plaintext, want int64
	}{
		{0, hdr + tag},
		{1, hdr + 1 + tag},
		{seg - 1, hdr + seg - 1 + tag},
		{seg, hdr + seg + tag},
		{seg + 1, hdr + seg + 1 + 2*tag},
		{3*seg + 7, hdr + 3*seg + 7 + 4*tag},
		{maxSegments * seg, hdr + maxSegments*seg + maxSegments*tag},
		{maxSegments*seg + 1, -1},
		{-1, -1},
		{1<<63 - 1, -1},
	}
	for _, tt := range tests {
		if got := CiphertextSize(tt.plaintext); got != tt.want {
			t.Errorf("CiphertextSize(%d) = %d, want %d", tt.plaintext, got, tt.want)
		}
	}
	// And against real streams of the sizes that are cheap to make.
	for _, n := range []int{0, 1, seg - 1, seg, seg + 1, 3*seg + 7} {
		if got, want := int64(len(seal(t, pattern(n), testKey, nil, defaultShift))), CiphertextSize(int64(n)); got != want {
			t.Errorf("%d bytes encrypt to %d, CiphertextSize says %d", n, got, want)
		}
	}
}

func TestKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 24, 31, 33, 64} {
		key := make([]byte, n)
		if _, err := NewWriter(io.Discard, key, nil); err == nil || err == ErrInvalid {
			t.Errorf("NewWriter with a %d-byte key: err = %v, want a key-size error", n, err)
		}
		if _, err := NewReader(bytes.NewReader(nil), key, nil); err == nil || err == ErrInvalid {
			t.Errorf("NewReader with a %d-byte key: err = %v, want a key-size error", n, err)
		}
	}
}

// TestFreshness checks that each stream has its own salt and nonce prefix,
// so the same plaintext never encrypts the same way twice.
func TestFreshness(t *testing.T) {
	plaintext := pattern(1000)
	a := seal(t, plaintext, testKey, testAAD, defaultShift)
	b := seal(t, plaintext, testKey, testAAD, defaultShift)
	if bytes.Equal(a, b) {
		t.Fatal("two encryptions of the same plaintext are identical")
	}
	if bytes.Equal(a[2:headerSize], b[2:headerSize]) {
		t.Fatal("two streams share salt and nonce prefix")
	}
	if bytes.Equal(a[headerSize:], b[headerSize:]) {
		t.Fatal("two streams share their segments")
	}
}

// TestWriterLifecycle covers Close semantics, Write after Close and the
// header being held back until there is a segment to send with it.
func TestWriterLifecycle(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, testKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes reached dst before a segment was complete", buf.Len())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if n, err := w.Write([]byte("x")); err != errClosed || n != 0 {
		t.Errorf("Write after Close = %d, %v; want 0, %v", n, err, errClosed)
	}
	if got, err := open(buf.Bytes(), testKey, nil); err != nil || string(got) != "hello" {
		t.Errorf("open = %q, %v", got, err)
	}
}

// failWriter accepts limit bytes, then fails.
type failWriter struct {
	limit int
	err   error
}

func (f *failWriter) Write(p []byte) (int, error) {
	if len(p) > f.limit {
		return 0, f.err
	}
	f.limit -= len(p)
	return len(p), nil
}

func TestWriterDstError(t *testing.T) {
	boom := errors.New("network gone")
	dst := &failWriter{limit: headerSize + 16 + tagSize, err: boom}
	w, err := newWriter(dst, testKey, nil, minShift, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// The first segment fits; the second is sealed on the write after it
	// and fails.
	if _, err := w.Write(pattern(33)); err != boom {
		t.Fatalf("Write: %v, want %v", err, boom)
	}
	if _, err := w.Write([]byte("x")); err != boom {
		t.Errorf("error not sticky in Write: %v", err)
	}
	if err := w.Close(); err != boom {
		t.Errorf("Close: %v, want %v", err, boom)
	}
}

// TestCounterLimit checks that the writer refuses a segment past 2^32 - 1
// instead of wrapping the counter, and that a reader refuses to go past it.
// Neither can be reached honestly in a test, so both start near the end.
func TestCounterLimit(t *testing.T) {
	var buf bytes.Buffer
	w, err := newWriter(&buf, testKey, nil, minShift, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	w.index = maxSegments - 1
	// Segment 2^32-1 is sealed (non-final) when the 17th byte arrives;
	// the final segment would need index 2^32.
	if _, err := w.Write(pattern(17)); err != nil {
		t.Fatalf("Write of the last allowed segment: %v", err)
	}
	if err := w.Close(); err != errTooLong {
		t.Fatalf("Close past the counter: %v, want %v", err, errTooLong)
	}

	// A reader that has reached index 2^32 stops, whatever follows.
	ct := seal(t, pattern(40), testKey, nil, minShift)
	r, _ := NewReader(bytes.NewReader(ct), testKey, nil)
	rr := r.(*reader)
	if err := rr.readHeader(); err != nil {
		t.Fatal(err)
	}
	rr.index = maxSegments
	if _, err := io.ReadAll(r); err != ErrInvalid {
		t.Fatalf("reading past the counter: %v, want ErrInvalid", err)
	}
}

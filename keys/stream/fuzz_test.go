package stream

import (
	"bytes"
	"crypto/rand"
	"io"
	"testing"
)

var (
	fuzzKey = bytes.Repeat([]byte{0x17}, keySize)
	fuzzAAD = []byte("fuzz")
)

// FuzzReader feeds arbitrary bytes to a reader as a ciphertext. It must
// never panic or allocate without bound, and must fail with ErrInvalid
// unless the input is a valid stream under the fuzz key. Seeds are under
// testdata/fuzz/FuzzReader.
func FuzzReader(f *testing.F) {
	f.Fuzz(func(t *testing.T, ct []byte) {
		r, err := NewReader(bytes.NewReader(ct), fuzzKey, fuzzAAD)
		if err != nil {
			t.Fatal(err)
		}
		pt, err := io.ReadAll(r)
		switch err {
		case nil:
			// Only a real stream opens; its size must then be exact.
			if got, want := int64(len(ct)), ciphertextSize(int64(len(pt)), ct[1]); got != want {
				t.Fatalf("valid stream of %d bytes for %d bytes of plaintext, want %d", got, len(pt), want)
			}
		case ErrInvalid:
		default:
			t.Fatalf("unexpected error %v", err)
		}
	})
}

// FuzzRoundTrip encrypts and decrypts arbitrary data with arbitrary aad,
// segment size and write and read chunking, and checks that the wrong aad
// fails. Seeds are under testdata/fuzz/FuzzRoundTrip.
func FuzzRoundTrip(f *testing.F) {
	f.Fuzz(func(t *testing.T, data, aad []byte, shiftSel byte, writeChunk, readChunk uint16) {
		// Small segments only, so that short inputs still span many.
		shift := minShift + shiftSel%9
		var buf bytes.Buffer
		w, err := newWriter(&buf, fuzzKey, aad, shift, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		writeIn(t, w, data, func() int { return int(writeChunk) })
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		ct := buf.Bytes()
		if got, want := int64(len(ct)), ciphertextSize(int64(len(data)), shift); got != want {
			t.Fatalf("ciphertext %d bytes, ciphertextSize says %d", got, want)
		}
		r, err := NewReader(bytes.NewReader(ct), fuzzKey, aad)
		if err != nil {
			t.Fatal(err)
		}
		got, err := readWith(max(int(readChunk), 1))(r)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if !bytes.Equal(got, data) {
			t.Fatal("round trip changed the data")
		}
		if _, err := open(ct, fuzzKey, append(bytes.Clone(aad), 'x')); err != ErrInvalid {
			t.Fatalf("wrong aad: %v, want ErrInvalid", err)
		}
	})
}

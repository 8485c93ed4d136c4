package stream

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/v1.golden and the seed corpus under testdata/fuzz")

// The functions below implement version 1 of the format from the package
// documentation alone, with the standard library's primitives and none of
// the package's code, so that a test can hold the code to the document.

// specAEAD derives the subkey as doc.go says.
func specAEAD(t testing.TB, key, salt, aad []byte) cipher.AEAD {
	t.Helper()
	subkey, err := hkdf.Key(sha256.New, key, salt, "rampart/stream/v1"+string(aad), 32)
	if err != nil {
		t.Fatal(err)
	}
	block, err := aes.NewCipher(subkey)
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	return gcm
}

func specNonce(prefix []byte, i uint32, last bool) []byte {
	n := append([]byte(nil), prefix...)
	n = binary.BigEndian.AppendUint32(n, i)
	if last {
		return append(n, 1)
	}
	return append(n, 0)
}

// specSegment is one segment to seal by hand: any index, any flag, any size.
type specSegment struct {
	index     uint32
	last      bool
	plaintext []byte
}

// specStream builds a stream segment by segment, so tests can make streams
// the writer never would (a final flag in the middle, a skipped index).
func specStream(t testing.TB, key, aad []byte, shift byte, salt, prefix []byte, segs []specSegment) []byte {
	t.Helper()
	header := append([]byte{1, shift}, salt...)
	header = append(header, prefix...)
	gcm := specAEAD(t, key, salt, aad)
	out := append([]byte(nil), header...)
	for _, s := range segs {
		out = gcm.Seal(out, specNonce(prefix, s.index, s.last), s.plaintext, header)
	}
	return out
}

// specOpen decrypts a whole stream as the document describes.
func specOpen(t testing.TB, ct, key, aad []byte) []byte {
	t.Helper()
	if len(ct) < 41 || ct[0] != 1 {
		t.Fatalf("bad header % x", ct[:min(len(ct), 41)])
	}
	header, body := ct[:41], ct[41:]
	seg := 1 << header[1]
	gcm := specAEAD(t, key, header[2:34], aad)
	var out []byte
	for i := uint32(0); ; i++ {
		last := len(body) <= seg+16
		n := min(len(body), seg+16)
		pt, err := gcm.Open(nil, specNonce(header[34:41], i, last), body[:n], header)
		if err != nil {
			t.Fatalf("segment %d (last=%v) does not open: %v", i, last, err)
		}
		out = append(out, pt...)
		body = body[n:]
		if last {
			return out
		}
	}
}

// TestFormatMatchesDocument checks the writer against the document in both
// directions: what the writer produces opens by the document, and what is
// built by the document opens with the reader.
func TestFormatMatchesDocument(t *testing.T) {
	for _, shift := range []uint8{minShift, 8, defaultShift} {
		seg := 1 << shift
		for _, size := range []int{0, 1, seg, 2*seg + 3} {
			plaintext := pattern(size)
			ct := seal(t, plaintext, testKey, testAAD, shift)
			if ct[0] != 1 || ct[1] != shift {
				t.Fatalf("header starts % x, want 01 %02x", ct[:2], shift)
			}
			if got := specOpen(t, ct, testKey, testAAD); !bytes.Equal(got, plaintext) {
				t.Fatalf("shift %d size %d: document decryption differs", shift, size)
			}
		}
	}

	salt, prefix := bytes.Repeat([]byte{0xa5}, 32), []byte("7bytes!")
	ct := specStream(t, testKey, testAAD, minShift, salt, prefix, []specSegment{
		{0, false, pattern(16)},
		{1, false, pattern(16)},
		{2, true, []byte("tail")},
	})
	got, err := open(ct, testKey, testAAD)
	if err != nil || !bytes.Equal(got, append(append(pattern(16), pattern(16)...), "tail"...)) {
		t.Fatalf("reader on a stream built from the document: %q, %v", got, err)
	}
}

// counterReader supplies 0, 1, 2, ... in place of random bytes, so the
// golden stream is the same on every run.
type counterReader struct{ next byte }

func (c *counterReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = c.next
		c.next++
	}
	return len(p), nil
}

// TestGolden pins version 1 byte for byte: a change to the output of the
// writer for fixed randomness is a format change and needs a new version.
func TestGolden(t *testing.T) {
	var buf bytes.Buffer
	w, err := newWriter(&buf, testKey, testAAD, minShift, &counterReader{})
	if err != nil {
		t.Fatal(err)
	}
	plaintext := []byte("The STREAM construction, three segments and a bit.")
	if _, err := w.Write(plaintext); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := hex.Dump(buf.Bytes())
	path := filepath.Join("testdata", "v1.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("version 1 output changed:\n%s\nwant:\n%s", got, want)
	}
	if pt := specOpen(t, buf.Bytes(), testKey, testAAD); !bytes.Equal(pt, plaintext) {
		t.Errorf("golden stream opens to %q", pt)
	}
	if *update {
		writeSeedCorpus(t)
	}
}

// writeSeedCorpus writes the checked-in seeds for the fuzz targets: valid
// streams (so the fuzzer starts past the header and the first tag) and the
// edge cases of the framing.
func writeSeedCorpus(t *testing.T) {
	stream := func(n int, shift uint8) []byte {
		var buf bytes.Buffer
		w, err := newWriter(&buf, fuzzKey, fuzzAAD, shift, &counterReader{next: byte(n)})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(pattern(n))
		w.Close()
		return buf.Bytes()
	}
	readerSeeds := map[string][]byte{
		"empty":              {},
		"header-only":        stream(0, minShift)[:headerSize],
		"empty-plaintext":    stream(0, minShift),
		"one-segment":        stream(10, minShift),
		"exact-two-segments": stream(32, minShift),
		"four-segments":      stream(55, minShift),
		"default-size":       stream(100, defaultShift),
		"bad-version":        append([]byte{2}, stream(5, minShift)[1:]...),
		"huge-shift":         append([]byte{1, 63}, stream(5, minShift)[2:]...),
	}
	for name, ct := range readerSeeds {
		writeSeed(t, "FuzzReader", name, fmt.Sprintf("[]byte(%q)", ct))
	}
	roundTripSeeds := map[string][]string{
		"empty":         {`[]byte("")`, `[]byte("")`, `byte('\x00')`, `uint16(0)`, `uint16(0)`},
		"one-byte":      {`[]byte("x")`, `[]byte("aad")`, `byte('\x00')`, `uint16(1)`, `uint16(1)`},
		"exact-segment": {fmt.Sprintf("[]byte(%q)", pattern(16)), `[]byte("")`, `byte('\x00')`, `uint16(16)`, `uint16(3)`},
		"multi-segment": {fmt.Sprintf("[]byte(%q)", pattern(200)), `[]byte("tenant=1")`, `byte('\x02')`, `uint16(7)`, `uint16(100)`},
	}
	for name, args := range roundTripSeeds {
		writeSeed(t, "FuzzRoundTrip", name, args...)
	}
}

func writeSeed(t *testing.T, target, name string, args ...string) {
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	body := "go test fuzz v1\n" + strings.Join(args, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

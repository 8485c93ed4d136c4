package stream

import (
	"bytes"
	"slices"
	"strconv"
	"testing"
)

// tamperPlaintext is 3 full segments and 7 bytes at the smallest segment
// size: four segments, 160 bytes of ciphertext, cheap to damage exhaustively.
var tamperPlaintext = pattern(3<<minShift + 7)

// segments splits a stream of 2^minShift-byte segments into header and
// segments.
func segments(ct []byte) (header []byte, segs [][]byte) {
	const size = 1<<minShift + tagSize
	header, body := ct[:headerSize], ct[headerSize:]
	for len(body) > 0 {
		n := min(size, len(body))
		segs = append(segs, body[:n])
		body = body[n:]
	}
	return header, segs
}

func join(header []byte, segs ...[]byte) []byte {
	return slices.Concat(append([][]byte{header}, segs...)...)
}

// mustFail asserts that reading ct fails with ErrInvalid, however much
// plaintext was released before the failure.
func mustFail(t *testing.T, what string, ct, key, aad []byte) {
	t.Helper()
	if _, err := open(ct, key, aad); err != ErrInvalid {
		t.Errorf("%s: err = %v, want ErrInvalid", what, err)
	}
}

func TestTamperEveryByte(t *testing.T) {
	ct := seal(t, tamperPlaintext, testKey, testAAD, minShift)
	if len(ct) != 160 {
		t.Fatalf("setup: ciphertext is %d bytes, want 160", len(ct))
	}
	for i := range ct {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			bad := bytes.Clone(ct)
			bad[i] ^= mask
			mustFail(t, "byte "+strconv.Itoa(i)+" ^ "+strconv.Itoa(int(mask)), bad, testKey, testAAD)
		}
	}
}

func TestTruncateEverywhere(t *testing.T) {
	ct := seal(t, tamperPlaintext, testKey, testAAD, minShift)
	// Every length short of the whole: inside the header, at each segment
	// boundary and inside each segment.
	for n := range len(ct) {
		mustFail(t, "truncated to "+strconv.Itoa(n), ct[:n], testKey, testAAD)
	}
	// A stream whose last segment is full: cutting it off leaves a valid
	// looking run of full non-final segments.
	full := seal(t, pattern(3<<minShift), testKey, testAAD, minShift)
	for n := range len(full) {
		mustFail(t, "full-segment stream truncated to "+strconv.Itoa(n), full[:n], testKey, testAAD)
	}
}

func TestRearrange(t *testing.T) {
	ct := seal(t, tamperPlaintext, testKey, testAAD, minShift)
	h, s := segments(ct)
	if len(s) != 4 {
		t.Fatalf("setup: %d segments, want 4", len(s))
	}
	other := seal(t, tamperPlaintext, testKey, testAAD, minShift)
	oh, os := segments(other)

	tests := []struct {
		name string
		ct   []byte
	}{
		{"swap 0 and 1", join(h, s[1], s[0], s[2], s[3])},
		{"swap 1 and 2", join(h, s[0], s[2], s[1], s[3])},
		{"final moved first", join(h, s[3], s[0], s[1], s[2])},
		{"drop first", join(h, s[1], s[2], s[3])},
		{"drop middle", join(h, s[0], s[2], s[3])},
		{"drop final", join(h, s[0], s[1], s[2])},
		{"duplicate middle", join(h, s[0], s[1], s[1], s[2], s[3])},
		{"append copy of a segment", join(h, s[0], s[1], s[2], s[3], s[0])},
		{"append final again", join(h, s[0], s[1], s[2], s[3], s[3])},
		{"append one byte", join(h, s[0], s[1], s[2], s[3], []byte{0})},
		{"append a whole stream", slices.Concat(ct, other)},
		{"header of another stream", join(oh, s[0], s[1], s[2], s[3])},
		{"splice two streams", join(h, s[0], os[1], os[2], os[3])},
		{"header only", h},
	}
	for _, tt := range tests {
		mustFail(t, tt.name, tt.ct, testKey, testAAD)
	}
}

// TestFinalFlagMisplaced builds streams by hand that the writer never
// makes: a segment flagged final followed by more, and indexes that skip.
func TestFinalFlagMisplaced(t *testing.T) {
	salt, prefix := bytes.Repeat([]byte{1}, saltSize), bytes.Repeat([]byte{2}, prefixSize)
	full := pattern(1 << minShift)
	tests := []struct {
		name string
		segs []specSegment
	}{
		{"final first, then more", []specSegment{{0, true, full}, {1, true, []byte("x")}}},
		{"final in the middle", []specSegment{{0, false, full}, {1, true, full}, {2, true, nil}}},
		{"two finals, both full", []specSegment{{0, true, full}, {1, true, full}}},
		{"no final at all", []specSegment{{0, false, full}, {1, false, full}}},
		{"short non-final at the end", []specSegment{{0, false, full}, {1, false, []byte("x")}}},
		{"index skips", []specSegment{{0, false, full}, {2, true, []byte("x")}}},
		{"index starts at 1", []specSegment{{1, true, []byte("x")}}},
	}
	for _, tt := range tests {
		ct := specStream(t, testKey, testAAD, minShift, salt, prefix, tt.segs)
		mustFail(t, tt.name, ct, testKey, testAAD)
	}
	// The control: the same builder with a correct layout opens.
	ct := specStream(t, testKey, testAAD, minShift, salt, prefix, []specSegment{{0, false, full}, {1, true, []byte("x")}})
	if _, err := open(ct, testKey, testAAD); err != nil {
		t.Fatalf("control stream: %v", err)
	}
}

func TestWrongKeyOrAAD(t *testing.T) {
	ct := seal(t, tamperPlaintext, testKey, testAAD, minShift)
	otherKey := bytes.Clone(testKey)
	otherKey[31] ^= 1
	tests := []struct {
		name     string
		key, aad []byte
	}{
		{"wrong key", otherKey, testAAD},
		{"zero key", make([]byte, keySize), testAAD},
		{"aad one bit off", testKey, append(bytes.Clone(testAAD[:len(testAAD)-1]), testAAD[len(testAAD)-1]^1)},
		{"aad truncated", testKey, testAAD[:len(testAAD)-1]},
		{"aad extended", testKey, append(bytes.Clone(testAAD), 0)},
		{"no aad", testKey, nil},
	}
	for _, tt := range tests {
		mustFail(t, tt.name, ct, tt.key, tt.aad)
	}
	// nil and empty aad are the same aad.
	empty := seal(t, []byte("x"), testKey, nil, minShift)
	if _, err := open(empty, testKey, []byte{}); err != nil {
		t.Errorf("nil aad vs empty aad: %v", err)
	}
}

// TestNoReleaseBeforeVerify checks that a damaged segment's plaintext is
// never returned: reading a stream whose second segment is damaged yields
// exactly the first segment, then ErrInvalid.
func TestNoReleaseBeforeVerify(t *testing.T) {
	ct := seal(t, tamperPlaintext, testKey, testAAD, minShift)
	ct[headerSize+(1<<minShift+tagSize)+3] ^= 1 // inside segment 1
	got, err := open(ct, testKey, testAAD)
	if err != ErrInvalid {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	if !bytes.Equal(got, tamperPlaintext[:1<<minShift]) {
		t.Fatalf("released %d bytes, want exactly the first segment (%d)", len(got), 1<<minShift)
	}
}

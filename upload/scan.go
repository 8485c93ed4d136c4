package upload

import "bytes"

// DefaultPatterns are the byte sequences that mark a file as carrying active
// content: HTML script, JavaScript URLs, PHP and ASP/JSP server tags, and the
// call sites of common eval/exec functions. They are matched ignoring ASCII
// case only: no browser or interpreter treats a Unicode look-alike (the long
// s "ſ", the Kelvin sign) as the letter it resembles, so full Unicode case
// folding would only add false positives.
var DefaultPatterns = []string{
	"<script",
	"javascript:",
	"<?php",
	"<%",
	"eval(",
	"exec(",
	"system(",
	"shell_exec(",
}

// minBinaryPattern is the shortest pattern searched in files whose content is
// not text. A 2-byte sequence such as "<%" occurs by chance about once every
// 64 KiB of compressed data, so searching it in a PDF or a PNG would refuse
// nearly every real document; from 4 bytes up the chance falls below one in
// 2^32 per position.
const minBinaryPattern = 4

// chunkSize is how much of the file is read, hashed and scanned at a time.
// Together with the overlap kept between chunks it is all the memory a
// validation holds, whatever the size of the file.
const chunkSize = 32 << 10

// lower folds ASCII upper case to lower case and leaves every other byte as
// it is, so that a multi-byte UTF-8 sequence is never altered.
var lower = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if 'A' <= i && i <= 'Z' {
			t[i] = byte(i) + 'a' - 'A'
		}
	}
	return t
}()

// commonness ranks bytes by how often they occur in documents, so that each
// pattern is searched by its rarest byte: punctuation first, then digits,
// then letters from the rarest to the most frequent in English, then space.
func commonness(c byte) int {
	const letters = "zqxjkvbpygfwmucldrhsnioate" // rarest first
	switch c = lower[c]; {
	case c == ' ' || c == '\n' || c == '\r' || c == '\t':
		return 100
	case 'a' <= c && c <= 'z':
		return 10 + bytes.IndexByte([]byte(letters), c)
	case '0' <= c && c <= '9':
		return 5
	}
	return 0
}

// anchor is a byte to look for and the patterns that contain it, each with
// the offset of the byte in the pattern.
type anchor struct {
	c    byte
	refs []anchorRef
}

type anchorRef struct{ pattern, offset int }

// scanner finds patterns in a stream fed to it in chunks of any size. It keeps
// the last len(longest pattern)-1 bytes of what it has seen in front of the
// next chunk, so a pattern split across two reads (or across many one-byte
// reads) is still found, and memory stays at one window whatever the stream's
// length.
//
// Each pattern is looked for through its rarest byte (its anchor): the window
// is searched for each anchor byte with bytes.IndexByte, which is vectorised,
// and the pattern is compared around every hit. Text has few '(' or '<'
// compared with 'e' or 's', so this reads the data a few times at memory speed
// instead of once per pattern through a string search that stops at every
// common letter.
type scanner struct {
	patterns [][]byte // lower-cased; nil when not searched
	found    []bool   // found[i] reports patterns[i] was seen
	left     int      // patterns searched and not yet found; scanning stops at 0
	anchors  []anchor
	overlap  int    // len(longest pattern) - 1
	win      []byte // win[:keep] is the tail of the previous chunk
	keep     int
}

// newScanner returns a scanner for patterns whose window holds a chunk of
// chunkSize bytes after the overlap. Empty patterns are ignored.
func newScanner(patterns []string) *scanner {
	s := &scanner{found: make([]bool, len(patterns)), patterns: make([][]byte, len(patterns))}
	for i, p := range patterns {
		if p == "" {
			continue
		}
		b := []byte(p)
		for j := range b {
			b[j] = lower[b[j]]
		}
		s.patterns[i] = b
		s.left++
		s.overlap = max(s.overlap, len(b)-1)
		off := 0
		for j := range b {
			if commonness(b[j]) < commonness(b[off]) {
				off = j
			}
		}
		s.addAnchor(b[off], i, off)
		if u := b[off] - 'a' + 'A'; 'a' <= b[off] && b[off] <= 'z' {
			s.addAnchor(u, i, off) // the upper-case spelling
		}
	}
	s.win = make([]byte, s.overlap+chunkSize)
	return s
}

func (s *scanner) addAnchor(c byte, pattern, offset int) {
	for i := range s.anchors {
		if s.anchors[i].c == c {
			s.anchors[i].refs = append(s.anchors[i].refs, anchorRef{pattern, offset})
			return
		}
	}
	s.anchors = append(s.anchors, anchor{c: c, refs: []anchorRef{{pattern, offset}}})
}

// skipShorterThan stops searching patterns shorter than n bytes; call it
// before the first scan. The overlap stays as it was, which is never too short.
func (s *scanner) skipShorterThan(n int) {
	for i, p := range s.patterns {
		if p != nil && len(p) < n {
			s.patterns[i] = nil
			s.left--
		}
	}
}

// buf returns the part of the window a caller may read the next chunk into.
// The caller then calls scan with the number of bytes it wrote there. Reading
// straight into the window saves a copy of every byte of the file.
func (s *scanner) buf() []byte { return s.win[s.keep:] }

// scan searches the n bytes just written at buf() together with the kept
// tail. It does not change them.
func (s *scanner) scan(n int) {
	w := s.win[:s.keep+n]
	for i := range s.anchors {
		if s.left == 0 {
			break
		}
		s.scanAnchor(w, &s.anchors[i])
	}
	// A pattern found only in the kept tail is found again in the next
	// window; found[] is a set, so that costs nothing but the search. One
	// that runs past the end of w starts inside the tail kept here.
	s.keep = copy(s.win, w[len(w)-min(len(w), s.overlap):])
}

// scanAnchor compares the patterns of a around every occurrence of a.c in w.
func (s *scanner) scanAnchor(w []byte, a *anchor) {
	pending := false
	for _, r := range a.refs {
		pending = pending || s.patterns[r.pattern] != nil && !s.found[r.pattern]
	}
	for i := 0; pending; i++ {
		j := bytes.IndexByte(w[i:], a.c)
		if j < 0 {
			return
		}
		i += j
		pending = false
		for _, r := range a.refs {
			p := s.patterns[r.pattern]
			if p == nil || s.found[r.pattern] {
				continue
			}
			if start := i - r.offset; start >= 0 && start+len(p) <= len(w) && equalFold(w[start:start+len(p)], p) {
				s.found[r.pattern] = true
				s.left--
				continue
			}
			pending = true
		}
	}
}

// equalFold reports whether b equals the lower-case pattern p, ignoring
// ASCII case in b.
func equalFold(b, p []byte) bool {
	for i, c := range p {
		if lower[b[i]] != c {
			return false
		}
	}
	return true
}

// matches returns the patterns found so far, in the order they were given.
func (s *scanner) matches(patterns []string) []string {
	var out []string
	for i, f := range s.found {
		if f {
			out = append(out, patterns[i])
		}
	}
	return out
}

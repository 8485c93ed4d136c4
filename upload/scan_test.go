package upload

import (
	"bytes"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// feed runs a scanner over r the way validate does, in whatever pieces r
// returns.
func feed(t *testing.T, s *scanner, r io.Reader) {
	t.Helper()
	for {
		n, err := r.Read(s.buf())
		s.scan(n)
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestScannerFindsPatternsAcrossReads(t *testing.T) {
	for _, pat := range DefaultPatterns {
		// Mixed case, and every split point of the pattern between two
		// reads, then one byte per read.
		text := "lorem ipsum " + strings.ToUpper(pat[:len(pat)/2]) + pat[len(pat)/2:] + " dolor"
		start := strings.Index(strings.ToLower(text), pat)
		for split := start; split <= start+len(pat); split++ {
			s := newScanner(DefaultPatterns)
			feed(t, s, io.MultiReader(strings.NewReader(text[:split]), strings.NewReader(text[split:])))
			if got := s.matches(DefaultPatterns); !slices.Contains(got, pat) {
				t.Errorf("%q split at %d: found %v", text, split, got)
			}
		}
		s := newScanner(DefaultPatterns)
		feed(t, s, iotest.OneByteReader(strings.NewReader(text)))
		if got := s.matches(DefaultPatterns); !slices.Contains(got, pat) {
			t.Errorf("%q one byte at a time: found %v", text, got)
		}
	}
}

func TestScannerAcrossChunks(t *testing.T) {
	// A pattern straddling the boundary between two full windows, and one at
	// the very end of a long stream.
	for _, at := range []int{0, chunkSize - 5, chunkSize - 1, chunkSize, 2*chunkSize - 3, 5*chunkSize + 1} {
		b := bytes.Repeat([]byte("x"), at)
		b = append(b, "ShElL_eXeC("...)
		s := newScanner([]string{"shell_exec("})
		feed(t, s, bytes.NewReader(b))
		if got := s.matches([]string{"shell_exec("}); len(got) != 1 {
			t.Errorf("pattern at %d not found", at)
		}
	}
}

func TestScannerNoFalseMatches(t *testing.T) {
	for _, text := range []string{
		"<scrip t>", "java script:", "<? php", "< %", "evaluate(", "exec (", "systems(", "shell_exe(",
		"ev\nal(", // a pattern is contiguous
		"",
	} {
		s := newScanner(DefaultPatterns)
		feed(t, s, iotest.OneByteReader(strings.NewReader(text)))
		if got := s.matches(DefaultPatterns); len(got) != 0 {
			t.Errorf("%q: found %v", text, got)
		}
	}
}

func TestScannerFoldsASCIIOnly(t *testing.T) {
	// "ſ" (U+017F) folds to "s" in Unicode but no browser reads "<ſcript" as
	// a script tag; the Kelvin sign is not a "k" either.
	s := newScanner([]string{"<script", "k("})
	feed(t, s, strings.NewReader("<ſcript \u212A("))
	if got := s.matches([]string{"<script", "k("}); len(got) != 0 {
		t.Errorf("found %v", got)
	}
}

func TestScannerSkipsShortPatternsInBinary(t *testing.T) {
	s := newScanner(DefaultPatterns)
	s.skipShorterThan(minBinaryPattern)
	feed(t, s, strings.NewReader("\x00<%\x01 exec("))
	if got := s.matches(DefaultPatterns); !slices.Equal(got, []string{"exec("}) {
		t.Errorf("found %v", got)
	}
}

// TestScannerMatchesReference compares the scanner, fed in random pieces,
// with a search of the whole text, on texts dense with pattern fragments.
func TestScannerMatchesReference(t *testing.T) {
	pieces := []string{"<", "script", "SCRIPT", "java", "JavaScript", ":", "(", "eval", "EV", "al(", "exec",
		"sh", "ell_", "Shell_Exec", "system", "<?", "PHP", "%", "x", " ", "\n", "_", "é"}
	rng := rand.New(rand.NewPCG(7, 7))
	for range 3000 {
		var sb strings.Builder
		for range rng.IntN(40) {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
		text := sb.String()
		binary := rng.IntN(4) == 0
		s := newScanner(DefaultPatterns)
		if binary {
			s.skipShorterThan(minBinaryPattern)
		}
		r := &chunkReader{b: []byte(text), n: 1 + rng.IntN(12)}
		feed(t, s, r)
		var want []string
		for _, p := range DefaultPatterns {
			if (!binary || len(p) >= minBinaryPattern) && strings.Contains(strings.ToLower(text), p) {
				want = append(want, p)
			}
		}
		if got := s.matches(DefaultPatterns); !slices.Equal(got, want) {
			t.Fatalf("%q (binary %v): found %v, want %v", text, binary, got, want)
		}
	}
}

package gateway

import (
	"strings"
	"unicode/utf8"

	"github.com/rampart-dev/rampart/guard"
)

// Window bounds.
const (
	// minWindow is the smallest held-back window: longer than any
	// placeholder and than the secrets and canaries the scanners look for.
	minWindow = 64
	// releaseStep is how far a stream runs past its window before the next
	// release: one scan per step rather than per token.
	releaseStep = 16
	// finalSegment bounds one scan of the final check; longer answers are
	// scanned in overlapping segments.
	finalSegment = 16 << 10
)

// scanFunc scans model text under the tenant's output policy.
type scanFunc func(text string) (*guard.Result, error)

// window holds back the last size characters of a streamed answer. Text is
// released only after a scan of it together with the held-back text that
// follows it and the released text before it: a forbidden string of at
// most size characters is therefore seen whole before its first character
// could leave, wherever the chunks of the stream split it.
type window struct {
	size    int
	scan    scanFunc
	pending []byte // held back: not yet sent
	tail    []byte // the last size characters sent, context for the next scan
	all     []byte // everything the model said, for the final check
}

// add takes the next piece of model text and returns what may be sent now,
// or the scan that blocked.
func (w *window) add(b []byte) ([]byte, *guard.Result, error) {
	w.pending = append(w.pending, b...)
	w.all = append(w.all, b...)
	if w.size == 0 { // no guardrails: nothing is held back
		out := w.pending
		w.pending = nil
		return out, nil, nil
	}
	n := utf8.RuneCount(w.pending)
	if n < w.size+releaseStep {
		return nil, nil, nil
	}
	if res, err := w.check(string(w.tail) + string(w.pending)); err != nil || res != nil {
		return nil, res, err
	}
	p := runeOffset(w.pending, n-w.size)
	out := append([]byte(nil), w.pending[:p]...)
	w.pending = append(w.pending[:0:0], w.pending[p:]...)
	w.tail = lastRunes(append(w.tail, out...), w.size)
	return out, nil, nil
}

// finish scans the whole answer and returns the rest to send, or the scan
// that blocked.
func (w *window) finish() ([]byte, *guard.Result, error) {
	text := scannable(w.all)
	for start := 0; start < len(text); {
		end := min(len(text), start+finalSegment)
		for end < len(text) && !utf8.RuneStart(text[end]) {
			end--
		}
		if res, err := w.check(text[start:end]); err != nil || res != nil {
			return nil, res, err
		}
		if end == len(text) {
			break
		}
		// Overlap by the window so nothing straddles two segments unseen.
		next := end - w.size*utf8.UTFMax
		for next > start && !utf8.RuneStart(text[next]) {
			next--
		}
		start = max(next, start+1)
	}
	out := w.pending
	w.pending = nil
	return out, nil, nil
}

// check returns the scan of text when it blocks.
func (w *window) check(text string) (*guard.Result, error) {
	text = scannable([]byte(text))
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	res, err := w.scan(text)
	if err != nil {
		return nil, err
	}
	if res.Verdict == guard.Block {
		return res, nil
	}
	return nil, nil
}

// runeOffset is the byte offset after the first n characters of b (bytes of
// broken sequences count one each).
func runeOffset(b []byte, n int) int {
	i := 0
	for ; n > 0 && i < len(b); n-- {
		_, size := utf8.DecodeRune(b[i:])
		i += size
	}
	return i
}

// lastRunes is the last n characters of b.
func lastRunes(b []byte, n int) []byte {
	c := utf8.RuneCount(b)
	if c <= n {
		return b
	}
	return append([]byte(nil), b[runeOffset(b, c-n):]...)
}

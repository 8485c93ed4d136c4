package guard

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Limits of normalisation: decoding is bounded so that a crafted text
// cannot make a scan expensive.
const (
	minEncodedRun  = 16      // shortest Base64 or hex run worth decoding
	maxDecodeDepth = 2       // an encoding inside an encoding, no deeper
	maxDecodedRune = 1 << 16 // decoded text kept per scan, in runes
)

// View is one reading of a text: the whole text normalised, or a part of it
// decoded (Base64, hex) or re-read (ROT13, reversed) and normalised. Text
// is folded for matching: compatibility-decomposed (NFKD) without
// combining marks, lower case, invisible characters removed, homoglyphs
// and leetspeak folded in words that mix them with Latin letters, and
// spaced-out letters joined.
type View struct {
	Kind string // plain, base64, hex, rot13, reversed
	Text string
	n    int // runes in Text
	// pos[i] is the original rune index of the view's i-th rune; pos has one
	// more entry, the end. nil: the identity (a plain ASCII text).
	pos []int
	// lit is the view before homoglyph and leetspeak folding and joining
	// (decomposed, lower case, invisibles removed), with litPos its
	// positions (nil: the identity): what canaries, which may hold digits,
	// are matched against. Empty for ROT13 and reversed views.
	lit    string
	litN   int
	litPos []int
}

// Span maps a rune range of the view back to the original text.
func (v *View) Span(start, end int) (int, int) { return viewSpan(v.pos, v.n, start, end) }

// position is the original rune index of the view's i-th rune.
func (v *View) position(i int) int {
	if v.pos == nil {
		return i
	}
	return v.pos[i]
}

func viewSpan(pos []int, n, start, end int) (int, int) {
	if pos == nil {
		start = min(max(start, 0), n)
		end = min(max(end, start), n)
		return start, end
	}
	if len(pos) == 0 {
		return 0, 0
	}
	start = min(max(start, 0), len(pos)-1)
	end = min(max(end, start), len(pos)-1)
	a, b := pos[start], pos[end]
	if end > start && b <= a {
		b = pos[end-1] + 1
	}
	if b < a {
		a, b = b, a
	}
	return a, b
}

// litSpan maps a rune range of the view's literal form back to the
// original text.
func (v *View) litSpan(start, end int) (int, int) { return viewSpan(v.litPos, v.litN, start, end) }

// Text is a text and its views; Views[0] is always the plain view.
type Text struct {
	Original string
	Runes    int // length of Original in runes
	Views    []View
	feats    []*Features // per view, extracted once and shared by the models
}

// FeatureBits is the size of the hashed feature space every model uses, so
// that one extraction serves them all.
const FeatureBits = 18

// Features returns the hashed features of view i, extracted on first use
// and shared by every scanner's model.
func (t *Text) Features(i int) *Features {
	if t.feats == nil {
		t.feats = make([]*Features, len(t.Views))
	}
	if t.feats[i] == nil {
		f := featScratch.Get().(*Features)
		f.Extract(t.Views[i].Text)
		t.feats[i] = f
	}
	return t.feats[i]
}

// featScratch keeps feature buffers between scans.
var featScratch = sync.Pool{New: func() any { return &Features{Bits: FeatureBits} }}

// Release hands the text's feature buffers back for reuse by later scans;
// the text's features must not be used afterwards.
func (t *Text) Release() {
	for i, f := range t.feats {
		if f != nil {
			featScratch.Put(f)
			t.feats[i] = nil
		}
	}
}

// Normalize reads s every way a scanner must see it.
func Normalize(s string) *Text {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	n := utf8.RuneCountInString(s)
	t := &Text{Original: s, Runes: n}
	var plain View
	if n == len(s) {
		plain = foldASCII(s)
	} else {
		plain = fold("plain", []rune(s), nil)
	}
	t.Views = append(t.Views, plain)
	budget := maxDecodedRune
	t.decode(s, nil, 1, &budget)
	t.reread(plain)
	return t
}

// byteScratch holds the working buffer of foldASCII between scans.
var byteScratch = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// foldASCII is fold for a plain view of ASCII text, the common case, on
// bytes: no rune slice, positions the identity, and one string when
// neither leetspeak nor spaced letters change the lower-cased text (then
// the view's Text and its literal form share it).
func foldASCII(s string) View {
	bp := byteScratch.Get().(*[]byte)
	defer byteScratch.Put(bp)
	out := (*bp)[:0]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out = append(out, c)
	}
	*bp = out
	lit := string(out)
	v := View{Kind: "plain", lit: lit, litN: len(out)}
	changed := foldWords(out)
	joined, pos := joinSpaced(out, nil)
	v.Text, v.n, v.pos = lit, len(joined), pos
	if changed || len(joined) != len(out) {
		v.Text = string(joined)
	}
	return v
}

// runeScratch holds the working buffers of fold between scans.
var runeScratch = sync.Pool{New: func() any { b := make([]rune, 0, 4096); return &b }}

// fold normalises runes whose original positions are pos (len(pos) ==
// len(runes)+1; nil: the runes are the original text) into a view.
func fold(kind string, runes []rune, pos []int) View {
	bp := runeScratch.Get().(*[]rune)
	defer runeScratch.Put(bp)
	out := (*bp)[:0]
	var opos []int
	ascii := pos == nil
	if ascii {
		for _, r := range runes {
			if r >= utf8.RuneSelf {
				ascii = false
				break
			}
		}
	}
	if ascii {
		// Positions stay the identity: no rune expands or disappears.
		for _, r := range runes {
			if r >= 'A' && r <= 'Z' {
				r += 'a' - 'A'
			}
			out = append(out, r)
		}
	} else {
		at := func(i int) int {
			if pos == nil {
				return i
			}
			return pos[i]
		}
		opos = make([]int, 0, len(runes)+1)
		var buf [8]rune
		for i, r := range runes {
			if r < utf8.RuneSelf {
				if r >= 'A' && r <= 'Z' {
					r += 'a' - 'A'
				}
				out = append(out, r)
				opos = append(opos, at(i))
				continue
			}
			for _, d := range decompose(r, buf[:0]) {
				out = append(out, d)
				opos = append(opos, at(i))
			}
		}
		opos = append(opos, at(len(runes)))
	}
	*bp = out
	v := View{Kind: kind, lit: runesString(out), litN: len(out), litPos: opos}
	changed := foldWords(out)
	joined, jpos := joinSpaced(out, opos)
	v.Text, v.n, v.pos = v.lit, len(joined), jpos
	if changed || len(joined) != len(out) {
		v.Text = runesString(joined)
	}
	return v
}

// runesString is string(rs), faster for the ASCII runes most texts are
// made of (the runtime's conversion encodes rune by rune, twice).
func runesString(rs []rune) string {
	var b strings.Builder
	b.Grow(len(rs))
	for i, r := range rs {
		if r >= utf8.RuneSelf {
			b.WriteString(string(rs[i:]))
			return b.String()
		}
		b.WriteByte(byte(r))
	}
	return b.String()
}

// decompose returns r compatibility-decomposed, without combining marks,
// invisible format characters or variation selectors, in lower case.
func decompose(r rune, buf []rune) []rune {
	if r < utf8.RuneSelf {
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(buf, r)
	}
	if invisible(r) {
		return buf
	}
	var b [utf8.UTFMax]byte
	n := utf8.EncodeRune(b[:], r)
	d := norm.NFKD.Bytes(b[:n])
	for len(d) > 0 {
		x, size := utf8.DecodeRune(d)
		d = d[size:]
		if unicode.Is(unicode.Mn, x) || invisible(x) {
			continue
		}
		buf = append(buf, unicode.ToLower(x))
	}
	return buf
}

// invisible reports characters that show nothing: zero-width characters,
// bidirectional controls, tag characters, variation selectors, soft hyphens.
func invisible(r rune) bool {
	switch {
	case r == 0x00AD, r == 0x034F, r == 0x061C, r == 0x180E, r == 0xFEFF:
		return true
	case r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E, r >= 0x2060 && r <= 0x206F:
		return true
	case r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0000 && r <= 0xE007F, r >= 0xE0100 && r <= 0xE01EF:
		return true
	}
	return false
}

// homoglyphs are Cyrillic and Greek letters that look like Latin ones
// (lower case, after decompose).
var homoglyphs = map[rune]rune{
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'і': 'i', 'ї': 'i', 'ј': 'j', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o',
	'р': 'p', 'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'ѕ': 's', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'ɡ': 'g', 'ı': 'i',
	'α': 'a', 'β': 'b', 'ε': 'e', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x', 'γ': 'y',
}

// leetASCII maps the digits and symbols written for letters.
var leetASCII = [128]rune{'0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '@': 'a', '$': 's', '!': 'i', '|': 'l'}

func leet(r rune) rune {
	if r < utf8.RuneSelf {
		return leetASCII[r]
	}
	if r == '€' {
		return 'e'
	}
	return 0
}

func isLatin(r rune) bool { return r >= 'a' && r <= 'z' }

// foldWords folds homoglyphs and leetspeak inside words that mix them with
// Latin letters ("1gn0re", "hаte" with a Cyrillic а), leaving words wholly
// in another script, and numbers, as they are.
//
// It reads runes, or the bytes of an ASCII text (foldASCII): one
// definition for both, so that the fast path cannot drift from the rules.
func foldWords[T textUnit](rs []T) (changed bool) {
	i := 0
	for i < len(rs) {
		if !wordRune(rune(rs[i])) {
			i++
			continue
		}
		j := i
		latin, glyph, lt, other := 0, 0, 0, 0
		for j < len(rs) && wordRune(rune(rs[j])) {
			r := rune(rs[j])
			switch {
			case isLatin(r):
				latin++
			case r < utf8.RuneSelf:
				if leetASCII[r] != 0 {
					lt++
				}
			case homoglyphs[r] != 0:
				glyph++
			case leet(r) != 0:
				lt++
			case unicode.IsLetter(r):
				other++
			}
			j++
		}
		// Trailing symbols ("hello!") are punctuation, not letters.
		end := j
		for end > i && (rs[end-1] == '!' || rs[end-1] == '$' || rs[end-1] == '|') {
			end--
		}
		// Leetspeak needs a word that is mostly letters ("h4t3", not a hex
		// string or a serial number).
		if latin > 0 && other == 0 && (glyph > 0 || (lt > 0 && latin >= 2 && latin >= lt)) {
			for k := i; k < end; k++ {
				if g := homoglyphs[rune(rs[k])]; g != 0 {
					rs[k], changed = T(g), true
				} else if l := leet(rune(rs[k])); l != 0 {
					rs[k], changed = T(l), true
				}
			}
		}
		i = j
	}
	return changed
}

// textUnit is what foldWords and joinSpaced read: runes, or the bytes of
// an ASCII text.
type textUnit interface{ ~byte | ~rune }

func wordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || leetASCII[r] != 0
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '€'
}

// joinSpaced joins letters spelled out one by one ("i g n o r e",
// "k.i.l.l"): a run of four or more single letters separated by one space,
// dot, dash, underscore or asterisk becomes one word.
//
// Like foldWords, it reads runes or the bytes of an ASCII text.
func joinSpaced[T textUnit](rs []T, pos []int) ([]T, []int) {
	letter := func(k int) bool { return unicode.IsLetter(rune(rs[k])) }
	single := func(k int) bool {
		return k < len(rs) && letter(k) && (k+1 >= len(rs) || !letter(k+1)) && (k == 0 || !letter(k-1))
	}
	sep := func(r T) bool { return r == ' ' || r == '.' || r == '-' || r == '_' || r == '*' }
	// Most texts spell nothing out: find a first run before copying. A run
	// has a separator two runes after a separator, three times over.
	found := false
	for i, streak := 1, 0; i+1 < len(rs) && !found; i++ {
		if sep(rs[i]) && i >= 2 && sep(rs[i-2]) && !sep(rs[i-1]) {
			streak++
			found = streak >= 3 && single(i-1) && single(i-3) && single(i-5)
		} else if !sep(rs[i]) && i >= 1 && !sep(rs[i-1]) {
			streak = 0
		}
	}
	if !found {
		return rs, pos
	}
	if pos == nil {
		pos = make([]int, len(rs)+1)
		for i := range pos {
			pos[i] = i
		}
	}
	out, opos := make([]T, 0, len(rs)), make([]int, 0, len(pos))
	i := 0
	for i < len(rs) {
		if single(i) {
			j, n := i, 1
			for j+2 < len(rs) && sep(rs[j+1]) && single(j+2) {
				j += 2
				n++
			}
			if n >= 4 {
				for k := i; k <= j; k += 2 {
					out = append(out, rs[k])
					opos = append(opos, pos[k])
				}
				i = j + 1
				continue
			}
		}
		out = append(out, rs[i])
		opos = append(opos, pos[i])
		i++
	}
	opos = append(opos, pos[len(rs)])
	return out, opos
}

// decode adds a view for each Base64 or hex run of s (whose runes' original
// positions are pos; nil: s is the original text) that decodes to text, and
// for encodings inside those, up to maxDecodeDepth. Runs are ASCII, so s is
// read as bytes, counting runes for the positions.
func (t *Text) decode(s string, pos []int, depth int, budget *int) {
	if depth > maxDecodeDepth {
		return
	}
	at := func(i int) int {
		if pos == nil {
			return i
		}
		return pos[i]
	}
	i, ri := 0, 0 // byte and rune index
	for i < len(s) && *budget > 0 {
		if c := s[i]; !encodedRune(rune(c)) {
			if c < utf8.RuneSelf {
				i++
			} else {
				_, size := utf8.DecodeRuneInString(s[i:])
				i += size
			}
			ri++
			continue
		}
		j := i
		for j < len(s) && encodedRune(rune(s[j])) {
			j++
		}
		// Hex written in spaced pairs: "69 67 6e 6f ...".
		if j-i == 2 && isHex(rune(s[i])) && isHex(rune(s[i+1])) {
			for j+2 < len(s) && s[j] == ' ' && isHex(rune(s[j+1])) && isHex(rune(s[j+2])) && (j+3 == len(s) || !encodedRune(rune(s[j+3]))) {
				j += 3
			}
		}
		rj := ri + j - i
		if j-i >= minEncodedRun {
			if kind, plain, ok := decodeRun(s[i:j]); ok {
				dr := []rune(plain)
				if len(dr) > *budget {
					dr = dr[:*budget]
					plain = string(dr)
				}
				*budget -= len(dr)
				// Each decoded rune stands for the whole run in the original.
				dpos := make([]int, len(dr)+1)
				for k := range dr {
					dpos[k] = at(ri) + (at(rj)-at(ri))*k/max(len(dr), 1)
				}
				dpos[len(dr)] = at(rj)
				t.Views = append(t.Views, fold(kind, dr, dpos))
				t.decode(plain, dpos, depth+1, budget)
			}
		}
		i, ri = j, rj
	}
}

func encodedRune(r rune) bool {
	return r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '+' || r == '/' || r == '=' || r == '_' || r == '-')
}

func isHex(r rune) bool { return r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F' }

// decodeRun decodes a run as hex or Base64 when the result is readable
// text (mostly printable, with letters and a space or two).
func decodeRun(run string) (kind, plain string, ok bool) {
	compact := strings.ReplaceAll(run, " ", "")
	if len(compact)%2 == 0 && strings.IndexFunc(compact, func(r rune) bool { return !isHex(r) }) < 0 {
		if b, err := hex.DecodeString(compact); err == nil && readable(b) {
			return "hex", string(b), true
		}
	}
	if strings.Contains(run, " ") {
		return "", "", false
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(run); err == nil && readable(b) {
			return "base64", string(b), true
		}
	}
	return "", "", false
}

// readable reports whether b is UTF-8 text a person would write: almost all
// printable, with letters and spaces.
func readable(b []byte) bool {
	if len(b) < 6 || !utf8.Valid(b) {
		return false
	}
	letters, spaces, bad, n := 0, 0, 0, 0
	for _, r := range string(b) {
		n++
		switch {
		case unicode.IsLetter(r):
			letters++
		case r == ' ':
			spaces++
		case r == '\n' || r == '\t' || r == '\r':
		case !unicode.IsPrint(r):
			bad++
		}
	}
	return bad == 0 && letters*2 >= n && spaces >= 1
}

// reread adds ROT13 and reversed views of the plain view when they read
// more like language than the text itself does (a message written
// backwards or in ROT13 to hide it).
func (t *Text) reread(plain View) {
	base := wordiness(plain.Text)
	if base >= 0.25 {
		return // reads as language already
	}
	rot := []rune(plain.Text)
	for i, r := range rot {
		switch {
		case r >= 'a' && r <= 'z':
			rot[i] = 'a' + (r-'a'+13)%26
		}
	}
	if w := wordiness(string(rot)); w > base+0.15 {
		t.Views = append(t.Views, View{Kind: "rot13", Text: string(rot), n: plain.n, pos: plain.pos})
	}
	rev := []rune(plain.Text)
	rpos := make([]int, len(rev)+1)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	for i := range rev {
		rpos[i] = plain.position(len(rev) - 1 - i)
	}
	rpos[len(rev)] = plain.position(len(rev))
	if w := wordiness(string(rev)); w > base+0.15 {
		t.Views = append(t.Views, View{Kind: "reversed", Text: string(rev), n: len(rev), pos: rpos})
	}
}

// commonWords are frequent short words of the languages users write in;
// their share of a text's words says whether it reads as language.
var commonWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`the and you to is of a in that it for on are with this be not your have me my what
	i can do all now from as or if will please tell any how no an at by was but so just
	der die das und ist nicht ich du sie zu ein eine mit den von für auf wie was
	le la les et est pas je tu il de des un une que qui pour dans avec vous
	el los las y es no yo que de en un una por para con como
	o os as e não eu um uma com para em do da
	il di che e non un una per con sono`) {
		m[w] = true
	}
	return m
}()

// wordiness is the share of the first 200 words of s that are common words.
func wordiness(s string) float64 {
	// letterAt is the byte size of the letter at i, or 0; a view's ASCII
	// letters are lower case, and most of its bytes are ASCII.
	letterAt := func(i int) (int, int) {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
				return 1, 1
			}
			return 0, 1
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsLetter(r) {
			return size, size
		}
		return 0, size
	}
	n, hit := 0, 0
	for i := 0; i < len(s) && n < 200; {
		if l, size := letterAt(i); l == 0 {
			i += size
			continue
		}
		j := i
		for j < len(s) {
			l, _ := letterAt(j)
			if l == 0 {
				break
			}
			j += l
		}
		n++
		if commonWords[s[i:j]] {
			hit++
		}
		i = j
	}
	if n < 3 {
		return 1
	}
	return float64(hit) / float64(n)
}

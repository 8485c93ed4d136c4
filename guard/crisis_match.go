package guard

import (
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A phrase matcher over the words of a view: the crisis rules are word
// patterns in several languages, compiled into one automaton over word
// ids. A view is tokenised once, each word looked up once in the
// patterns' vocabulary, and the automaton then compares integers: string
// keys at every branch (each word hashed again per pattern it might
// continue) cost five times the scan budget, and regular expressions more.
//
// Pattern syntax, on folded text (lower case, no accents):
//
//	word        a word; "can't" is the two words "can" and "t", as in the text
//	pre*        any word starting with "pre"
//	(a|b c|d)   one of the alternatives, each a sequence
//	[a|b c]     optional alternatives
//	#           any number (a word of digits)
//	~N          up to N arbitrary words (N <= 9)

// token is one word of a view: its id in the vocabulary, and its rune
// offsets in the view and sentence. It holds no pointer, so that filling
// a slice of tokens is a plain copy.
type token struct {
	pre        uint64 // bit k: the word starts with the vocabulary's prefix k
	id         uint32 // 0: a word no pattern names
	start, end int32  // runes in the view
	sent       int32
	num        bool  // the word is a number
	flags      uint8 // the vocabulary's flags of the word
}

// tokenize splits a folded view into words (runs of letters and digits;
// each Chinese or Japanese character alone) and looks each up in the
// vocabulary; sentence boundaries are . ! ? ;
// and line breaks.
func (v *vocab) tokenize(s string, out []token) []token {
	out = out[:0]
	sent, runeIdx := 0, 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf && !asciiWord[c] {
			if c == '.' || c == '!' || c == '?' || c == ';' || c == '\n' {
				if len(out) > 0 && int(out[len(out)-1].sent) == sent {
					sent++
				}
			}
			i++
			runeIdx++
			continue
		}
		j, start := i, runeIdx
		var h uint32
		digits, single := true, false
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				i += size
				runeIdx++
				continue
			}
			if ideographic(r) { // a word of its own
				for k := j; k < j+size; k++ {
					h = bits.RotateLeft32(h, 5) ^ uint32(s[k])
				}
				j += size
				runeIdx++
				digits, single = false, true
			}
		}
		for !single && j < len(s) {
			c := s[j]
			if c < utf8.RuneSelf {
				if !asciiWord[c] {
					break
				}
				digits = digits && c <= '9'
				h = bits.RotateLeft32(h, 5) ^ uint32(c)
				j++
				runeIdx++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[j:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) || ideographic(r) {
				break
			}
			for k := j; k < j+size; k++ {
				h = bits.RotateLeft32(h, 5) ^ uint32(s[k])
			}
			digits = false
			j += size
			runeIdx++
		}
		w := s[i:j]
		id := v.lookup(wordHash(h), w)
		var pre uint64
		if v.prefixFirst[w[0]] {
			for k, p := range v.prefixes {
				if strings.HasPrefix(w, p) {
					pre |= 1 << k
				}
			}
		}
		// Fields are stored in place: a token built aside and copied in is
		// read back wider than it was written, which stalls.
		if len(out) == cap(out) {
			out = slices.Grow(out, 1)
		}
		out = out[:len(out)+1]
		t := &out[len(out)-1]
		t.pre, t.id, t.num, t.flags = pre, id, digits, v.flags[id]
		t.start, t.end, t.sent = int32(start), int32(runeIdx), int32(sent)
		i = j
	}
	return out
}

// ideographic reports the letters of scripts written without spaces
// (Chinese, Japanese): each is a word of its own, so that patterns name
// them one by one.
func ideographic(r rune) bool {
	return r >= 0x3040 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r))
}

// asciiWord marks the ASCII letters and digits.
var asciiWord = func() (a [utf8.RuneSelf]bool) {
	for c := range a {
		a[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	return a
}()

// vocab numbers the words and prefixes that patterns name; matchers
// compiled against one vocab share a view's lookups. Words are found by
// their hash, computed while the text is split, in an open-addressed
// table.
type vocab struct {
	ids         map[string]uint32 // while compiling
	prefixes    []string          // at most 64
	prefixFirst [256]bool         // first bytes of the prefixes
	slots       []vocabSlot       // power of two, at most half full
	marks       map[string]uint8  // flags of words, while compiling
	flags       []uint8           // by id
}

type vocabSlot struct {
	hash uint32
	id   uint32 // 0: empty
	w    string
}

func newVocab() *vocab { return &vocab{ids: map[string]uint32{}, marks: map[string]uint8{}} }

// mark sets flags on word w (adding it to the vocabulary): a word class a
// scanner tests tokens for after matching (negations, pronouns).
func (v *vocab) mark(w string, flags uint8) {
	v.word(w)
	v.marks[w] |= flags
}

func (v *vocab) word(w string) uint32 {
	id, ok := v.ids[w]
	if !ok {
		id = uint32(len(v.ids) + 1)
		v.ids[w] = id
	}
	return id
}

func (v *vocab) prefix(p string) (uint64, error) {
	k := slices.Index(v.prefixes, p)
	if k < 0 {
		if len(v.prefixes) == 64 {
			return 0, fmt.Errorf("more than 64 prefixes")
		}
		k = len(v.prefixes)
		v.prefixes = append(v.prefixes, p)
		v.prefixFirst[p[0]] = true
	}
	return 1 << k, nil
}

// seal builds the lookup table; the vocabulary is read-only after.
func (v *vocab) seal() {
	n := 1
	for n < 2*len(v.ids) {
		n <<= 1
	}
	v.slots = make([]vocabSlot, n)
	v.flags = make([]uint8, len(v.ids)+1)
	for w, f := range v.marks {
		v.flags[v.ids[w]] = f
	}
	for w, id := range v.ids {
		h := hashWord(w)
		k := h & uint32(n-1)
		for v.slots[k].id != 0 {
			k = (k + 1) & uint32(n-1)
		}
		v.slots[k] = vocabSlot{h, id, w}
	}
}

// wordHash finishes the hash of a word from its running rotate-xor of
// bytes (one cycle a byte while splitting; the finish spreads it).
func wordHash(h uint32) uint32 {
	h *= 0x9e3779b1
	return h ^ h>>15
}

func hashWord(w string) uint32 {
	var h uint32
	for i := 0; i < len(w); i++ {
		h = bits.RotateLeft32(h, 5) ^ uint32(w[i])
	}
	return wordHash(h)
}

// lookup returns the id of w, whose hash is h; 0 if no pattern names it.
func (v *vocab) lookup(h uint32, w string) uint32 {
	mask := uint32(len(v.slots) - 1)
	for k := h & mask; ; k = (k + 1) & mask {
		sl := &v.slots[k]
		if sl.id == 0 {
			return 0
		}
		if sl.hash == h && sl.w == w {
			return sl.id
		}
	}
}

// pnode is a state of the automaton while it is compiled. Alternatives
// are compiled with empty (epsilon) edges to a common node, so a
// pattern's size is linear in its text, not in the number of word
// sequences it stands for.
type pnode struct {
	keys  []uint32 // word ids
	kids  []int32  // kids[k] follows keys[k]
	num   int32    // child on a number, or -1
	pre   []preEdge
	gaps  []gapEdge
	eps   []int32
	rules []int32 // rules a match ending here completes
}

// fnode is a state of the compiled automaton: ranges of the matcher's
// flat arrays, so that a walk touches few cache lines.
type fnode struct {
	bloom        uint64 // bit id%64 set for every word id with an edge
	kFrom, kTo   int32  // word edges: keys[kFrom:kTo] (sorted), kids
	dense        int32  // for a node with many words: offset of its table in denseTab, or -1
	num          int32  // child on a number, or -1
	pFrom, pTo   int32  // prefix edges
	gFrom, gTo   int32  // gap edges
	opFrom, opTo int32  // closure program
	rFrom, rTo   int32  // rules completed here
}

type preEdge struct {
	bit  uint64
	node int32
}

type gapEdge struct {
	n    int
	node int32
	// first has bit id%256 set for the words that leave node's closure;
	// other is set when a number, a prefix or a gap may leave it. A gap
	// tries each position only where the word there may continue.
	other bool
	first [4]uint64
}

// phraseMatcher finds every pattern of a rule set in a token sequence.
type phraseMatcher struct {
	v      *vocab
	build  []pnode
	edges  map[[2]uint32]int32 // (node, word) -> child, while compiling
	groups map[groupKey]int32  // (node, group) -> end node, while compiling

	nodes    []fnode
	keys     []uint32
	kids     []int32
	denseTab []int32 // child+1 by word id
	pres     []preEdge
	gaps     []gapEdge
	rules    []int32
	// ops are the closure programs: op >= 0 reports the rules of node op,
	// op < 0 follows the word and gap edges of node ^op; a node's program
	// is its rules, each epsilon successor's program, then its own edges
	// (the order of a depth-first walk).
	ops []int32
	// plainRoot: the root has only word, number and prefix edges, so a
	// start whose word leaves the root nowhere is skipped.
	plainRoot bool
	rootPre   uint64
}

type groupKey struct {
	from int32
	text string
}

// groupEnd returns the index of the bracket closing the group opened at
// lx[open].
func groupEnd(lx []string, open int) (int, error) {
	depth := 0
	for k := open; k < len(lx); k++ {
		switch lx[k] {
		case "(", "[":
			depth++
		case ")", "]":
			depth--
			if depth == 0 {
				return k, nil
			}
		}
	}
	return 0, fmt.Errorf("unclosed %s", lx[open])
}

// denseMin is the number of words from which a node indexes its children
// by word id rather than by binary search.
const denseMin = 24

func (m *phraseMatcher) newNode() int32 {
	m.build = append(m.build, pnode{num: -1})
	return int32(len(m.build) - 1)
}

// add compiles pattern for rule index id.
func (m *phraseMatcher) add(pattern string, id int) error {
	if m.build == nil {
		m.newNode()
		m.edges = map[[2]uint32]int32{}
		m.groups = map[groupKey]int32{}
	}
	lx := lexPattern(pattern)
	if len(lx) == 0 || strings.HasPrefix(lx[0], "~") || strings.HasPrefix(lx[len(lx)-1], "~") {
		return fmt.Errorf("pattern %q: empty, or starts or ends with a gap", pattern)
	}
	pos := 0
	end, err := m.compileSeq(lx, &pos, 0)
	if err != nil {
		return fmt.Errorf("pattern %q: %w", pattern, err)
	}
	if pos != len(lx) {
		return fmt.Errorf("pattern %q: unexpected %q", pattern, lx[pos])
	}
	n := &m.build[end]
	if len(n.rules) == 0 || n.rules[len(n.rules)-1] != int32(id) {
		n.rules = append(n.rules, int32(id))
	}
	return nil
}

// finish lays the automaton out flat; the matcher is read-only after.
// Every matcher sharing the vocab must be compiled before any finishes.
func (m *phraseMatcher) finish() error {
	for key, c := range m.edges {
		n := &m.build[key[0]]
		n.keys = append(n.keys, key[1])
		n.kids = append(n.kids, c)
	}
	m.edges, m.groups = nil, nil
	size := int32(len(m.v.ids) + 1)
	m.nodes = make([]fnode, len(m.build))
	for i := range m.build {
		n, f := &m.build[i], &m.nodes[i]
		order := make([]int, len(n.keys))
		for k := range order {
			order[k] = k
		}
		slices.SortFunc(order, func(a, b int) int { return int(n.keys[a]) - int(n.keys[b]) })
		f.kFrom = int32(len(m.keys))
		for _, o := range order {
			m.keys = append(m.keys, n.keys[o])
			m.kids = append(m.kids, n.kids[o])
			f.bloom |= 1 << (n.keys[o] % 64)
		}
		f.kTo = int32(len(m.keys))
		f.dense = -1
		if len(n.keys) >= denseMin || i == 0 {
			f.dense = int32(len(m.denseTab))
			m.denseTab = append(m.denseTab, make([]int32, size)...)
			for k, w := range n.keys {
				m.denseTab[f.dense+int32(w)] = n.kids[k] + 1
			}
		}
		f.num = n.num
		f.pFrom = int32(len(m.pres))
		m.pres = append(m.pres, n.pre...)
		f.pTo = int32(len(m.pres))
		f.gFrom = int32(len(m.gaps))
		m.gaps = append(m.gaps, n.gaps...)
		f.gTo = int32(len(m.gaps))
		f.rFrom = int32(len(m.rules))
		m.rules = append(m.rules, n.rules...)
		f.rTo = int32(len(m.rules))
	}
	for i := range m.nodes {
		f := &m.nodes[i]
		f.opFrom = int32(len(m.ops))
		m.ops = m.closure(int32(i), m.ops)
		f.opTo = int32(len(m.ops))
	}
	for k := range m.gaps {
		g := &m.gaps[k]
		nd := &m.nodes[g.node]
		for _, op := range m.ops[nd.opFrom:nd.opTo] {
			if op >= 0 {
				return fmt.Errorf("a pattern ends with a gap and an optional group")
			}
			e := &m.nodes[^op]
			for _, w := range m.keys[e.kFrom:e.kTo] {
				g.first[w/64%4] |= 1 << (w % 64)
			}
			g.other = g.other || e.num >= 0 || e.pTo > e.pFrom || e.gTo > e.gFrom
		}
	}
	root := &m.build[0]
	m.rootPre = 0
	for _, p := range root.pre {
		m.rootPre |= p.bit
	}
	m.plainRoot = len(root.eps) == 0 && len(root.rules) == 0 && len(root.gaps) == 0
	m.build = nil
	return nil
}

// closure appends the program of node n.
func (m *phraseMatcher) closure(n int32, ops []int32) []int32 {
	nd := &m.build[n]
	if len(nd.rules) > 0 {
		ops = append(ops, n)
	}
	for _, e := range nd.eps {
		ops = m.closure(e, ops)
	}
	if len(nd.keys) > 0 || nd.num >= 0 || len(nd.pre) > 0 || len(nd.gaps) > 0 {
		ops = append(ops, ^n)
	}
	return ops
}

// child returns the node reached from n by e, creating it.
func (m *phraseMatcher) child(n int32, e elem) (int32, error) {
	switch {
	case e.gap > 0:
		for _, g := range m.build[n].gaps {
			if g.n == e.gap {
				return g.node, nil
			}
		}
		c := m.newNode()
		m.build[n].gaps = append(m.build[n].gaps, gapEdge{n: e.gap, node: c})
		return c, nil
	case e.prefix:
		bit, err := m.v.prefix(e.w)
		if err != nil {
			return 0, err
		}
		for _, p := range m.build[n].pre {
			if p.bit == bit {
				return p.node, nil
			}
		}
		c := m.newNode()
		m.build[n].pre = append(m.build[n].pre, preEdge{bit, c})
		return c, nil
	case e.w == "#":
		if m.build[n].num < 0 {
			c := m.newNode()
			m.build[n].num = c
		}
		return m.build[n].num, nil
	}
	key := [2]uint32{uint32(n), m.v.word(e.w)}
	c, ok := m.edges[key]
	if !ok {
		c = m.newNode()
		m.edges[key] = c
	}
	return c, nil
}

// elem is one step of a pattern: a word, a word prefix, or a gap.
type elem struct {
	w      string
	prefix bool
	gap    int
}

// match is one pattern found: tokens [from, to).
type match struct {
	rule     int
	from, to int
}

// find appends every match starting at each token; per start and rule it
// keeps the longest. toks must come from the matcher's vocab.
func (m *phraseMatcher) find(toks []token, out []match) []match {
	root := &m.nodes[0]
	lim := 0 // end of the sentence of token i
	for i := range toks {
		t := &toks[i]
		if i == lim {
			for lim < len(toks) && toks[lim].sent == t.sent {
				lim++
			}
		}
		if m.plainRoot && m.denseTab[root.dense+int32(t.id)] == 0 && !(t.num && root.num >= 0) && t.pre&m.rootPre == 0 {
			continue // no pattern starts with this word
		}
		out = m.walk(0, toks, span{i, lim}, i, out, len(out))
	}
	return out
}

// span is where a match is sought: from its first token to the end of
// that token's sentence (matches never cross a sentence).
type span struct{ from, lim int }

// walk runs node n's closure program at token i, for matches in sp
// (those found from sp.from so far start at out[mark]).
func (m *phraseMatcher) walk(n int32, toks []token, sp span, i int, out []match, mark int) []match {
	nd := &m.nodes[n]
	for _, op := range m.ops[nd.opFrom:nd.opTo] {
		if op >= 0 {
			out = m.report(op, sp.from, i, out, mark)
			continue
		}
		if i >= sp.lim {
			continue
		}
		e := &m.nodes[^op]
		t := &toks[i]
		if t.id != 0 && e.bloom&(1<<(t.id%64)) != 0 {
			if e.dense >= 0 {
				if c := m.denseTab[e.dense+int32(t.id)]; c != 0 {
					out = m.walk(c-1, toks, sp, i+1, out, mark)
				}
			} else if k, ok := slices.BinarySearch(m.keys[e.kFrom:e.kTo], t.id); ok {
				out = m.walk(m.kids[e.kFrom+int32(k)], toks, sp, i+1, out, mark)
			}
		}
		if e.num >= 0 && t.num {
			out = m.walk(e.num, toks, sp, i+1, out, mark)
		}
		for _, p := range m.pres[e.pFrom:e.pTo] {
			if t.pre&p.bit != 0 {
				out = m.walk(p.node, toks, sp, i+1, out, mark)
			}
		}
		for k := e.gFrom; k < e.gTo; k++ {
			// A gap node reports no rule itself (no pattern ends with a
			// gap, nor with an optional group after one: finish checks),
			// so positions past the sentence are not tried.
			g := &m.gaps[k]
			for j := i; j <= i+g.n && j < sp.lim; j++ {
				if id := toks[j].id; g.other || id != 0 && g.first[id/64%4]&(1<<(id%64)) != 0 {
					out = m.walk(g.node, toks, sp, j, out, mark)
				}
			}
		}
	}
	return out
}

// report records the rules node n completes, for a match [from, i).
func (m *phraseMatcher) report(n int32, from, i int, out []match, mark int) []match {
	nd := &m.nodes[n]
	for _, r := range m.rules[nd.rFrom:nd.rTo] {
		dup := false
		for k := mark; k < len(out); k++ {
			if out[k].rule == int(r) {
				out[k].to = max(out[k].to, i)
				dup = true
			}
		}
		if !dup {
			out = append(out, match{rule: int(r), from: from, to: i})
		}
	}
	return out
}

func lexPattern(p string) []string {
	var out []string
	cur := strings.Builder{}
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range p {
		switch {
		case r == '(' || r == ')' || r == '[' || r == ']' || r == '|':
			flush()
			out = append(out, string(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '*' || r == '~' || r == '#':
			cur.WriteRune(r)
		default: // spaces, apostrophes, hyphens: word boundaries, as in text
			flush()
		}
	}
	flush()
	return out
}

// compileSeq compiles items from node from up to a closing bracket or
// "|", and returns the node the sequence ends at.
func (m *phraseMatcher) compileSeq(lx []string, pos *int, from int32) (int32, error) {
	for *pos < len(lx) {
		t := lx[*pos]
		switch t {
		case ")", "]", "|":
			return from, nil
		case "(", "[":
			// The same group from the same node reaches the same states:
			// share its end node, as a trie shares a common prefix, so
			// that rules beginning alike ("{I} ~3 ...") are walked once.
			close, err := groupEnd(lx, *pos)
			if err != nil {
				return 0, err
			}
			key := groupKey{from, strings.Join(lx[*pos:close+1], " ")}
			if end, ok := m.groups[key]; ok {
				*pos = close + 1
				from = end
				continue
			}
			*pos++
			end := m.newNode()
			m.groups[key] = end
			for {
				e, err := m.compileSeq(lx, pos, from)
				if err != nil {
					return 0, err
				}
				m.build[e].eps = append(m.build[e].eps, end)
				if *pos < len(lx) && lx[*pos] == "|" {
					*pos++
					continue
				}
				break
			}
			want := ")"
			if t == "[" {
				want = "]"
				m.build[from].eps = append(m.build[from].eps, end)
			}
			if *pos >= len(lx) || lx[*pos] != want {
				return 0, fmt.Errorf("missing %s", want)
			}
			*pos++
			from = end
		default:
			*pos++
			e := elem{w: t}
			switch {
			case strings.HasPrefix(t, "~"):
				n, err := strconv.Atoi(t[1:])
				if err != nil || n < 1 || n > 9 {
					return 0, fmt.Errorf("bad gap %q", t)
				}
				e = elem{gap: n}
			case len(t) > 1 && strings.HasSuffix(t, "*"):
				e = elem{w: strings.TrimSuffix(t, "*"), prefix: true}
			}
			c, err := m.child(from, e)
			if err != nil {
				return 0, err
			}
			from = c
		}
	}
	return from, nil
}

func isNumber(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return w != ""
}

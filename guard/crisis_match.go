package guard

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A phrase matcher over the words of a view: the crisis rules are word
// patterns in several languages, compiled into one trie so that a scan is
// one pass over the words with a map lookup per word (regular expressions
// over a 2 KB text cost several times the scan budget).
//
// Pattern syntax, on folded text (lower case, no accents):
//
//	word        a word; "can't" is the two words "can" and "t", as in the text
//	pre*        any word starting with "pre"
//	(a|b c|d)   one of the alternatives, each a sequence
//	[a|b c]     optional alternatives
//	#           any number (a word of digits)
//	~N          up to N arbitrary words (N <= 9)

// token is one word of a view: its text and rune offsets in the view, and
// the sentence it belongs to.
type token struct {
	w          string
	start, end int // runes in the view
	sent       int
}

// tokenize splits a folded view into words (runs of letters and digits);
// sentence boundaries are . ! ? ; and line breaks.
func tokenize(s string, out []token) []token {
	out = out[:0]
	sent, runeIdx := 0, 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			if r == '.' || r == '!' || r == '?' || r == ';' || r == '\n' {
				if len(out) > 0 && out[len(out)-1].sent == sent {
					sent++
				}
			}
			i += size
			runeIdx++
			continue
		}
		j, start := i, runeIdx
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			j += size
			runeIdx++
		}
		out = append(out, token{w: s[i:j], start: start, end: runeIdx, sent: sent})
		i = j
	}
	return out
}

// elem is one step of an expanded pattern: a word, a word prefix, or a gap.
type elem struct {
	w      string
	prefix bool
	gap    int
}

type trieNode struct {
	next   map[string]*trieNode
	prefix []prefixEdge
	gaps   []gapEdge
	eps    []*trieNode // reached without reading a word
	rules  []int       // indices of the rules a match ending here completes
}

type prefixEdge struct {
	p    string
	node *trieNode
}

type gapEdge struct {
	n    int
	node *trieNode
}

func (n *trieNode) child(e elem) *trieNode {
	switch {
	case e.gap > 0:
		for _, g := range n.gaps {
			if g.n == e.gap {
				return g.node
			}
		}
		c := &trieNode{}
		n.gaps = append(n.gaps, gapEdge{e.gap, c})
		return c
	case e.prefix:
		for _, p := range n.prefix {
			if p.p == e.w {
				return p.node
			}
		}
		c := &trieNode{}
		n.prefix = append(n.prefix, prefixEdge{e.w, c})
		return c
	}
	if n.next == nil {
		n.next = map[string]*trieNode{}
	}
	c := n.next[e.w]
	if c == nil {
		c = &trieNode{}
		n.next[e.w] = c
	}
	return c
}

// phraseMatcher finds every pattern of a rule set in a token sequence.
// Alternatives are compiled with empty (epsilon) edges to a common node,
// so a pattern's size in the trie is linear in its text, not in the number
// of word sequences it stands for.
type phraseMatcher struct{ root trieNode }

// add compiles pattern for rule index id.
func (m *phraseMatcher) add(pattern string, id int) error {
	lx := lexPattern(pattern)
	if len(lx) == 0 || strings.HasPrefix(lx[0], "~") || strings.HasPrefix(lx[len(lx)-1], "~") {
		return fmt.Errorf("pattern %q: empty, or starts or ends with a gap", pattern)
	}
	pos := 0
	end, err := compileSeq(lx, &pos, &m.root)
	if err != nil {
		return fmt.Errorf("pattern %q: %w", pattern, err)
	}
	if pos != len(lx) {
		return fmt.Errorf("pattern %q: unexpected %q", pattern, lx[pos])
	}
	if len(end.rules) == 0 || end.rules[len(end.rules)-1] != id {
		end.rules = append(end.rules, id)
	}
	return nil
}

// match is one pattern found: tokens [from, to).
type match struct {
	rule     int
	from, to int
}

// find appends every match starting at each token; per start and rule it
// keeps the longest.
func (m *phraseMatcher) find(toks []token, out []match) []match {
	for i := range toks {
		mark := len(out)
		out = m.walk(&m.root, toks, i, i, out, mark)
	}
	return out
}

func (m *phraseMatcher) walk(n *trieNode, toks []token, from, i int, out []match, mark int) []match {
	for _, r := range n.rules {
		dup := false
		for k := mark; k < len(out); k++ {
			if out[k].rule == r {
				out[k].to = max(out[k].to, i)
				dup = true
			}
		}
		if !dup {
			out = append(out, match{rule: r, from: from, to: i})
		}
	}
	for _, e := range n.eps {
		out = m.walk(e, toks, from, i, out, mark)
	}
	if i >= len(toks) || toks[i].sent != toks[from].sent {
		return out // matches never cross a sentence
	}
	w := toks[i].w
	if c := n.next[w]; c != nil {
		out = m.walk(c, toks, from, i+1, out, mark)
	}
	if c := n.next["#"]; c != nil && isNumber(w) {
		out = m.walk(c, toks, from, i+1, out, mark)
	}
	for _, p := range n.prefix {
		if strings.HasPrefix(w, p.p) {
			out = m.walk(p.node, toks, from, i+1, out, mark)
		}
	}
	for _, g := range n.gaps {
		for j := i; j <= i+g.n && j < len(toks); j++ {
			out = m.walk(g.node, toks, from, j, out, mark)
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
func compileSeq(lx []string, pos *int, from *trieNode) (*trieNode, error) {
	for *pos < len(lx) {
		t := lx[*pos]
		switch t {
		case ")", "]", "|":
			return from, nil
		case "(", "[":
			*pos++
			end := &trieNode{}
			for {
				e, err := compileSeq(lx, pos, from)
				if err != nil {
					return nil, err
				}
				e.eps = append(e.eps, end)
				if *pos < len(lx) && lx[*pos] == "|" {
					*pos++
					continue
				}
				break
			}
			want := ")"
			if t == "[" {
				want = "]"
				from.eps = append(from.eps, end)
			}
			if *pos >= len(lx) || lx[*pos] != want {
				return nil, fmt.Errorf("missing %s", want)
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
					return nil, fmt.Errorf("bad gap %q", t)
				}
				e = elem{gap: n}
			case len(t) > 1 && strings.HasSuffix(t, "*"):
				e = elem{w: strings.TrimSuffix(t, "*"), prefix: true}
			}
			from = from.child(e)
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

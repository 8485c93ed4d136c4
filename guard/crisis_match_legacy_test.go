package guard

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The first phrase matcher (string-keyed trie), kept to check that the
// word-id matcher finds exactly what it found.

type legacyNode struct {
	next   map[string]*legacyNode
	prefix []legacyPrefixEdge
	gaps   []legacyGapEdge
	eps    []*legacyNode // reached without reading a word
	rules  []int         // indices of the rules a match ending here completes
}

type legacyPrefixEdge struct {
	p    string
	node *legacyNode
}

type legacyGapEdge struct {
	n    int
	node *legacyNode
}

func (n *legacyNode) child(e elem) *legacyNode {
	switch {
	case e.gap > 0:
		for _, g := range n.gaps {
			if g.n == e.gap {
				return g.node
			}
		}
		c := &legacyNode{}
		n.gaps = append(n.gaps, legacyGapEdge{e.gap, c})
		return c
	case e.prefix:
		for _, p := range n.prefix {
			if p.p == e.w {
				return p.node
			}
		}
		c := &legacyNode{}
		n.prefix = append(n.prefix, legacyPrefixEdge{e.w, c})
		return c
	}
	if n.next == nil {
		n.next = map[string]*legacyNode{}
	}
	c := n.next[e.w]
	if c == nil {
		c = &legacyNode{}
		n.next[e.w] = c
	}
	return c
}

// legacyMatcher finds every pattern of a rule set in a token sequence.
// Alternatives are compiled with empty (epsilon) edges to a common node,
// so a pattern's size in the trie is linear in its text, not in the number
// of word sequences it stands for.
type legacyMatcher struct{ root legacyNode }

// add compiles pattern for rule index id.
func (m *legacyMatcher) add(pattern string, id int) error {
	lx := lexPattern(pattern)
	if len(lx) == 0 || strings.HasPrefix(lx[0], "~") || strings.HasPrefix(lx[len(lx)-1], "~") {
		return fmt.Errorf("pattern %q: empty, or starts or ends with a gap", pattern)
	}
	pos := 0
	end, err := legacyCompileSeq(lx, &pos, &m.root)
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
// keeps the longest.
func (m *legacyMatcher) find(toks []legacyToken, out []match) []match {
	for i := range toks {
		mark := len(out)
		out = m.walk(&m.root, toks, i, i, out, mark)
	}
	return out
}

func (m *legacyMatcher) walk(n *legacyNode, toks []legacyToken, from, i int, out []match, mark int) []match {
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

// legacyCompileSeq compiles items from node from up to a closing bracket or
// "|", and returns the node the sequence ends at.
func legacyCompileSeq(lx []string, pos *int, from *legacyNode) (*legacyNode, error) {
	for *pos < len(lx) {
		t := lx[*pos]
		switch t {
		case ")", "]", "|":
			return from, nil
		case "(", "[":
			*pos++
			end := &legacyNode{}
			for {
				e, err := legacyCompileSeq(lx, pos, from)
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

func crisisBenchText() string {
	var sb strings.Builder
	for sb.Len() < 2048 {
		sb.WriteString("Thanks for the help with the report yesterday, the figures look right now. I have been so tired lately and nothing seems to matter. ")
	}
	return Normalize(sb.String()[:2048]).Views[0].Text
}

func BenchmarkCrisisParts(b *testing.B) {
	if err := crisisRulesErr(); err != nil {
		b.Fatal(err)
	}
	s := crisisBenchText()
	toks := crisisVocab.tokenize(s, nil)
	var out []match
	b.Run("tokenize", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			toks = crisisVocab.tokenize(s, toks)
		}
	})
	b.Run("pos", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			out = crisisPos.find(toks, out[:0])
		}
	})
	b.Run("neg", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			out = crisisNeg.find(toks, out[:0])
		}
	})
	var lp, ln legacyMatcher
	for i, r := range crisisRules {
		lp.add(crisisMacros.Replace(r.pattern), i)
	}
	for i, r := range crisisCues {
		ln.add(crisisMacros.Replace(r.pattern), i)
	}
	ltoks := legacyTokenize(s, nil)
	b.Run("legacy-pos", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			out = lp.find(ltoks, out[:0])
		}
	})
	b.Run("legacy-neg", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			out = ln.find(ltoks, out[:0])
		}
	})
}

// legacyToken and legacyTokenize are the first tokeniser's.
type legacyToken struct {
	w          string
	start, end int
	sent       int
}

func legacyTokenize(s string, out []legacyToken) []legacyToken {
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
		out = append(out, legacyToken{w: s[i:j], start: start, end: runeIdx, sent: sent})
		i = j
	}
	return out
}

package gateway

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/rampart-dev/rampart/pii"
)

// maskedTypes are the personal data replaced by placeholders before a
// provider sees a prompt. URLs stay: a prompt about a page needs its address.
var maskedTypes = func() []pii.Type {
	var out []pii.Type
	for _, t := range pii.AllTypes() {
		if t != pii.URL {
			out = append(out, t)
		}
	}
	return out
}()

// maxPlaceholder bounds a placeholder's length: "[" + the longest type name
// in capitals + "_" + a number of at most 6 digits + "]".
const maxPlaceholder = 1 + len("DATE_OF_BIRTH") + 1 + 6 + 1

// maxPlaceholders bounds the distinct values one request masks; beyond it a
// value is redacted without a way back (never sent in clear).
const maxPlaceholders = 999_999

// masking is one request's placeholders: the same value gets the same
// placeholder within the request. It lives as long as the request and is
// never logged.
type masking struct {
	byValue map[string]string
	byToken map[string]string
	counts  map[pii.Type]int
	n       int
}

func newMasking() *masking {
	return &masking{byValue: map[string]string{}, byToken: map[string]string{}, counts: map[pii.Type]int{}}
}

// mask returns text with the personal data det finds replaced by
// placeholders such as [EMAIL_1].
func (m *masking) mask(det *pii.Detector, text string) string {
	fs := det.Detect(text, maskedTypes)
	if len(fs) == 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for _, f := range fs {
		if f.ByteStart < last || f.ByteEnd > len(text) || f.ByteStart >= f.ByteEnd {
			continue
		}
		b.WriteString(text[last:f.ByteStart])
		b.WriteString(m.token(f.Type, text[f.ByteStart:f.ByteEnd]))
		last = f.ByteEnd
	}
	b.WriteString(text[last:])
	return b.String()
}

func (m *masking) token(t pii.Type, value string) string {
	if tok, ok := m.byValue[value]; ok {
		return tok
	}
	name := strings.ToUpper(string(t))
	if m.n >= maxPlaceholders {
		return "[" + name + "]"
	}
	m.n++
	m.counts[t]++
	tok := "[" + name + "_" + strconv.Itoa(m.counts[t]) + "]"
	m.byValue[value] = tok
	m.byToken[tok] = value
	return tok
}

// empty reports whether nothing was masked.
func (m *masking) empty() bool { return m == nil || len(m.byToken) == 0 }

// restore replaces every complete placeholder of this request in text by
// its value.
func (m *masking) restore(text string) string { return m.restoreAs(text, false) }

// restoreAs is restore; with asJSON each value is escaped as the content of
// a JSON string (a tool call's arguments are JSON, and a value with a quote
// or a backslash must not break them).
func (m *masking) restoreAs(text string, asJSON bool) string {
	if m.empty() || !strings.Contains(text, "[") {
		return text
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(text); {
		j := strings.IndexByte(text[i:], '[')
		if j < 0 {
			break
		}
		i += j
		end := strings.IndexByte(text[i:min(len(text), i+maxPlaceholder)], ']')
		if end < 0 {
			i++
			continue
		}
		if v, ok := m.byToken[text[i:i+end+1]]; ok {
			b.WriteString(text[last:i])
			if asJSON {
				q, _ := json.Marshal(v)
				b.Write(q[1 : len(q)-1])
			} else {
				b.WriteString(v)
			}
			last = i + end + 1
			i = last
			continue
		}
		i++
	}
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

// couldStart reports whether s (which holds no ']') is the beginning of one
// of this request's placeholders.
func (m *masking) couldStart(s string) bool {
	for tok := range m.byToken {
		if strings.HasPrefix(tok, s) {
			return true
		}
	}
	return false
}

// restorer restores placeholders in a text that arrives in pieces: a piece
// that ends inside what may be a placeholder keeps that tail until the next
// piece (or the end) says what it is.
type restorer struct {
	m    *masking
	json bool // restore values JSON-escaped (masking.restoreAs)
	held string
}

// write returns what of held+piece can be shown, restored.
func (r *restorer) write(piece string) string {
	text := r.held + piece
	r.held = ""
	if r.m.empty() {
		return text
	}
	if k := strings.LastIndexByte(text, '['); k >= 0 && len(text)-k < maxPlaceholder && !strings.Contains(text[k:], "]") && r.m.couldStart(text[k:]) {
		r.held = text[k:]
		text = text[:k]
	}
	return r.m.restoreAs(text, r.json)
}

// flush returns what is held: the stream ended.
func (r *restorer) flush() string {
	text := r.held
	r.held = ""
	return r.m.restoreAs(text, r.json)
}

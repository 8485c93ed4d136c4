package pii

import (
	"slices"
	"unicode/utf8"
)

// DefaultMinScore is the score below which a Detector drops a candidate
// unless told otherwise. Candidates below it are guesses that nothing in the
// text supports, such as a bare seven-digit number with no word like "phone"
// near it.
const DefaultMinScore = 0.5

// DefaultPhoneRegion is the region phone numbers without a country code
// are read in when nothing in the call or the text says otherwise (ISO
// 3166-1 alpha-2, as libphonenumber wants it).
const DefaultPhoneRegion = "US"

// MaxRegions bounds Hints.Regions: each region may cost a libphonenumber
// parse per candidate.
const MaxRegions = 10

// DefaultMaxPhoneLookups bounds how many libphonenumber parses one Detect
// call may make. A parse costs microseconds; a text made of nothing but
// digit groups would otherwise cost one per group. Past the budget, phone
// candidates are scored on their shape and context alone.
const DefaultMaxPhoneLookups = 512

// Detector finds personal data in text. It holds only its configuration, so
// one Detector may be shared by any number of goroutines.
type Detector struct {
	minScore        float64
	maxPhoneLookups int
}

// Option configures a Detector.
type Option func(*Detector)

// WithMinScore sets the score (0 to 1) below which candidates are dropped.
// Zero keeps every candidate, including the weak ones.
func WithMinScore(score float64) Option {
	return func(d *Detector) { d.minScore = score }
}

// WithMaxPhoneLookups sets how many libphonenumber parses one Detect call
// may make (see DefaultMaxPhoneLookups).
func WithMaxPhoneLookups(n int) Option {
	return func(d *Detector) { d.maxPhoneLookups = n }
}

// NewDetector returns a Detector with the given options applied over the
// defaults.
func NewDetector(opts ...Option) *Detector {
	d := &Detector{minScore: DefaultMinScore, maxPhoneLookups: DefaultMaxPhoneLookups}
	for _, o := range opts {
		o(d)
	}
	return d
}

// candidate is a match before overlaps are resolved; offsets are bytes.
type candidate struct {
	typ        Type
	start, end int
	score      float64
}

// Detect returns the personal data of the given types found in text (all
// types when types is empty), sorted by start and never overlapping.
//
// Overlapping candidates are resolved once, greedily: the higher score
// wins, then the longer span, then the earlier one. Only the wanted types
// take part, so asking for emails alone reports an email inside a URL that
// asking for everything would report as part of the URL. Whatever types are
// asked for, digits inside a card number, an SSN, an IBAN or an IP address
// are not looked at as phone numbers, and a phone candidate that overlaps
// a street address is dropped: house numbers and ZIP codes are not phone
// numbers.
func (d *Detector) Detect(text string, types []Type) []Finding {
	return d.DetectWith(text, types, Hints{})
}

// Hints tell a Detector what the text does not say itself. The zero value
// is no hint.
type Hints struct {
	// Language is the text's language as a BCP 47 tag ("de", "pt-BR"): its
	// region, or else the regions where the language is most spoken, are
	// where phone numbers without a country code are read first.
	Language string
	// Regions are ISO 3166-1 alpha-2 codes ("DE", "FR"), at most
	// MaxRegions, where phone numbers without a country code are read
	// before the language's and DefaultPhoneRegion. Unknown codes are
	// ignored; see ValidRegion.
	Regions []string
}

// DetectWith is Detect with hints about the text. Hints widen where phone
// numbers are looked up; every candidate is still validated.
func (d *Detector) DetectWith(text string, types []Type, h Hints) []Finding {
	report := allTypeSet
	if len(types) > 0 {
		report = 0
		for _, t := range types {
			report |= typeBit(t)
		}
	}
	want := report
	if want&bPhone != 0 {
		// Numbers that are something else are never phones, whatever types
		// were asked for: those shapes are looked for too, then dropped.
		want |= bAddress | bCreditCard | bSSN | bIBAN | bIPAddress
	}
	sc := scanner{s: text, want: want, regions: h.regions(), lookups: d.maxPhoneLookups}
	sc.run()
	if len(sc.cands) == 0 {
		return nil
	}
	return d.resolve(text, sc.cands, report)
}

// resolve drops weak candidates, vetoes phones inside addresses, keeps the
// types in report and picks non-overlapping winners.
func (d *Detector) resolve(text string, cands []candidate, report typeSet) []Finding {
	lo, hi := len(text), 0
	for _, c := range cands {
		lo, hi = min(lo, c.start), max(hi, c.end)
	}
	// Bitmaps over [lo, hi) keep both passes linear in the text covered, so
	// that a text made of thousands of candidates costs no more than its
	// length times the few candidates that cover each byte. Addresses veto
	// phones whatever their score.
	var addr span
	for _, c := range cands {
		if c.typ == Address {
			if addr.bits == nil {
				addr = newSpan(lo, hi)
			}
			addr.set(c.start, c.end)
		}
	}
	kept := cands[:0]
	for _, c := range cands {
		switch {
		case c.score < d.minScore || c.end <= c.start || typeBit(c.typ)&report == 0:
		case c.typ == Phone && addr.bits != nil && addr.any(c.start, c.end):
		default:
			kept = append(kept, c)
		}
	}
	cands = kept
	slices.SortFunc(cands, func(a, b candidate) int {
		switch {
		case a.score != b.score:
			if a.score > b.score {
				return -1
			}
			return 1
		case a.end-a.start != b.end-b.start:
			return (b.end - b.start) - (a.end - a.start)
		default:
			return a.start - b.start
		}
	})
	taken := newSpan(lo, hi)
	won := cands[:0]
	for _, c := range cands {
		if !taken.any(c.start, c.end) {
			taken.set(c.start, c.end)
			won = append(won, c)
		}
	}
	if len(won) == 0 {
		return nil
	}
	slices.SortFunc(won, func(a, b candidate) int { return a.start - b.start })
	out := make([]Finding, 0, len(won))
	pos, runes := 0, 0
	for _, c := range won {
		runes += utf8.RuneCountInString(text[pos:c.start])
		start := runes
		runes += utf8.RuneCountInString(text[c.start:c.end])
		pos = c.end
		out = append(out, Finding{Type: c.typ, Start: start, End: runes, Text: text[c.start:c.end], Score: round2(c.score), ByteStart: c.start, ByteEnd: c.end})
	}
	return out
}

// span is a bitmap of the bytes [off, off+64*len(bits)) of a text.
type span struct {
	off  int
	bits []uint64
}

func newSpan(lo, hi int) span { return span{off: lo, bits: make([]uint64, (hi-lo+63)/64)} }

func (s span) set(a, b int) {
	for i := a - s.off; i < b-s.off; i++ {
		s.bits[i>>6] |= 1 << (i & 63)
	}
}

func (s span) any(a, b int) bool {
	for i := a - s.off; i < b-s.off; i++ {
		if s.bits[i>>6]&(1<<(i&63)) != 0 {
			return true
		}
	}
	return false
}

// round2 keeps scores to two decimals so that sums of context boosts do not
// show as 0.9500000000000001 in JSON.
func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

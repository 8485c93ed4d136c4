package pii

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rampart-dev/rampart"
)

// Strategy says how Masker.Mask replaces a finding.
type Strategy string

// The masking strategies.
const (
	// StrategyMask hides most of the value but keeps what helps a reader:
	// the domain of an email, the last four digits of a card, phone or SSN,
	// the prefix of an API key. Other values become '*', one per character.
	StrategyMask Strategy = "mask"
	// StrategyRedact replaces the value with its type: <EMAIL>.
	StrategyRedact Strategy = "redact"
	// StrategyHash replaces the value with a keyed hash, so that the same
	// value gives the same token within a tenant and different tokens
	// across tenants: <EMAIL:0123456789abcdef>.
	StrategyHash Strategy = "hash"
	// StrategyEncrypt replaces the value with the caller's ciphertext of
	// it, which Unmask can turn back: <ENC:ciphertext>.
	StrategyEncrypt Strategy = "encrypt"
)

// ParseStrategy returns the Strategy named by s, and whether s names one.
func ParseStrategy(s string) (Strategy, bool) {
	switch st := Strategy(strings.ToLower(strings.TrimSpace(s))); st {
	case StrategyMask, StrategyRedact, StrategyHash, StrategyEncrypt:
		return st, true
	}
	return "", false
}

// hashTokenHex is how many hex digits of the HMAC a hash token keeps: 64
// bits, enough that two values of one tenant do not collide in practice,
// short enough to read.
const hashTokenHex = 16

// Masker replaces findings in a text. Its zero value can mask and redact.
type Masker struct {
	// HashKey is the tenant's key for StrategyHash (HMAC-SHA256). Tokens
	// made with different keys cannot be linked. Required for "hash".
	HashKey []byte
	// Encrypt returns the ciphertext of value, in URL-safe base64 (RFC
	// 4648 section 5, padding allowed), for StrategyEncrypt. Required for
	// "encrypt".
	Encrypt func(typ Type, value string) (string, error)
}

// Mask returns text with each finding replaced as its type's strategy says
// (perType, else strategy; an empty strategy means StrategyMask). Text
// outside the findings is copied unchanged, byte for byte.
//
// Findings are located by their byte offsets when every one has ByteEnd set
// (as Detect sets them), else by their code-point offsets (as JSON carries
// them).
// When a finding's Text is set it must equal the text at its offsets:
// offsets that do not fit the text are an error, never a guess.
//
// The findings returned carry offsets (both kinds) in the original text and
// have Text set to the replacement, so that they can be logged or sent back
// without carrying the values masked.
func (m Masker) Mask(text string, findings []Finding, strategy Strategy, perType map[Type]Strategy) (string, []Finding, error) {
	if strategy == "" {
		strategy = StrategyMask
	}
	fs, err := locate(text, findings)
	if err != nil {
		return "", nil, err
	}
	var mac hash.Hash
	var b strings.Builder
	b.Grow(len(text) + 16*len(fs))
	pos := 0
	for k := range fs {
		f := &fs[k]
		st := strategy
		if p, ok := perType[f.Type]; ok && p != "" {
			st = p
		}
		value := text[f.ByteStart:f.ByteEnd]
		var rep string
		switch st {
		case StrategyMask:
			rep = maskValue(f.Type, value)
		case StrategyRedact:
			rep = "<" + strings.ToUpper(string(f.Type)) + ">"
		case StrategyHash:
			if len(m.HashKey) == 0 {
				return "", nil, rampart.Errorf(rampart.EUnprocessable, "the hash strategy needs a hash key")
			}
			if mac == nil {
				mac = hmac.New(sha256.New, m.HashKey)
			}
			mac.Reset()
			mac.Write([]byte(f.Type))
			mac.Write([]byte{0})
			mac.Write([]byte(value))
			var sum [sha256.Size]byte
			rep = "<" + strings.ToUpper(string(f.Type)) + ":" + hex.EncodeToString(mac.Sum(sum[:0])[:hashTokenHex/2]) + ">"
		case StrategyEncrypt:
			if m.Encrypt == nil {
				return "", nil, rampart.Errorf(rampart.EUnprocessable, "the encrypt strategy needs an encryption function")
			}
			ct, err := m.Encrypt(f.Type, value)
			if err != nil {
				return "", nil, err
			}
			if !isCiphertext(ct) {
				return "", nil, rampart.Errorf(rampart.EInternal, "ciphertext is not URL-safe base64")
			}
			rep = encOpen + ct + encClose
		default:
			return "", nil, rampart.FieldError(rampart.EInvalid, "strategy", "unknown strategy %q", string(st))
		}
		b.WriteString(text[pos:f.ByteStart])
		b.WriteString(rep)
		pos = f.ByteEnd
		f.Text = rep
	}
	b.WriteString(text[pos:])
	return b.String(), fs, nil
}

// locate returns a sorted copy of findings with both kinds of offsets set
// and checked against text.
func locate(text string, findings []Finding) ([]Finding, error) {
	fs := slices.Clone(findings)
	useBytes := true
	for _, f := range fs {
		useBytes = useBytes && f.ByteEnd > 0
	}
	byBytes := func(Finding) bool { return useBytes }
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if useBytes {
			return a.ByteStart - b.ByteStart
		}
		return a.Start - b.Start
	})
	bad := func(format string, args ...any) error {
		return rampart.FieldError(rampart.EInvalid, "findings", format, args...)
	}
	// One walk over the text converts code points to bytes and back.
	pos, runes := 0, 0
	advance := func(toByte, toRune int) bool { // moves to a byte offset, or a rune offset when toByte < 0
		for (toByte >= 0 && pos < toByte) || (toByte < 0 && runes < toRune) {
			if pos >= len(text) {
				return false
			}
			_, size := utf8.DecodeRuneInString(text[pos:])
			pos += size
			runes++
		}
		return toByte < 0 || pos == toByte
	}
	for k := range fs {
		f := &fs[k]
		if byBytes(*f) {
			if f.ByteStart < pos || f.ByteEnd > len(text) || f.ByteStart >= f.ByteEnd {
				return nil, bad("finding %d has offsets that overlap another finding or fall outside the text", k)
			}
			if !advance(f.ByteStart, 0) {
				return nil, bad("finding %d does not start on a character boundary", k)
			}
			f.Start = runes
			if !advance(f.ByteEnd, 0) {
				return nil, bad("finding %d does not end on a character boundary", k)
			}
			f.End = runes
		} else {
			if f.Start < runes || f.Start >= f.End {
				return nil, bad("finding %d has offsets that overlap another finding or are empty", k)
			}
			if !advance(-1, f.Start) {
				return nil, bad("finding %d starts past the end of the text", k)
			}
			f.ByteStart = pos
			if !advance(-1, f.End) {
				return nil, bad("finding %d ends past the end of the text", k)
			}
			f.ByteEnd = pos
		}
		if f.Text != "" && f.Text != text[f.ByteStart:f.ByteEnd] {
			return nil, bad("finding %d does not match the text at its offsets", k)
		}
	}
	return fs, nil
}

// maskValue is StrategyMask for one value of type t.
func maskValue(t Type, v string) string {
	switch t {
	case Email:
		at := strings.LastIndexByte(v, '@')
		if at <= 0 {
			break
		}
		_, size := utf8.DecodeRuneInString(v)
		return v[:size] + "***" + v[at:]
	case CreditCard, Phone:
		return keepLastDigits(v, 4)
	case SSN:
		d := digitsOf(v)
		if len(d) >= 4 {
			return "***-**-" + d[len(d)-4:]
		}
	case APIKey, Secret:
		for k := range keyRules {
			if p := keyRules[k].prefix; strings.HasPrefix(v, p) {
				return p + stars(v[len(p):])
			}
		}
	}
	return stars(v)
}

// keepLastDigits replaces every digit but the last n with '*' and keeps the
// rest ("+1 (555) 123-4567" becomes "+* (***) ***-4567").
func keepLastDigits(v string, n int) string {
	total := 0
	for i := 0; i < len(v); i++ {
		if isDigit(v[i]) {
			total++
		}
	}
	b := []byte(v)
	seen := 0
	for i := range b {
		if isDigit(b[i]) {
			seen++
			if seen <= total-n {
				b[i] = '*'
			}
		}
	}
	return string(b)
}

func digitsOf(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if isDigit(v[i]) {
			b.WriteByte(v[i])
		}
	}
	return b.String()
}

// stars returns one '*' per character of v, keeping line breaks so that a
// masked multi-line value (an address, a private key) keeps its lines.
func stars(v string) string {
	var b strings.Builder
	b.Grow(len(v))
	for _, r := range v {
		if r == '\n' || r == '\r' {
			b.WriteRune(r)
		} else {
			b.WriteByte('*')
		}
	}
	return b.String()
}

// The markers around a ciphertext in masked text.
const (
	encOpen  = "<ENC:"
	encClose = ">"
)

// isCiphertext reports whether ct is non-empty URL-safe base64, so that the
// token it goes in ends at the first '>'.
func isCiphertext(ct string) bool {
	if ct == "" {
		return false
	}
	for i := 0; i < len(ct); i++ {
		if class[ct[i]]&cB64URL == 0 && ct[i] != '=' {
			return false
		}
	}
	return true
}

// Unmask replaces every <ENC:ciphertext> token in text with
// decrypt(ciphertext), reversing StrategyEncrypt. Text that only looks like
// a token (no closing '>', characters outside base64url) is left as it is.
// It fails closed: if any token does not decrypt, no text is returned.
func Unmask(text string, decrypt func(ciphertext string) (string, error)) (string, error) {
	if decrypt == nil {
		return "", rampart.Errorf(rampart.EUnprocessable, "unmasking needs a decryption function")
	}
	var b strings.Builder
	pos := 0
	for {
		k := strings.Index(text[pos:], encOpen)
		if k < 0 {
			break
		}
		start := pos + k
		j := start + len(encOpen)
		e := j
		for e < len(text) && (class[text[e]]&cB64URL != 0 || text[e] == '=') {
			e++
		}
		if e == j || e >= len(text) || text[e] != encClose[0] {
			b.WriteString(text[pos:j])
			pos = j
			continue
		}
		plain, err := decrypt(text[j:e])
		if err != nil {
			return "", err
		}
		b.WriteString(text[pos:start])
		b.WriteString(plain)
		pos = e + 1
	}
	if pos == 0 {
		return text, nil
	}
	b.WriteString(text[pos:])
	return b.String(), nil
}

package pii

import "strings"

// What a byte starts, in the single pass over the text. Most bytes of prose
// (lower-case letters inside words, spaces) start nothing and cost one table
// load.
const (
	tNone   = iota
	tLetter // a word start may be an IBAN, a URL, a key prefix, a JWT
	tDigit  // a number: card, SSN, IP, date, phone, street address
	tAt     // email
	tColon  // IPv6; "password: ..."
	tEquals // "password=..."
	tDash   // "-----BEGIN ... PRIVATE KEY-----"
	tPhone  // '+' or '(' before a phone number
)

var trigger = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-32] = tLetter, tLetter
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = tDigit
	}
	t['@'], t[':'], t['='], t['-'], t['+'], t['('] = tAt, tColon, tEquals, tDash, tPhone, tPhone
	return t
}()

// Character classes, as bit masks in one table.
const (
	cDigit  = 1 << iota
	cUpper  // A-Z
	cLower  // a-z
	cWord   // letters, digits, '_': a byte that glues a token to its neighbour
	cB64URL // base64url alphabet: A-Z a-z 0-9 - _
	cB64    // standard base64 alphabet without padding: A-Z a-z 0-9 + /
	cHex    // 0-9 a-f A-F
	cLocal  // email local part: letters, digits and . _ % + - '
	cURL    // characters that may appear inside a URL
)

var class = func() (t [256]uint16) {
	for c := 0; c < 256; c++ {
		var m uint16
		switch {
		case c >= '0' && c <= '9':
			m |= cDigit | cWord | cB64URL | cB64 | cHex | cLocal | cURL
		case c >= 'A' && c <= 'Z':
			m |= cUpper | cWord | cB64URL | cB64 | cLocal | cURL
			if c <= 'F' {
				m |= cHex
			}
		case c >= 'a' && c <= 'z':
			m |= cLower | cWord | cB64URL | cB64 | cLocal | cURL
			if c <= 'f' {
				m |= cHex
			}
		}
		switch c {
		case '_':
			m |= cWord | cB64URL | cLocal | cURL
		case '-':
			m |= cB64URL | cLocal | cURL
		case '+':
			m |= cB64 | cLocal | cURL
		case '/':
			m |= cB64 | cURL
		case '.', '%':
			m |= cLocal | cURL
		case '~', ':', '?', '#', '[', ']', '@', '!', '$', '&', '(', ')', '*', ',', ';', '=':
			m |= cURL
		}
		t[c] = m
	}
	return t
}()

func isDigit(c byte) bool  { return c-'0' < 10 }
func isLetter(c byte) bool { return class[c]&(cUpper|cLower) != 0 }
func isAlnum(c byte) bool  { return class[c]&(cUpper|cLower|cDigit) != 0 }
func isWord(c byte) bool   { return class[c]&cWord != 0 }
func lower(c byte) byte {
	if c-'A' < 26 {
		return c + 32
	}
	return c
}

// scanner is the state of one Detect call.
type scanner struct {
	s     string
	want  typeSet
	cands []candidate
	// regions are where phone numbers without a country code are read,
	// in order: the call's hints, then DefaultPhoneRegion.
	regions  []string
	lookups  int // libphonenumber parses left
	ipv6Done int // end of the last hex-and-colon run looked at
	// covered is the end of the last card, SSN, IBAN or IP address found:
	// phone numbers are not looked for inside them.
	covered int
	// runNext is where the next number starts if it continues the current
	// run of digit groups; runStarts counts the numbers started in the run.
	runNext, runStarts int
	// dobEnd is the end of the last date of birth found: a birth word
	// before it does not make a later date one too.
	dobEnd int
	// urlSkip and assignSkip end text already found too long to be a URL's
	// authority or a secret's value: starts inside it are not tried again.
	urlSkip, assignSkip int
}

// maxRunStarts is how many numbers one run of digit groups joined by single
// separators may start before the rest of the run is skipped. Sixteen is
// more than a card, a phone number and a date written one after another.
const maxRunStarts = 16

func (sc *scanner) add(t Type, start, end int, score float64) {
	score = min(score, 1) // context boosts may pass 1
	sc.cands = append(sc.cands, candidate{typ: t, start: start, end: end, score: score})
	if score >= 0.9 && (t == CreditCard || t == SSN || t == IBAN || t == IPAddress) {
		sc.covered = max(sc.covered, end)
	}
}

// run makes the single pass over the text.
func (sc *scanner) run() {
	s := sc.s
	for i := 0; i < len(s); i++ {
		switch trigger[s[i]] {
		case tNone:
		case tLetter:
			if i > 0 && isWord(s[i-1]) {
				continue
			}
			if end := sc.word(i); end > i {
				i = end - 1 // a URL is taken whole
				continue
			}
			// The rest of the word starts nothing.
			for i+1 < len(s) && class[s[i+1]]&cWord != 0 {
				i++
			}
		case tDigit:
			// Count the starts in one run of digit groups ("1 2 3 4 ..."):
			// each start reads a few groups ahead, so past maxRunStarts a
			// run of digit soup would cost more than a run of prose.
			inRun := i == sc.runNext
			if sc.numberStart(i) {
				if inRun {
					sc.runStarts++
				} else {
					sc.runStarts = 0
				}
				if sc.runStarts < maxRunStarts {
					sc.number(i)
				}
			} else if !inRun {
				sc.runStarts = 0
			}
			for i+1 < len(s) && isDigit(s[i+1]) {
				i++
			}
			sc.runNext = i + 2 // past one separator
		case tAt:
			if sc.want&bEmail != 0 {
				sc.email(i)
			}
		case tColon:
			if sc.want&bIPAddress != 0 {
				sc.ipv6(i)
			}
			if sc.want&(bSecret|bAPIKey) != 0 {
				sc.assignment(i)
			}
		case tEquals:
			if sc.want&(bSecret|bAPIKey) != 0 {
				sc.assignment(i)
			}
		case tDash:
			if sc.want&bPrivateKey != 0 && strings.HasPrefix(s[i:], "-----BEGIN ") {
				if end := sc.privateKey(i); end > i {
					i = end - 1 // the key's body starts nothing else
				}
			}
		case tPhone:
			if sc.want&bPhone != 0 && i+1 < len(s) && isDigit(s[i+1]) && (i == 0 || !isWord(s[i-1])) {
				sc.phone(i)
			}
		}
	}
}

// word looks at a word that starts at i for the shapes that begin with a
// letter. It returns the end of a URL found there, which the scan skips,
// or i.
func (sc *scanner) word(i int) int {
	s := sc.s
	if sc.want&bIBAN != 0 && i+4 < len(s) && isLetter(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
		sc.iban(i)
	}
	if i+3 >= len(s) {
		return i
	}
	// The second byte rules out most words before any real work: "the",
	// "and", "so" never start a key or a URL.
	c1 := s[i+1]
	switch s[i] {
	case 'h', 'H':
		if c1|0x20 == 't' && sc.want&bURL != 0 {
			return sc.url(i)
		}
	case 'w', 'W':
		if c1|0x20 == 'w' && sc.want&bURL != 0 {
			return sc.url(i)
		}
	case 'e':
		if c1 == 'y' && s[i+2] == 'J' && sc.want&bJWT != 0 {
			sc.jwt(i)
		}
	case 'a', 'A', 'g', 'r', 's', 'x', 'S':
		if keySecond[c1]&keyFirst[s[i]] != 0 && sc.want&(bAPIKey|bSecret) != 0 {
			sc.key(i)
		}
	}
	return i
}

// keyFirst and keySecond hold, for the first and second byte of every key
// prefix (and of "aws_secret"), a bit per first byte, so that one AND tells
// whether a word can start a key.
var keyFirst, keySecond = func() (f, s [256]uint8) {
	prefixes := []string{"aws_secret", "AWS_SECRET", "Aws_secret"}
	for _, r := range keyRules {
		prefixes = append(prefixes, r.prefix)
	}
	bits := map[byte]uint8{}
	for _, p := range prefixes {
		if _, ok := bits[p[0]]; !ok {
			bits[p[0]] = 1 << (len(bits) % 8)
		}
		f[p[0]] |= bits[p[0]]
		s[p[1]] |= bits[p[0]]
	}
	return f, s
}()

// numberStart reports whether the digit at i starts a number rather than
// continuing one: "1.2.3.4.5" and "10:30" start only once.
func (sc *scanner) numberStart(i int) bool {
	if i == 0 {
		return true
	}
	p := sc.s[i-1]
	if isWord(p) {
		return false
	}
	switch p {
	case '.', '-', '/', ':':
		return i < 2 || !isAlnum(sc.s[i-2])
	case ',':
		return i < 2 || !isDigit(sc.s[i-2]) // "1,250"; "a,555-0100" in a CSV row starts one
	}
	return true
}

// number runs the digit-led shapes at i.
func (sc *scanner) number(i int) {
	if sc.want&bCreditCard != 0 {
		sc.card(i)
	}
	if sc.want&bSSN != 0 {
		sc.ssn(i)
	}
	if sc.want&bIPAddress != 0 {
		sc.ipv4(i)
	}
	if sc.want&bDateOfBirth != 0 {
		sc.date(i)
	}
	if sc.want&bAddress != 0 {
		sc.address(i)
	}
	if sc.want&bPhone != 0 && i >= sc.covered && (i == 0 || sc.s[i-1] != '+') {
		sc.phone(i) // after '+', the phone was read from the '+'
	}
}

// wordList is a set of lower-case words, looked up with ASCII letters in
// any case, each with a value (the regions a phone cue points to, say).
type wordList struct {
	m      map[string]string
	maxLen int
	// compounds makes an entry of minCompoundStem bytes or more match the
	// words it starts too, as German and Dutch build them:
	// "trackingnummer", "sendungsnummer".
	compounds bool
}

const minCompoundStem = 6

func newWordList(words ...string) *wordList {
	m := make(map[string]string, len(words))
	for _, w := range words {
		m[w] = ""
	}
	return newCueList(m)
}

// newCueList returns a wordList of the keys of m, with their values.
func newCueList(m map[string]string) *wordList {
	w := &wordList{m: make(map[string]string, len(m))}
	for s, v := range m {
		if len(s) > maxListWord {
			panic("pii: word list entry too long: " + s)
		}
		w.m[s] = v
		w.maxLen = max(w.maxLen, len(s))
	}
	return w
}

const maxListWord = 24

// has reports whether word (ASCII letters in any case) is in the list.
func (w *wordList) has(word string) bool {
	_, ok := w.get(word)
	return ok
}

// get returns the value of word (ASCII letters in any case) and whether
// it is in the list.
func (w *wordList) get(word string) (string, bool) {
	if len(word) == 0 || len(word) > w.maxLen && !w.compounds || len(word) > maxListWord {
		return "", false
	}
	var buf [maxListWord]byte
	for i := 0; i < len(word); i++ {
		buf[i] = lower(word[i])
	}
	v, ok := w.m[string(buf[:len(word)])]
	if !ok && w.compounds {
		for n := minCompoundStem; n < len(word) && n <= w.maxLen; n++ {
			if v, ok = w.m[string(buf[:n])]; ok {
				break
			}
		}
	}
	return v, ok
}

// foldEq reports whether s equals the lower-case ASCII word w in any case.
func foldEq(s, w string) bool {
	if len(s) != len(w) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if lower(s[i]) != w[i] {
			return false
		}
	}
	return true
}

// contextBefore reports whether one of words occurs among the words in the
// window bytes before i.
func (sc *scanner) contextBefore(i, window int, words *wordList) bool {
	return sc.contextWord(i, window, words) != ""
}

// contextWord returns the nearest of words among the words in the window
// bytes before i, or "". A word is a run of letters; bytes of multi-byte
// characters count as letters, so that "téléphone" and "geboren" are
// words alike (only ASCII letters fold case).
func (sc *scanner) contextWord(i, window int, words *wordList) string {
	w, _ := sc.contextWordAt(i, window, words)
	return w
}

// contextWordAt is contextWord that also returns where the word starts
// (-1 when none is found).
func (sc *scanner) contextWordAt(i, window int, words *wordList) (string, int) {
	s := sc.s
	lo := max(0, i-window)
	j := i
	for j > lo {
		for j > lo && (!wordByte(s[j-1]) || cjkPunctEnds(s, j)) {
			j--
		}
		e := j
		for j > lo && wordByte(s[j-1]) && !cjkPunctEnds(s, j) {
			j--
		}
		if j == lo && j > 0 && wordByte(s[j-1]) {
			break // a word cut by the window
		}
		if e > j && words.has(s[j:e]) {
			return s[j:e], j
		}
	}
	return "", -1
}

// joinedBefore reports whether the number at i continues a longer number or
// identifier: a token holding a digit ends one separator before it, as in
// "7380 0998 4842 ...", "1Z 582 J7I 22 8479 ..." or "DE89 3704 0044 ...".
// A part of a longer number is not a card, an SSN or a phone number.
func (sc *scanner) joinedBefore(i int) bool {
	s := sc.s
	if i < 2 {
		return false
	}
	switch s[i-1] {
	case ' ', '-', '.', '/':
	default:
		return false
	}
	digit := false
	j := i - 1
	for j > 0 && isAlnum(s[j-1]) && i-j < 40 {
		digit = digit || isDigit(s[j-1])
		j--
	}
	// Upper-case codes joined by spaces are one identifier when one of them
	// holds a digit: "1Z 80T EYB 30 2941 5503".
	if digit || !upperToken(s[j:i-1]) {
		return digit
	}
	for n := 0; n < 4 && j > 1 && s[j-1] == ' ' && isUpperAlnum(s[j-2]); n++ {
		k := j - 1
		for k > 0 && isUpperAlnum(s[k-1]) && j-k < 12 {
			k--
		}
		if k > 0 && isAlnum(s[k-1]) {
			return false // a word with lower-case letters
		}
		if countDigits(s[k:j-1]) > 0 {
			return true
		}
		j = k
	}
	return false
}

func isUpperAlnum(c byte) bool { return class[c]&(cUpper|cDigit) != 0 }

// upperToken reports whether t is upper-case letters and digits only.
func upperToken(t string) bool {
	for k := 0; k < len(t); k++ {
		if !isUpperAlnum(t[k]) {
			return false
		}
	}
	return t != ""
}

// joinedAfter reports whether a digit group follows the number that ends
// at e, one separator away: the number goes on.
func (sc *scanner) joinedAfter(e int) bool {
	s := sc.s
	if e+1 >= len(s) || !isDigit(s[e+1]) {
		return false
	}
	switch s[e] {
	case ' ', '-', '.', '/':
		return true
	}
	return false
}

// cjkPunctEnds reports whether s[:j] ends inside a three-byte CJK or
// full-width punctuation mark ("：", "。", "、", "「"): in text without
// spaces these, not spaces, end words ("電話番号：03-...").
func cjkPunctEnds(s string, j int) bool {
	if s[j-1] < 0x80 {
		return false
	}
	// The mark that holds byte j-1 starts at one of the three bytes before j.
	for k := max(0, j-3); k < j && k+2 < len(s); k++ {
		a, b, c := s[k], s[k+1], s[k+2]
		// U+3000-U+303F, and U+FF00-U+FF5F (full-width ASCII forms).
		if a == 0xE3 && b == 0x80 || a == 0xEF && (b == 0xBC || b == 0xBD && c < 0xA0) {
			return true
		}
	}
	return false
}

// wordByte reports whether c belongs to a word for contextWord: an ASCII
// letter or a byte of a multi-byte character.
func wordByte(c byte) bool { return isLetter(c) || c >= 0x80 }

// contextAfter reports whether the first word after i (past spaces,
// dashes, commas and backslashes, as in "555-0100-Office") is one of words.
func (sc *scanner) contextAfter(i int, words *wordList) bool {
	s := sc.s
	j := i
	for j < len(s) && j-i < 3 && (s[j] == ' ' || s[j] == '-' || s[j] == ',' || s[j] == '\\' || s[j] == '\t') {
		j++
	}
	e := j
	for e < len(s) && isLetter(s[e]) {
		e++
	}
	return e > j && words.has(s[j:e])
}

// prevWord returns the letters-only word that ends before i after at most
// one space (and an optional '.' or ','), or "".
func (sc *scanner) prevWord(i int) (word string, start int) {
	s := sc.s
	j := i
	if j > 0 && s[j-1] == ' ' {
		j--
	}
	if j > 0 && (s[j-1] == '.' || s[j-1] == ',') {
		j--
	}
	e := j
	for j > 0 && isLetter(s[j-1]) && e-j < 16 {
		j--
	}
	if e == j || (j > 0 && isWord(s[j-1])) {
		return "", i
	}
	return s[j:e], j
}

// wordBefore reports whether the word w that starts at wp is the word right
// before the one at p (one space apart): "loyalty card".
func (sc *scanner) wordBefore(p, wp int, w string) bool {
	return p >= 0 && wp >= 0 && wp+len(w)+1 == p
}

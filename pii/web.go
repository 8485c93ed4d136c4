package pii

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits from RFC 5321 section 4.5.3.1 and RFC 1035 section 2.3.4.
const (
	maxLocalPart = 64
	maxDomain    = 253
	maxLabel     = 63
	// maxAuthority bounds user, password, host and port together.
	maxAuthority = 512
	// maxURL bounds a URL; a longer one is cut there, and what follows is
	// scanned as text.
	maxURL = 8192
)

// email finds local@domain.tld around the '@' at i. The local part is the
// dot-atom of RFC 5322 without its rarer symbols; the domain needs at least
// two labels and an alphabetic top-level label.
func (sc *scanner) email(at int) {
	s := sc.s
	a := at
	for a > 0 && at-a <= maxLocalPart {
		if class[s[a-1]]&cLocal != 0 {
			a--
			continue
		}
		// Accented Latin letters ("émile@") belong to the address (RFC
		// 6531); other scripts, written without spaces, would pull in the
		// sentence before it.
		r, size := utf8.DecodeLastRuneInString(s[:a])
		if r < 0xC0 || r > 0x24F || !unicode.IsLetter(r) {
			break
		}
		a -= size
	}
	if at-a > maxLocalPart {
		return
	}
	for a < at && (s[a] == '.' || s[a] == '-' || s[a] == '+') {
		a++ // a sentence's full stop or a dash before the address
	}
	if a == at || s[at-1] == '.' || strings.Contains(s[a:at], "..") {
		return
	}
	end := domainEnd(s, at+1)
	if end == 0 || end < len(s) && (s[end] == '@' || s[end] == '-') {
		return
	}
	sc.add(Email, a, end, 0.95)
}

// domainEnd returns the end of a domain name of two or more labels starting
// at i whose last label is alphabetic ("example.co.uk"), or 0.
func domainEnd(s string, i int) int {
	j, labels, end := i, 0, 0
	for j < len(s) && j-i <= maxDomain {
		k := j
		for k < len(s) && (isAlnum(s[k]) || s[k] == '-') && k-j <= maxLabel {
			k++
		}
		if k == j || k-j > maxLabel || s[j] == '-' || s[k-1] == '-' {
			break
		}
		labels++
		if labels >= 2 && tld(s[j:k]) {
			end = k
		}
		if k+1 >= len(s) || s[k] != '.' || !isAlnum(s[k+1]) {
			break
		}
		j = k + 1
	}
	if end == 0 || end-i > maxDomain || end < len(s) && isWord(s[end]) {
		return 0
	}
	return end
}

// tld reports whether label can be a top-level domain: two or more letters,
// or an IDN's "xn--" form.
func tld(label string) bool {
	if strings.HasPrefix(label, "xn--") && len(label) > 4 {
		return true
	}
	if len(label) < 2 {
		return false
	}
	for i := 0; i < len(label); i++ {
		if !isLetter(label[i]) {
			return false
		}
	}
	return true
}

// url finds http:// and https:// URLs, and www. names, at the word start i.
// The host must be a domain name, an IP address or "localhost"; trailing
// punctuation that more likely ends the sentence is left out. It returns
// the end of the URL, or i: the scan goes on after the URL, so that what
// the URL holds (an email, a token in its query) is masked with it.
func (sc *scanner) url(i int) int {
	s := sc.s
	if i < sc.urlSkip {
		return i
	}
	var j int
	score := 0.95
	switch {
	case hasPrefixFold(s[i:], "https://"):
		j = i + 8
	case hasPrefixFold(s[i:], "http://"):
		j = i + 7
	case hasPrefixFold(s[i:], "www.") && i+4 < len(s) && isAlnum(s[i+4]):
		j, score = i, 0.9
	default:
		return i
	}
	// Authority: [userinfo@]host[:port].
	k := j
	for k < len(s) && k-j <= maxAuthority && class[s[k]]&cURL != 0 && s[k] != '/' && s[k] != '?' && s[k] != '#' {
		k++
	}
	if k-j > maxAuthority {
		for k < len(s) && class[s[k]]&cURL != 0 && s[k] != '/' && s[k] != '?' && s[k] != '#' {
			k++
		}
		sc.urlSkip = k
		return i
	}
	host := s[j:k]
	if at := strings.LastIndexByte(host, '@'); at >= 0 {
		host = host[at+1:]
	}
	if strings.HasPrefix(host, "[") {
		c := strings.IndexByte(host, ']')
		if c < 0 {
			return i
		}
		if a, err := netip.ParseAddr(host[1:c]); err != nil || !a.Is6() {
			return i
		}
	} else {
		if c := strings.LastIndexByte(host, ':'); c >= 0 {
			host = host[:c]
		}
		host = strings.TrimRight(host, ".,;:!?)*'\"")
		if !validHost(host) {
			return i
		}
	}
	end := k
	for end < len(s) && end-i < maxURL && class[s[end]]&cURL != 0 {
		end++
	}
	end = trimURL(s, j, end)
	if end <= j {
		return i
	}
	sc.add(URL, i, end, score)
	return end
}

func validHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	if a, err := netip.ParseAddr(h); err == nil && a.Is4() {
		return true
	}
	return domainEnd(h, 0) == len(h)
}

// trimURL drops punctuation that ends a sentence rather than the URL, and
// closing brackets that the URL did not open.
func trimURL(s string, start, end int) int {
	for end > start {
		switch s[end-1] {
		case '.', ',', ';', ':', '!', '?', '\'', '"', '*':
			end--
			continue
		case ')', ']':
			open, closing := byte('('), s[end-1]
			if closing == ']' {
				open = '['
			}
			if strings.Count(s[start:end], string(open)) < strings.Count(s[start:end], string(closing)) {
				end--
				continue
			}
		}
		break
	}
	return end
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// ipv6 finds IPv6 addresses around the ':' at i: the whole run of hex
// digits, colons and dots, checked by net/netip. Compressed forms with
// few groups ("a::b" and "1::2" in code) score low.
func (sc *scanner) ipv6(i int) {
	if i < sc.ipv6Done {
		return
	}
	s := sc.s
	a := i
	for a > 0 && i-a < 46 && (class[s[a-1]]&cHex != 0 || s[a-1] == ':') {
		a--
	}
	b := i
	for b < len(s) && b-a < 46 && (class[s[b]]&cHex != 0 || s[b] == ':' || s[b] == '.') {
		b++
	}
	if b-a >= 46 {
		// No IPv6 address is this long: skip the whole run.
		for b < len(s) && (class[s[b]]&cHex != 0 || s[b] == ':' || s[b] == '.') {
			b++
		}
		sc.ipv6Done = b
		return
	}
	sc.ipv6Done = b
	for b > i && s[b-1] == '.' {
		b--
	}
	if a > 0 && (isWord(s[a-1]) || s[a-1] == '.') || b < len(s) && isWord(s[b]) {
		return
	}
	run := s[a:b]
	colons := strings.Count(run, ":")
	if colons < 2 || colons < 7 && !strings.Contains(run, "::") {
		return
	}
	addr, err := netip.ParseAddr(run)
	if err != nil || !addr.Is6() {
		return
	}
	groups, long := 0, false
	for g := range strings.SplitSeq(run, ":") {
		if g != "" {
			groups++
			long = long || len(g) >= 3
		}
	}
	score := 0.95
	switch {
	case groups == 2 && long: // fe80::1
		score = 0.7
	case groups < 3:
		score = 0.4
	}
	sc.add(IPAddress, a, b, score)
}

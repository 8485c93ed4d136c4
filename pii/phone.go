package pii

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Words that, shortly before a number (or right after it, as in "555 0100
// office"), say it is a phone number; and words that say it is something
// else.
var (
	phoneWords = newWordList("phone", "phones", "telephone", "tel", "tlf", "mobile", "mob", "cell", "cellphone",
		"fax", "desk", "office", "call", "calls", "called", "calling", "text", "texts", "sms", "whatsapp",
		"contact", "dial", "reach", "ring", "answering", "messages", "message", "landline", "hotline", "telefon", "telefono")
	phoneAfterWords = newWordList("office", "fax", "mobile", "cell", "home", "work", "phone", "tel", "desk", "direct", "landline")
	notPhoneWords   = newWordList("card", "account", "acct", "iban", "license", "licence", "ssn", "order", "invoice",
		"zip", "postal", "postcode", "passport", "id", "ref", "reference", "tracking", "serial", "routing", "member",
		"policy", "customer", "transaction", "ticket", "isbn", "version", "po", "box")
)

// phoneGroups is a run of digit groups that may be a phone number:
// "+41 (0)96 471 07 95", "(579)888-3058", "0490 75 40 81".
type phoneGroups struct {
	n      int
	plus   bool
	lead   byte     // the first digit
	end    [12]int  // byte end of each group (after ')' for a group in parentheses)
	digits [12]int  // digits in each group
	total  [12]int  // digits up to and including each group
	sep    [12]byte // separator before each group: ' ', '-', '.', or 0
	paren  [12]bool
}

func readPhone(s string, i int, p *phoneGroups) {
	*p = phoneGroups{}
	j := i
	if s[j] == '+' {
		p.plus = true
		j++
	}
	for p.n < len(p.end) {
		var sep byte
		k := j
		if p.n > 0 {
			switch {
			case k < len(s) && (s[k] == ' ' || s[k] == '-' || s[k] == '.'):
				sep = s[k]
				k++
			case p.paren[p.n-1]:
				// "(579)888-3058": no separator after a closing parenthesis.
			default:
				return
			}
		}
		// Parentheses hold the area code: first, or after the country code.
		paren := k < len(s) && s[k] == '(' && (p.n == 0 || p.n == 1 && p.plus)
		if paren {
			k++
		}
		d := k
		for d < len(s) && isDigit(s[d]) && d-k < 13 {
			d++
		}
		if d == k || d < len(s) && isDigit(s[d]) {
			return
		}
		if paren {
			// An area code in parentheses has two to five digits; a lone
			// "(0)" is the trunk prefix after a country code.
			if d >= len(s) || s[d] != ')' || d-k > 5 || d-k == 1 && (s[k] != '0' || !p.plus) {
				return
			}
			d++
		}
		prev := 0
		if p.n > 0 {
			prev = p.total[p.n-1]
		}
		nd := countDigits(s[k:d])
		if p.n == 0 {
			p.lead = s[k]
		}
		p.end[p.n], p.digits[p.n], p.total[p.n], p.sep[p.n], p.paren[p.n] = d, nd, prev+nd, sep, paren
		p.n++
		j = d
	}
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	return n
}

// phoneExtension returns the end of an extension ("x459", " ext. 12") at
// i, or i.
func phoneExtension(s string, i int) int {
	j := i
	if j < len(s) && s[j] == ' ' {
		j++
	}
	switch {
	case j < len(s) && (s[j] == 'x' || s[j] == 'X' || s[j] == '#'):
		j++
	case len(s)-j >= 3 && strings.EqualFold(s[j:j+3], "ext"):
		j += 3
		if j < len(s) && s[j] == '.' {
			j++
		}
		if j < len(s) && s[j] == ' ' {
			j++
		}
	default:
		return i
	}
	k := j
	for k < len(s) && isDigit(s[k]) && k-j < 7 {
		k++
	}
	if k == j || k-j > 6 || !endsNumber(s, k) {
		return i
	}
	return k
}

// phone finds phone numbers at i. A number is taken when libphonenumber
// says it is valid (in the Detector's region, or in any region when it
// starts with + or 00), or when its shape is a phone's and a word like
// "phone", "call" or "fax" is next to it. Shapes that belong to something
// else are never phones: 123-45-6789 (SSN), 1990-02-28 (date), 1.2.3.4
// (IP address), 94043-1234 and "CA 94043" (ZIP codes).
func (sc *scanner) phone(i int) {
	s := sc.s
	var p phoneGroups
	readPhone(s, i, &p)
	if p.n == 0 || p.total[p.n-1] < 7 {
		return
	}
	if !p.plus && s[i] != '(' && p.digits[0] == 5 && sc.afterStateCode(i) {
		return
	}
	ctx := sc.contextBefore(i, 40, phoneWords)
	best, bestEnd := 0.0, 0
	// Longest first, so that "+1-903-140-4508" is not cut at "+1-903-140".
	for n := p.n; n >= 1; n-- {
		total := p.total[n-1]
		if total < 7 {
			break
		}
		if total > 15 || !plausiblePhone(&p, n) {
			continue
		}
		end := p.end[n-1]
		if n == p.n {
			end = phoneExtension(s, end)
			if !endsNumber(s, end) {
				continue
			}
		} else if s[end] != ' ' {
			continue // only a list of numbers may be cut between groups
		}
		valid := sc.phoneValid(s[i:p.end[n-1]], p.plus, total)
		near := ctx || sc.contextAfter(end, phoneAfterWords)
		var score float64
		switch {
		case valid && (n > 1 || p.plus):
			score = 0.85
			if near {
				score = 0.97
			}
		case valid:
			score = 0.6 // ten bare digits are as often an order number
			if near {
				score = 0.9
			}
		case near:
			score = 0.7
		default:
			score = 0.3
		}
		if !near && sc.contextBefore(i, 32, notPhoneWords) {
			score = min(score, 0.4)
		}
		if score > best {
			best, bestEnd = score, end
		}
		if score >= 0.85 {
			break
		}
	}
	if bestEnd > 0 {
		sc.add(Phone, i, bestEnd, best)
	}
}

// plausiblePhone reports whether the first n groups of p have a phone's
// shape, and not the shape of an SSN, a date, an IP address or a ZIP+4.
func plausiblePhone(p *phoneGroups, n int) bool {
	d := p.digits[:n]
	same := true
	for k := 2; k < n; k++ {
		if p.sep[k] != p.sep[1] {
			same = false
		}
	}
	anyParen := false
	for k := 0; k < n; k++ {
		if p.paren[k] {
			anyParen = true
		}
		// Lone digits inside a number are not a phone's grouping, except a
		// country code after "+", the "1" of +1 / 1-800 and a "(0)".
		if d[k] == 1 && !(k == 0 && (p.plus || p.lead == '1')) && !p.paren[k] && !(k > 0 && p.paren[k-1]) {
			return false
		}
		if k > 0 && p.sep[k] == 0 && !p.paren[k-1] {
			return false
		}
	}
	if n == 1 && d[0] > 12 {
		return false
	}
	if n >= 3 && !p.plus && !anyParen && p.sep[1] == p.sep[2] && p.sep[1] != ' ' && (d[0] == 4 && d[1] <= 2 && d[2] <= 2 || d[0] <= 2 && d[1] <= 2 && d[2] == 4) {
		return false // 1990-02-28, 28.02.1990, also when a time follows
	}
	if p.plus || anyParen || !same {
		return true
	}
	sep := p.sep[1]
	switch {
	case n == 3 && d[0] == 3 && d[1] == 2 && d[2] == 4 && sep != '.':
		return false // 123-45-6789
	case n == 4 && sep == '.' && d[0] <= 3 && d[1] <= 3 && d[2] <= 3 && d[3] <= 3:
		return false // 10.1.2.3
	case n == 2 && d[0] == 5 && d[1] == 4 && sep == '-':
		return false // 94043-1234
	}
	return true
}

// afterStateCode reports whether a two-letter US state code and a space
// come right before i, as before a ZIP code.
func (sc *scanner) afterStateCode(i int) bool {
	s := sc.s
	return i >= 3 && s[i-1] == ' ' && isStateCode(s[i-3], s[i-2]) && (i == 3 || !isWord(s[i-4]))
}

// phoneValid asks libphonenumber whether num is a valid number, within the
// call's lookup budget. Numbers without a country code are read in the
// Detector's region; "00" starts an international number as "+" does.
//
// Parse runs a dozen regular expressions; for the common case of a North
// American number in a North American region the number is built directly
// and only validated, which costs a third as much, after the North American
// Numbering Plan has ruled out what it can for free.
func (sc *scanner) phoneValid(num string, plus bool, digits int) bool {
	if !plus && digits < 10 || sc.lookups <= 0 {
		return false
	}
	if !plus && strings.HasPrefix(num, "00") {
		num = "+" + num[2:]
		plus = true
	}
	if !plus && sc.nanp() {
		var nat uint64
		var d [11]byte
		n := 0
		for i := 0; i < len(num) && n < len(d); i++ {
			if isDigit(num[i]) {
				d[n] = num[i]
				n++
			}
		}
		if n == 11 && d[0] == '1' {
			copy(d[:], d[1:])
			n = 10
		}
		// NXX-NXX-XXXX: area code and exchange start with 2-9.
		if n != 10 || d[0] < '2' || d[3] < '2' {
			return false
		}
		for _, c := range d[:10] {
			nat = nat*10 + uint64(c-'0')
		}
		sc.lookups--
		cc := int32(1)
		return phonenumbers.IsValidNumber(&phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &nat})
	}
	sc.lookups--
	pn, err := phonenumbers.Parse(num, sc.region)
	return err == nil && phonenumbers.IsValidNumber(pn)
}

// nanp reports whether the Detector's region dials country code 1.
func (sc *scanner) nanp() bool {
	if sc.nanpRegion == 0 {
		sc.nanpRegion = 2
		if phonenumbers.GetCountryCodeForRegion(sc.region) == 1 {
			sc.nanpRegion = 1
		}
	}
	return sc.nanpRegion == 1
}

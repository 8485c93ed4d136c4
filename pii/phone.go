package pii

import (
	"slices"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Words that, shortly before a number (or right after it, as in "555 0100
// office"), say it is a phone number, with the regions (ISO 3166-1 alpha-2,
// space-separated) whose national numbers the word suggests; and words that
// say it is something else.
var (
	phoneWords = newCueList(map[string]string{
		"phone": "", "phones": "", "telephone": "", "tel": "", "tlf": "", "mobile": "", "mob": "", "cell": "", "cellphone": "",
		"fax": "", "desk": "", "office": "", "call": "", "calls": "", "called": "", "calling": "", "text": "", "texts": "", "sms": "",
		"whatsapp": "", "contact": "", "dial": "", "reach": "", "ring": "", "answering": "", "messages": "", "message": "",
		"landline": "", "hotline": "",
		"telefon": "DE AT CH PL SE TR", "telefonnummer": "DE AT CH", "rufnummer": "DE AT CH", "handy": "DE AT CH", "handynummer": "DE AT CH",
		"mobil": "DE AT CH SE", "mobilnummer": "DE AT CH", "festnetz": "DE AT CH", "anrufen": "DE AT CH", "erreichbar": "DE AT CH", "ruf": "DE AT CH", "anruf": "DE AT CH", "erreichen": "DE AT CH",
		"téléphone": "FR BE CH", "tél": "FR BE CH", "portable": "FR BE CH", "joindre": "FR BE CH", "appelez": "FR BE CH",
		"appeler": "FR BE CH", "appelle": "FR BE CH", "fixe": "FR BE CH",
		"teléfono": "ES MX", "móvil": "ES", "movil": "ES", "llámame": "ES MX", "llámanos": "ES MX", "llamar": "ES MX", "llame": "ES MX",
		"telefone": "BR PT", "celular": "BR PT MX", "telemóvel": "PT", "ligar": "BR PT", "ligue": "BR PT", "liga": "BR PT",
		"telefono": "IT ES", "cellulare": "IT", "chiamare": "IT", "chiamami": "IT", "chiamaci": "IT",
		"telefoon": "NL BE", "telefoonnummer": "NL BE", "mobiel": "NL BE", "bel": "NL BE", "bellen": "NL BE", "gsm": "BE NL",
		"telefonu": "PL", "komórka": "PL", "komórkowy": "PL", "dzwonić": "PL", "zadzwoń": "PL",
		"ringa": "SE", "telefonnr": "SE DK NO",
		"arayın": "TR", "arayabilirsiniz": "TR", "numaradan": "TR",
		"телефон": "RU", "тел": "RU", "мобильный": "RU", "моб": "RU", "звоните": "RU", "позвоните": "RU",
		"電話": "JP", "電話番号": "JP", "携帯": "JP", "携帯電話": "JP", "連絡先": "JP", "电话": "CN", "手机": "CN", "联系电话": "CN",
		"手機": "TW HK", "電話號碼": "TW HK", "전화": "KR", "전화번호": "KR", "휴대폰": "KR",
		"الهاتف": "SA AE EG", "هاتف": "SA AE EG", "الجوال": "SA AE", "جوال": "SA AE", "الموبايل": "EG",
	})
	// numberWords say "number" in a language, and so where a number is
	// from, but not that it is a phone's.
	numberWords = newCueList(map[string]string{
		"nummer": "DE AT CH NL BE", "numéro": "FR BE CH", "número": "ES BR PT MX", "numero": "IT FR",
	})
	phoneAfterWords = newWordList("office", "fax", "mobile", "cell", "home", "work", "phone", "tel", "desk", "direct", "landline")
	notPhoneWords   = compounds(newWordList("card", "account", "acct", "iban", "license", "licence", "ssn", "order", "invoice",
		"zip", "postal", "postcode", "passport", "id", "ref", "reference", "tracking", "serial", "routing", "member",
		"policy", "customer", "transaction", "ticket", "isbn", "version", "po", "box",
		"gtin", "imei", "iccid", "npi", "sin", "cep", "plz", "fatura", "faktura", "fakturanummer", "nota", "registo", "factuurnummer",
		"bestellung", "bestellnummer", "sendungsnummer", "kundennummer", "rechnung", "referenz", "vorgangsnummer",
		"commande", "suivi", "facture", "référence", "pedido", "seguimiento", "factura", "rastreamento", "rastreio",
		"ordine", "fattura", "tracciamento", "bestelling", "factuur", "klantnummer", "ean", "sku", "protocolo", "pratica"))
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
			case k < len(s) && s[k] == '/' && p.n == 1 && !p.plus && p.lead == '0':
				// "030/44772466": a slash after a national area code.
				sep = s[k]
				k++
			case p.paren[p.n-1]:
				// "(579)888-3058": no separator after a closing parenthesis.
			default:
				return
			}
		}
		// Parentheses hold the area code: first, or after the country code.
		// "8 (495) 123-45-67", "0 (542) 577 70 24": or after a trunk prefix.
		paren := k < len(s) && s[k] == '(' && (p.n == 0 || p.n == 1 && (p.plus || p.digits[0] == 1 && (p.lead == '0' || p.lead == '8')))
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
	if p.n == 0 || p.n == len(p.end) || p.total[p.n-1] < 7 {
		return
	}
	if !p.plus && s[i] != '(' && p.digits[0] == 5 && sc.afterStateCode(i) {
		return
	}
	if s[i] != '+' && sc.joinedBefore(i) {
		return
	}
	if !p.plus && p.n >= 3 && p.digits[0] == 4 && p.digits[1] == 2 && (p.sep[1] == '-' || p.sep[1] == '/') && yearAt(s, i) {
		return // "2021-15-6215": a reference that starts with a year
	}
	cue, cueAt := sc.contextWordAt(i, 40, phoneWords)
	if cue != "" && digitRunBetween(s, cueAt+len(cue), i) {
		cue, cueAt = "", -1 // the cue was for the number between
	}
	regions, _ := phoneWords.get(cue)
	column := cue == "" && sc.columnIs(i, phoneWords)
	if nw, _ := sc.contextWordAt(i, 40, numberWords); nw != "" && regions == "" {
		regions, _ = numberWords.get(nw)
	}
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
		} else if s[end] != ' ' || !sc.runBreaks(p.end[n]) {
			// Cut between groups only before a group that is no number
			// ("18:00", "24h"): a phone is never part of a longer number.
			continue
		}
		valid := sc.phoneValid(s[i:p.end[n-1]], p.plus, total, regions)
		if !valid && !p.plus && p.digits[0] == 1 && (p.lead == '0' || p.lead == '8') {
			continue // a lone trunk prefix only before a valid number
		}
		after := sc.contextAfter(end, phoneAfterWords)
		near := cue != "" || column || after
		bare := n == 1 && !p.plus && !p.paren[0]
		var score float64
		switch {
		case valid && !bare:
			score = 0.85
			if near {
				score = 0.97
			}
		case valid && near:
			score = 0.9
		case valid:
			score = 0.45 // bare digits are as often an order number
		case near:
			score = 0.7
		default:
			score = 0.3
		}
		if nw, np := sc.contextWordAt(i, 32, notPhoneWords); nw != "" && np > cueAt && !after {
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

// yearAt reports whether the four digits at i are a year from 1900 to 2099.
func yearAt(s string, i int) bool {
	return i+4 <= len(s) && (s[i] == '1' && s[i+1] == '9' || s[i] == '2' && s[i+1] == '0')
}

// digitRunBetween reports whether s[a:b] holds a run of three or more
// digits: another number stands between a cue and the number at b.
func digitRunBetween(s string, a, b int) bool {
	run := 0
	for k := max(a, 0); k < b; k++ {
		if isDigit(s[k]) {
			run++
			if run >= 3 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// runBreaks reports whether the digit group that ends at e is not a
// number on its own: letters or a colon follow it ("24h", "18:00").
func (sc *scanner) runBreaks(e int) bool {
	return e < len(sc.s) && (isWord(sc.s[e]) || sc.s[e] == ':')
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
		if p.sep[k] == '/' && (k != 1 || n != 2 || d[0] < 3) {
			return false // only "030/44772466"
		}
		// Lone digits inside a number are not a phone's grouping, except a
		// country code after "+", a one-digit area code after it ("+33 1
		// 43 69 46 38"), the "1" of +1 / 1-800 and a "(0)".
		intl := p.plus || p.lead == '0' && d[0] >= 3 && d[0] <= 5 && p.end[0] >= 2 // "0033 1 ..."
		trunk := k == 0 && n >= 3 && (p.lead == '0' || p.lead == '8')              // "8-916-474-01-95"; phone() requires a valid number
		if d[k] == 1 && !(k == 0 && (p.plus || p.lead == '1')) && !trunk && !(k == 1 && intl) && !p.paren[k] && !(k > 0 && p.paren[k-1]) {
			return false
		}
		if k > 0 && p.sep[k] == 0 && !p.paren[k-1] {
			return false
		}
	}
	if n == 1 && d[0] > 12 && !p.plus { // +4915112302131 is E.164
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
	case n == 2 && d[0] == 5 && (d[1] == 4 || d[1] == 3) && sep == '-':
		return false // 94043-1234, and the Brazilian CEP 01310-100
	case n == 2 && sep == '.':
		return false // a decimal number: 167.859123
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
// call's regions (its hints, then DefaultPhoneRegion), then in the regions
// the words near the number suggest (cue, as in phoneWords); "00" starts
// an international number as "+" does.
//
// Parse runs a dozen regular expressions; for a North American number the
// number is built directly and only validated, which costs a third as
// much, after the North American Numbering Plan has ruled out what it can
// for free.
func (sc *scanner) phoneValid(num string, plus bool, digits int, cue string) bool {
	if !plus && strings.HasPrefix(num, "00") {
		num = "+" + num[2:]
		plus = true
	}
	if !plus && digits < 9 || sc.lookups <= 0 {
		return false
	}
	if plus {
		sc.lookups--
		pn, err := phonenumbers.Parse(num, DefaultPhoneRegion)
		return err == nil && phonenumbers.IsValidNumber(pn)
	}
	nanpTried := false
	try := func(region string) bool {
		if sc.lookups <= 0 {
			return false
		}
		if phonenumbers.GetCountryCodeForRegion(region) == 1 {
			if nanpTried {
				return false
			}
			nanpTried = true
			return sc.nanpValid(num)
		}
		sc.lookups--
		pn, err := phonenumbers.Parse(num, region)
		return err == nil && phonenumbers.IsValidNumberForRegion(pn, region)
	}
	for _, r := range sc.regions {
		if try(r) {
			return true
		}
	}
	for k := 0; k+2 <= len(cue); k += 3 {
		if r := cue[k : k+2]; !slices.Contains(sc.regions, r) && try(r) {
			return true
		}
	}
	return false
}

// nanpValid validates a number of the North American Numbering Plan
// (country code 1) written without "+1".
func (sc *scanner) nanpValid(num string) bool {
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

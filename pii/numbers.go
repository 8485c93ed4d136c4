package pii

import "net/netip"

// digitGroups reads digit groups from i joined by single separators taken
// from seps, all the same separator: "4111 1111 1111 1111", "123-45-6789".
// It records up to len(g.end) groups and stops at the first byte that does
// not continue the run.
type digitGroups struct {
	n      int      // groups read
	sep    byte     // the separator, or 0 for one group
	end    [8]int   // byte end of each group
	digits [8]int   // digits in each group
	total  int      // digits in all groups
	buf    [24]byte // the digits themselves, as far as they fit
	more   bool     // the run goes on past the last group recorded
}

func readGroups(s string, i int, seps string, g *digitGroups) {
	*g = digitGroups{}
	j := i
	for {
		k := j
		for k < len(s) && isDigit(s[k]) {
			if g.total < len(g.buf) {
				g.buf[g.total] = s[k]
			}
			g.total++
			k++
		}
		g.end[g.n], g.digits[g.n] = k, k-j
		g.n++
		if k+1 >= len(s) || !isDigit(s[k+1]) || !hasByte(seps, s[k]) || (g.sep != 0 && s[k] != g.sep) {
			return
		}
		if g.n == len(g.end) {
			g.more = true
			return
		}
		g.sep = s[k]
		j = k + 1
	}
}

func hasByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// endsNumber reports whether a number may end at e: the next byte neither
// glues on as part of a word nor continues the number ("1.2.3.4.5").
func endsNumber(s string, e int) bool {
	if e >= len(s) {
		return true
	}
	c := s[e]
	if isWord(c) {
		return false
	}
	if (c == '.' || c == '-' || c == '/' || c == ',') && e+1 < len(s) && isDigit(s[e+1]) {
		return false
	}
	return true
}

// Words that make a number more likely to be a card, an SSN, ...
var (
	cardWords = newWordList("card", "cards", "credit", "debit", "visa", "mastercard", "amex", "cc", "ccn", "pan", "payment", "discover", "maestro", "jcb", "diners",
		"karte", "kreditkarte", "kartennummer", "carte", "bancaire", "crédito", "tarjeta", "cartão", "carta", "credito", "creditcard", "kaart", "cvv", "cvc")
	// notCardWords name numbers that are often Luhn-valid by chance and
	// grouped like a card: loyalty and member cards, orders, parcels.
	notCardWords = compounds(newWordList("loyalty", "member", "membership", "rewards", "reward", "bonus", "payback", "fidelity", "fidelidade", "fedeltà", "fidélité",
		"socio", "adhérent", "klantenkaart", "kundenkarte", "kundennummer", "mitgliedsnummer", "tessera", "gift",
		"order", "invoice", "tracking", "parcel", "shipment", "ean", "gtin", "isbn", "ref", "reference", "referenz", "référence", "referencia",
		"riferimento", "protocolo", "pratica", "dossier", "vorgangsnummer", "buchungsreferenz", "account", "konto", "iban", "bestellung",
		"bestellnummer", "sendungsnummer", "pedido", "commande", "ordine", "bestelling", "suivi", "seguimiento", "rastreamento", "rastreio",
		"tracciamento", "spedizione", "sendung", "client", "cliente", "customer", "klantnummer", "sku", "serial", "ticket", "sim", "iccid", "imei", "npi"))
	ssnWords = newWordList("ssn", "ssns", "social", "security", "ss")
)

// card finds payment card numbers: 12 to 19 digits, contiguous or in
// groups of four (or the 4-6-5 of American Express), passing the Luhn check.
func (sc *scanner) card(i int) {
	var g digitGroups
	readGroups(sc.s, i, " -", &g)
	if g.total < 12 || g.n == 1 && g.total > 19 || g.more || sc.joinedBefore(i) {
		return
	}
	// Longest prefix of groups first: a card followed by a year or a CVV in
	// the same run ("4111 1111 1111 1111 123") is still a card.
	for n := g.n; n >= 1; n-- {
		total := 0
		for k := 0; k < n; k++ {
			total += g.digits[k]
		}
		if total < 12 || total > 19 || !cardGrouping(g.digits[:n]) || !endsNumber(sc.s, g.end[n-1]) && n == g.n {
			continue
		}
		// Inside a longer run of groups only a CVV may follow the card,
		// three digits written apart that end the run.
		if n < g.n && (g.sep != ' ' || n != g.n-1 || g.digits[n] != 3 || !endsNumber(sc.s, g.end[n])) {
			continue
		}
		digits := g.buf[:total]
		if !luhn(digits) {
			continue
		}
		brand := cardBrandOK(digits)
		var score float64
		switch {
		case total == 12 && !brand:
			continue // 12 digits only for Maestro, whose prefixes are checked
		case !brand && (digits[0] <= '1' || digits[0] >= '7'):
			// The major industry identifier (ISO/IEC 7812) of airlines,
			// petroleum, telecoms (SIM ICCIDs start 89) and national
			// schemes: Luhn-valid numbers that are not payment cards.
			continue
		case brand:
			score = 0.97
		default:
			score = 0.45 // every tenth number passes Luhn; cards have a brand
		}
		cw, cp := sc.contextWordAt(i, 40, cardWords)
		if cw != "" {
			score += 0.15
		}
		// A word like "loyalty" or "order" nearer than any card word, or
		// right before it ("loyalty card"), says the number is no card.
		if nw, np := sc.contextWordAt(i, 40, notCardWords); nw != "" && (np > cp || sc.wordBefore(cp, np, nw)) {
			score = min(score, 0.4)
		}
		sc.add(CreditCard, i, g.end[n-1], score)
		return
	}
}

// cardGrouping accepts one group, groups of four with a shorter last
// group, and 4-6-5 / 4-6-4 (American Express, Diners Club).
func cardGrouping(d []int) bool {
	if len(d) == 1 {
		return true
	}
	if len(d) == 3 && d[0] == 4 && d[1] == 6 && (d[2] == 5 || d[2] == 4) {
		return true
	}
	if len(d) == 3 && d[0] == 4 && d[1] == 4 && d[2] == 5 {
		return true // 13-digit Visa
	}
	for k, n := range d {
		if k < len(d)-1 && n != 4 || k == len(d)-1 && (n < 1 || n > 4) {
			return false
		}
	}
	return true
}

// compounds sets w to match compound words too (see wordList) and
// returns it.
func compounds(w *wordList) *wordList {
	w.compounds = true
	return w
}

// luhn reports whether the ASCII digits pass the Luhn (mod 10) check.
func luhn(digits []byte) bool {
	sum, double := 0, false
	for k := len(digits) - 1; k >= 0; k-- {
		d := int(digits[k] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// cardBrandOK reports whether the number starts with the issuer
// identification number of a known network and has a length that network
// issues.
func cardBrandOK(d []byte) bool {
	n := len(d)
	p := func(k int) int { // the first k digits as a number
		v := 0
		for _, c := range d[:k] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	p2, p3, p4, p6 := p(2), p(3), p(4), p(6)
	switch {
	case d[0] == '4': // Visa
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720: // Mastercard
		return n == 16
	case p2 == 34 || p2 == 37: // American Express
		return n == 15
	case p4 == 6011, p3 >= 644 && p3 <= 649, p2 == 65, p6 >= 622126 && p6 <= 622925: // Discover
		return n >= 16 && n <= 19
	case p3 >= 300 && p3 <= 305, p4 == 3095, p2 == 36, p2 == 38, p2 == 39: // Diners Club
		return n >= 14 && n <= 19
	case p2 == 35: // JCB (3528-3589, and test ranges)
		return n >= 16 && n <= 19
	case p4 == 2131, p4 == 1800: // JCB, old 15-digit ranges
		return n == 15
	case p4 >= 2200 && p4 <= 2204: // Mir
		return n >= 16 && n <= 19
	case p2 == 62: // UnionPay
		return n >= 16 && n <= 19
	case p2 == 50, p2 >= 56 && p2 <= 69, p4 == 604: // Maestro, including 0604 ranges
		return n >= 12 && n <= 19
	}
	return false
}

// ssn finds US Social Security numbers: AAA-GG-SSSS (or with spaces or
// dots), and nine contiguous digits only next to words like "SSN".
func (sc *scanner) ssn(i int) {
	s := sc.s
	var g digitGroups
	readGroups(s, i, "- .", &g)
	var e int
	var score float64
	switch {
	case g.n >= 3 && g.digits[0] == 3 && g.digits[1] == 2 && g.digits[2] == 4:
		e = g.end[2]
		if g.sep == '-' {
			score = 0.95
		} else {
			score = 0.6
		}
	case g.digits[0] == 9:
		e, score = g.end[0], 0.3
	default:
		return
	}
	if !endsNumber(s, e) || !ssnValid(g.buf[:9]) || sc.joinedBefore(i) || sc.joinedAfter(e) {
		return
	}
	if w, at := sc.contextWordAt(i, 48, ssnWords); w != "" && !digitRunBetween(s, at+len(w), i) {
		score += 0.35 // unless the word was for a number in between
	}
	sc.add(SSN, i, e, score)
}

// ssnValid applies the Social Security Administration's rules to nine
// ASCII digits: area not 000, 666 or 900-999; group not 00; serial not
// 0000; and not one of the numbers published in advertising (078-05-1120,
// 219-09-9999, 123-45-6789), which were never valid.
func ssnValid(d []byte) bool {
	area := int(d[0]-'0')*100 + int(d[1]-'0')*10 + int(d[2]-'0')
	group := int(d[3]-'0')*10 + int(d[4]-'0')
	serial := int(d[5]-'0')*1000 + int(d[6]-'0')*100 + int(d[7]-'0')*10 + int(d[8]-'0')
	switch string(d) {
	case "078051120", "219099999", "123456789":
		return false
	}
	return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

// versionWords name dotted numbers that are not addresses: versions, and
// the numbered parts of documents and rules ("section 3.2.1.4", "§ 4.1.2.1").
var versionWords = newWordList("version", "ver", "v", "release", "build", "firmware", "kernel", "oid",
	"versión", "versão", "versione", "versie", "wersja", "sürüm", "versiyon", "версия", "patch", "update", "rev", "revision",
	"section", "sect", "sec", "chapter", "clause", "paragraph", "para", "art", "article", "rule", "step", "item", "figure", "fig", "table",
	"§", "kapitel", "abschnitt", "absatz", "artikel", "regel", "ziffer", "nr", "chapitre", "règle", "sección", "capítulo", "artículo",
	"regla", "seção", "secção", "artigo", "regra", "sezione", "capitolo", "articolo", "regola", "hoofdstuk", "sectie", "rozdział",
	"punkt", "paragraf", "bölüm", "madde", "kural", "avsnitt", "раздел", "глава", "пункт", "статья", "правило")

// ipv4 finds dotted-quad IPv4 addresses, checked by net/netip, and not as
// part of a longer run of digits and dots ("1.2.3.4.5" is a version).
func (sc *scanner) ipv4(i int) {
	s := sc.s
	j, parts := i, 0
	for parts < 4 {
		k := j
		for k < len(s) && k-j < 4 && isDigit(s[k]) {
			k++
		}
		if k == j || k-j > 3 {
			return
		}
		parts++
		j = k
		if parts < 4 {
			if j >= len(s) || s[j] != '.' {
				return
			}
			j++
		}
	}
	// A CIDR suffix may follow ("10.0.0.0/8"); more dotted digits may not.
	if j < len(s) && (isWord(s[j]) || s[j] == '.' && j+1 < len(s) && isDigit(s[j+1])) || i > 0 && s[i-1] == '.' {
		return
	}
	a, err := netip.ParseAddr(s[i:j])
	if err != nil || !a.Is4() {
		return
	}
	score := 0.95
	if sc.contextBefore(i, 16, versionWords) {
		score = 0.3
	}
	sc.add(IPAddress, i, j, score)
}

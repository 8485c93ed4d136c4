package pii

import "strings"

// ibanLengths is the length of an IBAN in each country that issues them,
// from the SWIFT IBAN registry, indexed by (first-'A')*26 + (second-'A').
var ibanLengths = func() (t [26 * 26]uint8) {
	const table = "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 " +
		"DO28 EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 " +
		"IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 " +
		"NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 " +
		"SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30"
	for _, e := range strings.Fields(table) {
		t[int(e[0]-'A')*26+int(e[1]-'A')] = (e[2]-'0')*10 + (e[3] - '0')
	}
	return t
}()

// ibanLength returns the IBAN length of the country whose code is the two
// letters a and b (either case), or 0.
func ibanLength(a, b byte) int {
	a, b = a&^0x20, b&^0x20
	if a-'A' >= 26 || b-'A' >= 26 {
		return 0
	}
	return int(ibanLengths[int(a-'A')*26+int(b-'A')])
}

// iban finds International Bank Account Numbers at the word start i:
// country code, two check digits and the country's BBAN, written as one
// word or in groups of four, upper case or lower case, checked by ISO
// 13616 mod-97.
func (sc *scanner) iban(i int) {
	s := sc.s
	n := ibanLength(s[i], s[i+1])
	if n == 0 {
		return
	}
	upper := s[i]-'A' < 26
	if upper != (s[i+1]-'A' < 26) {
		return // "Gb" is a word, not a country code
	}
	var buf [34]byte
	got, j := 0, i
	for got < n && j < len(s) {
		c := s[j]
		switch {
		case isDigit(c):
		case upper && c-'A' < 26:
		case !upper && c-'a' < 26:
			c -= 32
		case c == ' ' && got%4 == 0 && j+1 < len(s) && isAlnum(s[j+1]):
			j++
			continue
		default:
			got = -1
		}
		if got < 0 {
			break
		}
		buf[got] = c
		got++
		j++
	}
	if got != n || j < len(s) && isWord(s[j]) || !isDigit(buf[2]) || !isDigit(buf[3]) || !ibanMod97(buf[:n]) {
		return
	}
	score := 0.98
	if !upper {
		score = 0.9
	}
	sc.add(IBAN, i, j, score)
}

// ibanMod97 reports whether the IBAN (upper case, no spaces) has valid
// check digits: moved to the end, with letters as 10-35, it is 1 mod 97.
func ibanMod97(b []byte) bool {
	r := 0
	for k := 4; k < len(b)+4; k++ {
		c := b[k%len(b)]
		if isDigit(c) {
			r = (r*10 + int(c-'0')) % 97
		} else {
			r = (r*100 + int(c-'A') + 10) % 97
		}
	}
	return r == 1
}

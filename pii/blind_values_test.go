package pii

// Value generators of the blind benchmark (see blind_test.go). They were
// written from public format descriptions (card brand ranges, ISO 13616
// IBAN lengths, national phone plans), not from the detector's code.

import (
	"encoding/base64"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// bv draws values from a seeded source.
type bv struct{ r *rand.Rand }

func (v bv) n(k int) int             { return v.r.IntN(k) }
func (v bv) p(f float64) bool        { return v.r.Float64() < f }
func (v bv) one(xs ...string) string { return xs[v.r.IntN(len(xs))] }

func (v bv) digits(k int) string {
	b := make([]byte, k)
	for i := range b {
		b[i] = byte('0' + v.r.IntN(10))
	}
	return string(b)
}

// nzDigits is digits whose first digit is not 0.
func (v bv) nzDigits(k int) string {
	return string(byte('1'+v.r.IntN(9))) + v.digits(k-1)
}

func (v bv) from(alphabet string, k int) string {
	b := make([]byte, k)
	for i := range b {
		b[i] = alphabet[v.r.IntN(len(alphabet))]
	}
	return string(b)
}

const (
	bUpperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	bAlnum      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	bHex        = "0123456789abcdef"
	bB64URL     = bAlnum + "-_"
)

// groupDigits prints d in groups of the given sizes joined by sep.
func groupDigits(d string, sep string, sizes ...int) string {
	var parts []string
	for _, n := range sizes {
		if n > len(d) {
			n = len(d)
		}
		parts = append(parts, d[:n])
		d = d[n:]
	}
	if d != "" {
		parts = append(parts, d)
	}
	return strings.Join(parts, sep)
}

// luhnCheck returns the check digit that makes body+digit Luhn-valid.
func luhnCheck(body string) byte {
	sum := 0
	double := true
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}

func (v bv) luhnNumber(prefix string, n int) string {
	body := prefix + v.digits(n-1-len(prefix))
	return body + string(luhnCheck(body))
}

// ---- cards

// card returns a Luhn-valid number of a real brand, printed in one of the
// ways people print them.
func (v bv) card() string {
	var d string
	var sizes []int
	switch v.n(10) {
	case 0, 1: // Visa 16
		d, sizes = v.luhnNumber("4", 16), []int{4, 4, 4, 4}
	case 2: // Visa 13 or 19
		if v.p(0.5) {
			d, sizes = v.luhnNumber("4", 13), []int{4, 4, 5}
		} else {
			d, sizes = v.luhnNumber("4", 19), []int{4, 4, 4, 4, 3}
		}
	case 3: // Mastercard 51-55
		d, sizes = v.luhnNumber(fmt.Sprint(51+v.n(5)), 16), []int{4, 4, 4, 4}
	case 4: // Mastercard 2-series 2221-2720
		d, sizes = v.luhnNumber(fmt.Sprint(2221+v.n(500)), 16), []int{4, 4, 4, 4}
	case 5: // Amex
		d, sizes = v.luhnNumber(v.one("34", "37"), 15), []int{4, 6, 5}
	case 6: // Discover
		d, sizes = v.luhnNumber(v.one("6011", "65", fmt.Sprint(644+v.n(6))), 16), []int{4, 4, 4, 4}
	case 7: // JCB
		d, sizes = v.luhnNumber(fmt.Sprint(3528+v.n(62)), 16), []int{4, 4, 4, 4}
	case 8: // Diners 14
		d, sizes = v.luhnNumber(v.one("36", "38", fmt.Sprint(300+v.n(6))), 14), []int{4, 6, 4}
	default: // Maestro / UnionPay
		if v.p(0.5) {
			d, sizes = v.luhnNumber("62"+v.digits(1), 16), []int{4, 4, 4, 4}
		} else {
			d, sizes = v.luhnNumber(v.one("5018", "5020", "6304", "6759"), 16), []int{4, 4, 4, 4}
		}
	}
	switch v.n(10) {
	case 0, 1, 2, 3, 4:
		return groupDigits(d, " ", sizes...)
	case 5, 6:
		return groupDigits(d, "-", sizes...)
	default:
		return d
	}
}

// ---- IBAN

// ibanSpecs: country, BBAN pattern (n digit, a upper letter, c upper alnum).
var ibanSpecs = []struct{ cc, bban string }{
	{"DE", "nnnnnnnnnnnnnnnnnn"},
	{"FR", "nnnnnnnnnncccccccccccnn"},
	{"GB", "aaaannnnnnnnnnnnnn"},
	{"ES", "nnnnnnnnnnnnnnnnnnnn"},
	{"IT", "annnnnnnnnncccccccccccc"},
	{"NL", "aaaannnnnnnnnn"},
	{"BE", "nnnnnnnnnnnn"},
	{"AT", "nnnnnnnnnnnnnnnn"},
	{"CH", "nnnnncccccccccccc"},
	{"PL", "nnnnnnnnnnnnnnnnnnnnnnnn"},
	{"PT", "nnnnnnnnnnnnnnnnnnnnn"},
	{"SE", "nnnnnnnnnnnnnnnnnnnn"},
	{"TR", "nnnnn0cccccccccccccccc"},
	{"IE", "aaaannnnnnnnnnnnnn"},
	{"NO", "nnnnnnnnnnn"},
	{"DK", "nnnnnnnnnnnnnn"},
	{"FI", "nnnnnnnnnnnnnn"},
	{"LU", "nnnccccccccccccc"},
	{"SA", "nnccccccccccccccccll"},
	{"AE", "nnnnnnnnnnnnnnnnnnn"},
	{"BR", "nnnnnnnnnnnnnnnnnnnnnnnac"},
	{"CZ", "nnnnnnnnnnnnnnnnnnnn"},
	{"GR", "nnnnnnncccccccccccccccc"},
	{"RO", "aaaacccccccccccccccc"},
}

func ibanChecksum(cc, bban string) string {
	s := bban + cc + "00"
	var num strings.Builder
	for _, c := range s {
		if c >= 'A' && c <= 'Z' {
			fmt.Fprint(&num, int(c-'A')+10)
		} else {
			num.WriteRune(c)
		}
	}
	n, _ := new(big.Int).SetString(num.String(), 10)
	m := new(big.Int).Mod(n, big.NewInt(97)).Int64()
	return fmt.Sprintf("%02d", 98-m)
}

// ibanParts returns country code, check digits and BBAN; bad makes the
// check digits wrong.
func (v bv) ibanParts(bad bool) (string, string) {
	sp := ibanSpecs[v.n(len(ibanSpecs))]
	var b strings.Builder
	for _, c := range sp.bban {
		switch c {
		case 'n':
			b.WriteByte(byte('0' + v.n(10)))
		case 'a':
			b.WriteByte(byte('A' + v.n(26)))
		case 'c', 'l':
			b.WriteByte(bUpperAlnum[v.n(len(bUpperAlnum))])
		default:
			b.WriteRune(c)
		}
	}
	bban := b.String()
	ck := ibanChecksum(sp.cc, bban)
	if bad {
		k := (int(ck[0]-'0')*10 + int(ck[1]-'0') + 1 + v.n(90)) % 97
		if k < 2 {
			k += 2
		}
		ck = fmt.Sprintf("%02d", k)
	}
	return sp.cc + ck, bban
}

func (v bv) iban(bad bool) string {
	head, bban := v.ibanParts(bad)
	s := head + bban
	if v.p(0.6) {
		var parts []string
		for len(s) > 4 {
			parts = append(parts, s[:4])
			s = s[4:]
		}
		parts = append(parts, s)
		return strings.Join(parts, " ")
	}
	return s
}

// ---- SSN

func (v bv) ssnDigits() (string, string, string) {
	var area int
	for {
		area = 1 + v.n(899)
		if area != 666 {
			break
		}
	}
	return fmt.Sprintf("%03d", area), fmt.Sprintf("%02d", 1+v.n(99)), fmt.Sprintf("%04d", 1+v.n(9999))
}

// ---- phones

// phoneSpec prints a valid number of a region. national formats use the
// trunk prefix; the generator checks every number with libphonenumber.
type phoneFormat func(v bv) (national, intl string)

// phonePlans maps region to number shapes: each returns a national and an
// international printing of the same number.
var phonePlans = map[string][]phoneFormat{
	"US": {
		func(v bv) (string, string) {
			a, x, s := v.one("212", "415", "312", "617", "202", "305", "713", "206", "503", "404", "646", "720"), fmt.Sprint(201+v.n(798)), v.digits(4)
			if x[1:] == "11" {
				x = "234"
			}
			n := v.one("(%s) %s-%s", "%s-%s-%s", "%s.%s.%s", "%s %s %s", "1-%s-%s-%s")
			i := v.one("+1 %s %s %s", "+1-%s-%s-%s", "+1 (%s) %s-%s", "+1%s%s%s", "+1.%s.%s.%s")
			return fmt.Sprintf(n, a, x, s), fmt.Sprintf(i, a, x, s)
		},
	},
	"GB": {
		func(v bv) (string, string) { // mobile
			d := "7" + v.one("4", "5", "7", "8", "9") + v.digits(8)
			return v.one("0"+d[:4]+" "+d[4:], "0"+d[:4]+" "+d[4:7]+" "+d[7:], "0"+d), v.one("+44 "+d[:4]+" "+d[4:], "+44 (0)"+d[:4]+" "+d[4:], "+44"+d)
		},
		func(v bv) (string, string) { // London
			d := "20" + v.one("7", "3", "8") + v.nzDigits(3)[:3] + v.digits(4)
			return "0" + d[:2] + " " + d[2:6] + " " + d[6:], v.one("+44 "+d[:2]+" "+d[2:6]+" "+d[6:], "+44 (0)"+d[:2]+" "+d[2:6]+" "+d[6:])
		},
		func(v bv) (string, string) { // Manchester, Leeds
			a := v.one("161", "113", "121", "131", "141")
			d := a + v.one("2", "3", "4", "5", "7", "8") + v.digits(6)
			return "0" + d[:3] + " " + d[3:6] + " " + d[6:], "+44 " + d[:3] + " " + d[3:6] + " " + d[6:]
		},
	},
	"DE": {
		func(v bv) (string, string) { // mobile
			p := v.one("151", "152", "160", "170", "171", "172", "175", "176", "157", "162")
			s := v.digits(7)
			if p[:2] == "15" {
				s = v.digits(8)
			}
			return v.one("0"+p+" "+s, "0"+p+"/"+s, "0"+p+"-"+s, "0"+p+s, "0"+p+" "+s[:3]+" "+s[3:]),
				v.one("+49 "+p+" "+s, "+49 (0)"+p+" "+s, "+49"+p+s, "0049 "+p+" "+s)
		},
		func(v bv) (string, string) { // landline
			a := v.one("30", "89", "40", "221", "69", "711", "211", "351", "341", "511")
			s := v.nzDigits(8 - len(a) + 2)
			return v.one("0"+a+" "+s, "0"+a+"/"+s, "0"+a+"-"+s, "(0"+a+") "+s, "0"+a+" "+s[:3]+" "+s[3:]),
				v.one("+49 "+a+" "+s, "+49 (0)"+a+" "+s, "+49-"+a+"-"+s)
		},
	},
	"FR": {
		func(v bv) (string, string) {
			d := v.one("6", "7", "1", "2", "3", "4", "5", "9") + v.digits(8)
			g := func(sep string) string {
				return "0" + d[:1] + sep + d[1:3] + sep + d[3:5] + sep + d[5:7] + sep + d[7:]
			}
			return v.one(g(" "), g("."), g("-"), g("")), v.one("+33 "+d[:1]+" "+d[1:3]+" "+d[3:5]+" "+d[5:7]+" "+d[7:], "+33 (0)"+d[:1]+" "+d[1:3]+" "+d[3:5]+" "+d[5:7]+" "+d[7:], "+33"+d)
		},
	},
	"ES": {
		func(v bv) (string, string) {
			d := v.one("6", "7", "91", "93", "95", "96") + ""
			d += v.digits(9 - len(d))
			return v.one(d[:3]+" "+d[3:6]+" "+d[6:], d[:3]+" "+d[3:5]+" "+d[5:7]+" "+d[7:], d), v.one("+34 "+d[:3]+" "+d[3:6]+" "+d[6:], "+34 "+d, "0034 "+d[:3]+" "+d[3:5]+" "+d[5:7]+" "+d[7:])
		},
	},
	"IT": {
		func(v bv) (string, string) { // mobile
			d := "3" + v.one("20", "28", "33", "35", "38", "40", "47", "49", "66", "89") + v.digits(7)
			return v.one(d[:3]+" "+d[3:], d[:3]+" "+d[3:6]+" "+d[6:], d[:3]+"-"+d[3:], d), v.one("+39 "+d[:3]+" "+d[3:], "+39 "+d, "+39 "+d[:3]+" "+d[3:6]+" "+d[6:])
		},
		func(v bv) (string, string) { // landline
			a := v.one("06", "02", "011", "055", "081", "051")
			s := v.digits(10 - len(a))
			return v.one(a+" "+s, a+" "+s[:4]+" "+s[4:], a+"/"+s, a+"-"+s), "+39 " + a + " " + s
		},
	},
	"NL": {
		func(v bv) (string, string) {
			d := "6" + v.one("1", "2", "3", "4", "5") + v.digits(7)
			return v.one("0"+d[:1]+"-"+d[1:], "0"+d[:1]+" "+d[1:5]+" "+d[5:], "0"+d, "0"+d[:1]+" "+d[1:3]+" "+d[3:5]+" "+d[5:7]+" "+d[7:]), v.one("+31 "+d[:1]+" "+d[1:], "+31 (0)"+d[:1]+" "+d[1:], "+31"+d)
		},
		func(v bv) (string, string) {
			a := v.one("20", "10", "30", "70", "40")
			s := v.nzDigits(7)
			return v.one("0"+a+"-"+s, "0"+a+" "+s[:3]+" "+s[3:], "(0"+a+") "+s), "+31 " + a + " " + s[:3] + " " + s[3:]
		},
	},
	"BR": {
		func(v bv) (string, string) {
			a := v.one("11", "21", "31", "41", "51", "61", "71", "81", "85")
			var s string
			if v.p(0.6) {
				s = "9" + v.one("6", "7", "8", "9") + v.digits(7)
			} else {
				s = v.one("2", "3", "4") + v.digits(7)
			}
			k := len(s) - 4
			return v.one("("+a+") "+s[:k]+"-"+s[k:], a+" "+s[:k]+"-"+s[k:], "("+a+")"+s[:k]+"-"+s[k:], "0"+a+" "+s[:k]+"-"+s[k:]), v.one("+55 "+a+" "+s[:k]+"-"+s[k:], "+55 ("+a+") "+s[:k]+"-"+s[k:], "+55"+a+s)
		},
	},
	"MX": {
		func(v bv) (string, string) {
			a := v.one("55", "33", "81")
			s := v.nzDigits(8)
			return v.one(a+" "+s[:4]+" "+s[4:], "("+a+") "+s[:4]+"-"+s[4:], a+"-"+s[:4]+"-"+s[4:]), v.one("+52 "+a+" "+s[:4]+" "+s[4:], "+52 ("+a+") "+s[:4]+" "+s[4:], "+52 1 "+a+" "+s[:4]+" "+s[4:])
		},
	},
	"IN": {
		func(v bv) (string, string) {
			d := v.one("9", "8", "7") + v.digits(9)
			return v.one(d[:5]+" "+d[5:], "0"+d[:5]+" "+d[5:], d[:5]+"-"+d[5:], d), v.one("+91 "+d[:5]+" "+d[5:], "+91-"+d, "+91 "+d)
		},
		func(v bv) (string, string) {
			a := v.one("11", "22", "80", "44", "33")
			s := v.one("2", "4", "6") + v.digits(7)
			return v.one("0"+a+" "+s[:4]+" "+s[4:], "0"+a+"-"+s), "+91 " + a + " " + s[:4] + " " + s[4:]
		},
	},
	"JP": {
		func(v bv) (string, string) {
			p := v.one("90", "80", "70")
			a, b := v.nzDigits(4), v.digits(4)
			return v.one("0"+p+"-"+a+"-"+b, "0"+p+" "+a+" "+b, "0"+p+a+b), v.one("+81 "+p+"-"+a+"-"+b, "+81 "+p+" "+a+" "+b, "+81"+p+a+b)
		},
		func(v bv) (string, string) {
			a := v.one("3", "6")
			s, t := v.one("3", "4", "5", "6")+v.digits(3), v.digits(4)
			return v.one("0"+a+"-"+s+"-"+t, "0"+a+"("+s+")"+t, "0"+a+" "+s+" "+t), "+81 " + a + " " + s + " " + t
		},
	},
	"AU": {
		func(v bv) (string, string) {
			d := "4" + v.one("0", "1", "2", "3", "5", "8") + v.digits(7)
			return v.one("0"+d[:3]+" "+d[3:6]+" "+d[6:], "0"+d[:1]+" "+d[1:5]+" "+d[5:], "0"+d), v.one("+61 "+d[:3]+" "+d[3:6]+" "+d[6:], "+61 "+d, "+61 (0)"+d[:3]+" "+d[3:6]+" "+d[6:])
		},
		func(v bv) (string, string) {
			a := v.one("2", "3", "7", "8")
			s := v.one("9", "8", "6", "5") + v.digits(7)
			return v.one("(0"+a+") "+s[:4]+" "+s[4:], "0"+a+" "+s[:4]+" "+s[4:]), "+61 " + a + " " + s[:4] + " " + s[4:]
		},
	},
	"PL": {
		func(v bv) (string, string) {
			d := v.one("5", "6", "7", "8") + v.digits(8)
			if v.p(0.3) {
				d = "22" + v.digits(7)
				return d[:2] + " " + d[2:5] + " " + d[5:7] + " " + d[7:], "+48 " + d[:2] + " " + d[2:5] + " " + d[5:7] + " " + d[7:]
			}
			return v.one(d[:3]+" "+d[3:6]+" "+d[6:], d[:3]+"-"+d[3:6]+"-"+d[6:], d), v.one("+48 "+d[:3]+" "+d[3:6]+" "+d[6:], "+48 "+d, "(+48) "+d[:3]+" "+d[3:6]+" "+d[6:])
		},
	},
	"SE": {
		func(v bv) (string, string) {
			p := v.one("70", "72", "73", "76", "79")
			s := v.digits(7)
			return v.one("0"+p+"-"+s[:3]+" "+s[3:5]+" "+s[5:], "0"+p+" "+s[:3]+" "+s[3:5]+" "+s[5:], "0"+p+"-"+s), v.one("+46 "+p+" "+s[:3]+" "+s[3:5]+" "+s[5:], "+46 (0)"+p+" "+s[:3]+" "+s[3:5]+" "+s[5:], "+46"+p+s)
		},
		func(v bv) (string, string) {
			s := v.nzDigits(8)
			return "08-" + s[:3] + " " + s[3:6] + " " + s[6:], "+46 8 " + s[:3] + " " + s[3:6] + " " + s[6:]
		},
	},
	"TR": {
		func(v bv) (string, string) {
			d := "5" + v.one("30", "32", "33", "35", "42", "44", "05", "55") + v.digits(7)
			if v.p(0.3) {
				d = v.one("212", "216", "312", "232") + v.one("2", "3", "4", "5") + v.digits(6)
				return v.one("(0"+d[:3]+") "+d[3:6]+" "+d[6:8]+" "+d[8:], "0"+d[:3]+" "+d[3:6]+" "+d[6:8]+" "+d[8:]), "+90 " + d[:3] + " " + d[3:6] + " " + d[6:8] + " " + d[8:]
			}
			return v.one("0"+d[:3]+" "+d[3:6]+" "+d[6:8]+" "+d[8:], "0 ("+d[:3]+") "+d[3:6]+" "+d[6:8]+" "+d[8:], "0"+d), v.one("+90 "+d[:3]+" "+d[3:6]+" "+d[6:8]+" "+d[8:], "+90 ("+d[:3]+") "+d[3:6]+" "+d[6:], "+90"+d)
		},
	},
	"PT": {
		func(v bv) (string, string) {
			d := v.one("91", "92", "93", "96", "21", "22") + v.digits(7)
			return v.one(d[:3]+" "+d[3:6]+" "+d[6:], d), v.one("+351 "+d[:3]+" "+d[3:6]+" "+d[6:], "+351 "+d)
		},
	},
	"RU": {
		func(v bv) (string, string) {
			a := v.one("495", "499", "812", "916", "903", "925", "977")
			s := v.digits(7)
			f := s[:3] + "-" + s[3:5] + "-" + s[5:]
			return v.one("8 ("+a+") "+f, "8 "+a+" "+f, "8-"+a+"-"+f), v.one("+7 ("+a+") "+f, "+7 "+a+" "+f, "+7"+a+s)
		},
	},
	"CN": {
		func(v bv) (string, string) {
			if v.p(0.7) {
				d := "1" + v.one("38", "39", "35", "50", "86", "88") + v.digits(8)
				return v.one(d[:3]+" "+d[3:7]+" "+d[7:], d[:3]+"-"+d[3:7]+"-"+d[7:], d), v.one("+86 "+d[:3]+" "+d[3:7]+" "+d[7:], "+86 "+d, "+86-"+d)
			}
			s := v.one("5", "6", "8") + v.digits(7)
			return "010-" + s[:4] + " " + s[4:], "+86 10 " + s[:4] + " " + s[4:]
		},
	},
	"SA": {
		func(v bv) (string, string) {
			d := "5" + v.one("0", "3", "4", "5") + v.digits(7)
			return "0" + d[:2] + " " + d[2:5] + " " + d[5:], v.one("+966 "+d[:2]+" "+d[2:5]+" "+d[5:], "+966"+d, "00966 "+d)
		},
	},
	"AE": {
		func(v bv) (string, string) {
			d := "5" + v.one("0", "2", "5", "6") + v.digits(7)
			return "0" + d[:2] + " " + d[2:5] + " " + d[5:], v.one("+971 "+d[:2]+" "+d[2:5]+" "+d[5:], "+971 "+d)
		},
	},
}

// phone returns a number of region that libphonenumber deems valid, in
// national or international form.
func (v bv) phone(region string, intl bool) string {
	plans := phonePlans[region]
	for range 50 {
		nat, in := plans[v.n(len(plans))](v)
		s := nat
		if intl {
			s = in
		}
		num, err := phonenumbers.Parse(s, region)
		if err == nil && phonenumbers.IsValidNumberForRegion(num, region) {
			return s
		}
	}
	panic("blind: no valid phone for " + region)
}

// ---- web

var (
	bFirst   = []string{"anna", "jan", "marie", "lukas", "sofia", "mateo", "giulia", "pieter", "zofia", "erik", "elif", "yuki", "wei", "omar", "olga", "chloe", "joao", "ines", "noah", "emma"}
	bLast    = []string{"muller", "schmidt", "dubois", "garcia", "rossi", "devries", "kowalski", "lindqvist", "yilmaz", "tanaka", "wang", "haddad", "ivanova", "martin", "silva", "santos", "smith", "oconnor", "fischer", "moreau"}
	bDomains = []string{"example.com", "beispiel.de", "exemple.fr", "ejemplo.es", "esempio.it", "voorbeeld.nl", "przyklad.pl", "exempel.se", "ornek.com.tr", "exemplo.com.br", "mail.co.uk", "uni-hamburg.de", "student.uva.nl", "gmail.com", "outlook.com", "yahoo.co.jp", "mail.ru", "web.de", "orange.fr", "company.io", "firma.ch", "kantoor.be", "sub.dept.agency.gov"}
)

func (v bv) email() string {
	f, l := v.one(bFirst...), v.one(bLast...)
	var local string
	switch v.n(7) {
	case 0:
		local = f + "." + l
	case 1:
		local = f[:1] + l
	case 2:
		local = f + "_" + l + v.digits(2)
	case 3:
		local = f + "+" + v.one("news", "shop", "2024", "work")
	case 4:
		local = l + "-" + f
	case 5:
		local = strings.ToUpper(f[:1]) + f[1:] + "." + strings.ToUpper(l[:1]) + l[1:]
	default:
		local = v.one("info", "kontakt", "support", "contact", "hr", "billing") + ""
	}
	return local + "@" + v.one(bDomains...)
}

func (v bv) url() string {
	host := v.one("www.", "", "shop.", "docs.", "portal.") + v.one(bDomains...)
	path := v.one("", "/", "/kontakt", "/de/produkte/123", "/fr/compte?id="+v.digits(5), "/p/"+v.from(bAlnum, 8), "/search?q=caf%C3%A9&lang=fr", "/a/b/c.html", "/index.php?page=2#top", "/users/"+v.one(bFirst...))
	scheme := v.one("https://", "https://", "http://", "")
	if scheme == "" && !strings.HasPrefix(host, "www.") {
		scheme = "https://"
	}
	return scheme + host + path
}

func (v bv) ipv4() string {
	switch v.n(4) {
	case 0:
		return fmt.Sprintf("192.168.%d.%d", v.n(256), 1+v.n(254))
	case 1:
		return fmt.Sprintf("10.%d.%d.%d", v.n(256), v.n(256), 1+v.n(254))
	default:
		return fmt.Sprintf("%d.%d.%d.%d", 11+v.n(212), v.n(256), v.n(256), 1+v.n(254))
	}
}

func (v bv) ipv6() string {
	h := func() string { return fmt.Sprintf("%x", v.n(0x10000)) }
	switch v.n(4) {
	case 0:
		return "2001:db8::" + h()
	case 1:
		return "fe80::" + h() + ":" + h() + ":" + h() + ":" + h()
	case 2:
		return fmt.Sprintf("2a0%d:%s:%s::%s", v.n(10), h(), h(), h())
	default:
		parts := make([]string, 8)
		for i := range parts {
			parts[i] = h()
		}
		parts[0] = "2" + fmt.Sprintf("%03x", v.n(0x1000))
		s := strings.Join(parts, ":")
		if v.p(0.3) {
			s = strings.ToUpper(s)
		}
		return s
	}
}

// ---- secrets

func (v bv) apiKey() string {
	switch v.n(10) {
	case 0:
		return "AKIA" + v.from("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
	case 1:
		return "ghp_" + v.from(bAlnum, 36)
	case 2:
		return "sk_live_" + v.from(bAlnum, 24+v.n(75))
	case 3:
		return "xoxb-" + v.digits(11) + "-" + v.digits(12) + "-" + v.from(bAlnum, 24)
	case 4:
		return "AIza" + v.from(bB64URL, 35)
	case 5:
		return "sk-proj-" + v.from(bB64URL, 48+v.n(60))
	case 6:
		return "glpat-" + v.from(bB64URL, 20)
	case 7:
		return "SG." + v.from(bB64URL, 22) + "." + v.from(bB64URL, 43)
	case 8:
		return "github_pat_" + v.from(bAlnum, 22) + "_" + v.from(bAlnum, 59)
	default:
		return "rk_live_" + v.from(bAlnum, 24)
	}
}

func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func (v bv) jwt() string {
	alg := v.one("HS256", "RS256", "ES256", "HS512")
	h := b64url(fmt.Sprintf(`{"alg":"%s","typ":"JWT"}`, alg))
	if v.p(0.3) {
		h = b64url(fmt.Sprintf(`{"typ":"JWT","alg":"%s","kid":"%s"}`, alg, v.from(bHex, 8)))
	}
	p := b64url(fmt.Sprintf(`{"sub":"%s","name":"%s %s","iat":%d,"exp":%d}`, v.digits(7), v.one(bFirst...), v.one(bLast...), 1600000000+v.n(1e8), 1700000000+v.n(1e8)))
	sig := map[string]int{"HS256": 43, "RS256": 342, "ES256": 86, "HS512": 86}[alg]
	return h + "." + p + "." + v.from(bB64URL, sig)
}

func (v bv) password() string {
	switch v.n(4) {
	case 0:
		return v.from(bAlnum, 6) + v.one("!", "#", "$", "%", "&", "*") + v.from(bAlnum, 5+v.n(6))
	case 1:
		return strings.ToUpper(v.one(bFirst...)[:1]) + v.one(bLast...) + v.digits(2+v.n(3)) + v.one("!", "?", "#", "")
	case 2:
		return v.from(bHex, 32+v.n(2)*32)
	default:
		return v.from(bB64URL, 24+v.n(16))
	}
}

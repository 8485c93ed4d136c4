package pii

import (
	"encoding/base64"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// This file generates the labelled texts of TestGeneratedBenchmark: prose,
// chat, log lines, JSON and CSV in seven languages, with personal data of
// every type, and hard negatives (numbers and dates that look like personal
// data but are not). Two splits use disjoint templates and seeds: "tune" is
// what the detector may be looked at against, "eval" is what is reported.

// genDoc is one generated text with its gold spans (code points).
type genDoc struct {
	text     string
	lang     string // the language hint the detector gets, "" for none
	gold     []goldSpan
	negative bool
}

type goldSpan struct {
	typ        Type
	start, end int
}

// genTemplate is a text with {placeholders}. Placeholders that name a type
// (see gen.value) become gold spans; the others fill in what is not
// personal data.
type genTemplate struct {
	lang  string
	split int // 0 tune, 1 eval, 2 both (format-only templates)
	neg   bool
	t     string
}

type gen struct {
	r     *rand.Rand
	split int
	lang  string
	tag   string // the hint's region, as in "en-GB"
}

const (
	splitTune = 0
	splitEval = 1
)

// generate returns n texts of the split, a quarter of them hard negatives.
func generate(split, n int) []genDoc {
	seed := uint64(0x5eed0001)
	if split == splitEval {
		seed = 0x5eed0002
	}
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), split: split}
	var pos, neg []genTemplate
	for _, t := range genTemplates {
		if t.split != split && t.split != 2 {
			continue
		}
		if t.neg {
			neg = append(neg, t)
		} else {
			pos = append(pos, t)
		}
	}
	docs := make([]genDoc, 0, n)
	for k := 0; k < n; k++ {
		var t genTemplate
		negative := k%4 == 3
		if negative {
			t = neg[g.r.IntN(len(neg))]
		} else {
			t = pos[g.r.IntN(len(pos))]
		}
		lang := t.lang
		if lang == "*" {
			lang = genLangs[g.r.IntN(len(genLangs))]
		}
		d := g.fill(t.t, lang)
		d.negative = negative
		docs = append(docs, d)
	}
	return docs
}

var genLangs = []string{"en", "de", "fr", "es", "pt", "it", "nl"}

// fill expands the template in language lang.
func (g *gen) fill(t, lang string) genDoc {
	g.lang = lang
	g.tag = lang
	switch lang {
	case "en":
		if g.r.IntN(4) == 0 {
			g.tag = "en-GB"
		}
	case "pt":
		if g.r.IntN(3) > 0 {
			g.tag = "pt-BR"
		}
	}
	var b strings.Builder
	var gold []goldSpan
	runes := 0
	for {
		i, j := nextSlot(t)
		if i < 0 {
			break
		}
		b.WriteString(t[:i])
		runes += utf8.RuneCountInString(t[:i])
		v, typ := g.value(t[i+1 : j])
		n := utf8.RuneCountInString(v)
		if typ != "" {
			gold = append(gold, goldSpan{typ, runes, runes + n})
		}
		b.WriteString(v)
		runes += n
		t = t[j+1:]
	}
	b.WriteString(t)
	d := genDoc{text: b.String(), gold: gold}
	// Most callers say the language; some do not.
	if g.r.IntN(10) < 6 {
		d.lang = g.tag
	}
	return d
}

// nextSlot returns the braces of the first {name} in t (name of a-z
// and _ only, so that JSON braces stay text), or -1.
func nextSlot(t string) (int, int) {
	for i := 0; i < len(t); i++ {
		if t[i] != '{' {
			continue
		}
		j := i + 1
		for j < len(t) && (t[j] >= 'a' && t[j] <= 'z' || t[j] == '_') {
			j++
		}
		if j > i+1 && j < len(t) && t[j] == '}' {
			return i, j
		}
	}
	return -1, -1
}

func (g *gen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }

func (g *gen) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.r.IntN(10))
	}
	return string(b)
}

func (g *gen) alnum(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

const (
	upperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	alnumChars  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	hexChars    = "0123456789abcdef"
)

// value returns the text of a placeholder and its type ("" when it is not
// personal data).
func (g *gen) value(name string) (string, Type) {
	switch name {
	case "email":
		return g.email(), Email
	case "phone":
		return g.phone(g.region(), false), Phone
	case "phone_intl":
		return g.phone(g.pick("US", "GB", "DE", "FR", "ES", "IT", "NL", "BR", "PT", "CH", "AT", "BE"), true), Phone
	case "ssn":
		return g.ssn(), SSN
	case "card":
		return g.card(), CreditCard
	case "ip":
		if g.r.IntN(5) == 0 {
			return fmt.Sprintf("2001:db8:%x:%x::%x", g.r.IntN(65536), g.r.IntN(65536), 1+g.r.IntN(65535)), IPAddress
		}
		return fmt.Sprintf("%d.%d.%d.%d", 11+g.r.IntN(180), g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254)), IPAddress
	case "url":
		return g.url(), URL
	case "dob":
		return g.date(1940, 2005), DateOfBirth
	case "iban":
		return g.iban(true), IBAN
	case "apikey":
		return g.apiKey(), APIKey
	case "secret":
		return g.alnum(10+g.r.IntN(14), alnumChars) + g.digits(2), Secret
	case "jwt":
		return g.jwt(), JWT
	case "address":
		return fmt.Sprintf("%d %s %s, %s, %s %05d", 10+g.r.IntN(9000), g.pick("Maple", "Oak", "Cedar", "Elm", "Washington", "Lake"),
			g.pick("Street", "Avenue", "Road", "Drive", "Lane"), g.pick("Springfield", "Portland", "Austin", "Denver"), g.pick("IL", "OR", "TX", "CO"), 10000+g.r.IntN(89999)), Address

	// Not personal data.
	case "name":
		return g.name(), ""
	case "n":
		return fmt.Sprint(1 + g.r.IntN(40)), ""
	case "date":
		return g.date(2015, 2026), ""
	case "ts":
		return g.timestamp(), ""
	case "order":
		return g.pick(g.digits(10), g.digits(8), "A-"+g.digits(4)+"-"+g.digits(6), g.digits(3)+"-"+g.digits(7)+"-"+g.digits(7), g.digits(12)), ""
	case "tracking":
		return g.tracking(), ""
	case "badiban":
		return g.iban(false), ""
	case "loyalty":
		return g.groupRun(5+g.r.IntN(2), g.pick(" ", " ", "-")), ""
	case "luhnrun":
		return g.luhnRun(), ""
	case "phonerun":
		return g.phoneRun(), ""
	case "version":
		return g.pick(fmt.Sprintf("v%d.%d.%d", g.r.IntN(5), g.r.IntN(30), g.r.IntN(100)), fmt.Sprintf("10.0.%d.%d", 19000+g.r.IntN(999), g.r.IntN(5000)), fmt.Sprintf("%d.%d.%d-rc%d", g.r.IntN(3), g.r.IntN(20), g.r.IntN(9), g.r.IntN(5))), ""
	case "uuid":
		h := g.alnum(32, hexChars)
		return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:], ""
	case "hash":
		return g.alnum(g.r.IntN(2)*24+40, hexChars), ""
	case "price":
		return g.pick(fmt.Sprintf("%d,%02d €", 1+g.r.IntN(9999), g.r.IntN(100)), fmt.Sprintf("$%d,%03d.%02d", 1+g.r.IntN(99), g.r.IntN(1000), g.r.IntN(100)), fmt.Sprintf("%d.%03d,%02d EUR", 1+g.r.IntN(99), g.r.IntN(1000), g.r.IntN(100)), fmt.Sprintf("R$ %d.%03d,%02d", 1+g.r.IntN(99), g.r.IntN(1000), g.r.IntN(100))), ""
	case "measure":
		return g.pick(fmt.Sprintf("%d,%d km", g.r.IntN(900), g.r.IntN(10)), fmt.Sprintf("%d x %d x %d cm", 10+g.r.IntN(90), 10+g.r.IntN(90), 10+g.r.IntN(90)), fmt.Sprintf("%d.%03d kg", 1+g.r.IntN(9), g.r.IntN(1000)), fmt.Sprintf("%d %03d m²", 1+g.r.IntN(99), g.r.IntN(1000))), ""
	case "isbn":
		return g.isbn(), ""
	case "ean":
		return g.ean(), ""
	case "bignum":
		return g.pick(fmt.Sprintf("%d %03d %03d", 1+g.r.IntN(99), g.r.IntN(1000), g.r.IntN(1000)), fmt.Sprintf("%d.%03d.%03d", 1+g.r.IntN(99), g.r.IntN(1000), g.r.IntN(1000)), fmt.Sprintf("%d,%03d,%03d", 1+g.r.IntN(99), g.r.IntN(1000), g.r.IntN(1000))), ""
	case "ticket":
		return g.pick("INC", "CHG", "REQ", "TKT") + g.digits(7), ""
	case "hexid":
		return "0x" + g.alnum(8+g.r.IntN(9), hexChars), ""
	}
	panic("gen: unknown placeholder " + name)
}

// region is where a national phone number of the text's language comes
// from.
func (g *gen) region() string {
	switch g.tag {
	case "en":
		return "US"
	case "en-GB":
		return "GB"
	case "pt":
		return "PT"
	case "pt-BR":
		return "BR"
	}
	return strings.ToUpper(g.lang)
}

var firstNames = []string{"anna", "jürgen", "émile", "josé", "maría", "joão", "giulia", "daan", "sophie", "lukas", "chloé", "inês", "matteo", "sven", "zoë", "françois", "mia", "noah", "oliver", "lena"}
var lastNames = []string{"müller", "dubois", "garcía", "silva", "rossi", "de vries", "schmidt", "lefèvre", "fernández", "santos", "bianchi", "jansen", "smith", "brown", "weiß", "gonçalves", "peña", "nuñez"}

func (g *gen) name() string {
	f, l := firstNames[g.r.IntN(len(firstNames))], lastNames[g.r.IntN(len(lastNames))]
	return title(f) + " " + title(l)
}

func title(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func asciiFold(s string) string {
	r := strings.NewReplacer("ü", "ue", "ö", "oe", "ä", "ae", "ß", "ss", "é", "e", "è", "e", "ë", "e", "ç", "c", "í", "i", "á", "a", "ã", "a", "ê", "e", "ñ", "n", "ú", "u", "ó", "o", "ô", "o", " ", "")
	return r.Replace(s)
}

func (g *gen) email() string {
	f, l := firstNames[g.r.IntN(len(firstNames))], lastNames[g.r.IntN(len(lastNames))]
	local := asciiFold(f) + g.pick(".", "_", "") + asciiFold(l)
	if g.r.IntN(4) == 0 {
		local += g.digits(2)
	}
	return local + "@" + g.pick("example.com", "beispiel.de", "exemple.fr", "correo.es", "email.com.br", "posta.it", "voorbeeld.nl", "mail.co.uk", "web.de", "gmx.net")
}

func (g *gen) url() string {
	host := g.pick("www.example.com", "shop.beispiel.de", "exemple.fr", "tienda.example.es", "loja.example.com.br", "negozio.example.it", "winkel.example.nl")
	path := g.pick("/", "/profil/"+g.digits(5), "/reset?token="+g.alnum(12, alnumChars), "/docs/guide.html", "/p/"+g.alnum(6, alnumChars))
	return g.pick("https://", "http://", "https://") + host + path
}

// phone returns a valid number of the region, in one of the ways people
// write it there.
func (g *gen) phone(region string, intl bool) string {
	for {
		nat := g.nationalNumber(region)
		pn, err := phonenumbers.Parse(nat, region)
		if err != nil || !phonenumbers.IsValidNumberForRegion(pn, region) {
			continue
		}
		if intl {
			s := phonenumbers.Format(pn, phonenumbers.INTERNATIONAL)
			switch g.r.IntN(6) {
			case 0:
				return phonenumbers.Format(pn, phonenumbers.E164)
			case 1:
				return "00" + strings.TrimPrefix(s, "+")
			}
			return s
		}
		s := phonenumbers.Format(pn, phonenumbers.NATIONAL)
		switch region {
		case "DE", "AT":
			if g.r.IntN(4) == 0 {
				if sp := strings.IndexByte(s, ' '); sp > 0 {
					s = s[:sp] + "/" + strings.ReplaceAll(s[sp+1:], " ", "")
				}
			}
		case "FR", "BE":
			if g.r.IntN(3) == 0 {
				s = strings.ReplaceAll(s, " ", ".")
			}
		case "US":
			switch g.r.IntN(3) {
			case 0:
				s = strings.NewReplacer("(", "", ") ", "-").Replace(s)
			case 1:
				s = strings.NewReplacer("(", "", ") ", ".", "-", ".").Replace(s)
			}
		case "IT", "ES":
			if g.r.IntN(3) == 0 {
				s = strings.ReplaceAll(s, " ", "")
			}
		}
		return s
	}
}

func (g *gen) nationalNumber(region string) string {
	switch region {
	case "US":
		return fmt.Sprintf("%d%d%d%d%s", 2+g.r.IntN(8), g.r.IntN(10), g.r.IntN(10), 2+g.r.IntN(8), g.digits(6))
	case "GB":
		return g.pick("07"+fmt.Sprint(4+g.r.IntN(6))+g.digits(8), "020"+fmt.Sprint(7+g.r.IntN(2))+g.digits(7), "0161"+fmt.Sprint(2+g.r.IntN(8))+g.digits(6))
	case "DE":
		return g.pick("015"+g.pick("1", "2", "7", "9")+g.digits(8), "017"+g.digits(8), "030"+fmt.Sprint(2+g.r.IntN(8))+g.digits(7), "089"+fmt.Sprint(2+g.r.IntN(8))+g.digits(6), "0221"+fmt.Sprint(2+g.r.IntN(8))+g.digits(6), "040"+fmt.Sprint(2+g.r.IntN(8))+g.digits(7))
	case "AT":
		return g.pick("0664"+g.digits(7), "01"+fmt.Sprint(2+g.r.IntN(8))+g.digits(6))
	case "CH":
		return g.pick("07"+g.pick("6", "8", "9")+g.digits(7), "044"+fmt.Sprint(2+g.r.IntN(8))+g.digits(6))
	case "FR", "BE":
		if region == "BE" {
			return "04" + fmt.Sprint(7+g.r.IntN(3)) + g.digits(7)
		}
		return "0" + fmt.Sprint(1+g.r.IntN(7)) + g.digits(8)
	case "ES":
		return g.pick("6", "7", "9") + g.digits(8)
	case "IT":
		return g.pick("3"+fmt.Sprint(2+g.r.IntN(8))+g.digits(8), "06"+g.digits(8), "02"+g.digits(8))
	case "NL":
		return g.pick("06"+g.digits(8), "020"+g.digits(7), "010"+g.digits(7))
	case "BR":
		return g.pick("11", "21", "31", "41", "51", "61", "71", "81") + g.pick("9"+g.digits(8), fmt.Sprint(2+g.r.IntN(4))+g.digits(7))
	case "PT":
		return g.pick("91", "92", "93", "96", "21", "22") + g.digits(7)
	}
	panic(region)
}

func (g *gen) ssn() string {
	for {
		d := []byte(g.digits(9))
		if ssnValid(d) {
			return string(d[:3]) + "-" + string(d[3:5]) + "-" + string(d[5:])
		}
	}
}

// luhnComplete returns prefix with random digits and a check digit to n
// digits.
func (g *gen) luhnComplete(prefix string, n int) string {
	s := prefix + g.digits(n-len(prefix)-1)
	for c := byte('0'); c <= '9'; c++ {
		if luhn([]byte(s + string(c))) {
			return s + string(c)
		}
	}
	panic("unreachable")
}

func (g *gen) card() string {
	switch g.r.IntN(5) {
	case 0:
		d := g.luhnComplete(g.pick("34", "37"), 15)
		return d[:4] + " " + d[4:10] + " " + d[10:]
	case 1:
		return g.luhnComplete(g.pick("4", "51", "55", "6011", "35"), 16)
	}
	d := g.luhnComplete(g.pick("4", "4", "52", "54", "2221", "6011", "65"), 16)
	sep := g.pick(" ", "-", " ")
	return d[:4] + sep + d[4:8] + sep + d[8:12] + sep + d[12:]
}

// iban returns an IBAN whose check digits pass (valid) or fail.
func (g *gen) iban(valid bool) string {
	type cc struct {
		code string
		bban func() string
	}
	ccs := []cc{
		{"DE", func() string { return g.digits(18) }},
		{"FR", func() string { return g.digits(10) + g.alnum(11, upperDigits) + g.digits(2) }},
		{"ES", func() string { return g.digits(20) }},
		{"IT", func() string {
			return g.alnum(1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") + g.digits(10) + g.alnum(12, upperDigits)
		}},
		{"NL", func() string { return g.pick("ABNA", "RABO", "INGB") + g.digits(10) }},
		{"PT", func() string { return g.digits(21) }},
		{"BE", func() string { return g.digits(12) }},
		{"GB", func() string { return g.pick("WEST", "NWBK", "BARC") + g.digits(14) }},
		{"AT", func() string { return g.digits(16) }},
	}
	c := ccs[g.r.IntN(len(ccs))]
	bban := c.bban()
	check := ibanCheck(c.code, bban)
	if !valid {
		check = (check + 1 + g.r.IntN(96)) % 97
		if check < 2 {
			check += 2
		}
	}
	s := fmt.Sprintf("%s%02d%s", c.code, check, bban)
	if g.r.IntN(3) > 0 {
		var b strings.Builder
		for i := 0; i < len(s); i += 4 {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(s[i:min(i+4, len(s))])
		}
		return b.String()
	}
	return s
}

func ibanCheck(code, bban string) int {
	var num strings.Builder
	for _, c := range bban + code + "00" {
		if c >= 'A' && c <= 'Z' {
			fmt.Fprint(&num, int(c-'A')+10)
		} else {
			num.WriteRune(c)
		}
	}
	n, _ := new(big.Int).SetString(num.String(), 10)
	return 98 - int(new(big.Int).Mod(n, big.NewInt(97)).Int64())
}

func (g *gen) apiKey() string {
	switch g.r.IntN(6) {
	case 0:
		return "ghp_" + g.alnum(36, alnumChars)
	case 1:
		return "sk_live_" + g.alnum(24, alnumChars)
	case 2:
		return "AKIA" + g.alnum(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
	case 3:
		return "xoxb-" + g.digits(11) + "-" + g.digits(12) + "-" + g.alnum(24, alnumChars)
	case 4:
		return "AIza" + g.alnum(35, alnumChars+"-_")
	}
	return "sk-" + g.alnum(20, alnumChars) + "T3BlbkFJ" + g.alnum(20, alnumChars)
}

func (g *gen) jwt() string {
	alg := g.pick("HS256", "RS256", "ES256", "HS512")
	header := fmt.Sprintf(`{"alg":"%s","typ":"JWT"}`, alg)
	if g.r.IntN(3) == 0 {
		header = fmt.Sprintf(`{"typ":"JWT","alg":"%s"}`, alg)
	}
	payload := fmt.Sprintf(`{"sub":"%s","iat":%d,"exp":%d}`, g.digits(8), 1700000000+g.r.IntN(1e7), 1710000000+g.r.IntN(1e7))
	enc := base64.RawURLEncoding
	sigLen := 32
	if alg[0] == 'R' {
		sigLen = 256
	}
	sig := make([]byte, sigLen)
	for i := range sig {
		sig[i] = byte(g.r.IntN(256))
	}
	return enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(sig)
}

// date writes a valid date of the years in the text's language's ways.
func (g *gen) date(from, to int) string {
	y := from + g.r.IntN(to-from)
	m := 1 + g.r.IntN(12)
	d := 1 + g.r.IntN(daysIn(y, m))
	if g.r.IntN(5) == 0 {
		return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
	}
	switch g.lang {
	case "en":
		if g.tag == "en-GB" {
			return fmt.Sprintf("%02d/%02d/%04d", d, m, y)
		}
		if g.r.IntN(2) == 0 {
			return fmt.Sprintf("%s %d, %d", title(monthNames[m-1]), d, y)
		}
		return fmt.Sprintf("%02d/%02d/%04d", m, d, y)
	case "de", "nl":
		if g.lang == "nl" {
			return fmt.Sprintf("%02d-%02d-%04d", d, m, y)
		}
		return fmt.Sprintf("%02d.%02d.%04d", d, m, y)
	}
	return fmt.Sprintf("%02d/%02d/%04d", d, m, y)
}

func (g *gen) timestamp() string {
	y, m, d := 2019+g.r.IntN(7), 1+g.r.IntN(12), 1+g.r.IntN(28)
	h, mi, s := g.r.IntN(24), g.r.IntN(60), g.r.IntN(60)
	switch g.r.IntN(4) {
	case 0:
		return fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, h, mi, s)
	case 1:
		return fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d,%03d", y, m, d, h, mi, s, g.r.IntN(1000))
	case 2:
		return fmt.Sprintf("%02d.%02d.%04d %02d:%02d", d, m, y, h, mi)
	}
	return fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d", y, m, d, h, mi, s)
}

func (g *gen) tracking() string {
	switch g.r.IntN(5) {
	case 0:
		return "1Z " + g.alnum(3, upperDigits) + " " + g.alnum(3, upperDigits) + " " + g.digits(2) + " " + g.digits(4) + " " + g.digits(4)
	case 1:
		return "JJD" + g.digits(18)
	case 2:
		return g.groupRun(5+g.r.IntN(2), " ") // USPS, 22 to 26 digits in fours
	case 3:
		return g.digits(20)
	}
	return g.alnum(2, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") + g.digits(9) + g.pick("DE", "FR", "ES", "NL")
}

// groupRun writes n groups of four digits, the last one shorter.
func (g *gen) groupRun(n int, sep string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = g.digits(4)
	}
	parts[n-1] = g.digits(1 + g.r.IntN(4))
	return strings.Join(parts, sep)
}

// luhnRun writes a run of digit groups with a Luhn-valid card-like number
// inside it, not at its edges.
func (g *gen) luhnRun() string {
	d := g.luhnComplete(g.pick("4", "5", "6011"), 16)
	sep := g.pick(" ", " ", "-")
	card := d[:4] + sep + d[4:8] + sep + d[8:12] + sep + d[12:]
	switch g.r.IntN(3) {
	case 0:
		return g.digits(4) + sep + card
	case 1:
		return card + sep + g.digits(4) + sep + g.digits(2)
	}
	return g.digits(4) + sep + card + sep + g.digits(4)
}

// phoneRun writes a longer run of digit groups one of whose parts is a
// valid phone number of the text's region.
func (g *gen) phoneRun() string {
	p := g.phone(g.region(), false)
	p = strings.NewReplacer("(", "", ")", "").Replace(p)
	if g.r.IntN(2) == 0 {
		return g.digits(4) + " " + p + " " + g.digits(4)
	}
	return p + " " + g.digits(4) + " " + g.digits(3)
}

func (g *gen) isbn() string {
	d := "978" + g.digits(9)
	sum := 0
	for i, c := range d {
		w := 1
		if i%2 == 1 {
			w = 3
		}
		sum += w * int(c-'0')
	}
	d += fmt.Sprint((10 - sum%10) % 10)
	if g.r.IntN(2) == 0 {
		return d
	}
	return d[:3] + "-" + d[3:4] + "-" + d[4:7] + "-" + d[7:12] + "-" + d[12:]
}

func (g *gen) ean() string {
	d := g.pick("40", "41", "42", "43", "30", "37", "84", "80", "87", "50", "54") + g.digits(10)
	sum := 0
	for i, c := range d {
		w := 1
		if i%2 == 1 {
			w = 3
		}
		sum += w * int(c-'0')
	}
	return d + fmt.Sprint((10-sum%10)%10)
}

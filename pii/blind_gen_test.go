package pii

// Document generator of the blind benchmark (see blind_test.go).

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode/utf8"
)

// blindSpan is one labelled value, in code points, End exclusive.
type blindSpan struct {
	Type       Type
	Start, End int
}

// blindDoc is one generated text.
type blindDoc struct {
	Text string
	Lang string
	Hard bool // a hard negative: no labelled value at all
	Gold []blindSpan
}

// blindBuilder appends text and values and keeps code-point offsets.
type blindBuilder struct {
	b    strings.Builder
	n    int
	gold []blindSpan
}

func (w *blindBuilder) text(s string) {
	w.b.WriteString(s)
	w.n += utf8.RuneCountInString(s)
}

func (w *blindBuilder) value(t Type, s string) {
	start := w.n
	w.text(s)
	w.gold = append(w.gold, blindSpan{t, start, w.n})
}

// blindGen generates one split. inSplit tells whether the i-th entry of a
// list of templates belongs to this split: a third of every list longer
// than two is dev-only, a third holdout-only.
type blindGen struct {
	v     bv
	split string
}

func (g *blindGen) inSplit(i, n int) bool {
	if n <= 2 {
		return true
	}
	switch i % 3 {
	case 1:
		return g.split == "dev"
	case 2:
		return g.split == "holdout"
	}
	return true
}

// pick draws from the entries of xs that belong to the split.
func (g *blindGen) pick(xs []string) string {
	for {
		i := g.v.n(len(xs))
		if g.inSplit(i, len(xs)) {
			return xs[i]
		}
	}
}

func (g *blindGen) pickN(n int) int {
	for {
		i := g.v.n(n)
		if g.inSplit(i, n) {
			return i
		}
	}
}

// blindKinds are the positive kinds and the type their values carry.
var blindKinds = []struct {
	kind   string
	typ    Type
	weight int
	fields []string // JSON / key=value field names
}{
	{"email", Email, 10, []string{"email", "mail", "contact_email", "e-mail"}},
	{"phone", Phone, 22, []string{"phone", "tel", "mobile", "telefono"}},
	{"card", CreditCard, 14, []string{"card_number", "cc", "pan", "cardNumber"}},
	{"iban", IBAN, 10, []string{"iban", "IBAN", "account_iban"}},
	{"ssn", SSN, 6, []string{"ssn", "SSN", "social_security_number"}},
	{"ip", IPAddress, 9, []string{"ip", "remote_addr", "client_ip", "src"}},
	{"dob", DateOfBirth, 10, []string{"dob", "birth_date", "date_of_birth", "birthday"}},
	{"url", URL, 6, []string{"url", "homepage", "link", "website"}},
	{"key", APIKey, 6, []string{"api_key", "apiKey", "token", "access_key"}},
	{"jwt", JWT, 4, []string{"token", "id_token", "access_token", "jwt"}},
	{"pass", Secret, 5, []string{"password", "db_password", "client_secret", "passwd"}},
}

func generateBlind(split string, n int) []blindDoc {
	seed := uint64(0xB11D)
	if split == "holdout" {
		seed = 0x5EA1ED
	}
	g := &blindGen{v: bv{rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))}, split: split}
	docs := make([]blindDoc, 0, n)
	for i := range n {
		lang := blindLangs[g.v.n(len(blindLangs))]
		if i%4 == 3 {
			docs = append(docs, g.hardDoc(lang))
		} else {
			docs = append(docs, g.positiveDoc(lang))
		}
	}
	return docs
}

func (g *blindGen) filler(w *blindBuilder, l blindLang) {
	w.text(g.pick(l.filler))
}

func (g *blindGen) positiveDoc(l blindLang) blindDoc {
	var w blindBuilder
	if g.v.p(0.5) {
		g.filler(&w, l)
		w.text(" ")
	}
	g.positive(&w, l)
	if g.v.p(0.35) {
		w.text(g.v.one(" ", "\n", " — "))
		g.negative(&w, l)
	}
	if g.v.p(0.3) {
		w.text(g.v.one(" ", "\n", "; "))
		g.positive(&w, l)
	}
	if g.v.p(0.4) {
		w.text(" ")
		g.filler(&w, l)
	}
	return blindDoc{Text: w.b.String(), Lang: l.tag, Gold: w.gold}
}

func (g *blindGen) hardDoc(l blindLang) blindDoc {
	var w blindBuilder
	if g.v.p(0.4) {
		g.filler(&w, l)
		w.text(" ")
	}
	for k := 1 + g.v.n(3); k > 0; k-- {
		g.negative(&w, l)
		if k > 1 {
			w.text(g.v.one(" ", "\n", ". ", "; ", " | "))
		}
	}
	if g.v.p(0.4) {
		w.text(" ")
		g.filler(&w, l)
	}
	return blindDoc{Text: w.b.String(), Lang: l.tag, Hard: true}
}

// ---- positives

// positive writes one labelled value in one of the shapes.
func (g *blindGen) positive(w *blindBuilder, l blindLang) {
	total := 0
	for _, k := range blindKinds {
		total += k.weight
	}
	r := g.v.n(total)
	ki := 0
	for r >= blindKinds[ki].weight {
		r -= blindKinds[ki].weight
		ki++
	}
	k := blindKinds[ki]
	val := g.valueOf(k.kind, l)
	cueKind := k.kind
	if cueKind == "jwt" {
		cueKind = "key"
	}
	cue := g.pick(l.cue[cueKind])
	field := g.pick(k.fields)
	sp := func(c string) string { // a cue ending in a full-width colon takes no space
		if strings.HasSuffix(c, "：") {
			return c
		}
		return c + " "
	}
	switch g.pickN(14) {
	case 0:
		w.text(sp(cue))
		w.value(k.typ, val)
	case 1:
		w.text(sp(cue))
		w.value(k.typ, val)
		w.text(".")
	case 2:
		w.text(sp(cue))
		w.value(k.typ, val)
		w.text(", " + g.pick(l.filler))
	case 3:
		w.text("(" + sp(cue))
		w.value(k.typ, val)
		w.text(")")
	case 4:
		q := g.v.one(`""`, "''", "«»", "„“", "「」", "“”")
		open, close := string([]rune(q)[:1]), string([]rune(q)[1:])
		w.text(sp(cue) + open)
		w.value(k.typ, val)
		w.text(close)
	case 5:
		w.text("- " + sp(cue))
		w.value(k.typ, val)
		w.text("\n")
	case 6:
		w.text(fmt.Sprintf(`{"%s": "`, field))
		w.value(k.typ, val)
		w.text(fmt.Sprintf(`", "lang": "%s"}`, l.tag))
	case 7:
		w.text("| " + strings.TrimRight(cue, ":： ") + " | ")
		w.value(k.typ, val)
		w.text(" |")
	case 8:
		w.text(sp(cue))
		w.value(k.typ, val)
		w.text("; " + g.pick(l.filler))
	case 9:
		w.text(field + "=")
		w.value(k.typ, val)
		w.text(g.v.one("", "&lang="+l.tag, " ", "\n"))
	case 10:
		w.text(g.pick(l.filler) + " " + sp(cue))
		w.value(k.typ, val)
		w.text(g.v.one(".", "!", " ", "?"))
	case 11:
		w.text(strings.ToUpper(field[:1]) + field[1:] + ": ")
		w.value(k.typ, val)
		w.text("\n")
	case 12:
		w.text("<td>" + strings.TrimRight(cue, ":： ") + "</td><td>")
		w.value(k.typ, val)
		w.text("</td>")
	default:
		w.text(sp(cue) + "\u00a0")
		w.value(k.typ, val)
		w.text(" …")
	}
	if k.kind == "key" || k.kind == "jwt" || k.kind == "ip" {
		g.techTail(w, k.kind, k.typ)
	}
}

// techTail sometimes adds a second value of a technical kind in the place
// such values live: headers, env files, log lines.
func (g *blindGen) techTail(w *blindBuilder, kind string, t Type) {
	if !g.v.p(0.5) {
		return
	}
	w.text("\n")
	switch kind {
	case "key", "jwt":
		val := g.v.apiKey()
		if kind == "jwt" {
			val = g.v.jwt()
		}
		switch g.pickN(5) {
		case 0:
			w.text("Authorization: Bearer ")
			w.value(t, val)
		case 1:
			w.text("export " + g.v.one("API_TOKEN", "STRIPE_KEY", "GH_TOKEN", "AUTH") + "=")
			w.value(t, val)
		case 2:
			w.text(`curl -H "X-Api-Key: `)
			w.value(t, val)
			w.text(`" https://api.example.com/v1/items`)
		case 3:
			w.text("token='")
			w.value(t, val)
			w.text("'")
		default:
			w.text("Use ")
			w.value(t, val)
			w.text(".")
		}
	case "ip":
		ip := g.v.ipv4()
		switch g.pickN(5) {
		case 0:
			w.text("sshd[2231]: Failed password for root from ")
			w.value(t, ip)
			w.text(" port " + fmt.Sprint(1024+g.v.n(60000)) + " ssh2")
		case 1:
			w.value(t, ip)
			w.text(` - - [15/Jan/2024:13:45:12 +0100] "GET /index.html HTTP/1.1" 200 512`)
		case 2:
			w.text("proxy_pass http://")
			w.value(t, ip)
			w.text(":8080;")
		case 3:
			ip6 := g.v.ipv6()
			w.text("listen [")
			w.value(t, ip6)
			w.text("]:443;")
		default:
			w.text("X-Forwarded-For: ")
			w.value(t, ip)
			w.text(", ")
			w.value(t, g.v.ipv4())
		}
	}
}

func (g *blindGen) valueOf(kind string, l blindLang) string {
	v := g.v
	switch kind {
	case "email":
		e := v.email()
		if v.p(0.1) {
			e = strings.ToUpper(e[:1]) + e[1:]
		}
		return e
	case "phone":
		if v.p(0.35) {
			regions := []string{"US", "GB", "DE", "FR", "ES", "IT", "NL", "BR", "MX", "IN", "JP", "AU", "PL", "SE", "TR", "PT", "RU", "CN", "SA", "AE"}
			return v.phone(regions[v.n(len(regions))], true)
		}
		return v.phone(l.regions[v.n(len(l.regions))], v.p(0.2))
	case "card":
		return v.card()
	case "iban":
		return v.iban(false)
	case "ssn":
		a, b, c := v.ssnDigits()
		switch v.n(8) {
		case 0:
			return a + " " + b + " " + c
		case 1:
			return a + b + c
		default:
			return a + "-" + b + "-" + c
		}
	case "ip":
		if v.p(0.25) {
			return v.ipv6()
		}
		return v.ipv4()
	case "dob":
		return g.date(l, 1935+v.n(72))
	case "url":
		return v.url()
	case "key":
		return v.apiKey()
	case "jwt":
		return v.jwt()
	case "pass":
		return v.password()
	}
	panic(kind)
}

// date prints a date of year y the way l prints dates, in words or digits.
func (g *blindGen) date(l blindLang, y int) string {
	v := g.v
	m, d := 1+v.n(12), 1+v.n(28)
	if v.p(0.45) {
		s := l.dateFmt
		month := l.months[m-1]
		if l.tag == "en-US" && v.p(0.3) {
			month = month[:3]
		}
		s = strings.Replace(s, "Y", fmt.Sprint(y), 1)
		s = strings.Replace(s, "D", fmt.Sprint(d), 1)
		s = strings.Replace(s, "M", month, 1)
		return s
	}
	dd, mm := fmt.Sprintf("%02d", d), fmt.Sprintf("%02d", m)
	if v.p(0.2) {
		dd, mm = fmt.Sprint(d), fmt.Sprint(m)
	}
	switch {
	case v.p(0.2):
		return fmt.Sprintf("%d-%02d-%02d", y, m, d)
	case strings.HasPrefix(l.numFmt, "MDY"):
		return mm + l.numFmt[3:] + dd + l.numFmt[3:] + fmt.Sprint(y)
	case strings.HasPrefix(l.numFmt, "YMD"):
		return fmt.Sprint(y) + l.numFmt[3:] + mm + l.numFmt[3:] + dd
	default:
		return dd + l.numFmt[3:] + mm + l.numFmt[3:] + fmt.Sprint(y)
	}
}

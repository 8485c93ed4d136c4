package pii

// Hard negatives of the blind benchmark: text that looks like personal data
// to a pattern and is not.

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// isbn13 returns a valid ISBN-13 with hyphens.
func (v bv) isbn13() string {
	body := "978" + v.digits(9)
	if v.p(0.3) {
		body = "979" + v.digits(9)
	}
	sum := 0
	for i, c := range body {
		d := int(c - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	full := body + fmt.Sprint((10-sum%10)%10)
	if v.p(0.4) {
		return full
	}
	return full[:3] + "-" + full[3:4] + "-" + full[4:7] + "-" + full[7:12] + "-" + full[12:]
}

func (v bv) isbn10() string {
	body := v.digits(9)
	sum := 0
	for i, c := range body {
		sum += (10 - i) * int(c-'0')
	}
	ck := (11 - sum%11) % 11
	c := fmt.Sprint(ck)
	if ck == 10 {
		c = "X"
	}
	return body[:1] + "-" + body[1:4] + "-" + body[4:9] + "-" + c
}

// gtin returns a GS1 number of n digits (8, 12, 13 or 14) with its check digit.
func (v bv) gtin(n int) string {
	body := v.nzDigits(n - 1)
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return body + fmt.Sprint((10-sum%10)%10)
}

func (v bv) uuid() string {
	h := v.from(bHex, 32)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:]
}

// negative writes one hard negative in the language of l.
func (g *blindGen) negative(w *blindBuilder, l blindLang) {
	v := g.v
	cue := func(k string) string { return g.pick(l.cue[k]) }
	var s string
	switch g.pickN(36) {
	case 0:
		s = cue("order") + " " + v.one(v.digits(10), "#"+v.digits(9), groupDigits(v.digits(12), " ", 4, 4, 4), "A-"+v.digits(7), v.digits(3)+"-"+v.digits(7)+"-"+v.digits(7))
	case 1:
		s = cue("invoice") + " " + v.one(fmt.Sprintf("INV-%d-%06d", 2018+v.n(8), v.n(1e6)), fmt.Sprintf("%d/%05d", 2018+v.n(8), v.n(1e5)), "RE-"+v.digits(6), fmt.Sprintf("%d-%s-%s", 2018+v.n(8), v.digits(2), v.digits(4)))
	case 2: // Luhn-valid, 16 digits, no card brand
		s = cue("member") + " " + groupDigits(v.luhnNumber(v.one("9", "8", "1", "0"), 16), v.one(" ", "-", ""), 4, 4, 4, 4)
	case 3: // card-shaped, fails Luhn
		d := v.luhnNumber("4", 16)
		d = d[:15] + string('0'+(d[15]-'0'+1+byte(v.n(8)))%10)
		s = cue("member") + " " + groupDigits(d, " ", 4, 4, 4, 4)
	case 4:
		s = cue("tracking") + " " + v.one("1Z"+v.from(bUpperAlnum, 16), groupDigits("9400"+v.digits(18), " ", 4, 4, 4, 4, 4, 2), "JJD"+v.digits(18), v.digits(10), v.from("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 2)+v.digits(9)+v.one("DE", "GB", "FR", "NL"))
	case 5:
		y := 2016 + v.n(11)
		if v.p(0.2) {
			y = 1985 + v.n(20)
		}
		s = cue("appt") + " " + g.date(l, y)
	case 6:
		s = cue("born") + " " + g.date(l, 2005+v.n(20))
	case 7:
		s = cue("qty") + " " + v.one(groupDigits(v.nzDigits(8), " ", 2, 3, 3), groupDigits(v.nzDigits(7), ".", 1, 3, 3), groupDigits(v.nzDigits(8), ",", 2, 3, 3), v.nzDigits(6), groupDigits(v.nzDigits(10), "\u00a0", 1, 3, 3, 3))
	case 8:
		s = cue("price") + " " + v.one("€ 1.299,00", fmt.Sprintf("$%d,%03d.%02d", 1+v.n(99), v.n(1000), v.n(100)), fmt.Sprintf("%d %03d,%02d zł", 1+v.n(99), v.n(1000), v.n(100)), fmt.Sprintf("R$ %d.%03d,90", 1+v.n(99), v.n(1000)), fmt.Sprintf("¥%d,%03d", 1+v.n(999), v.n(1000)), fmt.Sprintf("%d %03d ₽", 1+v.n(999), v.n(1000)))
	case 9:
		s = v.one("ISBN ", "ISBN: ", "ISBN-13 ") + v.isbn13()
		if v.p(0.3) {
			s = "ISBN-10 " + v.isbn10()
		}
	case 10:
		s = v.one("EAN ", "EAN-13: ", "UPC: ", "GTIN ", "Barcode ") + v.gtin([]int{13, 13, 12, 14, 8}[v.n(5)])
	case 11:
		s = v.one("S/N: ", "Serial ", "Seriennummer ", "SN ") + v.one(v.from(bUpperAlnum, 10), groupDigits(v.digits(16), "-", 4, 4, 4, 4), v.digits(12))
	case 12:
		s = v.one("SKU ", "Art.-Nr. ", "Ref. ", "Item ") + v.one(v.digits(2)+"-"+v.digits(4)+"-"+v.digits(2)+"-B", v.digits(3)+"."+v.digits(3)+"."+v.digits(2), v.from(bUpperAlnum, 3)+"-"+v.digits(5))
	case 13:
		s = fmt.Sprintf("%d-%02d-%02d %02d:%02d:%02d,%03d %s [worker-%d] processed %d items in %d ms", 2020+v.n(6), 1+v.n(12), 1+v.n(28), v.n(24), v.n(60), v.n(60), v.n(1000), v.one("INFO", "WARN", "DEBUG"), v.n(9), v.n(5000), v.n(900))
	case 14:
		s = v.one(fmt.Sprintf("ts=%d-%02d-%02dT%02d:%02d:%02d.%03dZ level=info msg=\"job done\" duration=%dms", 2020+v.n(6), 1+v.n(12), 1+v.n(28), v.n(24), v.n(60), v.n(60), v.n(1000), v.n(5000)),
			fmt.Sprintf("epoch %d", 1600000000+v.n(1e8)), fmt.Sprintf("[%02d/Mar/%d:%02d:%02d:%02d +0000] took %d.%03ds", 1+v.n(28), 2020+v.n(6), v.n(24), v.n(60), v.n(60), v.n(10), v.n(1000)))
	case 15:
		s = v.one("version ", "Version ", "firmware ", "v", "Build ", "release ") + fmt.Sprintf("%d.%d.%d.%d", 1+v.n(12), v.n(30), v.n(30), v.n(250))
	case 16:
		s = v.one("Chrome/", "Build ", "Windows 10.0.") + fmt.Sprintf("%d.%d.%d.%d", 10+v.n(120), v.n(10), 1000+v.n(9000), v.n(300))
	case 17:
		s = v.one("v", "version ", "@") + fmt.Sprintf("%d.%d.%d", v.n(5), v.n(40), v.n(20)) + v.one("", "-rc.1", "-beta.2+build.5", "+20240115")
	case 18:
		s = v.one(fmt.Sprintf("%.4f, %.4f", -60+v.r.Float64()*120, -170+v.r.Float64()*340), fmt.Sprintf("lat=%.6f lon=%.6f", -60+v.r.Float64()*120, -170+v.r.Float64()*340), fmt.Sprintf("%d°%d′%d″N %d°%d′%d″E", v.n(90), v.n(60), v.n(60), v.n(180), v.n(60), v.n(60)))
	case 19:
		s = v.one("ZIP "+v.digits(5)+"-"+v.digits(4), v.digits(5)+" Paris", "SW1A 1AA", v.digits(2)+"-"+v.digits(3)+" Warszawa", v.digits(4)+" AB Amsterdam", v.digits(3)+" "+v.digits(2)+" Stockholm", "CEP "+v.digits(5)+"-"+v.digits(3), "〒"+v.digits(3)+"-"+v.digits(4))
	case 20:
		y := 1990 + v.n(30)
		s = v.one(fmt.Sprintf("%d-%d", y, y+1+v.n(6)), fmt.Sprintf("%d–%d", y, y+3), fmt.Sprintf("pp. %d-%d", 100+v.n(300), 400+v.n(100)), "Mo–Fr 9–17", fmt.Sprintf("08:00-20:00, %d-%d", y, y+2))
	case 21:
		s = cue("iban") + " " + v.iban(true)
	case 22:
		s = v.one("sha256: "+v.from(bHex, 64), "commit "+v.from(bHex, 7+v.n(34)), "md5 "+v.from(bHex, 32), `ETag: "`+v.from(bHex, 32)+`"`, "sha1="+v.from(bHex, 40))
	case 23:
		s = v.one("request id ", "trace_id=", "UUID ", "correlation-id: ") + v.uuid()
	case 24:
		b := make([]byte, 16+v.n(30))
		for i := range b {
			b[i] = byte(v.n(256))
		}
		s = v.one("Content-MD5: ", "integrity=\"sha384-", "data:image/png;base64,iVBORw0KGgo", "nonce=") + base64.StdEncoding.EncodeToString(b)
	case 25:
		s = v.one(fmt.Sprintf("case no. %d:%d-cv-%05d", 1+v.n(9), 10+v.n(14), v.n(1e5)), fmt.Sprintf("Patent US %d,%03d,%03d B2", 9+v.n(3), v.n(1000), v.n(1000)), fmt.Sprintf("%d x %d x %d mm", 10+v.n(500), 10+v.n(500), 10+v.n(200)), fmt.Sprintf("Flight LH %d", 100+v.n(9000)), fmt.Sprintf("ticket #%04d-%04d", v.n(1e4), v.n(1e4)), fmt.Sprintf("Lotto: %d %d %d %d %d %d", 1+v.n(8), 9+v.n(8), 17+v.n(8), 25+v.n(8), 33+v.n(8), 41+v.n(8)))
	case 26:
		s = "IMEI " + groupDigits(v.luhnNumber(v.one("35", "86", "01"), 15), v.one(" ", "", "-"), 2, 6, 6, 1)
	case 27:
		s = v.one("ICCID ", "SIM ") + groupDigits(v.luhnNumber("89"+v.digits(2), 19), v.one(" ", ""), 4, 4, 4, 4, 3)
	case 28:
		a := 900 + v.n(99)
		s = v.one("part no. ", "Teilenummer ", "ref ") + v.one(fmt.Sprintf("%d-%s-%s", a, v.digits(2), v.digits(4)), "000-"+v.digits(2)+"-"+v.digits(4), v.digits(3)+"-00-"+v.digits(4))
	case 29:
		s = v.one("icon@2x.png", "logo@3x.webp", "@"+v.one(bFirst...)+"_"+v.one(bLast...)+" on Mastodon", "npm i @babel/core", "ping me @"+v.one(bFirst...))
	case 30:
		s = v.one("README.md", "main.py", "setup.sh", "lib.rs", "config.yaml", "Vue.js", "node.js", "ASP.NET Core", "e.g. this", "index.ts") + " " + v.one("was updated", "wurde geändert", "a été modifié", "更新しました")
	case 31:
		s = v.one("api_key: ${API_KEY}", "YOUR_API_KEY", "token=<token>", "process.env.API_KEY", "getUserAccountSettingsByIdAndTenant()", "java.util.concurrent.ConcurrentHashMap", "btn-primary-outline-lg", "sk_test_XXXXXXXXXXXXXXXXXXXXXXXX")
	case 32:
		s = v.one(cue("pass")+" ********", cue("pass")+" <redacted>", "password_min_length=12", "token_count="+v.digits(4), cue("pass")+" ?", "Forgot password? Reset it in Settings.", "Passwort vergessen?", "mot de passe oublié ?", "max_tokens=4096")
	case 33:
		s = v.one("section ", "OID ", "Regel ", "§ ") + fmt.Sprintf("%d.%d.%d.%d", 1+v.n(9), 1+v.n(9), 1+v.n(9), 1+v.n(9))
	case 34:
		s = v.one("NPI ", "SIN ") + v.luhnNumber(v.one("1", "2", "5"), []int{9, 10}[v.n(2)])
	default:
		s = v.one("Kapitel 3.2.1", "file.tar.gz", "com.example.app.MainActivity", "a.b.c", "Station 12-B, Gleis 7", "Raum 2.041", "Zimmer 304–306")
	}
	if strings.HasPrefix(s, " ") {
		s = s[1:]
	}
	w.text(s)
}

package pii

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
)

// Limits on how far the secret shapes read.
const (
	maxPrivateKeyBytes = 64 << 10 // a 16384-bit RSA key in PEM is about 13 KiB
	maxSecretValue     = 256      // the value of password=..., token: ...
	maxJWTHeader       = 1024     // base64url characters of a JWT's header
)

// keyRule is a credential recognised by its prefix.
type keyRule struct {
	prefix   string
	typ      Type
	body     uint16 // class bits every byte after the prefix has
	min, max int    // length of the body
	score    float64
}

const cAlnum = cUpper | cLower | cDigit

// keyRules lists the prefixes of credentials issuers publish so that
// leaked ones can be found. Rampart's own come first.
var keyRules = [...]keyRule{
	{"rmp_", APIKey, cB64URL, 40, 200, 0.9},  // Rampart API key (identity.NewAPIKey)
	{"rrt_", Secret, cB64URL, 40, 200, 0.85}, // Rampart refresh token
	{"rmt_", Secret, cB64URL, 40, 200, 0.85}, // Rampart MFA challenge token
	{"AKIA", APIKey, cUpper | cDigit, 16, 16, 0.95},
	{"ASIA", APIKey, cUpper | cDigit, 16, 16, 0.95},
	{"AIza", APIKey, cB64URL, 35, 35, 0.95}, // Google API key
	{"ghp_", APIKey, cAlnum, 30, 255, 0.97}, // GitHub tokens
	{"gho_", APIKey, cAlnum, 30, 255, 0.97},
	{"ghu_", APIKey, cAlnum, 30, 255, 0.97},
	{"ghs_", APIKey, cAlnum, 30, 255, 0.97},
	{"ghr_", APIKey, cAlnum, 30, 255, 0.97},
	{"github_pat_", APIKey, cWord, 22, 255, 0.97},
	{"xoxb-", APIKey, cB64URL, 10, 255, 0.95}, // Slack tokens
	{"xoxp-", APIKey, cB64URL, 10, 255, 0.95},
	{"xoxa-", APIKey, cB64URL, 10, 255, 0.95},
	{"xoxr-", APIKey, cB64URL, 10, 255, 0.95},
	{"xoxs-", APIKey, cB64URL, 10, 255, 0.95},
	{"sk_live_", APIKey, cAlnum, 16, 255, 0.97}, // Stripe secret and restricted keys
	{"rk_live_", APIKey, cAlnum, 16, 255, 0.97},
	{"sk_test_", APIKey, cAlnum, 16, 255, 0.9},
	{"rk_test_", APIKey, cAlnum, 16, 255, 0.9},
	{"sk-", APIKey, cB64URL, 32, 255, 0.9},        // OpenAI and compatible APIs
	{"glpat-", APIKey, cB64URL, 20, 64, 0.95},     // GitLab personal access token
	{"SG.", APIKey, cB64URL | cURL, 66, 66, 0.95}, // SendGrid: 22 and 43 base64url characters joined by '.'
}

// Exact shapes of Rampart's tokens (see package identity): they score
// higher than a mere prefix.
const (
	rampartAPIKeyBody = 34 + 1 + 43
	rampartOpaqueBody = 64
)

// key finds credentials by prefix at the word start i.
func (sc *scanner) key(i int) {
	s := sc.s
	if sc.want&bSecret != 0 && (s[i] == 'a' || s[i] == 'A') && hasPrefixFold(s[i:], "aws_secret") {
		sc.awsSecret(i)
	}
	for k := range keyRules {
		r := &keyRules[k]
		if r.prefix[0] != s[i] || !strings.HasPrefix(s[i:], r.prefix) || sc.want&typeBit(r.typ) == 0 {
			continue
		}
		j := i + len(r.prefix)
		e := j
		for e < len(s) && class[s[e]]&r.body != 0 && e-j <= r.max {
			e++
		}
		n := e - j
		if n < r.min || n > r.max || e < len(s) && isWord(s[e]) || repeated(s[j:e]) {
			continue
		}
		if r.prefix == "SG." && s[j+22] != '.' {
			continue
		}
		score := r.score
		switch {
		case r.prefix == "sk-" && !mixed(s[j:e]):
			continue // "sk-learn-style-names" are not keys
		case r.prefix == "rmp_" && n == rampartAPIKeyBody && s[j+34] == '_':
			score = 0.99
		case (r.prefix == "rrt_" || r.prefix == "rmt_") && n == rampartOpaqueBody:
			score = 0.99
		}
		sc.add(r.typ, i, e, score)
		return
	}
}

// repeated reports whether s holds a run of eight or more of a stand-in
// character ('X', 'x', '*', '#'), as "sk_test_XXXXXXXXXXXX" and other
// placeholders do and random keys almost never do.
func repeated(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case (c == 'X' || c == 'x' || c == '*' || c == '#') && (run == 0 || s[i-1] == c):
			run++
			if run >= 8 {
				return true
			}
		case c == 'X' || c == 'x' || c == '*' || c == '#':
			run = 1
		default:
			run = 0
		}
	}
	return false
}

// mixed reports whether s has a letter and a digit, as generated keys do
// and words joined by dashes do not.
func mixed(s string) bool {
	var m uint16
	for i := 0; i < len(s); i++ {
		m |= class[s[i]]
	}
	return m&cDigit != 0 && m&(cUpper|cLower) != 0
}

// awsSecret finds an AWS secret access key (40 characters of standard
// base64) shortly after "aws_secret..." at i.
func (sc *scanner) awsSecret(i int) {
	s := sc.s
	j := i + len("aws_secret")
	for j < len(s) && isWord(s[j]) {
		j++ // _access_key
	}
	limit := min(len(s), j+24)
	for j < limit {
		if class[s[j]]&cB64 == 0 {
			j++
			continue
		}
		e := j
		for e < len(s) && class[s[e]]&cB64 != 0 {
			e++
		}
		if e-j == 40 && (e == len(s) || s[e] != '=' && !isWord(s[e])) && mixed(s[j:e]) {
			sc.add(Secret, j, e, 0.97)
		}
		return
	}
}

// jwt finds JSON Web Tokens at i: three base64url segments whose first
// decodes to a JSON object with an "alg" member (RFC 7515 section 4.1.1).
func (sc *scanner) jwt(i int) {
	s := sc.s
	seg := func(j int) int {
		for j < len(s) && class[s[j]]&cB64URL != 0 {
			j++
		}
		return j
	}
	e1 := seg(i)
	if e1-i < 10 || e1-i > maxJWTHeader || e1 >= len(s) || s[e1] != '.' {
		return
	}
	e2 := seg(e1 + 1)
	if e2-e1 < 3 || e2 >= len(s) || s[e2] != '.' {
		return
	}
	e3 := seg(e2 + 1)
	// A full stop after the signature ends the sentence, not the token,
	// unless more of a token follows it.
	if e3 < len(s) && (s[e3] == '.' && e3+1 < len(s) && class[s[e3+1]]&cB64URL != 0 || isWord(s[e3])) {
		return
	}
	var buf [maxJWTHeader]byte
	n, err := base64.RawURLEncoding.Decode(buf[:], []byte(s[i:e1]))
	if err != nil || !json.Valid(buf[:n]) || !bytes.Contains(buf[:n], []byte(`"alg"`)) {
		return
	}
	score := 0.9
	if strings.HasPrefix(s[e1+1:], "eyJ") {
		score = 0.99 // the payload is JSON too
	}
	sc.add(JWT, i, e3, score)
}

// privateKey finds a PEM private key block at i, through its END line. A
// block cut off before its END line is still taken, to the end of its
// base64 body, at a lower score. It returns the end of the block, or i.
func (sc *scanner) privateKey(i int) int {
	s := sc.s
	h := i + len("-----BEGIN ")
	e := strings.Index(s[h:min(len(s), h+64)], "-----")
	if e < 0 {
		return i
	}
	label := s[h : h+e]
	if !strings.HasSuffix(label, "PRIVATE KEY") && !strings.HasSuffix(label, "PRIVATE KEY BLOCK") {
		return i
	}
	body := h + e + 5
	window := s[body:min(len(s), body+maxPrivateKeyBytes)]
	if k := strings.Index(window, "-----END "+label+"-----"); k >= 0 {
		end := body + k + len("-----END "+label+"-----")
		sc.add(PrivateKey, i, end, 0.99)
		return end
	}
	end := body
	for end < body+len(window) && (class[s[end]]&cB64 != 0 || strings.IndexByte("=\r\n\t :,-", s[end]) >= 0) {
		end++
	}
	for end > body && strings.IndexByte("\r\n\t -", s[end-1]) >= 0 {
		end--
	}
	sc.add(PrivateKey, i, end, 0.9)
	return end
}

// assignment finds the value in "password=...", "token: ...",
// `"client_secret": "..."` at the '=' or ':' at i. The finding is the value
// alone, so that masking keeps the name that says what was masked.
func (sc *scanner) assignment(i int) {
	s := sc.s
	if i < sc.assignSkip {
		return
	}
	k := i
	for k > 0 && i-k < 2 && s[k-1] == ' ' {
		k--
	}
	if k > 0 && (s[k-1] == '"' || s[k-1] == '\'') {
		k--
	}
	ke := k
	for k > 0 && ke-k < 48 && (isWord(s[k-1]) || s[k-1] == '-' || s[k-1] == '.' || s[k-1] >= 0x80) {
		k--
	}
	typ, ok := secretName(s[k:ke])
	if !ok || sc.want&typeBit(typ) == 0 {
		return
	}
	j := i + 1
	if s[i] == ':' && j < len(s) && s[j] == '=' {
		j++ // Go's :=
	}
	for j < len(s) && j-i < 4 && s[j] == ' ' {
		j++
	}
	var quote byte
	if j < len(s) && (s[j] == '"' || s[j] == '\'') {
		quote = s[j]
		j++
	}
	vs := j
	for j < len(s) && j-vs <= maxSecretValue {
		c := s[j]
		if quote != 0 && (c == quote || c == '\n') || quote == 0 && strings.IndexByte(" \t\r\n,;&\"'<>)}]", c) >= 0 {
			break
		}
		j++
	}
	if j-vs > maxSecretValue {
		sc.assignSkip = j
		return
	}
	if quote != 0 && (j >= len(s) || s[j] != quote) {
		return
	}
	v := s[vs:j]
	if quote == 0 {
		v = strings.TrimRight(v, ".") // a sentence's full stop
		j = vs + len(v)
	}
	if sc.want&bJWT != 0 && jwtShaped(v) {
		return // the JWT is reported as a JWT
	}
	if placeholder(v) || len(v) < 6 || len(v) < 8 && !mixed(v) {
		return
	}
	score := 0.8
	if len(v) >= 16 && mixed(v) {
		score = 0.9
	}
	sc.add(typ, vs, j, score)
}

// secretName reports whether name (a variable, field or header name) holds
// a secret or an API key.
func secretName(name string) (Type, bool) {
	if len(name) < 3 || len(name) > 48 {
		return "", false
	}
	var buf [48]byte
	low := buf[:len(name)]
	for i := 0; i < len(name); i++ {
		low[i] = lower(name[i])
	}
	for _, w := range secretNameWords {
		if bytes.Contains(low, w) {
			return Secret, true
		}
	}
	for _, w := range apiKeyNameWords {
		if bytes.Contains(low, w) {
			return APIKey, true
		}
	}
	return "", false
}

// Words in a variable's name that say its value is a secret or an API key.
var (
	secretNameWords = [][]byte{[]byte("password"), []byte("passwd"), []byte("passphrase"), []byte("secret"), []byte("pwd"), []byte("token"), []byte("credential"),
		// "password" in other languages; names may hold non-ASCII letters.
		[]byte("passwort"), []byte("kennwort"), []byte("wachtwoord"), []byte("contraseña"), []byte("senha"), []byte("hasło"),
		[]byte("lösenord"), []byte("adgangskode"), []byte("salasana"), []byte("şifre"), []byte("parola"), []byte("пароль"),
		[]byte("palavra-passe"), []byte("motdepasse"), []byte("mdp"), []byte("パスワード"), []byte("密码"), []byte("كلمة")}
	apiKeyNameWords = [][]byte{[]byte("apikey"), []byte("api_key"), []byte("api-key"), []byte("access_key"), []byte("accesskey")}
)

// placeholder reports whether v stands in for a secret rather than being
// one: "********", "<token>", "${DB_PASSWORD}", "null".
func placeholder(v string) bool {
	if v == "" || strings.Trim(v, v[:1]) == "" {
		return true // one character repeated
	}
	switch v[0] {
	case '<', '$', '{', '%', '[', '(':
		return true
	}
	for _, w := range [...]string{"null", "none", "nil", "true", "false", "undefined", "redacted", "required", "optional", "string"} {
		if strings.EqualFold(v, w) {
			return true
		}
	}
	return false
}

// jwtShaped reports whether v looks like a JWT: a base64url JSON header
// ("eyJ") and two more dot-separated segments.
func jwtShaped(v string) bool {
	return strings.HasPrefix(v, "eyJ") && strings.Count(v, ".") == 2
}

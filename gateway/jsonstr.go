package gateway

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// appendJSONString decodes the JSON string literal raw (quotes included)
// onto dst, keeping bytes that are not valid UTF-8 as they are (a provider
// may split a character between two events) and carrying a high surrogate
// escape that ends raw in *high for the next string (a provider may split a
// surrogate pair the same way). ok is false when raw is not a string.
func appendJSONString(dst []byte, raw []byte, high *rune) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return dst, false
	}
	s := raw[1 : len(raw)-1]
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			if *high != 0 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
				*high = 0
			}
			dst = append(dst, c)
			i++
			continue
		}
		if i+1 >= len(s) {
			return dst, false
		}
		e := s[i+1]
		if e != 'u' && *high != 0 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
			*high = 0
		}
		switch e {
		case '"', '\\', '/':
			dst = append(dst, e)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			if i+6 > len(s) {
				return dst, false
			}
			r, ok := hex4(s[i+2 : i+6])
			if !ok {
				return dst, false
			}
			switch {
			case utf16.IsSurrogate(r) && r < 0xdc00: // high
				if *high != 0 {
					dst = utf8.AppendRune(dst, utf8.RuneError)
				}
				*high = r
			case utf16.IsSurrogate(r): // low
				if *high != 0 {
					dst = utf8.AppendRune(dst, utf16.DecodeRune(*high, r))
					*high = 0
				} else {
					dst = utf8.AppendRune(dst, utf8.RuneError)
				}
			default:
				if *high != 0 {
					dst = utf8.AppendRune(dst, utf8.RuneError)
					*high = 0
				}
				dst = utf8.AppendRune(dst, r)
			}
			i += 6
			continue
		default:
			return dst, false
		}
		i += 2
	}
	return dst, true
}

func hex4(b []byte) (rune, bool) {
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

// scannable is text as the guardrails accept it: valid UTF-8 without
// replacement characters (each becomes a space, so offsets stay near).
func scannable(b []byte) string {
	s := strings.ToValidUTF8(string(b), " ")
	if strings.ContainsRune(s, utf8.RuneError) {
		s = strings.ReplaceAll(s, string(utf8.RuneError), " ")
	}
	return s
}

// completePrefix is the longest prefix of b that does not end inside a
// UTF-8 sequence that may yet be completed.
func completePrefix(b []byte) int {
	for k := 1; k <= utf8.UTFMax && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < 0x80 {
			return len(b)
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-k:]) {
				return len(b) - k
			}
			return len(b)
		}
	}
	return len(b)
}

// appendObject appends m as a JSON object, its keys in order and its values
// as they are: they came out of encoding/json, so they are valid JSON
// already, and encoding/json would check and compact each again.
func appendObject(dst []byte, m map[string]json.RawMessage) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendKey(dst, k)
		dst = append(dst, ':')
		v := m[k]
		if len(v) == 0 {
			v = json.RawMessage("null")
		}
		dst = append(dst, v...)
	}
	return append(dst, '}')
}

// appendObjects appends list as a JSON array of objects.
func appendObjects[M ~map[string]json.RawMessage](dst []byte, list []M) []byte {
	dst = append(dst, '[')
	for i, m := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		if m == nil {
			dst = append(dst, "null"...)
			continue
		}
		dst = appendObject(dst, map[string]json.RawMessage(m))
	}
	return append(dst, ']')
}

// appendKey appends k as a JSON string: plain keys as they are, others
// through encoding/json.
func appendKey(dst []byte, k string) []byte {
	for i := 0; i < len(k); i++ {
		if c := k[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(k)
			return append(dst, q...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, k...)
	return append(dst, '"')
}

// decodeString decodes a JSON string literal out of a document that
// encoding/json has already checked, as encoding/json would (invalid UTF-8
// and lone surrogates become U+FFFD), without its reflection: a prompt's
// texts are read more than once. ok is false when raw is not a string.
func decodeString(raw []byte) (string, bool) {
	raw = bytes.Trim(raw, " \t\r\n")
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	plain := true
	for _, c := range body {
		if c == '\\' || c == '"' || c < 0x20 {
			plain = false
			break
		}
	}
	if plain && utf8.Valid(body) {
		return string(body), true
	}
	var high rune
	out, ok := appendJSONString(make([]byte, 0, len(body)), raw, &high)
	if !ok {
		return "", false
	}
	if high != 0 {
		out = utf8.AppendRune(out, utf8.RuneError)
	}
	if !utf8.Valid(out) {
		// Each byte of a broken sequence becomes one U+FFFD, as
		// encoding/json does.
		fixed := make([]byte, 0, len(out)+8)
		for i := 0; i < len(out); {
			r, size := utf8.DecodeRune(out[i:])
			if r == utf8.RuneError && size == 1 {
				fixed = utf8.AppendRune(fixed, utf8.RuneError)
			} else {
				fixed = append(fixed, out[i:i+size]...)
			}
			i += size
		}
		out = fixed
	}
	return string(out), true
}

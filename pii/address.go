package pii

import "strings"

var (
	// streetSuffixes are the USPS street suffixes in common use, full and
	// abbreviated (USPS Publication 28, appendix C1).
	streetSuffixes = newWordList("street", "st", "streets", "avenue", "ave", "av", "road", "rd", "roads", "boulevard", "blvd",
		"lane", "ln", "drive", "dr", "way", "parkway", "pkwy", "court", "ct", "place", "pl", "square", "sq", "squares",
		"terrace", "ter", "circle", "cir", "highway", "hwy", "trail", "trl", "alley", "aly", "plaza", "plz", "loop",
		"row", "crescent", "cres", "close", "path", "pike", "route", "rte", "expressway", "expy", "freeway", "fwy",
		"crossing", "xing", "point", "pt", "ridge", "heights", "hts", "grove", "pass", "bridge", "mews", "gardens",
		"junction", "jct", "landing", "station", "turnpike", "tpke", "walk", "run", "commons", "cove", "creek",
		"hollow", "manor", "meadows", "orchard", "pines", "shores", "springs", "summit", "valley", "view", "villas", "vista")
	unitWords = newWordList("apt", "apartment", "suite", "ste", "unit", "fl", "floor", "rm", "room", "bldg", "building", "dept", "lot", "no")
	// stopWords never name a street: "in 2020 the Court ruled" is no address.
	stopWords = newWordList("the", "a", "an", "and", "or", "of", "in", "on", "at", "to", "for", "by", "with", "from",
		"my", "our", "your", "his", "her", "their", "its", "is", "was", "we", "i", "it", "this", "that",
		"more", "than", "about", "over", "under", "years", "days", "people", "times", "per")
	directions   = newWordList("n", "s", "e", "w", "ne", "nw", "se", "sw", "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest")
	addressWords = newWordList("address", "addresses", "live", "lives", "living", "located", "ship", "shipping", "deliver", "delivery", "reside", "residence", "mail", "send", "visit", "billing")
)

// stateCodes holds the USPS codes of the states, DC and the territories,
// indexed by (first-'A')*26 + (second-'A').
var stateCodes = func() (t [26 * 26]bool) {
	for _, c := range strings.Fields("AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR VI GU AS MP AA AE AP") {
		t[int(c[0]-'A')*26+int(c[1]-'A')] = true
	}
	return t
}()

func isStateCode(a, b byte) bool {
	return a-'A' < 26 && b-'A' < 26 && stateCodes[int(a-'A')*26+int(b-'A')]
}

// address finds US-style street addresses at the house number i: "1600
// Amphitheatre Parkway, Mountain View, CA 94043", "221B Baker Street Apt
// 4". The street name is one to four capitalised words or numbers and
// ends with a street suffix; a unit, and a city with state and ZIP code,
// are taken when they follow.
func (sc *scanner) address(i int) {
	s := sc.s
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j-i > 6 {
		return
	}
	if j+1 < len(s) && s[j]-'A' < 26 && s[j+1] == ' ' {
		j++ // 221B
	}
	if j >= len(s) || s[j] != ' ' {
		return
	}
	j++
	names := 0
	for tok := 0; tok < 5; tok++ {
		k := nameEnd(s, j)
		if k == j {
			return
		}
		w := s[j:k]
		if names > 0 && streetSuffixes.has(w) && capitalised(w) {
			end := k
			if end < len(s) && s[end] == '.' {
				end++
			}
			score := 0.7
			if end, score = sc.addressTail(end, score); sc.contextBefore(i, 40, addressWords) {
				score += 0.1
			}
			sc.add(Address, i, end, score)
			return
		}
		if !nameWord(w) {
			return
		}
		names++
		if k < len(s) && s[k] == '.' {
			k++ // "N. Main St"
		}
		if k >= len(s) || s[k] != ' ' {
			return
		}
		j = k + 1
	}
}

// nameEnd returns the end of the word at j: letters (any script), digits,
// hyphens and apostrophes.
func nameEnd(s string, j int) int {
	k := j
	for k < len(s) && k-j < 40 && (isAlnum(s[k]) || s[k] >= 0x80 || s[k] == '-' || s[k] == '\'') {
		k++
	}
	return k
}

// capitalised reports whether w starts with an upper-case letter (or a
// letter outside ASCII, whose case is not worth decoding here).
func capitalised(w string) bool { return w[0]-'A' < 26 || w[0] >= 0x80 }

// nameWord reports whether w can be part of a street's name: a
// capitalised word that is not a stop word, a number, or an ordinal.
func nameWord(w string) bool {
	if stopWords.has(w) {
		return false
	}
	if capitalised(w) {
		return true
	}
	d := 0
	for d < len(w) && isDigit(w[d]) {
		d++
	}
	if d == 0 || d > 5 {
		return false
	}
	r := w[d:]
	return r == "" || foldEq(r, "st") || foldEq(r, "nd") || foldEq(r, "rd") || foldEq(r, "th")
}

// addressTail extends an address past its street suffix with a direction,
// a unit, and a city, state and ZIP code, raising the score for each.
func (sc *scanner) addressTail(end int, score float64) (int, float64) {
	s := sc.s
	// Direction: "Pennsylvania Avenue NW".
	if end < len(s) && s[end] == ' ' {
		k := nameEnd(s, end+1)
		if k > end+1 && directions.has(s[end+1:k]) && capitalised(s[end+1:k]) && (k == len(s) || !isWord(s[k])) {
			end = k
		}
	}
	// Unit: ", Apt 4B", " Suite 200", " #12", or on the next line.
	if k := unitAt(s, end); k > end {
		end, score = k, score+0.05
	}
	// City, state and ZIP code: ", Mountain View, CA 94043", or on the next
	// line.
	k := addressSep(s, end)
	if k == end {
		return end, score
	}
	for w := 0; w < 4; w++ {
		e := nameEnd(s, k)
		if e == k {
			break
		}
		if e-k == 2 && isStateCode(s[k], s[k+1]) && (e == len(s) || !isWord(s[e])) {
			if w == 0 {
				break // a state needs a city before it
			}
			end, score = e, score+0.1
			if z := zipAt(s, e); z > e {
				end, score = z, score+0.1
			}
			break
		}
		if !capitalised(s[k:e]) || stopWords.has(s[k:e]) {
			break
		}
		if e < len(s) && s[e] == ',' {
			e++
		}
		if e >= len(s) || s[e] != ' ' {
			break
		}
		k = e + 1
	}
	return end, score
}

// unitAt returns the end of a unit designator at i (", Apt 4B", " Suite
// 200", " #12"), or i.
func unitAt(s string, i int) int {
	j := addressSep(s, i)
	if j == i {
		return i
	}
	if j < len(s) && s[j] == '#' {
		j++
	} else {
		k := nameEnd(s, j)
		if k == j || !unitWords.has(s[j:k]) || !capitalised(s[j:k]) {
			return i
		}
		j = k
		if j < len(s) && s[j] == '.' {
			j++
		}
		if j < len(s) && s[j] == ' ' {
			j++
		}
		if j < len(s) && s[j] == '#' {
			j++
		}
	}
	k := j
	for k < len(s) && isAlnum(s[k]) && k-j < 6 {
		k++
	}
	if k == j || k < len(s) && isWord(s[k]) {
		return i
	}
	return k
}

// zipAt returns the end of a ZIP or ZIP+4 code after a space at i, or i.
func zipAt(s string, i int) int {
	if i+6 > len(s) || s[i] != ' ' {
		return i
	}
	for k := i + 1; k < i+6; k++ {
		if !isDigit(s[k]) {
			return i
		}
	}
	e := i + 6
	if e+5 <= len(s) && s[e] == '-' && isDigit(s[e+1]) && isDigit(s[e+2]) && isDigit(s[e+3]) && isDigit(s[e+4]) {
		e += 5
	}
	if e < len(s) && isWord(s[e]) {
		return i
	}
	return e
}

// addressSep returns where the next part of an address starts after the
// separator at i (", ", " ", a line break with its indentation), or i.
func addressSep(s string, i int) int {
	j := i
	if j < len(s) && s[j] == ',' {
		j++
	}
	k := j
	if k < len(s) && s[k] == '\n' {
		k++
	}
	for k < len(s) && k-j < 8 && s[k] == ' ' {
		k++
	}
	if k == j || k < len(s) && !isAlnum(s[k]) && s[k] != '#' && s[k] < 0x80 {
		return i
	}
	return k
}

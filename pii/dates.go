package pii

import "strings"

// Years a date of birth may fall in; a wider range mostly adds part numbers.
const minYear, maxYear = 1900, 2099

// birthWords say that a date that follows is a date of birth, in the
// languages the package sees most: "born", "DOB", "geboren", "née le",
// "nacido el", "data de nascimento", "nato il", "geboortedatum", and field
// names such as birth_date.
var birthWords = newWordList("born", "birth", "birthday", "birthdate", "dob", "bday", "birthdays", "nee", "née", "né",
	"geboren", "geburtsdatum", "geburtstag", "geb", "gebdat", "naissance", "nacido", "nacida", "nací", "nacimiento",
	"cumpleaños", "nascido", "nascida", "nasci", "nascimento", "aniversário", "nato", "nata", "nascita", "compleanno",
	"anniversaire", "geboortedatum", "verjaardag", "birthdt", "dateofbirth", "geburt", "fecnac")

// date finds calendar dates that exist: 1990-02-28, 02/28/1990,
// 28.02.1990, 28 Feb 1990, February 28, 1990. A date is a date of birth only
// when words like "born" or "DOB" come shortly before it; other dates score
// DefaultMinScore, so that they are reported but easy to filter out.
func (sc *scanner) date(i int) {
	s := sc.s
	var g digitGroups
	readGroups(s, i, "-/.", &g)
	start, end := i, 0
	if g.n == 3 && endsNumber(s, g.end[2]) {
		end = numericDate(&g)
	} else if g.digits[0] <= 2 {
		start, end = sc.wordDate(i, g.end[0])
	}
	if end == 0 {
		return
	}
	// A date is a date of birth when something says so: a word like
	// "born" before it (and no other date of birth between), or the column
	// it stands in. Other dates (log timestamps, delivery dates) score low;
	// a date with a time of day is never a date of birth.
	score := 0.3
	if w, at := sc.contextWordAt(start, 48, birthWords); w != "" && at >= sc.dobEnd || sc.dobAbbrev(start) || sc.columnIs(start, birthWords) {
		score = 0.95
	}
	if timeFollows(s, end) {
		score = 0.3
	}
	sc.add(DateOfBirth, start, end, score)
	if score >= 0.9 {
		sc.dobEnd = end
	}
}

// timeFollows reports whether a time of day follows the date that ends at
// e: "2024-08-24 14:29", "2023-05-25T08:12:44Z".
func timeFollows(s string, e int) bool {
	return e+3 < len(s) && (s[e] == ' ' || s[e] == 'T') && isDigit(s[e+1]) && (s[e+2] == ':' || isDigit(s[e+2]) && s[e+3] == ':')
}

// Bounds of the look for a table's header row.
const (
	maxHeaderLookBack = 4096
	maxHeaderLines    = 64
)

// columnIs reports whether i stands in a column of a CSV-like table
// (fields split by ',', ';', '|' or tabs) whose header holds one of words
// ("dob", "Geburtsdatum", "phone"). The header is the first line of the
// block of lines that hold the same separator, looked for in a bounded
// window.
func (sc *scanner) columnIs(i int, words *wordList) bool {
	s := sc.s
	ls := strings.LastIndexByte(s[max(0, i-maxHeaderLookBack):i], '\n')
	if ls < 0 && i > maxHeaderLookBack {
		return false
	}
	ls = max(0, i-maxHeaderLookBack) + ls + 1
	var sep byte
	col := 0
	for k := ls; k < i; k++ {
		switch c := s[k]; c {
		case ',', ';', '\t', '|':
			if sep == 0 {
				sep = c
			}
			if c == sep {
				col++
			}
		}
	}
	if sep == 0 {
		return false
	}
	// Walk up to the first line of the block.
	hs := ls
	for n := 0; n < maxHeaderLines && hs > 0 && ls-hs < maxHeaderLookBack; n++ {
		p := strings.LastIndexByte(s[:hs-1], '\n') + 1
		if strings.IndexByte(s[p:hs-1], sep) < 0 {
			break
		}
		hs = p
	}
	if hs == ls {
		return false // no header above
	}
	he := strings.IndexByte(s[hs:], '\n') + hs
	field := s[hs:he]
	for ; col > 0; col-- {
		k := strings.IndexByte(field, sep)
		if k < 0 {
			return false
		}
		field = field[k+1:]
	}
	if k := strings.IndexByte(field, sep); k >= 0 {
		field = field[:k]
	}
	for len(field) > 0 {
		a := 0
		for a < len(field) && !wordByte(field[a]) {
			a++
		}
		b := a
		for b < len(field) && wordByte(field[b]) {
			b++
		}
		if b > a && words.has(field[a:b]) {
			return true
		}
		field = field[b:]
	}
	return false
}

// numericDate returns the end of a valid year-month-day, month-day-year or
// day-month-year date read into g, or 0.
func numericDate(g *digitGroups) int {
	d := g.digits
	n := func(a, b int) int { // digits a..b of the buffer as a number
		v := 0
		for _, c := range g.buf[a:b] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	switch {
	case d[0] == 4 && d[1] <= 2 && d[2] <= 2:
		y, m, dd := n(0, 4), n(4, 4+d[1]), n(4+d[1], 4+d[1]+d[2])
		if validDate(y, m, dd) {
			return g.end[2]
		}
	case d[0] <= 2 && d[1] <= 2 && d[2] == 4:
		a, b, y := n(0, d[0]), n(d[0], d[0]+d[1]), n(d[0]+d[1], d[0]+d[1]+4)
		if g.sep == '.' {
			a, b = b, a // 28.02.1990 is day first
		}
		if validDate(y, a, b) || validDate(y, b, a) {
			return g.end[2]
		}
	}
	return 0
}

// wordDate reads a date whose day is the digits [i, e) and whose month is
// a word, before or after the day: "28 Feb 1990", "28th February, 1990",
// "February 28, 1990". It returns the date's span, or end 0.
func (sc *scanner) wordDate(i, e int) (start, end int) {
	s := sc.s
	day := int(s[i] - '0')
	if e-i == 2 {
		day = day*10 + int(s[i+1]-'0')
	}
	j := e
	if j+2 <= len(s) {
		if r := s[j : j+2]; foldEq(r, "st") || foldEq(r, "nd") || foldEq(r, "rd") || foldEq(r, "th") {
			j += 2
		}
	}
	// Month first: "February 28, 1990".
	if w, ws := sc.prevWord(i); w != "" {
		if m := monthNumber(w); m > 0 {
			k := j
			if k < len(s) && s[k] == ',' {
				k++
			}
			if y, ye := readYear(s, k); ye > 0 && validDate(y, m, day) {
				return ws, ye
			}
		}
	}
	// Day first: "28 Feb 1990", "28 February, 1990", "28 Feb. 1990".
	if j >= len(s) || s[j] != ' ' {
		return i, 0
	}
	j++
	if strings.HasPrefix(s[j:], "of ") {
		j += 3
	}
	k := j
	for k < len(s) && isLetter(s[k]) && k-j < 10 {
		k++
	}
	m := monthNumber(s[j:k])
	if m == 0 || k < len(s) && isWord(s[k]) {
		return i, 0
	}
	if k < len(s) && s[k] == '.' {
		k++
	}
	if k < len(s) && s[k] == ',' {
		k++
	}
	if y, ye := readYear(s, k); ye > 0 && validDate(y, m, day) {
		return i, ye
	}
	return i, 0
}

// readYear reads " 1990" at i and returns the year and its end, or 0, 0.
func readYear(s string, i int) (int, int) {
	if i+5 > len(s) || s[i] != ' ' {
		return 0, 0
	}
	y := 0
	for _, c := range []byte(s[i+1 : i+5]) {
		if !isDigit(c) {
			return 0, 0
		}
		y = y*10 + int(c-'0')
	}
	if !endsNumber(s, i+5) {
		return 0, 0
	}
	return y, i + 5
}

var monthNames = [12]string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}

// monthNumber returns 1-12 for a month's name or its three-letter
// abbreviation (and "Sept"), in any case, or 0.
func monthNumber(w string) int {
	if len(w) < 3 || len(w) > 9 {
		return 0
	}
	c := lower(w[0])
	for k, m := range monthNames {
		if m[0] == c && (foldEq(w, m) || len(w) == 3 && foldEq(w, m[:3])) {
			return k + 1
		}
	}
	if foldEq(w, "sept") {
		return 9
	}
	return 0
}

// validDate reports whether the date exists in the Gregorian calendar and
// its year is a plausible year of birth.
func validDate(y, m, d int) bool {
	if y < minYear || y > maxYear || m < 1 || m > 12 || d < 1 {
		return false
	}
	return d <= daysIn(y, m)
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// dobAbbrev reports whether "D.O.B" (dotted, any case) comes shortly
// before i; contextBefore sees only its single letters.
func (sc *scanner) dobAbbrev(i int) bool {
	lo := max(0, i-24)
	w := sc.s[lo:i]
	for k := 0; k+5 <= len(w); k++ {
		if lower(w[k]) == 'd' && w[k+1] == '.' && lower(w[k+2]) == 'o' && w[k+3] == '.' && lower(w[k+4]) == 'b' {
			return true
		}
	}
	return false
}

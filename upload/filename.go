package upload

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/rampart-dev/rampart"
)

// MaxFilenameBytes is the longest sanitised filename, in bytes: the limit of
// ext4, XFS, NTFS (in UTF-16 units, which 255 bytes never exceed) and S3 key
// segments alike.
const MaxFilenameBytes = 255

// maxKeptExtension is the longest extension (with its dot) kept when a long
// name is shortened; a longer "extension" is just text after a dot.
const maxKeptExtension = 16

// reservedNames are device names Windows resolves whatever the extension or
// directory: "CON.pdf" opens the console. Superscript digits count as digits
// there too.
var reservedNames = func() map[string]bool {
	m := map[string]bool{"CON": true, "PRN": true, "AUX": true, "NUL": true, "CONIN$": true, "CONOUT$": true}
	for _, d := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³"} {
		m["COM"+d] = true
		m["LPT"+d] = true
	}
	return m
}()

// SanitizeFilename returns a name that is safe to store and to show, derived
// from the name a client sent:
//   - invalid UTF-8 becomes "_", and the name is put in Unicode NFC so that
//     one name has one spelling;
//   - control and format characters (NUL, newlines, bidirectional overrides
//     such as U+202E that make "gpj.exe" read as "exe.jpg") are removed;
//   - only the part after the last "/" or "\" is kept, so "../../etc/passwd",
//     "..\win.ini" and "C:\x\a.pdf" lose their directories;
//   - characters Windows refuses (<>:"|?*) and look-alikes that compatibility
//     normalisation turns into a slash or backslash become "_";
//   - runs of dots become one dot, and leading and trailing dots and spaces
//     are removed (no hidden files, no "..", no names Windows would silently
//     change);
//   - a Windows device name (CON, NUL, COM1, LPT1...) gets a "_" prefix;
//   - a name over MaxFilenameBytes is shortened, keeping its extension and
//     whole characters.
//
// It returns an *rampart.Error with code EUnprocessable when nothing usable
// remains. The result is stable: sanitising it again returns it unchanged.
func SanitizeFilename(name string) (string, error) {
	s := strings.ToValidUTF8(name, "_")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
	s = norm.NFC.String(s)
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`<>:"|?*`, r) || r >= utf8.RuneSelf && isSeparatorLookalike(r) {
			return '_'
		}
		return r
	}, s)
	for strings.Contains(s, "..") {
		s = strings.ReplaceAll(s, "..", ".")
	}
	s = strings.Trim(s, ". ")
	if s == "" {
		return "", rampart.FieldError(rampart.EUnprocessable, "filename",
			"the filename %q has no usable characters", truncateForMessage(name))
	}
	// Windows looks only at the part before the first dot: "CON.tar.gz" is
	// the console too.
	base, _, _ := strings.Cut(s, ".")
	if reservedNames[strings.ToUpper(strings.TrimRight(base, " "))] {
		s = "_" + s
	}
	return shorten(splitExt(s)), nil
}

// isSeparatorLookalike reports whether r turns into a path separator under
// NFKC (the fullwidth solidus U+FF0F, for one). The stored name keeps NFC,
// but a later system that applies NFKC must not find a directory in it.
func isSeparatorLookalike(r rune) bool {
	k := norm.NFKC.String(string(r))
	return strings.ContainsAny(k, `/\`)
}

// splitExt splits s before its last dot. The extension is empty when there
// is no dot or when what follows it is too long to be an extension.
func splitExt(s string) (stem, ext string) {
	i := strings.LastIndexByte(s, '.')
	if i <= 0 || len(s)-i > maxKeptExtension {
		return s, ""
	}
	return s[:i], s[i:]
}

// shorten joins stem and ext, cutting stem at a character boundary so the
// result fits MaxFilenameBytes. Trailing dots and spaces a cut exposes are
// removed as well, so the result sanitises to itself.
func shorten(stem, ext string) string {
	if len(stem)+len(ext) <= MaxFilenameBytes {
		return stem + ext
	}
	n := MaxFilenameBytes - len(ext)
	for n > 0 && !utf8.RuneStart(stem[n]) {
		n--
	}
	stem = strings.TrimRight(stem[:n], ". ")
	if stem == "" {
		// Only possible with a stem of spaces and dots inside, which Trim
		// left because of the characters around them; keep a marker.
		stem = "_"
	}
	return stem + ext
}

// truncateForMessage keeps an error message short whatever a client sent.
func truncateForMessage(s string) string {
	const max = 64
	s = strings.ToValidUTF8(s, "_")
	if len(s) <= max {
		return s
	}
	n := max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

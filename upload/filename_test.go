package upload

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/rampart-dev/rampart"
)

func TestSanitizeFilename(t *testing.T) {
	long := strings.Repeat("a", 300)
	longUnicode := strings.Repeat("é", 200) // 2 bytes each
	tests := []struct {
		in, want string // want "" means an error
	}{
		{"report.pdf", "report.pdf"},
		{"Q3 Report (final).PDF", "Q3 Report (final).PDF"},
		{"../../etc/passwd", "passwd"},
		{`..\..\win.ini`, "win.ini"},
		{`C:\x\a.pdf`, "a.pdf"},
		{"C:a.pdf", "C_a.pdf"},
		{"/var/www/../uploads/./x.png", "x.png"},
		{`\\server\share\doc.docx`, "doc.docx"},
		{"dir/", ""},
		{"..", ""},
		{"../..", ""},
		{".", ""},
		{"", ""},
		{"   ", ""},
		{"\x00\x01\x1f", ""},
		{".htaccess", "htaccess"},
		{"...hidden.txt", "hidden.txt"},
		{"a..b...pdf", "a.b.pdf"},
		{"trailing.pdf. . ", "trailing.pdf"},
		{"nul\x00byte.pdf", "nulbyte.pdf"},
		{"evil.pdf\x00.exe", "evil.pdf.exe"},
		{"line\r\nbreak.txt", "linebreak.txt"},
		{"invoice\u202Egpj.exe", "invoicegpj.exe"}, // right-to-left override shows "exe.jpg"
		{"zero\u200Bwidth.txt", "zerowidth.txt"},
		{`a<b>c:d"e|f?g*h.txt`, "a_b_c_d_e_f_g_h.txt"},
		{"..\uFF0F..\uFF0Fetc\uFF0Fpasswd", "_._etc_passwd"}, // fullwidth solidus is "/" under NFKC
		{"CON", "_CON"},
		{"con.txt", "_con.txt"},
		{"Com1.tar.gz", "_Com1.tar.gz"},
		{"LPT9 .pdf", "_LPT9 .pdf"},
		{"COM¹.txt", "_COM¹.txt"},
		{"CONSOLE.txt", "CONSOLE.txt"},
		{"nul", "_nul"},
		{"résumé.pdf", "résumé.pdf"},
		{"re\u0301sume\u0301.pdf", "résumé.pdf"}, // decomposed becomes composed (NFC)
		{"日本語の文書.docx", "日本語の文書.docx"},
		{"📄 notes.md", "📄 notes.md"},
		{"bad\xffutf8.txt", "bad_utf8.txt"},
		{long + ".pdf", strings.Repeat("a", 251) + ".pdf"},
		{long, strings.Repeat("a", 255)},
		{longUnicode + ".txt", strings.Repeat("é", 125) + ".txt"}, // 250+4 bytes: no half characters
		{"a." + long, ("a." + long)[:255]},                        // an "extension" that long is not one
		{strings.Repeat("a", 250) + "    x.pdf", strings.Repeat("a", 250) + ".pdf"},
	}
	for _, tt := range tests {
		got, err := SanitizeFilename(tt.in)
		if tt.want == "" {
			if err == nil || rampart.ErrorCode(err) != rampart.EUnprocessable {
				t.Errorf("SanitizeFilename(%q) = %q, %v; want an unprocessable error", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("SanitizeFilename(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		checkSafeName(t, tt.in, got)
	}
}

// checkSafeName asserts the properties every sanitised name has.
func checkSafeName(t *testing.T, in, got string) {
	t.Helper()
	switch {
	case got == "" || len(got) > MaxFilenameBytes:
		t.Errorf("%q: length %d", in, len(got))
	case !utf8.ValidString(got):
		t.Errorf("%q: %q is not UTF-8", in, got)
	case strings.ContainsAny(got, `/\<>:"|?*`):
		t.Errorf("%q: %q has a separator or reserved character", in, got)
	case strings.Contains(got, ".."), strings.HasPrefix(got, "."), strings.HasSuffix(got, "."),
		strings.HasPrefix(got, " "), strings.HasSuffix(got, " "):
		t.Errorf("%q: %q has dots or spaces where it must not", in, got)
	case strings.IndexFunc(got, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0:
		t.Errorf("%q: %q has a control or format character", in, got)
	}
	base, _, _ := strings.Cut(got, ".")
	if reservedNames[strings.ToUpper(strings.TrimRight(base, " "))] {
		t.Errorf("%q: %q is a Windows device name", in, got)
	}
	if again, err := SanitizeFilename(got); err != nil || again != got {
		t.Errorf("%q: sanitising %q again gives %q, %v", in, got, again, err)
	}
}

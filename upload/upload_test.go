package upload

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/rampart-dev/rampart"
)

// Minimal files with real headers, built here so the tests show what each
// detection rests on.

func pdfFile(extra string) []byte {
	return []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" +
		"2 0 obj\n<< /Length 8 >>\nstream\n\x00\x01\x02\x03" + extra + "\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
}

func pngFile() []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	b = append(b, 0, 0, 0, 13)
	b = append(b, "IHDR"...)
	b = append(b, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0) // 1x1 RGBA
	b = append(b, 0x1f, 0x15, 0xc4, 0x89)                // CRC
	b = append(b, 0, 0, 0, 0)
	b = append(b, "IEND"...)
	return append(b, 0xae, 0x42, 0x60, 0x82)
}

func jpegFile() []byte {
	return append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10}, "JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xD9"...)
}

func zipFile(t testing.TB, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, "<xml>content of "+n+"</xml>")
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func docxFile(t testing.TB) []byte {
	return zipFile(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml")
}

// elfFile is the 64-byte header of an x86-64 Linux executable.
func elfFile() []byte {
	h := make([]byte, 64)
	copy(h, "\x7fELF\x02\x01\x01")
	h[16] = 2    // ET_EXEC
	h[18] = 0x3e // EM_X86_64
	return h
}

// peFile is a DOS stub pointing at a PE signature, as every .exe starts.
func peFile() []byte {
	h := make([]byte, 256)
	copy(h, "MZ\x90\x00")
	h[0x3c] = 0x80
	copy(h[0x80:], "PE\x00\x00\x64\x86")
	return h
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func codes(r Result) []string {
	var out []string
	for _, i := range r.Errors {
		out = append(out, i.Code)
	}
	return out
}

func TestValidateStream(t *testing.T) {
	withHTML := Policy{AllowedExtensions: []string{"html", ".TXT"}}
	tests := []struct {
		name, filename, declared string
		body                     []byte
		policy                   Policy
		wantCodes                []string
		wantType                 string // prefix of DetectedType
	}{
		{"pdf", "report.pdf", "application/pdf", pdfFile(""), Policy{}, nil, "application/pdf"},
		{"pdf alias declared", "report.PDF", "application/x-pdf", pdfFile(""), Policy{}, nil, "application/pdf"},
		{"png", "scan.png", "image/png", pngFile(), Policy{}, nil, "image/png"},
		{"jpeg declared as image/jpg", "photo.jpg", "image/jpg", jpegFile(), Policy{}, nil, "image/jpeg"},
		{"docx", "letter.docx", docxType, docxFile(t), Policy{}, nil, docxType},
		{"docx seen only as zip", "letter.docx", docxType, zipFile(t, "a.xml", "word/document.xml"), Policy{}, nil, zipType},
		{"docx declared as zip", "letter.docx", "application/x-zip-compressed", docxFile(t), Policy{}, nil, docxType},
		{"docx declared as pdf", "letter.docx", "application/pdf", docxFile(t), Policy{}, []string{IssueTypeMismatch}, docxType},
		{"plain text with charset", "notes.txt", "text/plain; charset=utf-8", []byte("hello, world\n"), Policy{}, nil, "text/plain"},
		{"csv", "data.csv", "text/csv", []byte("a,b,c\n1,2,3\n4,5,6\n"), Policy{}, nil, "text/csv"},
		{"csv declared by windows as excel", "data.csv", "application/vnd.ms-excel", []byte("a,b,c\n1,2,3\n"), Policy{}, nil, "text/csv"},
		{"csv starting with MZ", "codes.csv", "text/csv", []byte("MZ,Mozambique\nZA,South Africa\n"), Policy{}, nil, "text/plain"},
		{"json", "data.json", "application/json", []byte(`{"a":[1,2,3]}`), Policy{}, nil, "application/json"},
		{"markdown starting with html", "README.md", "text/markdown", []byte("<div align=\"center\">Title</div>\n\n# Intro\n"), Policy{}, nil, "text/html"},
		{"text declared as png", "a.txt", "image/png", []byte("just text\n"), Policy{}, []string{IssueTypeMismatch}, "text/plain"},
		{"declared type unparsable", "a.txt", "not a type;;", []byte("just text\n"), Policy{}, []string{IssueTypeMismatch}, "text/plain"},
		{"octet-stream is not a declaration", "report.pdf", "application/octet-stream", pdfFile(""), Policy{}, nil, "application/pdf"},
		{"png named pdf", "photo.pdf", "application/pdf", pngFile(), Policy{}, []string{IssueTypeMismatch, IssueTypeMismatch}, "image/png"},
		{"elf named pdf", "invoice.pdf", "application/pdf", elfFile(), Policy{},
			[]string{IssueExecutable, IssueTypeMismatch, IssueTypeMismatch}, "application/x-executable"},
		{"exe named pdf", "invoice.pdf", "", peFile(), Policy{},
			[]string{IssueExecutable, IssueTypeMismatch}, "application/vnd.microsoft.portable-executable"},
		{"exe even when allowed", "setup.exe", "", peFile(), Policy{AllowedExtensions: []string{".exe"}},
			[]string{IssueExecutable}, "application/vnd.microsoft.portable-executable"},
		{"shell script named txt", "run.txt", "text/plain", []byte("#!/bin/sh\necho hi\n"), Policy{},
			[]string{IssueExecutable}, "text/x-shellscript"},
		{"html not allowed by default", "page.html", "text/html", []byte("<html><body>hi</body></html>"), Policy{},
			[]string{IssueExtensionNotAllowed}, "text/html"},
		{"html with script", "page.html", "text/html", []byte("<html><SCRIPT>alert(1)</script></html>"), withHTML,
			[]string{IssueMaliciousContent}, "text/html"},
		{"several patterns", "a.txt", "", []byte("<?php system($_GET['c']); eval($x); ?>"), withHTML,
			[]string{IssueExecutable, IssueMaliciousContent, IssueMaliciousContent, IssueMaliciousContent}, "text/x-php"},
		{"asp tag in text", "a.txt", "", []byte("hello <% Response.Write(1) %>"), Policy{}, []string{IssueMaliciousContent}, "text/plain"},
		{"asp-like bytes in a pdf stream are chance", "a.pdf", "", pdfFile("\x8e<%\x9f"), Policy{}, nil, "application/pdf"},
		{"eval in a pdf", "a.pdf", "", pdfFile("app.EvAl(x)"), Policy{}, []string{IssueMaliciousContent}, "application/pdf"},
		{"custom patterns replace the defaults", "a.txt", "", []byte("<% x %> then ALeRt(1)"), Policy{Patterns: []string{"alert", "zz"}},
			[]string{IssueMaliciousContent}, "text/plain"},
		{"zip not allowed", "files.zip", "", zipFile(t, "a.txt"), Policy{}, []string{IssueExtensionNotAllowed}, zipType},
		{"zip allowed by policy", "files.zip", "application/zip", zipFile(t, "a.txt"), Policy{AllowedExtensions: []string{"zip"}}, nil, zipType},
		{"no extension", "README", "", []byte("text\n"), Policy{}, []string{IssueExtensionNotAllowed}, "text/plain"},
		{"double extension", "invoice.pdf.exe", "", pdfFile(""), Policy{}, []string{IssueExtensionNotAllowed}, "application/pdf"},
		{"traversal name is sanitised", "../../etc/passwd", "", []byte("root:x:0:0\n"), Policy{}, []string{IssueExtensionNotAllowed}, "text/plain"},
		{"nothing left of the name", "..", "", []byte("text\n"), Policy{}, []string{IssueBadFilename}, "text/plain"},
		{"empty file", "empty.pdf", "application/pdf", nil, Policy{}, []string{IssueEmptyFile}, ""},
		{"empty file, bad extension", "empty.exe", "", nil, Policy{}, []string{IssueEmptyFile, IssueExtensionNotAllowed}, ""},
		{"custom extension takes text", "app.log", "", []byte("started\n"), Policy{AllowedExtensions: []string{".log", ".cfg"}}, nil, "text/plain"},
		{"custom extension refuses binary", "app.cfg", "", pngFile(), Policy{AllowedExtensions: []string{".cfg"}}, []string{IssueTypeMismatch}, "image/png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ValidateStream(tt.filename, tt.declared, bytes.NewReader(tt.body), tt.policy)
			if err != nil {
				t.Fatalf("error %v", err)
			}
			if got := codes(res); !slices.Equal(got, tt.wantCodes) {
				t.Errorf("issues %v, want %v (%+v)", got, tt.wantCodes, res.Errors)
			}
			if res.Valid != (len(tt.wantCodes) == 0) {
				t.Errorf("valid = %v with issues %v", res.Valid, res.Errors)
			}
			if !strings.HasPrefix(res.DetectedType, tt.wantType) || (tt.wantType == "") != (res.DetectedType == "") {
				t.Errorf("detected %q, want %q", res.DetectedType, tt.wantType)
			}
			if res.SHA256 != sum(tt.body) || res.Size != int64(len(tt.body)) {
				t.Errorf("sha256 %s size %d, want %s %d", res.SHA256, res.Size, sum(tt.body), len(tt.body))
			}
			if res.OriginalFilename != tt.filename || res.DeclaredType != tt.declared {
				t.Errorf("original %q declared %q", res.OriginalFilename, res.DeclaredType)
			}
			for _, i := range res.Errors {
				if i.Message == "" {
					t.Errorf("issue %s has no message", i.Code)
				}
			}
		})
	}
}

func TestResultFields(t *testing.T) {
	res, err := ValidateStream(`C:\Users\me\Q3 Report.PDF`, "application/pdf", bytes.NewReader(pdfFile("")), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Filename != "Q3 Report.PDF" || res.Extension != ".pdf" || res.OriginalFilename != `C:\Users\me\Q3 Report.PDF` {
		t.Errorf("filename %q extension %q original %q", res.Filename, res.Extension, res.OriginalFilename)
	}
	// errors is [] in JSON, never null, so clients can iterate it.
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"errors":[]`)) || !bytes.Contains(b, []byte(`"valid":true`)) {
		t.Errorf("json %s", b)
	}
}

func TestSizeLimit(t *testing.T) {
	// Both sides of the limit, with the limit inside the head and beyond it.
	for _, max := range []int64{10, detectBytes, 5000, chunkSize + 7} {
		p := Policy{MaxBytes: max}
		at := bytes.Repeat([]byte("a"), int(max))
		res, err := ValidateStream("a.txt", "", bytes.NewReader(at), p)
		if err != nil || !res.Valid || res.Size != max {
			t.Errorf("max %d: exactly max bytes: %+v, %v", max, res, err)
		}
		over := append(at, 'a')
		_, err = ValidateStream("a.txt", "", iotest.HalfReader(bytes.NewReader(over)), p)
		if rampart.ErrorCode(err) != rampart.ETooLarge {
			t.Fatalf("max %d: max+1 bytes: error %v, want too_large", max, err)
		}
		var re *rampart.Error
		if errors.As(err, &re); re.Extensions["max_bytes"] != max || !strings.Contains(re.Message, "limit") {
			t.Errorf("max %d: error %+v", max, re)
		}
	}
}

// TestStopsReadingAtLimit shows a refused body is not read to its end, so a
// client cannot make the server hash an endless stream.
func TestStopsReadingAtLimit(t *testing.T) {
	r := &countingReader{r: &textStream{n: 1 << 30}}
	_, err := ValidateStream("a.txt", "", r, Policy{MaxBytes: 1 << 20})
	if rampart.ErrorCode(err) != rampart.ETooLarge {
		t.Fatalf("error %v", err)
	}
	if r.n > 1<<20+chunkSize+64 {
		t.Errorf("read %d bytes for a 1 MiB limit", r.n)
	}
}

func TestSHA256(t *testing.T) {
	for _, n := range []int{0, 1, detectBytes - 1, detectBytes, detectBytes + 1, chunkSize, 3*chunkSize + 11, 200_000} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*7 + i/251)
		}
		for name, r := range map[string]io.Reader{
			"whole":    bytes.NewReader(b),
			"one byte": iotest.OneByteReader(bytes.NewReader(b)),
			"data+EOF": iotest.DataErrReader(bytes.NewReader(b)),
		} {
			res, err := ValidateStream("a.bin", "", r, Policy{})
			if err != nil {
				t.Fatalf("%d %s: %v", n, name, err)
			}
			if res.SHA256 != sum(b) || res.Size != int64(n) {
				t.Errorf("%d %s: sha256 %s size %d", n, name, res.SHA256, res.Size)
			}
		}
	}
}

func TestReadErrors(t *testing.T) {
	boom := errors.New("connection reset")
	_, err := ValidateStream("a.txt", "", io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)), Policy{})
	if !errors.Is(err, boom) || rampart.ErrorCode(err) != rampart.EInternal {
		t.Errorf("error %v, want the read error wrapped", err)
	}
	_, err = ValidateStream("a.txt", "", iotest.ErrReader(io.ErrUnexpectedEOF), Policy{})
	if rampart.ErrorCode(err) != rampart.EInvalid {
		t.Errorf("cut short: error %v, want invalid", err)
	}
	_, err = ValidateStream("a.txt", "", emptyReader{}, Policy{})
	if !errors.Is(err, io.ErrNoProgress) {
		t.Errorf("reader that never progresses: error %v", err)
	}
}

// TestConstantMemory validates a 256 MiB stream and checks that what was
// allocated does not grow with it. BenchmarkValidateStream/1GiB does the same
// for 1 GiB.
func TestConstantMemory(t *testing.T) {
	size := int64(256 << 20)
	if testing.Short() {
		size = 16 << 20
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, err := ValidateStream("big.txt", "text/plain", &textStream{n: size}, Policy{MaxBytes: size})
	runtime.ReadMemStats(&after)
	if err != nil || !res.Valid || res.Size != size {
		t.Fatalf("%+v %v", res, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<10 {
		t.Errorf("allocated %d bytes for a %d-byte stream", alloc, size)
	}
}

// textStream generates n bytes of text without holding them.
type textStream struct{ n, off int64 }

const line = "The quick brown fox jumps over the lazy dog; 0123456789 (no patterns).\n"

// lines is what textStream repeats: whole lines, so that it joins up.
var lines = strings.Repeat(line, 1024)

func (s *textStream) Read(p []byte) (int, error) {
	if s.off >= s.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), s.n-s.off)]
	n := 0
	for n < len(p) {
		n += copy(p[n:], lines[(s.off+int64(n))%int64(len(lines)):])
	}
	s.off += int64(n)
	return n, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

// TestPatternsOneByteAtATime runs the whole validation on a reader that
// returns one byte per read, with patterns in the head, across the end of
// the head and far beyond it.
func TestPatternsOneByteAtATime(t *testing.T) {
	body := "<ScRiPt>" + strings.Repeat("a", detectBytes-13) + "EVAL(x)" + strings.Repeat("b", 3*chunkSize) + "javaSCRIPT:void"
	res, err := ValidateStream("a.txt", "", iotest.OneByteReader(strings.NewReader(body)), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, i := range res.Errors {
		msgs = append(msgs, i.Message)
	}
	got := strings.Join(msgs, "|")
	for _, p := range []string{"<script", "eval(", "javascript:"} {
		if !strings.Contains(got, `"`+p+`"`) {
			t.Errorf("%q not reported: %v", p, res.Errors)
		}
	}
	if res.SHA256 != sum([]byte(body)) {
		t.Error("sha256 differs")
	}
}

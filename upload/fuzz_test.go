package upload

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/rampart-dev/rampart"
)

// FuzzSanitizeFilename checks that every name either is refused with a code
// or comes out safe (see checkSafeName) and stable.
func FuzzSanitizeFilename(f *testing.F) {
	for _, s := range []string{"report.pdf", "../../etc/passwd", `..\..\win.ini`, `C:\x\a.pdf`, "CON.txt",
		"résumé.pdf", "a\u202Egpj.exe", strings.Repeat("é", 200) + ".docx", "\x00", ".."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got, err := SanitizeFilename(name)
		if err != nil {
			if rampart.ErrorCode(err) != rampart.EUnprocessable || got != "" {
				t.Fatalf("SanitizeFilename(%q) = %q, %v", name, got, err)
			}
			return
		}
		checkSafeName(t, name, got)
	})
}

// chunkReader returns its data n bytes at a time, to put read boundaries
// everywhere across runs.
type chunkReader struct {
	b []byte
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), c.n)], c.b)
	c.b = c.b[k:]
	return k, nil
}

// FuzzValidateStream checks that any input either is refused as too large
// or yields a consistent Result: the right hash and size, and exactly the
// patterns a whole-buffer search finds, whatever the read sizes.
func FuzzValidateStream(f *testing.F) {
	f.Add("a.pdf", "application/pdf", pdfFile(""), uint8(0))
	f.Add("a.txt", "", []byte("x <ScRiPt> y"), uint8(2))
	f.Add("a.png", "image/png", pngFile(), uint8(7))
	f.Add("run.pdf", "", elfFile(), uint8(1))
	f.Add("", "text/plain;;", []byte{}, uint8(255))
	const max = 64 << 10
	f.Fuzz(func(t *testing.T, name, declared string, body []byte, chunk uint8) {
		res, err := ValidateStream(name, declared, &chunkReader{b: body, n: int(chunk)%64 + 1}, Policy{MaxBytes: max})
		if len(body) > max {
			if rampart.ErrorCode(err) != rampart.ETooLarge {
				t.Fatalf("%d bytes: error %v, want too_large", len(body), err)
			}
			return
		}
		if err != nil {
			t.Fatalf("error %v", err)
		}
		if res.SHA256 != sum(body) || res.Size != int64(len(body)) {
			t.Fatalf("sha256 %s size %d, want %s %d", res.SHA256, res.Size, sum(body), len(body))
		}
		if res.Errors == nil || res.Valid != (len(res.Errors) == 0) {
			t.Fatalf("valid %v with issues %v", res.Valid, res.Errors)
		}
		// Reference: search the whole body at once.
		text := isText(detect(body[:min(len(body), detectBytes)]))
		var want []string
		lowered := bytes.ToLower(body)
		for _, p := range DefaultPatterns {
			if len(body) > 0 && (text || len(p) >= minBinaryPattern) && bytes.Contains(lowered, []byte(p)) {
				want = append(want, p)
			}
		}
		var got []string
		for _, i := range res.Errors {
			if i.Code == IssueMaliciousContent {
				got = append(got, i.Message)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("found %v, want %v", got, want)
		}
		for i := range want {
			if !strings.Contains(got[i], want[i]) {
				t.Fatalf("found %v, want %v", got, want)
			}
		}
	})
}

// FuzzValidateForm feeds arbitrary multipart bodies: no panic, and every
// failure is one the client caused (no internal error from a body that reads
// without fault).
func FuzzValidateForm(f *testing.F) {
	_, ok := form(f, part{field: "file", filename: "a.pdf", contentType: "application/pdf", body: pdfFile("")})
	_, two := form(f, part{field: "file", filename: "a.txt", body: []byte("x")}, part{field: "f", filename: "b.txt"})
	_, none := form(f, field("title", "x"))
	for _, b := range [][]byte{ok, two, none, ok[:len(ok)/2], nil} {
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, body string) {
		// The seeds' boundary is random; rewrite it to a fixed one.
		if i := strings.Index(body, "\r\n"); i > 2 && strings.HasPrefix(body, "--") {
			body = strings.ReplaceAll(body, body[2:i], "B")
		}
		res, err := ValidateForm("multipart/form-data; boundary=B", strings.NewReader(body), Policy{MaxBytes: 1 << 16})
		if err != nil {
			if c := rampart.ErrorCode(err); !slices.Contains([]string{rampart.EInvalid, rampart.ETooLarge}, c) {
				t.Fatalf("error %v", err)
			}
			return
		}
		if res.Errors == nil || len(res.SHA256) != 64 {
			t.Fatalf("result %+v", res)
		}
	})
}

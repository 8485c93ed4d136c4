package upload

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net/textproto"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/rampart-dev/rampart"
)

// part is one part of a test form: a file when filename is set.
type part struct {
	field, filename, contentType string
	body                         []byte
	noFilename                   bool // omit the filename parameter entirely
}

// form builds a multipart/form-data body and returns its Content-Type.
func form(t testing.TB, parts ...part) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		cd := fmt.Sprintf(`form-data; name=%q`, p.field)
		if !p.noFilename {
			cd += fmt.Sprintf(`; filename=%q`, p.filename)
		}
		h.Set("Content-Disposition", cd)
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(p.body)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.Bytes()
}

// validateForm is ValidateForm; validateReader goes through MultipartReader
// and ValidateMultipart instead.
func validateForm(_ testing.TB, ct string, body io.Reader, p Policy) (Result, error) {
	return ValidateForm(ct, body, p)
}

func validateReader(_ testing.TB, ct string, body io.Reader, p Policy) (Result, error) {
	r, err := MultipartReader(ct, body)
	if err != nil {
		return Result{}, err
	}
	return ValidateMultipart(r, p)
}

var entryPoints = map[string]func(testing.TB, string, io.Reader, Policy) (Result, error){
	"ValidateForm":      validateForm,
	"ValidateMultipart": validateReader,
}

func field(name, value string) part { return part{field: name, body: []byte(value), noFilename: true} }

func TestValidateMultipart(t *testing.T) {
	pdf := pdfFile("")
	tests := []struct {
		name     string
		parts    []part
		wantFile string // sanitised name of the validated file
		wantErr  string // rampart code, "" for none
		wantMsg  string // part of the error message
	}{
		{"one file", []part{{field: "file", filename: "a.pdf", contentType: "application/pdf", body: pdf}}, "a.pdf", "", ""},
		{"any field name", []part{{field: "document", filename: "a.pdf", body: pdf}}, "a.pdf", "", ""},
		{"fields around the file are ignored", []part{
			field("title", "Q3"), {field: "file", filename: "a.pdf", body: pdf}, field("tags", "x,y"),
		}, "a.pdf", "", ""},
		{"path in the filename", []part{{field: "file", filename: `C:\Users\me\a.pdf`, body: pdf}}, "a.pdf", "", ""},
		{"unicode filename", []part{{field: "file", filename: "résumé 📄.pdf", body: pdf}}, "résumé 📄.pdf", "", ""},
		{"no file", []part{field("file", "not a file"), field("title", "x")}, "", rampart.EInvalid, "no file in the form"},
		{"no parts", nil, "", rampart.EInvalid, "no file"},
		{"two files", []part{
			{field: "file", filename: "a.pdf", body: pdf}, {field: "file", filename: "b.pdf", body: pdf},
		}, "", rampart.EInvalid, "exactly one file"},
		{"two files, second one empty", []part{
			{field: "file", filename: "a.pdf", body: pdf}, {field: "other", filename: ""},
		}, "", rampart.EInvalid, "exactly one file"},
		{"file too large", []part{{field: "file", filename: "a.txt", body: bytes.Repeat([]byte("a"), 1001)}}, "", rampart.ETooLarge, "1000 bytes"},
		{"field too large", []part{field("notes", strings.Repeat("x", 101)), {field: "file", filename: "a.pdf", body: pdf}}, "", rampart.ETooLarge, "notes"},
		{"too many parts", []part{
			field("a", ""), field("b", ""), field("c", ""), {field: "file", filename: "a.pdf", body: pdf},
		}, "", rampart.EInvalid, "more than 3 parts"},
	}
	p := Policy{MaxBytes: 1000, MaxFieldBytes: 100, MaxParts: 3}
	for _, tt := range tests {
		for entry, validate := range entryPoints {
			t.Run(entry+"/"+tt.name, func(t *testing.T) {
				ct, body := form(t, tt.parts...)
				res, err := validate(t, ct, bytes.NewReader(body), p)
				if tt.wantErr != "" {
					if rampart.ErrorCode(err) != tt.wantErr || !strings.Contains(rampart.ErrorMessage(err), tt.wantMsg) {
						t.Fatalf("error %v, want %s containing %q", err, tt.wantErr, tt.wantMsg)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if res.Filename != tt.wantFile || !res.Valid {
					t.Errorf("result %+v", res)
				}
			})
		}
	}
}

func TestValidateMultipartResult(t *testing.T) {
	ct, body := form(t, part{field: "file", filename: "../../x.pdf", contentType: "image/png", body: pdfFile("")})
	res, err := validateForm(t, ct, bytes.NewReader(body), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Valid || res.OriginalFilename != "../../x.pdf" || res.Filename != "x.pdf" ||
		res.DeclaredType != "image/png" || res.DetectedType != "application/pdf" || res.SHA256 != sum(pdfFile("")) {
		t.Errorf("result %+v", res)
	}
	if got := codes(res); len(got) != 1 || got[0] != IssueTypeMismatch {
		t.Errorf("issues %v", res.Errors)
	}
}

func TestValidateMultipartEncodedFilename(t *testing.T) {
	// RFC 5987 filename*, which some clients send for non-ASCII names.
	body := "--B\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''r%C3%A9sum%C3%A9%2F..%2Fx.pdf\r\n" +
		"Content-Type: application/pdf\r\n\r\n" + string(pdfFile("")) + "\r\n--B--\r\n"
	res, err := ValidateForm("multipart/form-data; boundary=B", strings.NewReader(body), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if res.OriginalFilename != "résumé/../x.pdf" || res.Filename != "x.pdf" || !res.Valid {
		t.Errorf("result %+v", res)
	}
}

func TestValidateMultipartTruncated(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef\n"), 10_000)
	ct, body := form(t, field("title", "x"), part{field: "file", filename: "a.txt", body: big})
	// Cut everywhere that matters: in the headers, in the file, in the
	// closing boundary, and just before the final newline is harmless.
	boundaryLen := len(ct) - strings.Index(ct, "boundary=") - len("boundary=")
	for entry, validate := range entryPoints {
		for _, cut := range []int{0, 10, 100, len(body) / 2, len(body) - boundaryLen - 8, len(body) - 5, len(body) - 3} {
			for name, r := range map[string]io.Reader{
				"whole":    bytes.NewReader(body[:cut]),
				"one byte": iotest.OneByteReader(bytes.NewReader(body[:cut])),
			} {
				_, err := validate(t, ct, r, Policy{})
				if rampart.ErrorCode(err) != rampart.EInvalid {
					t.Errorf("%s: cut at %d of %d (%s): error %v, want invalid", entry, cut, len(body), name, err)
				}
			}
		}
		// The final CRLF after the closing boundary is optional, and an
		// epilogue after it is ignored.
		for _, b := range [][]byte{bytes.TrimSuffix(body, []byte("\r\n")), append(body, "epilogue"...)} {
			if _, err := validate(t, ct, iotest.OneByteReader(bytes.NewReader(b)), Policy{}); err != nil {
				t.Errorf("%s: complete body: %v", entry, err)
			}
		}
	}
}

// TestValidateFormCutAfterFile covers the truncation mime/multipart reports
// as a clean end: the body stops in the headers of a part after the file.
func TestValidateFormCutAfterFile(t *testing.T) {
	ct, body := form(t, part{field: "file", filename: "a.pdf", body: pdfFile("")}, field("title", "x"))
	boundary := ct[strings.Index(ct, "boundary=")+len("boundary="):]
	second := bytes.LastIndex(body, []byte("--"+boundary+"\r\n"))
	for _, cut := range []int{second + len(boundary) + 4, second + len(boundary) + 20} {
		_, err := ValidateForm(ct, iotest.OneByteReader(bytes.NewReader(body[:cut])), Policy{})
		if rampart.ErrorCode(err) != rampart.EInvalid {
			t.Errorf("cut at %d: error %v, want invalid", cut, err)
		}
	}
	// Cut right after the boundary line, ValidateMultipart cannot tell (see
	// its documentation).
	cut := second + len(boundary) + 4
	if res, err := validateReader(t, ct, bytes.NewReader(body[:cut]), Policy{}); err != nil || !res.Valid {
		t.Errorf("ValidateMultipart, cut at %d: %+v, %v", cut, res, err)
	}
}

func TestValidateMultipartMalformed(t *testing.T) {
	ct := "multipart/form-data; boundary=XYZ"
	for name, body := range map[string]string{
		"no boundary line":   "just some bytes\r\nand more\r\n",
		"wrong boundary":     "--ABC\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhi\r\n--ABC--\r\n",
		"bad header":         "--XYZ\r\nthis is not a header\r\n\r\nhi\r\n--XYZ--\r\n",
		"bad disposition":    "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\r\n\r\nhi\r\n--XYZ--\r\n",
		"garbage after part": "--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhi\r\n--XYZ\r\n",
	} {
		_, err := validateForm(t, ct, strings.NewReader(body), Policy{})
		if rampart.ErrorCode(err) != rampart.EInvalid {
			t.Errorf("%s: error %v, want invalid", name, err)
		}
		if name == "garbage after part" {
			continue // the case only ValidateForm sees
		}
		if _, err := validateReader(t, ct, strings.NewReader(body), Policy{}); rampart.ErrorCode(err) != rampart.EInvalid {
			t.Errorf("%s: ValidateMultipart: error %v, want invalid", name, err)
		}
	}
}

func TestMultipartReader(t *testing.T) {
	// ValidateForm refuses the same Content-Types with the same errors.
	for _, tt := range []struct {
		ct, wantMsg string
	}{
		{"", "no Content-Type"},
		{"multipart/form-data", "no boundary"},
		{"multipart/form-data; boundary=", "boundary"},
		{"application/json", "send multipart/form-data"},
		{"multipart/mixed; boundary=x", "send multipart/form-data"},
		{"multipart/form-data; boundary", "malformed"},
	} {
		_, err := MultipartReader(tt.ct, strings.NewReader(""))
		if rampart.ErrorCode(err) != rampart.EInvalid || !strings.Contains(rampart.ErrorMessage(err), tt.wantMsg) {
			t.Errorf("MultipartReader(%q): %v, want invalid containing %q", tt.ct, err, tt.wantMsg)
		}
		if _, err2 := ValidateForm(tt.ct, strings.NewReader(""), Policy{}); rampart.ErrorMessage(err2) != rampart.ErrorMessage(err) {
			t.Errorf("ValidateForm(%q): %v", tt.ct, err2)
		}
	}
	if _, err := MultipartReader("Multipart/Form-Data; boundary=\"a b\"", strings.NewReader("")); err != nil {
		t.Errorf("valid Content-Type: %v", err)
	}
}

// TestValidateMultipartBodyError shows a failure of the underlying body (a
// dropped connection, http.MaxBytesReader's limit) stays recognisable.
func TestValidateMultipartBodyError(t *testing.T) {
	boom := errors.New("connection reset")
	ct, body := form(t, part{field: "file", filename: "a.txt", body: bytes.Repeat([]byte("a"), 10_000)})
	for _, cut := range []int{10, 200, 5000} {
		for entry, validate := range entryPoints {
			r := io.MultiReader(bytes.NewReader(body[:cut]), iotest.ErrReader(boom))
			_, err := validate(t, ct, r, Policy{})
			if !errors.Is(err, boom) || rampart.ErrorCode(err) != rampart.EInternal {
				t.Errorf("%s: cut at %d: error %v, want the body's error wrapped", entry, cut, err)
			}
		}
	}
}

func TestBodyLimit(t *testing.T) {
	p := Policy{MaxBytes: 1 << 20, MaxParts: 2, MaxFieldBytes: 1 << 10}
	if got := p.BodyLimit(); got <= 1<<20 || got > 1<<20+2*(1<<10+16<<10) {
		t.Errorf("BodyLimit = %d", got)
	}
	if (Policy{}).BodyLimit() <= DefaultMaxBytes {
		t.Error("default BodyLimit is not above DefaultMaxBytes")
	}
	huge := Policy{MaxBytes: math.MaxInt64, MaxFieldBytes: math.MaxInt64}
	if huge.BodyLimit() != math.MaxInt64 {
		t.Errorf("BodyLimit overflows: %d", huge.BodyLimit())
	}
	// A limit at the top of int64 still reads files.
	if res, err := ValidateStream("a.txt", "", strings.NewReader("hi"), huge); err != nil || res.Size != 2 {
		t.Errorf("MaxBytes at MaxInt64: %+v, %v", res, err)
	}
}

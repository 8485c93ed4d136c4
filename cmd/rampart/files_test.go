package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
)

type filePart struct {
	name, contentType string
	content           []byte
}

// multipartBody builds a form with the given files and a text field.
func multipartBody(t *testing.T, files ...filePart) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("purpose", "contract")
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, f.name))
		h.Set("Content-Type", f.contentType)
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.content)
	}
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

func (ts *testServer) upload(t *testing.T, token, contentType string, body []byte) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", ts.URL+"/v1/files/validate", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	jsonUnmarshal(raw, &m)
	return resp.StatusCode, m
}

var minimalPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func TestFileValidation(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_RATE_LIMITS"] = "on"
	env["RAMPART_UPLOAD_MAX_BYTES"] = "4096"
	ts := start(t, env)
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	access, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)

	ct, body := multipartBody(t, filePart{"../../etc/report.pdf", "application/pdf", minimalPDF})
	code, res := ts.upload(t, access, ct, body)
	sum := sha256.Sum256(minimalPDF)
	if code != 200 || res["valid"] != true || res["sha256"] != hex.EncodeToString(sum[:]) || res["detected_type"] != "application/pdf" ||
		res["filename"] != "report.pdf" || len(res["errors"].([]any)) != 0 {
		t.Fatalf("clean PDF: %d %v", code, res)
	}
	// A script in a text file, and a PDF that is not one.
	ct, body = multipartBody(t, filePart{"notes.txt", "text/plain", []byte("hello <SCRIPT>alert(1)</script>")})
	if code, res := ts.upload(t, access, ct, body); code != 200 || res["valid"] != false || !strings.Contains(fmt.Sprint(res["errors"]), "malicious_content") {
		t.Fatalf("script: %d %v", code, res)
	}
	ct, body = multipartBody(t, filePart{"invoice.pdf", "application/pdf", append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 64)...)})
	if code, res := ts.upload(t, access, ct, body); code != 200 || res["valid"] != false {
		t.Fatalf("ELF as PDF: %d %v", code, res)
	}
	// Bad forms: clear 400s; too large: 413.
	ct, body = multipartBody(t)
	if code, res := ts.upload(t, access, ct, body); code != 400 || !strings.Contains(res["detail"].(string), "no file") {
		t.Errorf("no file: %d %v", code, res)
	}
	ct, body = multipartBody(t, filePart{"a.pdf", "application/pdf", minimalPDF}, filePart{"b.pdf", "application/pdf", minimalPDF})
	if code, res := ts.upload(t, access, ct, body); code != 400 || res["error_id"] == nil {
		t.Errorf("two files: %d %v", code, res)
	}
	ct, body = multipartBody(t, filePart{"a.pdf", "application/pdf", minimalPDF})
	if code, res := ts.upload(t, access, ct, body[:len(body)-20]); code != 400 {
		t.Errorf("cut short: %d %v", code, res)
	}
	ct, body = multipartBody(t, filePart{"big.txt", "text/plain", bytes.Repeat([]byte("a"), 5000)})
	if code, res := ts.upload(t, access, ct, body); code != 413 {
		t.Errorf("too large: %d %v", code, res)
	}
	// Ten uploads a minute per caller, counted before the body is read:
	// seven above, three more, and the 11th is refused.
	ct, body = multipartBody(t, filePart{"r.pdf", "application/pdf", minimalPDF})
	for i := 8; i <= 10; i++ {
		if code, _ := ts.upload(t, access, ct, body); code != 200 {
			t.Fatalf("upload %d: %d", i, code)
		}
	}
	if code, res := ts.upload(t, access, ct, body); code != 429 || res["code"] != "RATE_LIMIT_EXCEEDED" {
		t.Fatalf("11th upload: %d %v", code, res)
	}
}

func jsonUnmarshal(raw []byte, v any) { json.Unmarshal(raw, v) }

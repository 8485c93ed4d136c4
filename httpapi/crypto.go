package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/vault"
)

// Bounds of the encryption API.
const (
	maxContextBytes   = 1024
	maxSubjectBytes   = 256
	maxCryptoBatch    = 1000
	maxCiphertextText = 2 << 20
)

// internalContextPrefix starts the contexts of Rampart's own ciphertexts
// (TOTP secrets, say): the API refuses them, so a caller holding
// crypto:decrypt cannot open Rampart's secrets from a database copy.
const internalContextPrefix = "rampart/"

// cryptoContext is the caller's context of a ciphertext: a string, or an
// object of strings and numbers such as {"table": "users", "row": 42,
// "field": "email"}, canonicalised (keys sorted) so that the same object
// always binds the same way.
type cryptoContext string

func (c *cryptoContext) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*c = cryptoContext(s)
		return nil
	}
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // exact: 9007199254740993 and ...992 must not bind alike
	if err := dec.Decode(&obj); err != nil {
		return fmt.Errorf("context must be a string or an object")
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out strings.Builder
	for _, k := range keys {
		// Typed, so that 42 and "42" bind differently.
		var v string
		switch x := obj[k].(type) {
		case string:
			v = "s:" + x
		case json.Number:
			v = "n:" + x.String()
		default:
			return fmt.Errorf("context values must be strings or numbers")
		}
		fmt.Fprintf(&out, "%d:%s=%d:%s;", len(k), k, len(v), v)
	}
	*c = cryptoContext(out.String())
	return nil
}

func (c cryptoContext) check(field string) error {
	if strings.HasPrefix(string(c), internalContextPrefix) {
		return rampart.FieldError(rampart.EUnprocessable, field, "contexts starting with %q are Rampart's own", internalContextPrefix)
	}
	if c == "" || len(c) > maxContextBytes {
		return rampart.FieldError(rampart.EUnprocessable, field, "context is required: a string or an object of at most %d bytes that names where the value belongs (for a stored field: table, row id, field)", maxContextBytes)
	}
	return nil
}

func parsePurpose(field, s string) (keys.Purpose, error) {
	if s == "" {
		return keys.PurposeDefault, nil
	}
	p, ok := keys.ParsePurpose(s)
	if !ok {
		names := make([]string, 0, 9)
		for _, p := range keys.Purposes() {
			names = append(names, string(p))
		}
		return "", rampart.FieldError(rampart.EUnprocessable, field, "unknown purpose %q; use one of %s", s, strings.Join(names, ", "))
	}
	return p, nil
}

// encryptItem is one value to encrypt: base64 plaintext or UTF-8 text.
type encryptItem struct {
	Plaintext *string       `json:"plaintext" validate:"omitempty,max=2000000"`
	Text      *string       `json:"text" validate:"omitempty,max=2000000"`
	Purpose   string        `json:"purpose" validate:"max=40"`
	Subject   string        `json:"subject" validate:"max=256"`
	Context   cryptoContext `json:"context" validate:"max=1024"`
}

// field checks an item and returns its vault field and plaintext; prefix
// names the item in errors ("" or "items[3].").
func (it *encryptItem) field(tenantID, prefix string) (vault.Field, []byte, error) {
	purpose, err := parsePurpose(prefix+"purpose", it.Purpose)
	if err != nil {
		return vault.Field{}, nil, err
	}
	if err := it.Context.check(prefix + "context"); err != nil {
		return vault.Field{}, nil, err
	}
	if it.Subject != "" && purpose != keys.PurposePersonalData {
		return vault.Field{}, nil, rampart.FieldError(rampart.EUnprocessable, prefix+"subject", "a subject (a key per person, for crypto-shredding) goes with purpose personal_data")
	}
	if len(it.Subject) > maxSubjectBytes {
		return vault.Field{}, nil, rampart.FieldError(rampart.EUnprocessable, prefix+"subject", "at most %d bytes", maxSubjectBytes)
	}
	var pt []byte
	switch {
	case it.Plaintext != nil && it.Text != nil:
		return vault.Field{}, nil, rampart.FieldError(rampart.EUnprocessable, prefix+"text", "send plaintext (base64) or text, not both")
	case it.Plaintext != nil:
		if pt, err = base64.StdEncoding.DecodeString(*it.Plaintext); err != nil {
			return vault.Field{}, nil, rampart.FieldError(rampart.EInvalid, prefix+"plaintext", "plaintext is not valid base64 (standard alphabet, padded)")
		}
	case it.Text != nil:
		pt = []byte(*it.Text)
	default:
		return vault.Field{}, nil, rampart.FieldError(rampart.EUnprocessable, prefix+"plaintext", "plaintext (base64) or text is required")
	}
	return vault.Field{TenantID: tenantID, Purpose: purpose, Subject: it.Subject, Context: string(it.Context)}, pt, nil
}

func (s *Server) handleEncrypt() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req encryptItem
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		p := principal(r)
		f, pt, err := req.field(p.TenantID, "")
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		c, err := s.vault.Encrypt(r.Context(), f, pt)
		clear(pt)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, map[string]any{"ciphertext": c})
	})
}

type encryptBatchRequest struct {
	Items []encryptItem `json:"items" validate:"max=1000,dive"`
}

func (s *Server) handleEncryptBatch() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req encryptBatchRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if len(req.Items) == 0 || len(req.Items) > maxCryptoBatch {
			writeError(w, r, s.log, rampart.FieldError(rampart.EUnprocessable, "items", "send 1 to %d items", maxCryptoBatch))
			return
		}
		p := principal(r)
		// Every item is checked before any is encrypted: one bad item
		// refuses the batch, naming it.
		fields := make([]vault.Field, len(req.Items))
		pts := make([][]byte, len(req.Items))
		for i := range req.Items {
			f, pt, err := req.Items[i].field(p.TenantID, fmt.Sprintf("items[%d].", i))
			if err != nil {
				writeError(w, r, s.log, err)
				return
			}
			fields[i], pts[i] = f, pt
		}
		out := make([]map[string]string, len(fields))
		for i, f := range fields {
			c, err := s.vault.Encrypt(r.Context(), f, pts[i])
			clear(pts[i])
			if err != nil {
				writeError(w, r, s.log, err)
				return
			}
			out[i] = map[string]string{"ciphertext": c}
		}
		encode(w, http.StatusOK, map[string]any{"items": out})
	})
}

type decryptItem struct {
	Ciphertext string        `json:"ciphertext" validate:"max=2800000"`
	Context    cryptoContext `json:"context" validate:"max=1024"`
}

func (it *decryptItem) check(prefix string) error {
	if it.Ciphertext == "" {
		return rampart.FieldError(rampart.EUnprocessable, prefix+"ciphertext", "ciphertext is required")
	}
	if len(it.Ciphertext) > maxCiphertextText {
		return rampart.FieldError(rampart.EUnprocessable, prefix+"ciphertext", "ciphertext is too long")
	}
	return it.Context.check(prefix + "context")
}

// decodeDecryptItem reads and checks the body of a decrypt or rewrap.
func decodeDecryptItem(r *http.Request) (decryptItem, error) {
	var req decryptItem
	if err := decode(r, &req); err != nil {
		return req, err
	}
	return req, req.check("")
}

// plainJSON answers a plaintext as base64, and as text when it is UTF-8.
func plainJSON(pt []byte) map[string]any {
	out := map[string]any{"plaintext": base64.StdEncoding.EncodeToString(pt)}
	if utf8.Valid(pt) {
		out["text"] = string(pt)
	}
	return out
}

// auditDecrypt records reads of protected data as data_access.
func (s *Server) auditDecrypt(r *http.Request, what string, details map[string]any) {
	p := principal(r)
	if details == nil {
		details = map[string]any{}
	}
	details["operation"] = what
	s.auth.Audit(r.Context(), p.TenantID, &audit.Event{Type: audit.DataAccess, UserID: p.UserID, IP: s.clientIP(r),
		UserAgent: truncate(r.UserAgent(), 512), Resource: "crypto:" + what, Success: true, Details: details})
}

func (s *Server) handleDecrypt() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := decodeDecryptItem(r)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		p := principal(r)
		pt, h, err := s.vault.Decrypt(r.Context(), p.TenantID, string(req.Context), req.Ciphertext)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		s.auditDecrypt(r, "decrypt", map[string]any{"purpose": h.Key.Purpose, "key_version": h.Version})
		encode(w, http.StatusOK, plainJSON(pt))
	})
}

type decryptBatchRequest struct {
	Items []decryptItem `json:"items" validate:"max=1000,dive"`
}

// handleDecryptBatch decrypts up to 1,000 items; each answers on its own
// (a value or an error), since one unreadable value should not hide the
// others.
func (s *Server) handleDecryptBatch(rewrap bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req decryptBatchRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if len(req.Items) == 0 || len(req.Items) > maxCryptoBatch {
			writeError(w, r, s.log, rampart.FieldError(rampart.EUnprocessable, "items", "send 1 to %d items", maxCryptoBatch))
			return
		}
		for i := range req.Items {
			if err := req.Items[i].check(fmt.Sprintf("items[%d].", i)); err != nil {
				writeError(w, r, s.log, err)
				return
			}
		}
		p := principal(r)
		out := make([]map[string]any, len(req.Items))
		failed := 0
		for i, it := range req.Items {
			var err error
			if rewrap {
				var c string
				var h keys.Header
				if c, h, err = s.vault.Rewrap(r.Context(), p.TenantID, string(it.Context), it.Ciphertext); err == nil {
					out[i] = map[string]any{"ciphertext": c, "key_version": h.Version}
				}
			} else {
				var pt []byte
				if pt, _, err = s.vault.Decrypt(r.Context(), p.TenantID, string(it.Context), it.Ciphertext); err == nil {
					out[i] = plainJSON(pt)
				}
			}
			if err != nil {
				if rampart.ErrorCode(err) != rampart.EUnprocessable {
					writeError(w, r, s.log, err) // the store, not the item
					return
				}
				failed++
				out[i] = map[string]any{"error": map[string]any{"code": rampart.EUnprocessable, "detail": rampart.ErrorMessage(err)}}
			}
		}
		if !rewrap {
			s.auditDecrypt(r, "decrypt_batch", map[string]any{"items": len(req.Items), "failed": failed})
		}
		encode(w, http.StatusOK, map[string]any{"items": out})
	})
}

func (s *Server) handleRewrap() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := decodeDecryptItem(r)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		p := principal(r)
		c, h, err := s.vault.Rewrap(r.Context(), p.TenantID, string(req.Context), req.Ciphertext)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, map[string]any{"ciphertext": c, "key_version": h.Version})
	})
}

type encryptDocumentRequest struct {
	Document json.RawMessage   `json:"document" validate:"max=1048576"`
	Fields   map[string]string `json:"fields" validate:"max=1000,dive,keys,max=256,endkeys,max=40"`
	Subject  string            `json:"subject" validate:"max=256"`
	Context  cryptoContext     `json:"context" validate:"max=1024"`
}

func (s *Server) handleEncryptDocument() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req encryptDocumentRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		doc, err := parseDocument(req.Document, req.Context)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		fields := map[string]keys.Purpose{}
		for path, name := range req.Fields {
			p, err := parsePurpose("fields."+path, name)
			if err != nil {
				writeError(w, r, s.log, err)
				return
			}
			if path == "" || len(path) > 256 || strings.HasPrefix(path, ".") || strings.HasSuffix(path, ".") || strings.Contains(path, "..") {
				writeError(w, r, s.log, rampart.FieldError(rampart.EUnprocessable, "fields."+path, "a field is a dotted path such as user.email"))
				return
			}
			fields[path] = p
		}
		if req.Subject != "" {
			for path, p := range fields {
				if p != keys.PurposePersonalData {
					writeError(w, r, s.log, rampart.FieldError(rampart.EUnprocessable, "fields."+path, "with a subject, every field uses purpose personal_data"))
					return
				}
			}
		}
		p := principal(r)
		if err := s.vault.EncryptDocument(r.Context(), p.TenantID, doc, fields, req.Subject, string(req.Context), json.Marshal); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		paths := make([]string, 0, len(fields))
		for path := range fields {
			paths = append(paths, path)
		}
		sort.Strings(paths)
		encode(w, http.StatusOK, map[string]any{"document": doc, "encrypted_fields": paths})
	})
}

type decryptDocumentRequest struct {
	Document json.RawMessage `json:"document" validate:"max=1048576"`
	Context  cryptoContext   `json:"context" validate:"max=1024"`
}

func (s *Server) handleDecryptDocument() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req decryptDocumentRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		doc, err := parseDocument(req.Document, req.Context)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		p := principal(r)
		paths, err := s.vault.DecryptDocument(r.Context(), p.TenantID, doc, string(req.Context), func(b []byte) (any, error) {
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.UseNumber()
			var v any
			return v, dec.Decode(&v)
		})
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		s.auditDecrypt(r, "decrypt_document", map[string]any{"fields": paths})
		encode(w, http.StatusOK, map[string]any{"document": doc, "decrypted_fields": paths})
	})
}

// parseDocument reads the document of a document call, keeping numbers
// exact (json.Number) so that it comes back as it went in, and checks the
// call's context.
func parseDocument(raw json.RawMessage, c cryptoContext) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if len(raw) == 0 || dec.Decode(&doc) != nil || doc == nil {
		return nil, rampart.FieldError(rampart.EUnprocessable, "document", "document (a JSON object) is required")
	}
	return doc, c.check("context")
}

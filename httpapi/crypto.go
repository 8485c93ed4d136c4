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
	"github.com/rampart-dev/rampart/encryption"
)

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

// encryptItem is one value to encrypt: base64 plaintext or UTF-8 text.
type encryptItem struct {
	Plaintext *string       `json:"plaintext" validate:"omitempty,max=2000000"`
	Text      *string       `json:"text" validate:"omitempty,max=2000000"`
	Purpose   string        `json:"purpose" validate:"max=40"`
	Subject   string        `json:"subject" validate:"max=256"`
	Context   cryptoContext `json:"context" validate:"max=1024"`
}

// value checks an item and returns it as a value to encrypt; prefix names
// the item in errors ("" or "items[3].").
func (it *encryptItem) value(prefix string) (encryption.Value, error) {
	v := encryption.Value{Purpose: it.Purpose, Subject: it.Subject, Context: string(it.Context)}
	if err := v.Check(prefix); err != nil {
		return v, err
	}
	var err error
	switch {
	case it.Plaintext != nil && it.Text != nil:
		return v, rampart.FieldError(rampart.EUnprocessable, prefix+"text", "send plaintext (base64) or text, not both")
	case it.Plaintext != nil:
		if v.Plaintext, err = base64.StdEncoding.DecodeString(*it.Plaintext); err != nil {
			return v, rampart.FieldError(rampart.EInvalid, prefix+"plaintext", "plaintext is not valid base64 (standard alphabet, padded)")
		}
	case it.Text != nil:
		v.Plaintext = []byte(*it.Text)
	default:
		return v, rampart.FieldError(rampart.EUnprocessable, prefix+"plaintext", "plaintext (base64) or text is required")
	}
	return v, nil
}

func (s *Server) handleEncrypt() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req encryptItem
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		v, err := req.value("")
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		c, err := s.crypto.Encrypt(r.Context(), principal(r), v)
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
		vs := make([]encryption.Value, len(req.Items))
		for i := range req.Items {
			v, err := req.Items[i].value(fmt.Sprintf("items[%d].", i))
			if err != nil {
				for _, v := range vs[:i] {
					clear(v.Plaintext)
				}
				writeError(w, r, s.log, err)
				return
			}
			vs[i] = v
		}
		cs, err := s.crypto.EncryptBatch(r.Context(), principal(r), vs)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		out := make([]map[string]string, len(cs))
		for i, c := range cs {
			out[i] = map[string]string{"ciphertext": c}
		}
		encode(w, http.StatusOK, map[string]any{"items": out})
	})
}

type decryptItem struct {
	Ciphertext string        `json:"ciphertext" validate:"max=2800000"`
	Context    cryptoContext `json:"context" validate:"max=1024"`
}

func (it decryptItem) sealed() encryption.Sealed {
	return encryption.Sealed{Ciphertext: it.Ciphertext, Context: string(it.Context)}
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
	s.crypto.RecordAccess(r.Context(), p, what, details, s.actor(r, p.UserID))
}

func (s *Server) handleDecrypt() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req decryptItem
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		p := principal(r)
		pt, err := s.crypto.Decrypt(r.Context(), p, req.sealed(), s.actor(r, p.UserID))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, plainJSON(pt))
	})
}

type decryptBatchRequest struct {
	Items []decryptItem `json:"items" validate:"max=1000,dive"`
}

// handleDecryptBatch decrypts (or rewraps) up to 1,000 items; each answers
// on its own (a value or an error).
func (s *Server) handleDecryptBatch(rewrap bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req decryptBatchRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		cs := make([]encryption.Sealed, len(req.Items))
		for i, it := range req.Items {
			cs[i] = it.sealed()
		}
		p := principal(r)
		var res []encryption.Opened
		var err error
		if rewrap {
			res, err = s.crypto.RewrapBatch(r.Context(), p, cs)
		} else {
			res, err = s.crypto.DecryptBatch(r.Context(), p, cs, s.actor(r, p.UserID))
		}
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		out := make([]map[string]any, len(res))
		for i, o := range res {
			switch {
			case o.Err != nil:
				out[i] = map[string]any{"error": map[string]any{"code": rampart.ErrorCode(o.Err), "detail": rampart.ErrorMessage(o.Err)}}
			case rewrap:
				out[i] = map[string]any{"ciphertext": o.Ciphertext, "key_version": o.Version}
			default:
				out[i] = plainJSON(o.Plaintext)
			}
		}
		encode(w, http.StatusOK, map[string]any{"items": out})
	})
}

func (s *Server) handleRewrap() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req decryptItem
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		c, h, err := s.crypto.Rewrap(r.Context(), principal(r), req.sealed())
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
		doc, err := parseDocument(req.Document)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		paths, err := s.crypto.EncryptDocument(r.Context(), principal(r), doc, req.Fields, req.Subject, string(req.Context))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
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
		doc, err := parseDocument(req.Document)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		p := principal(r)
		paths, err := s.crypto.DecryptDocument(r.Context(), p, doc, string(req.Context), s.actor(r, p.UserID))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, map[string]any{"document": doc, "decrypted_fields": paths})
	})
}

// parseDocument reads the document of a document call, keeping numbers
// exact (json.Number) so that it comes back as it went in.
func parseDocument(raw json.RawMessage) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if len(raw) == 0 || dec.Decode(&doc) != nil || doc == nil {
		return nil, rampart.FieldError(rampart.EUnprocessable, "document", "document (a JSON object) is required")
	}
	return doc, nil
}

package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/rampart-dev/rampart"
)

// decode reads a JSON request body into dst, strictly: the body must be valid
// UTF-8, a single JSON value, with no unknown fields and no wrong types. The
// size limit is applied by the body-limit middleware. Every failure is a 400
// problem naming the field at fault when there is one. A struct is then
// checked against its validate tags (see validate.go): a value out of bounds
// is a 422 naming the field. The Content-Type is
// not checked (curl sends form-urlencoded by default); the body must be JSON
// whatever it claims, and authentication by header already stops CSRF.
func decode(r *http.Request, dst any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return rampart.Errorf(rampart.ETooLarge, "request body exceeds %d bytes", tooBig.Limit)
		}
		return rampart.Errorf(rampart.EInvalid, "could not read the request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return rampart.Errorf(rampart.EInvalid, "request body is empty; a JSON object is required")
	}
	// encoding/json would silently replace invalid UTF-8 with U+FFFD, which
	// would store something other than what the client sent.
	if !utf8.Valid(body) {
		if field := invalidUTF8Field(body); field != "" {
			return rampart.FieldError(rampart.EInvalid, field, "%s is not valid UTF-8", field)
		}
		return rampart.Errorf(rampart.EInvalid, "request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return rampart.Errorf(rampart.EInvalid, "request body must hold a single JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return rampart.Errorf(rampart.EInvalid, "request body must hold a single JSON value")
	}
	return validateRequest("", dst)
}

// jsonError turns an encoding/json error into a problem naming the field.
func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return rampart.Errorf(rampart.EInvalid, "request body must be a JSON object")
		}
		return rampart.FieldError(rampart.EInvalid, field, "%s must be of type %s", field, jsonType(typeErr.Type.Kind().String()))
	case errors.As(err, &syntaxErr):
		return rampart.Errorf(rampart.EInvalid, "request body is not valid JSON (at byte %d)", syntaxErr.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return rampart.Errorf(rampart.EInvalid, "request body is truncated JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return rampart.FieldError(rampart.EInvalid, field, "unknown field %q", field)
	}
	return rampart.Errorf(rampart.EInvalid, "request body is not valid JSON")
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "map", "struct", "ptr":
		return "object"
	}
	return "number"
}

// encode writes v as JSON with the given status.
func encode(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// invalidUTF8Field finds the first field whose string value holds invalid
// UTF-8, by decoding loosely (encoding/json turns bad bytes into U+FFFD) and
// looking for the replacement character. It returns "" when none is found.
func invalidUTF8Field(body []byte) string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	var walk func(path string, v any) string
	walk = func(path string, v any) string {
		switch x := v.(type) {
		case string:
			if strings.ContainsRune(x, utf8.RuneError) {
				return path
			}
		case map[string]any:
			for k, child := range x {
				p := k
				if path != "" {
					p = path + "." + k
				}
				if strings.ContainsRune(k, utf8.RuneError) {
					return p
				}
				if f := walk(p, child); f != "" {
					return f
				}
			}
		case []any:
			for i, child := range x {
				if f := walk(fmt.Sprintf("%s[%d]", path, i), child); f != "" {
					return f
				}
			}
		}
		return ""
	}
	return walk("", v)
}

// strictUnmarshal decodes a nested JSON value (already size-checked and
// UTF-8-checked with its request) with the same strictness as decode.
func strictUnmarshal(raw []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	return nil
}

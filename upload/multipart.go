package upload

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"

	"github.com/rampart-dev/rampart"
)

// ValidateForm validates the single file of a multipart/form-data request
// body whose Content-Type header value is contentType. It is the entry point
// for the HTTP layer: MultipartReader and ValidateMultipart in one, plus a
// check ValidateMultipart alone cannot make, that the body reached its
// closing boundary (see ValidateMultipart). Errors are as for those two.
func ValidateForm(contentType string, body io.Reader, p Policy) (Result, error) {
	boundary, err := formBoundary(contentType)
	if err != nil {
		return Result{}, err
	}
	t := newCloseTracker(body, boundary)
	res, err := validateMultipart(multipart.NewReader(t, boundary), p)
	if err == nil && !t.seen {
		return Result{}, bodyError(io.ErrUnexpectedEOF)
	}
	return res, err
}

// MultipartReader returns a reader for a multipart/form-data body with the
// given Content-Type header value. A body of another type, or one without a
// boundary, is an *rampart.Error with code EInvalid; http.Request's own
// MultipartReader returns plain errors for these.
func MultipartReader(contentType string, body io.Reader) (*multipart.Reader, error) {
	boundary, err := formBoundary(contentType)
	if err != nil {
		return nil, err
	}
	return multipart.NewReader(body, boundary), nil
}

// formBoundary returns the boundary of a multipart/form-data Content-Type.
func formBoundary(contentType string) (string, error) {
	if strings.TrimSpace(contentType) == "" {
		return "", rampart.Errorf(rampart.EInvalid, "the request has no Content-Type: send multipart/form-data")
	}
	t, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", rampart.Errorf(rampart.EInvalid, "the Content-Type header is malformed: send multipart/form-data with a boundary")
	}
	if t != "multipart/form-data" {
		return "", rampart.Errorf(rampart.EInvalid, "the Content-Type is %s: send multipart/form-data", t)
	}
	boundary := params["boundary"]
	if boundary == "" {
		return "", rampart.Errorf(rampart.EInvalid, "the multipart/form-data Content-Type has no boundary parameter")
	}
	return boundary, nil
}

// ValidateMultipart validates the single file of a multipart/form-data body
// read from r. Any part whose Content-Disposition has a filename parameter is
// the file, whatever its field name: clients disagree on what to call it, and
// the filename is what makes a part a file in RFC 7578. Its declared type is
// that part's Content-Type. Other parts are read and discarded.
//
// Errors, all *rampart.Error unless the underlying body failed:
//   - EInvalid: no file part; more than one file part; more than
//     Policy.MaxParts parts; a malformed or truncated body;
//   - ETooLarge: the file is over Policy.MaxBytes, a form field is over
//     Policy.MaxFieldBytes, or part headers are over the multipart limit.
//
// Reading stops at the first error, leaving the rest of the body unread; the
// HTTP layer must then close the connection (net/http does so itself when
// more than a little of the body is left). A failure of the underlying body,
// such as *http.MaxBytesError from http.MaxBytesReader, is returned wrapped
// for the caller to map. On error the Result is the zero value.
//
// One truncation escapes it: a body cut inside the headers of a part that
// follows the file ends the way a complete body does, as far as
// mime/multipart reports. The file itself was then read whole; ValidateForm,
// which sees the raw body, refuses such a request too.
func ValidateMultipart(r *multipart.Reader, p Policy) (Result, error) {
	return validateMultipart(r, p)
}

// validateMultipart is ValidateMultipart.
func validateMultipart(r *multipart.Reader, p Policy) (Result, error) {
	p = p.withDefaults()
	var res Result
	found := false
	for parts := 0; ; parts++ {
		part, err := r.NextPart()
		if err == io.EOF { // exactly io.EOF: NextPart wraps a premature one
			break
		}
		if err != nil {
			return Result{}, bodyError(err)
		}
		if parts >= p.MaxParts {
			return Result{}, rampart.Errorf(rampart.EInvalid, "the form has more than %d parts", p.MaxParts)
		}
		name, isFile, err := partFilename(part)
		if err != nil {
			return Result{}, err
		}
		if !isFile {
			n, err := io.CopyN(io.Discard, part, p.MaxFieldBytes+1)
			if err != nil && err != io.EOF {
				return Result{}, bodyError(err)
			}
			if n > p.MaxFieldBytes {
				return Result{}, rampart.Errorf(rampart.ETooLarge, "the form field %q is larger than %d bytes",
					truncateForMessage(part.FormName()), p.MaxFieldBytes)
			}
			continue
		}
		if found {
			return Result{}, rampart.Errorf(rampart.EInvalid, "the form holds more than one file: send exactly one file")
		}
		found = true
		res, err = validate(name, part.Header.Get("Content-Type"), part, p)
		if err != nil {
			return Result{}, bodyError(err)
		}
	}
	if !found {
		return Result{}, rampart.Errorf(rampart.EInvalid, `no file in the form: send one part named "file" with a filename`)
	}
	return res, nil
}

// partFilename returns the raw filename parameter of a part's
// Content-Disposition, and whether there is one. Part.FileName is not used
// because it already drops directories (with "/" only), and the Result
// reports the name as the client sent it.
func partFilename(p *multipart.Part) (name string, ok bool, err error) {
	cd := p.Header.Get("Content-Disposition")
	if cd == "" {
		return "", false, nil
	}
	_, params, err := mime.ParseMediaType(cd)
	if err != nil {
		return "", false, rampart.Errorf(rampart.EInvalid, "a part of the form has a malformed Content-Disposition header")
	}
	name, ok = params["filename"]
	return name, ok, nil
}

// bodyError turns a failure to read the multipart body into the error the
// client caused, or wraps it when the cause is the underlying reader.
// mime/multipart reports syntax errors as unwrapped errors whose text starts
// with "multipart:" (and quoted-printable ones with "quotedprintable:"); it
// has no error types for them, so their text is all there is to go by.
func bodyError(err error) error {
	var re *rampart.Error
	var pe textproto.ProtocolError
	switch {
	case errors.As(err, &re):
		return re
	case errors.Is(err, multipart.ErrMessageTooLarge):
		return rampart.Errorf(rampart.ETooLarge, "the headers of a part of the form are too large")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return rampart.Errorf(rampart.EInvalid, "the multipart body is malformed or cut short: it ends before its closing boundary")
	case errors.As(err, &pe):
		return rampart.Errorf(rampart.EInvalid, "the multipart body is malformed: a part has a bad header")
	case errors.Unwrap(err) == nil &&
		(strings.HasPrefix(err.Error(), "multipart:") || strings.HasPrefix(err.Error(), "quotedprintable:")):
		return rampart.Errorf(rampart.EInvalid, "the multipart body is malformed")
	}
	return fmt.Errorf("upload: reading the multipart body: %w", err)
}

// closeTracker passes a multipart body through and records whether the
// closing delimiter ("--" boundary "--") went by. mime/multipart reports a
// body cut in the headers of a part with the same io.EOF as a complete body;
// a complete one always contains its closing delimiter, since the parser stops
// at the first one it meets.
type closeTracker struct {
	r     io.Reader
	delim []byte
	tail  []byte // up to len(delim)-1 bytes from the end of the previous read, then room for as many more
	seen  bool
}

func newCloseTracker(r io.Reader, boundary string) *closeTracker {
	delim := []byte("--" + boundary + "--")
	return &closeTracker{r: r, delim: delim, tail: make([]byte, 0, 2*len(delim))}
}

func (c *closeTracker) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.seen || n == 0 {
		return n, err
	}
	b := p[:n]
	k := len(c.delim) - 1
	// A delimiter split between reads lies in the old tail plus the start
	// of this read; one inside this read is found in b itself.
	c.tail = append(c.tail, b[:min(len(b), k)]...)
	if bytes.Contains(c.tail, c.delim) || bytes.Contains(b, c.delim) {
		c.seen = true
		return n, err
	}
	if len(b) >= k {
		c.tail = append(c.tail[:0], b[len(b)-k:]...)
	} else if len(c.tail) > k {
		c.tail = append(c.tail[:0], c.tail[len(c.tail)-k:]...)
	}
	return n, err
}

// Package upload decides whether an uploaded file may enter the document
// pipeline: its size, its extension, whether its content is what its name and
// declared type claim (by magic bytes), whether it carries active content, and
// what name it may be stored under. It reads the file once, in constant
// memory, and knows nothing of HTTP: the handler passes ValidateForm the
// request's Content-Type and body (or ValidateMultipart a multipart reader,
// or ValidateStream a bare stream) and maps the errors by their rampart code.
//
// Two kinds of failure are kept apart. A request that cannot be read as one
// file (no file, two files, a cut or malformed body, a file over the size
// limit) is an error: an *rampart.Error with code EInvalid or ETooLarge.
// A file that was read in full but breaks a rule is a Result with Valid false
// and one Issue per broken rule, so the client learns everything at once.
package upload

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/gabriel-vasile/mimetype"

	"github.com/rampart-dev/rampart"
)

// Defaults for a zero Policy.
const (
	// DefaultMaxBytes is the largest file accepted: 100 MiB.
	DefaultMaxBytes int64 = 100 << 20
	// DefaultMaxParts bounds the parts of one multipart body, file included.
	DefaultMaxParts = 16
	// DefaultMaxFieldBytes bounds each non-file form field, which is read
	// and discarded.
	DefaultMaxFieldBytes int64 = 64 << 10
)

// DefaultAllowedExtensions are the formats a document-intelligence pipeline
// extracts text from: PDF, Office documents old and new, plain text, Markdown,
// CSV and JSON, and the image formats scanned pages and photos of documents
// arrive in (OCR). HTML, SVG and XML are left out because they are active
// content (script, external entities) that a viewer or parser may act on;
// archives because their members escape every check here. A policy may add
// them back.
var DefaultAllowedExtensions = []string{
	".pdf",
	".doc", ".docx",
	".xls", ".xlsx",
	".pptx",
	".txt", ".md", ".csv", ".json",
	".png", ".jpg", ".jpeg", ".gif", ".webp", ".tif", ".tiff",
}

// detectBytes is how much of the start of a file type detection looks at. It
// equals mimetype's own read limit on purpose: its detectors treat an input
// shorter than the limit as the whole file (a JSON document must then be
// complete), so a shorter head would misdetect large files.
const detectBytes = 4096

// maxEmptyReads is how many reads in a row may return nothing before the
// body counts as broken, as in bufio; it keeps a faulty reader from holding
// a validation forever.
const maxEmptyReads = 100

// Issue codes: why a file that was read in full is not valid.
const (
	IssueEmptyFile           = "empty_file"            // the file has no content
	IssueBadFilename         = "bad_filename"          // no usable name remains after sanitising
	IssueExtensionNotAllowed = "extension_not_allowed" // the extension is not in the policy
	IssueTypeMismatch        = "type_mismatch"         // content disagrees with the extension or declared type
	IssueExecutable          = "executable_content"    // the content is a program; never accepted
	IssueMaliciousContent    = "malicious_content"     // the content contains a refused pattern
)

// Policy is what an upload must satisfy. The zero value is the default policy.
type Policy struct {
	// MaxBytes is the largest file accepted; 0 means DefaultMaxBytes.
	MaxBytes int64
	// AllowedExtensions lists accepted extensions, case-insensitive, with or
	// without the dot; empty means DefaultAllowedExtensions. Executables are
	// refused even when their extension is listed.
	AllowedExtensions []string
	// Patterns are searched in the content, ignoring ASCII case; empty means
	// DefaultPatterns. Scanning cannot be switched off. In content that is
	// not text, patterns shorter than 4 bytes are not searched (see
	// minBinaryPattern).
	Patterns []string
	// MaxParts bounds the parts of a multipart body; 0 means DefaultMaxParts.
	MaxParts int
	// MaxFieldBytes bounds each non-file form field; 0 means
	// DefaultMaxFieldBytes.
	MaxFieldBytes int64
}

// withDefaults fills the zero fields and puts extensions in lower case with
// a leading dot.
func (p Policy) withDefaults() Policy {
	if p.MaxBytes <= 0 {
		p.MaxBytes = DefaultMaxBytes
	}
	// Reading stops at MaxBytes+1 (MaxFieldBytes+1), which must not overflow.
	p.MaxBytes = min(p.MaxBytes, math.MaxInt64-1)
	exts := p.AllowedExtensions
	if len(exts) == 0 {
		exts = DefaultAllowedExtensions
	}
	p.AllowedExtensions = make([]string, 0, len(exts))
	for _, e := range exts {
		e = strings.ToLower(strings.TrimSpace(e))
		if e != "" && !strings.HasPrefix(e, ".") {
			e = "." + e
		}
		p.AllowedExtensions = append(p.AllowedExtensions, e)
	}
	if len(p.Patterns) == 0 {
		p.Patterns = DefaultPatterns
	}
	if p.MaxParts <= 0 {
		p.MaxParts = DefaultMaxParts
	}
	if p.MaxFieldBytes <= 0 {
		p.MaxFieldBytes = DefaultMaxFieldBytes
	}
	p.MaxFieldBytes = min(p.MaxFieldBytes, math.MaxInt64-1)
	return p
}

// BodyLimit is a bound for a whole multipart request under p: the largest
// file plus the largest allowed fields and room for part headers. The HTTP
// layer should cap the request body with it (http.MaxBytesReader), so that a
// client cannot stream past the point where validation has already refused.
func (p Policy) BodyLimit() int64 {
	p = p.withDefaults()
	const partOverhead = 16 << 10 // headers and boundaries of one part
	perPart := p.MaxFieldBytes + partOverhead
	if perPart < 0 || int64(p.MaxParts) > (math.MaxInt64-p.MaxBytes)/perPart {
		return math.MaxInt64 // no bound a body could reach
	}
	return p.MaxBytes + int64(p.MaxParts)*perPart
}

// Result is the verdict on one file, shaped as the API returns it.
type Result struct {
	Valid            bool    `json:"valid"`
	Errors           []Issue `json:"errors"` // never nil, so JSON shows []
	SHA256           string  `json:"sha256"` // hex of the whole content
	DetectedType     string  `json:"detected_type"`
	DeclaredType     string  `json:"declared_type"`
	Filename         string  `json:"filename"` // sanitised; empty with a bad_filename issue
	OriginalFilename string  `json:"original_filename"`
	Size             int64   `json:"size"`
	Extension        string  `json:"extension"` // of Filename, lower case with its dot
}

// Issue is one rule a file breaks.
type Issue struct {
	Code    string `json:"code"` // one of the Issue* constants
	Message string `json:"message"`
}

// add records an issue.
func (r *Result) add(code, format string, args ...any) {
	r.Errors = append(r.Errors, Issue{Code: code, Message: fmt.Sprintf(format, args...)})
}

// ValidateStream validates one file read from body, which it reads exactly
// once and never beyond MaxBytes+1 bytes. name is the client's filename and
// declaredType the Content-Type it declared ("" or application/octet-stream
// for none).
//
// A file over MaxBytes is an *rampart.Error with code ETooLarge, and reading
// stops there: the rest of body is left unread, so an HTTP caller must close
// the connection or cap the body (see Policy.BodyLimit). A body that ends with
// io.ErrUnexpectedEOF is an *rampart.Error with code EInvalid. Any other read
// error is returned wrapped, for the caller to inspect with errors.As. On
// error the Result is the zero value.
func ValidateStream(name, declaredType string, body io.Reader, p Policy) (Result, error) {
	res, err := validate(name, declaredType, body, p.withDefaults())
	if err != nil {
		var re *rampart.Error
		if errors.As(err, &re) {
			return Result{}, re
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return Result{}, rampart.Errorf(rampart.EInvalid, "the upload was cut short before the end of the file")
		}
		return Result{}, fmt.Errorf("upload: reading the file: %w", err)
	}
	return res, nil
}

// validate is ValidateStream with p already defaulted, returning read errors
// as they came so that ValidateMultipart can classify them.
func validate(name, declaredType string, body io.Reader, p Policy) (Result, error) {
	res := Result{Errors: []Issue{}, OriginalFilename: name, DeclaredType: declaredType}
	nameOK := true
	if clean, err := SanitizeFilename(name); err != nil {
		nameOK = false
		res.add(IssueBadFilename, "%s", rampart.ErrorMessage(err))
	} else {
		res.Filename = clean
		_, ext := splitExt(clean)
		res.Extension = strings.ToLower(ext)
	}

	hash := sha256.New()
	sc := newScanner(p.Patterns)
	body = io.LimitReader(body, p.MaxBytes+1)
	tooLarge := func() error {
		e := rampart.Errorf(rampart.ETooLarge, "the file is larger than the limit of %d bytes", p.MaxBytes)
		e.Extensions = map[string]any{"max_bytes": p.MaxBytes}
		return e
	}

	// The head is read first because detection decides which patterns the
	// scan looks for; it is read into the scanner's window, so the whole
	// validation holds a single buffer.
	head := sc.buf()[:detectBytes]
	n, err := readFull(body, head)
	if err != nil && err != io.EOF {
		return Result{}, err
	}
	head = head[:n]
	size := int64(n)
	if size > p.MaxBytes {
		return Result{}, tooLarge()
	}
	hash.Write(head)
	detected := detect(head)
	if !isText(detected) {
		sc.skipShorterThan(minBinaryPattern)
	}
	sc.scan(n)

	for empty := 0; err != io.EOF; {
		n, err = body.Read(sc.buf())
		if err != nil && err != io.EOF {
			return Result{}, err
		}
		if n == 0 && err == nil {
			if empty++; empty >= maxEmptyReads {
				return Result{}, io.ErrNoProgress
			}
			continue
		}
		empty = 0
		size += int64(n)
		if size > p.MaxBytes {
			return Result{}, tooLarge()
		}
		hash.Write(sc.buf()[:n])
		sc.scan(n)
	}

	res.Size = size
	res.SHA256 = hex.EncodeToString(hash.Sum(nil))
	if size == 0 {
		// Every rule about content would only repeat this one.
		res.add(IssueEmptyFile, "the file is empty")
		if nameOK && !allowed(res.Extension, p) {
			res.add(IssueExtensionNotAllowed, "%s", notAllowedMessage(res.Extension))
		}
		res.Valid = false
		return res, nil
	}
	res.DetectedType = detected.String()
	checkTypes(&res, nameOK, detected, p)
	for _, pat := range sc.matches(p.Patterns) {
		res.add(IssueMaliciousContent, "the content contains %q, which is refused", pat)
	}
	res.Valid = len(res.Errors) == 0
	return res, nil
}

// checkTypes adds the issues about what the content is.
func checkTypes(res *Result, nameOK bool, detected *mimetype.MIME, p Policy) {
	if isExecutable(detected) {
		res.add(IssueExecutable, "the content is a program (%s); programs are never accepted", detected)
	}
	if nameOK {
		switch {
		case !allowed(res.Extension, p):
			res.add(IssueExtensionNotAllowed, "%s", notAllowedMessage(res.Extension))
		case !extensionAccepts(res.Extension, detected):
			res.add(IssueTypeMismatch, "the file is named %s but its content is %s", res.Extension, detected)
		}
	}
	switch d, ok := parseDeclared(res.DeclaredType); {
	case !ok:
		res.add(IssueTypeMismatch, "the declared content type %q is not a media type", truncateForMessage(res.DeclaredType))
	case d != "" && !declaredAccepts(d, res.Extension, detected):
		res.add(IssueTypeMismatch, "the file was declared as %s but its content is %s", d, detected)
	}
}

// allowed reports whether the policy accepts extension ext.
func allowed(ext string, p Policy) bool {
	return slices.Contains(p.AllowedExtensions, ext)
}

// notAllowedMessage explains an extension refusal.
func notAllowedMessage(ext string) string {
	if ext == "" {
		return "the filename has no extension; name the file with one of the accepted extensions"
	}
	return fmt.Sprintf("files with the extension %s are not accepted", ext)
}

// detect returns the type of a file from its head. mimetype takes any input
// that starts with "MZ" for a Windows program; a real one always has binary
// bytes in its header (e_lfanew and the PE signature hold NULs), so text that
// happens to start with those two letters, like a CSV whose first value is
// "MZ", is reported as plain text.
func detect(head []byte) *mimetype.MIME {
	m := mimetype.Detect(head)
	if m.Is("application/vnd.microsoft.portable-executable") && !hasBinaryByte(head) {
		return mimetype.Lookup(textPlain)
	}
	return m
}

// hasBinaryByte reports whether b holds a byte that never occurs in text, as
// the WHATWG MIME sniffing standard defines it.
func hasBinaryByte(b []byte) bool {
	for _, c := range b {
		if c <= 0x08 || c == 0x0B || 0x0E <= c && c <= 0x1A || 0x1C <= c && c <= 0x1F {
			return true
		}
	}
	return false
}

// readFull reads into buf until it is full, the body ends (io.EOF, also when
// some bytes were read) or a read fails. Unlike io.ReadFull it never invents
// io.ErrUnexpectedEOF, which here means a body cut short.
func readFull(r io.Reader, buf []byte) (int, error) {
	n, empty := 0, 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
		if m == 0 {
			if empty++; empty >= maxEmptyReads {
				return n, io.ErrNoProgress
			}
			continue
		}
		empty = 0
	}
	return n, nil
}

package httpapi

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/encryption"
	"github.com/rampart-dev/rampart/keys"
)

// bodyReader turns body read failures into a client error.
type bodyReader struct{ r io.Reader }

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = rampart.Errorf(rampart.EInvalid, "the request body could not be read to its end")
	}
	return n, err
}

// Files are encrypted and decrypted as streams: the body is read and the
// answer written segment by segment, in constant memory, whatever the size.
const (
	encryptFilePath = "/v1/crypto/encrypt-file"
	decryptFilePath = "/v1/crypto/decrypt-file"
	// fileTimeout replaces the server's deadlines for a file stream.
	fileTimeout = 30 * time.Minute
	// fileBuffer is the read and write buffer of a file stream.
	fileBuffer = 64 << 10
)

// fileParams reads the purpose, subject and context of a file call from the
// query string (the body is the file): context=..., purpose=..., subject=...
func fileParams(r *http.Request) (encryption.Value, error) {
	q := r.URL.Query()
	v := encryption.Value{Purpose: q.Get("purpose"), Subject: q.Get("subject"), Context: q.Get("context")}
	return v, v.Check("")
}

// extendDeadlines gives a file stream time, and lets it read the request
// while it writes the answer (HTTP/1.1 servers otherwise close the body once
// the answer starts).
func extendDeadlines(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	_ = rc.EnableFullDuplex()
	_ = rc.SetReadDeadline(time.Now().Add(fileTimeout))
	_ = rc.SetWriteDeadline(time.Now().Add(fileTimeout))
}

// handleEncryptFile streams the request body (any bytes) back as a file
// ciphertext (application/octet-stream).
func (s *Server) handleEncryptFile() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principal(r)
		if !s.limitFiles(w, r, p) {
			return
		}
		v, err := fileParams(r)
		if err != nil {
			s.fileError(w, r, err)
			return
		}
		extendDeadlines(w)
		// Reserve the key before the first byte goes out, so that key
		// errors are still a problem document.
		w.Header().Set("Content-Type", "application/octet-stream")
		lw := &lazyWriter{w: w}
		bw := bufio.NewWriterSize(lw, fileBuffer)
		if _, err := s.crypto.EncryptFile(r.Context(), p, v, bw, &bodyReader{bufio.NewReaderSize(r.Body, fileBuffer)}); err != nil {
			s.abortStream(w, r, lw, err)
			return
		}
		bw.Flush()
	})
}

// handleDecryptFile streams a file ciphertext back as its plaintext. Each
// segment is authenticated before it is sent; if a later one fails (the
// file was altered or cut short) the response is aborted, so the client
// sees a broken transfer, never a complete-looking wrong file.
func (s *Server) handleDecryptFile() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principal(r)
		if !s.limitFiles(w, r, p) {
			return
		}
		c := r.URL.Query().Get("context")
		if err := encryption.CheckContext("context", c); err != nil {
			s.fileError(w, r, err)
			return
		}
		extendDeadlines(w)
		// The read is recorded as data_access when plain reaches its end:
		// only then is the whole file proven.
		plain, err := s.crypto.DecryptFile(r.Context(), p, c, &bodyReader{bufio.NewReaderSize(r.Body, fileBuffer)}, s.actor(r, p.UserID))
		if err != nil {
			s.fileError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		lw := &lazyWriter{w: w}
		bw := bufio.NewWriterSize(lw, fileBuffer)
		buf := make([]byte, fileBuffer)
		for {
			n, err := plain.Read(buf)
			if n > 0 {
				if _, werr := bw.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				if err == io.EOF {
					bw.Flush()
					return
				}
				s.abortStream(w, r, lw, err)
				return
			}
		}
	})
}

// lazyWriter remembers whether anything reached the client.
type lazyWriter struct {
	w       http.ResponseWriter
	written bool
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	l.written = true
	return l.w.Write(p)
}

// abortStream answers a failed stream: a problem document when nothing was
// sent yet (the buffered part is dropped), else an aborted connection.
func (s *Server) abortStream(w http.ResponseWriter, r *http.Request, lw *lazyWriter, err error) {
	if errors.Is(err, keys.ErrDecrypt) {
		err = rampart.Errorf(rampart.EUnprocessable, "the file does not decrypt in this context")
	}
	if !lw.written {
		w.Header().Del("Content-Type")
		s.fileError(w, r, err)
		return
	}
	s.log.Warn("file stream aborted after the answer began", "route", r.Pattern, "err", err.Error())
	panic(http.ErrAbortHandler)
}

// fileError answers a file stream with a problem before its answer began.
// The request body may be partly unread, so the connection closes after the
// answer rather than reading the rest of a large file.
func (s *Server) fileError(w http.ResponseWriter, r *http.Request, err error) {
	w.Header().Set("Connection", "close")
	writeError(w, r, s.log, err)
}

// fileStreamsPerMinute bounds the file streams one caller opens a minute:
// each may hold a connection for up to fileTimeout.
const fileStreamsPerMinute = 60

// limitFiles applies the per-caller file-stream limit.
func (s *Server) limitFiles(w http.ResponseWriter, r *http.Request, p *auth.Principal) bool {
	w.Header().Set("Connection", "close") // a refusal leaves the body unread
	who := p.UserID
	if p.APIKeyID != "" {
		who = "key:" + p.APIKeyID
	}
	return s.limit(w, r, p.TenantID+":files:"+who, p.TenantID, s.fileLimits)
}

package httpapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/rampart-dev/rampart"
)

// uploadReadTimeout replaces the server's read deadline for an upload: a
// 100 MiB file over a slow link needs longer than a JSON request.
const uploadReadTimeout = 10 * time.Minute

// uploadPath is the one route whose body is not capped at MaxBodyBytes: its
// handler caps it at the upload policy's bound instead.
const uploadPath = "/v1/files/validate"

// handleValidateFile validates one uploaded file (multipart/form-data, any
// part with a filename) for the platform before it stores or processes it:
// size, extension, declared versus detected type, refused patterns, and its
// SHA-256. The file is streamed, never held whole; nothing is kept.
func (s *Server) handleValidateFile() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// An upload may be refused before its body is read: never reuse the
		// connection after one (the rest of the file would follow).
		w.Header().Set("Connection", "close")
		p := principal(r)
		who := p.UserID
		if p.APIKeyID != "" {
			who = "key:" + p.APIKeyID
		}
		if !s.limit(w, r, p.TenantID+":upload:"+who, p.TenantID, s.uploadLimits) {
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.uploads.Policy().BodyLimit())
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Now().Add(uploadReadTimeout))
		_ = rc.SetWriteDeadline(time.Now().Add(uploadReadTimeout + time.Minute))
		res, err := s.uploads.Validate(r.Context(), p.TenantID, s.actor(r, p.UserID), r.Header.Get("Content-Type"), r.Body)
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			err = rampart.Errorf(rampart.ETooLarge, "the upload exceeds %d bytes", tooBig.Limit)
		}
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, res)
	})
}

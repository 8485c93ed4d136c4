package httpapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/upload"
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
		policy := upload.Policy{MaxBytes: s.cfg.UploadMaxBytes}
		r.Body = http.MaxBytesReader(w, r.Body, policy.BodyLimit())
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Now().Add(uploadReadTimeout))
		_ = rc.SetWriteDeadline(time.Now().Add(uploadReadTimeout + time.Minute))
		res, err := upload.ValidateForm(r.Header.Get("Content-Type"), r.Body, policy)
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			err = rampart.Errorf(rampart.ETooLarge, "the upload exceeds %d bytes", tooBig.Limit)
		}
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		codes := make([]string, 0, len(res.Errors))
		for _, e := range res.Errors {
			codes = append(codes, e.Code)
		}
		s.auth.Audit(r.Context(), p.TenantID, &audit.Event{Type: audit.FileUpload, UserID: p.UserID, IP: s.clientIP(r),
			UserAgent: truncate(r.UserAgent(), 512), Resource: "file:" + res.SHA256, Success: res.Valid,
			Details: map[string]any{"filename": res.Filename, "size": res.Size, "sha256": res.SHA256, "detected_type": res.DetectedType, "valid": res.Valid, "issues": codes}})
		encode(w, http.StatusOK, res)
	})
}

package httpapi

import (
	"context"
	"net/http"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/privacy"
)

// recordConsentRequest is the body of POST /v1/consents. The address and
// user agent are the subject's: a platform recording consent for its user
// passes them; otherwise the request's own are kept.
type recordConsentRequest struct {
	Subject       string `json:"subject" validate:"required,max=256"`
	Purpose       string `json:"purpose" validate:"required,max=64"`
	Granted       *bool  `json:"granted"` // required: checked in the handler
	PolicyVersion string `json:"policy_version" validate:"required,max=64"`
	Method        string `json:"method" validate:"required,max=64"`
	IPAddress     string `json:"ip_address" validate:"max=64"`
	UserAgent     string `json:"user_agent" validate:"max=512"`
}

func (s *Server) handleRecordConsent() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req recordConsentRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if req.Granted == nil {
			writeError(w, r, s.log, rampart.FieldError(rampart.EUnprocessable, "granted", "granted is required"))
			return
		}
		ip, ua := req.IPAddress, req.UserAgent
		if ip == "" {
			ip = s.clientIP(r)
		} else if privacy.TruncateAddress(ip) == "" {
			writeError(w, r, s.log, rampart.FieldError(rampart.EUnprocessable, "ip_address", "not an IPv4 or IPv6 address"))
			return
		}
		if ua == "" {
			ua = r.UserAgent()
		}
		p := principal(r)
		c, err := s.consents.Record(s.privacyCtx(r), p.TenantID, privacy.Record{Subject: req.Subject, Purpose: req.Purpose, Granted: *req.Granted,
			PolicyVersion: req.PolicyVersion, Method: req.Method, IP: ip, UserAgent: ua, RecordedBy: p.UserID})
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusCreated, c)
	})
}

// privacyCtx is the request's context carrying its actor for the audit
// events of privacy operations.
func (s *Server) privacyCtx(r *http.Request) context.Context {
	return privacy.WithActor(r.Context(), s.actor(r, principal(r).UserID))
}

// subjectParam reads the required subject query parameter.
func subjectParam(r *http.Request) (string, error) {
	v := r.URL.Query().Get("subject")
	if v == "" || len(v) > 256 {
		return "", rampart.FieldError(rampart.EInvalid, "subject", "subject is required, at most 256 characters")
	}
	return v, nil
}

func (s *Server) handleListConsents() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		subject, err := subjectParam(r)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		list, err := s.consents.List(r.Context(), principal(r).TenantID, subject)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, map[string]any{"consents": list})
	})
}

// handleCheckConsent is the fast path: the latest record's answer, cached.
func (s *Server) handleCheckConsent() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		subject, err := subjectParam(r)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		purpose := r.URL.Query().Get("purpose")
		if purpose == "" || len(purpose) > 64 {
			writeError(w, r, s.log, rampart.FieldError(rampart.EInvalid, "purpose", "purpose is required, at most 64 characters"))
			return
		}
		d, err := s.consents.Check(r.Context(), principal(r).TenantID, subject, purpose)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, d)
	})
}

// registerSystemRequest is the body of POST /v1/privacy/systems.
type registerSystemRequest struct {
	Name       string   `json:"name" validate:"required,max=64"`
	WebhookURL string   `json:"webhook_url" validate:"required,max=2048"`
	Categories []string `json:"categories" validate:"required,max=10,dive,max=32"`
}

func (s *Server) handleRegisterSystem() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req registerSystemRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		p := principal(r)
		sys, err := s.systems.Register(r.Context(), p.TenantID, privacy.System{Name: req.Name, WebhookURL: req.WebhookURL, Categories: req.Categories, CreatedBy: p.UserID})
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusCreated, sys)
	})
}

// handleListSystems answers the tenant's systems and Rampart's own
// personal columns: the whole registry.
func (s *Server) handleListSystems() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		list, err := s.systems.List(r.Context(), principal(r).TenantID)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, map[string]any{"systems": list, "rampart": privacy.Rampart})
	})
}

// privacyRequestRequest is the body of POST /v1/privacy/requests.
type privacyRequestRequest struct {
	Type         string                `json:"type" validate:"required,max=32"`
	Subject      privacySubjectRequest `json:"subject"`
	Jurisdiction string                `json:"jurisdiction" validate:"max=32"`
}

type privacySubjectRequest struct {
	UserID string `json:"user_id" validate:"max=64"`
	Email  string `json:"email" validate:"max=254"`
}

// handleCreatePrivacyRequest answers the same for a subject Rampart knows
// and one it does not: the request is recorded either way.
func (s *Server) handleCreatePrivacyRequest() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req privacyRequestRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		p := principal(r)
		out, err := s.requests.Create(s.privacyCtx(r), p.TenantID, privacy.NewRequest{Type: req.Type, Jurisdiction: req.Jurisdiction,
			Subject: privacy.Subject{UserID: req.Subject.UserID, Email: req.Subject.Email}, CreatedBy: p.UserID})
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusCreated, out)
	})
}

func (s *Server) handleListPrivacyRequests() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		list, err := s.requests.List(r.Context(), principal(r).TenantID, r.URL.Query().Get("status"))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, map[string]any{"requests": list})
	})
}

func (s *Server) handleGetPrivacyRequest() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := s.requests.Get(r.Context(), principal(r).TenantID, r.PathValue("id"))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, out)
	})
}

// extendRequestRequest is the body of POST /v1/privacy/requests/{id}/extend.
type extendRequestRequest struct {
	Reason string `json:"reason" validate:"required,max=1000"`
	Days   int    `json:"days" validate:"min=1,max=60"`
}

func (s *Server) handleExtendPrivacyRequest() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req extendRequestRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		out, err := s.requests.Extend(s.privacyCtx(r), principal(r).TenantID, r.PathValue("id"), req.Days, req.Reason)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, out)
	})
}

// handleExportPrivacyRequest answers an access or portability request's
// bundle as a download and completes the request.
func (s *Server) handleExportPrivacyRequest() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := s.requests.Export(s.privacyCtx(r), principal(r).TenantID, r.PathValue("id"))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		w.Header().Set("Content-Disposition", `attachment; filename="privacy-export-`+b.RequestID+`.json"`)
		w.Header().Set("Cache-Control", "no-store")
		encode(w, http.StatusOK, b)
	})
}

// handleErasePrivacyRequest carries out an erasure request; again, it
// answers the first result.
func (s *Server) handleErasePrivacyRequest() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := s.requests.Erase(s.privacyCtx(r), principal(r).TenantID, r.PathValue("id"))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, out)
	})
}

// handleCreateExportLink answers a one-time link to an access or
// portability request's zip.
func (s *Server) handleCreateExportLink() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		link, err := s.requests.CreateExportLink(s.privacyCtx(r), principal(r).TenantID, r.PathValue("id"))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		encode(w, http.StatusCreated, link)
	})
}

// handleDownloadExport spends a link and streams the zip.
func (s *Server) handleDownloadExport() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := s.requests.RedeemExport(r.Context(), r.PathValue("token"))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		w.Header().Set("Content-Type", "application/zip")
		w.Header().Set("Content-Disposition", `attachment; filename="privacy-export-`+b.RequestID+`.zip"`)
		w.Header().Set("Cache-Control", "no-store")
		if err := privacy.WriteZip(w, b); err != nil {
			s.log.Error("write privacy export", "err", err.Error())
		}
	})
}

// systemAnswerRequest is the body of POST
// /v1/privacy/requests/{id}/systems/{name}.
type systemAnswerRequest struct {
	Status  string `json:"status" validate:"required,max=16"`
	Details string `json:"details" validate:"max=2000"`
}

// handleAnswerSystem records a registered system's answer to a request.
// Called with an API key, it is the system answering; called by a user
// (an admin), it is a mark made for the system, recorded as such.
func (s *Server) handleAnswerSystem() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req systemAnswerRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		p := principal(r)
		markedBy := p.UserID
		if p.APIKeyID != "" {
			markedBy = ""
		}
		out, err := s.requests.Answer(s.privacyCtx(r), p.TenantID, r.PathValue("id"), r.PathValue("name"), req.Status, req.Details, markedBy)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, out)
	})
}

// myPrivacyRequest is the body of POST /v1/me/privacy/requests.
type myPrivacyRequest struct {
	Type         string `json:"type" validate:"required,max=32"`
	Jurisdiction string `json:"jurisdiction" validate:"max=32"`
}

// handleCreateMyPrivacyRequest lets a user make a request about
// themselves, with a second factor checked within the tenant's step-up
// window or privacy.SelfServiceStepUp, whichever is shorter.
func (s *Server) handleCreateMyPrivacyRequest() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req myPrivacyRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		p := principal(r)
		if p.APIKeyID != "" {
			writeError(w, r, s.log, rampart.Errorf(rampart.EForbidden, "a request about oneself is made from a user's session, not with an API key"))
			return
		}
		fresh := *p
		if fresh.StepUp <= 0 || fresh.StepUp > privacy.SelfServiceStepUp {
			fresh.StepUp = privacy.SelfServiceStepUp
		}
		if err := fresh.RequireRecentMFA(s.now()); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		out, err := s.requests.Create(s.privacyCtx(r), p.TenantID, privacy.NewRequest{Type: req.Type, Jurisdiction: req.Jurisdiction,
			Subject: privacy.Subject{UserID: p.UserID}, CreatedBy: p.UserID})
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusCreated, out)
	})
}

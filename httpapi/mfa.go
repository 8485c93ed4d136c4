package httpapi

import (
	"context"
	"net/http"

	"github.com/rampart-dev/rampart/auth"
)

// factorRequest is a second factor in a request body: a TOTP code or a
// backup code (the domain normalizes spaces and dashes, then checks the form).
type factorRequest struct {
	Code       string `json:"code" validate:"max=32"`
	BackupCode string `json:"backup_code" validate:"max=32"`
}

func (f factorRequest) factor() auth.Factor {
	return auth.Factor{Code: f.Code, BackupCode: f.BackupCode}
}

// completeMFARequest is the body of POST /v1/auth/mfa. A missing mfa_token
// is a 400 (checked by the handler); a malformed one, a 401.
type completeMFARequest struct {
	MFAToken   string `json:"mfa_token" validate:"max=8192"`
	Code       string `json:"code" validate:"max=32"`
	BackupCode string `json:"backup_code" validate:"max=32"`
}

func (s *Server) handleCompleteMFA() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req completeMFARequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if err := required([2]string{"mfa_token", req.MFAToken}); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		pair, err := s.auth.CompleteMFA(r.Context(), req.MFAToken, auth.Factor{Code: req.Code, BackupCode: req.BackupCode}, s.meta(r))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, toTokenResponse(pair))
	})
}

func (s *Server) handleStartTOTP() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, err := s.auth.StartTOTP(r.Context(), principal(r))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, map[string]string{"secret": e.Secret, "otpauth_uri": e.URI, "qr_png": e.QRPNG})
	})
}

func (s *Server) handleConfirmTOTP() http.Handler { return s.backupCodes(s.auth.ConfirmTOTP) }

// totpCodeRequest is the body of POST /v1/me/mfa/totp/confirm and of
// regenerating backup codes: a current TOTP code.
type totpCodeRequest struct {
	Code string `json:"code" validate:"max=32"`
}

// backupCodes answers {code} with fresh backup codes from issue: confirming
// an enrolment and regenerating the codes take the same request and answer.
func (s *Server) backupCodes(issue func(context.Context, *auth.Principal, string, auth.Meta) ([]string, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req totpCodeRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		codes, err := issue(r.Context(), principal(r), req.Code, s.meta(r))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, map[string]any{"backup_codes": codes})
	})
}

func (s *Server) handleDisableTOTP() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req factorRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if err := s.auth.DisableTOTP(r.Context(), principal(r), req.factor(), s.meta(r)); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func (s *Server) handleRegenerateBackupCodes() http.Handler {
	return s.backupCodes(s.auth.RegenerateBackupCodes)
}

// handleStepUp checks a second factor for the current session and returns a
// fresh access token with mfa_verified (no new refresh token).
func (s *Server) handleStepUp() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req factorRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		pair, err := s.auth.StepUp(r.Context(), principal(r), req.factor(), s.meta(r))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, toTokenResponse(pair))
	})
}

func (s *Server) handleResetMFA() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.auth.ResetMFA(r.Context(), principal(r), r.PathValue("id"), s.meta(r)); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// smsEnrolRequest is the body of POST /v1/me/mfa/sms: the number to
// confirm (E.164, or national in the deployment's default region).
type smsEnrolRequest struct {
	Phone string `json:"phone" validate:"required,max=64"`
}

// handleStartCodeEnrolment sends a code that confirms the caller's e-mail
// address or phone number as a second factor.
func (s *Server) handleStartCodeEnrolment(method string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req smsEnrolRequest
		if method == auth.MethodSMS {
			if err := decode(r, &req); err != nil {
				writeError(w, r, s.log, err)
				return
			}
		}
		if err := s.auth.StartCodeEnrolment(r.Context(), principal(r), method, req.Phone, s.meta(r)); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusAccepted, map[string]string{"status": "sent", "method": method})
	})
}

// handleConfirmCodeEnrolment confirms the factor with the code sent.
func (s *Server) handleConfirmCodeEnrolment(method string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req totpCodeRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if err := s.auth.ConfirmCodeEnrolment(r.Context(), principal(r), method, req.Code, s.meta(r)); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, map[string]string{"status": "enrolled", "method": method})
	})
}

// sendCodeRequest is the body of POST /v1/auth/mfa/send.
type sendCodeRequest struct {
	MFAToken string `json:"mfa_token" validate:"required,max=8192"`
	Method   string `json:"method" validate:"required,oneof=email sms"`
}

func (s *Server) handleSendLoginCode() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req sendCodeRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if err := s.auth.SendLoginCode(r.Context(), req.MFAToken, req.Method, s.meta(r)); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusAccepted, map[string]string{"status": "sent", "method": req.Method})
	})
}

package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/auth"
)

// passwordResetRequest is the body of POST /v1/auth/password-reset. A
// malformed email is a 422 naming it; any well-formed one gets the same 202.
type passwordResetRequest struct {
	Tenant string `json:"tenant" validate:"required,max=100"`
	Email  string `json:"email" validate:"required,max=254"`
}

// resetAccepted is the one answer to a reset request, whether the account
// exists or not.
var resetAccepted = map[string]string{
	"status": "accepted",
	"detail": "If an active account uses this address, a message with a reset link and code is on its way.",
}

func (s *Server) handlePasswordReset() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req passwordResetRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if err := s.auth.RequestPasswordReset(r.Context(), req.Tenant, req.Email, s.meta(r)); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusAccepted, resetAccepted)
	})
}

// resetConfirmRequest is the body of POST /v1/auth/password-reset/confirm:
// the link's token, or the tenant, email and code of the message; and the
// new password. The reset page posts the same fields as a form.
type resetConfirmRequest struct {
	Token       string `json:"token" validate:"max=128"`
	Tenant      string `json:"tenant" validate:"max=100"`
	Email       string `json:"email" validate:"max=254"`
	Code        string `json:"code" validate:"max=32"`
	NewPassword string `json:"new_password" validate:"required,max=1024"`
}

func (s *Server) handleConfirmPasswordReset() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req resetConfirmRequest
		form := isForm(r)
		if form {
			if err := r.ParseForm(); err != nil {
				writeError(w, r, s.log, rampart.Errorf(rampart.EInvalid, "request body is not a valid form"))
				return
			}
			req = resetConfirmRequest{Token: r.PostForm.Get("token"), NewPassword: r.PostForm.Get("new_password")}
		} else if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if req.Token == "" && req.Code == "" {
			writeError(w, r, s.log, rampart.FieldError(rampart.EInvalid, "token", "give the link's token, or tenant, email and code"))
			return
		}
		err := s.auth.ConfirmPasswordReset(r.Context(), auth.ResetConfirmation{Token: req.Token, Tenant: req.Tenant, Email: req.Email,
			Code: req.Code, NewPassword: req.NewPassword}, s.meta(r))
		if form {
			s.resetPageAnswer(w, r, req.Token, err)
			return
		}
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, map[string]string{"status": "password_reset",
			"detail": "The password is set; every session of the account has ended."})
	})
}

// resetPageAnswer answers the reset page's form: done, or the form again
// with what was wrong (a refused password keeps the link usable).
func (s *Server) resetPageAnswer(w http.ResponseWriter, r *http.Request, token string, err error) {
	switch {
	case err == nil:
		writePage(w, http.StatusOK, page{Title: "Password changed", Message: "Your new password is set, and every session of your account has been signed out."})
	case rampart.ErrorCode(err) == rampart.EUnprocessable || rampart.ErrorCode(err) == rampart.EInvalid && rampartField(err) == "new_password":
		p := resetPage(token)
		p.Message = rampart.ErrorMessage(err)
		writePage(w, http.StatusUnprocessableEntity, p)
	case rampart.ErrorCode(err) == rampart.EInvalid:
		writePage(w, http.StatusBadRequest, linkExpiredPage)
	default:
		writeError(w, r, s.log, err)
	}
}

func rampartField(err error) string {
	var e *rampart.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

func resetPage(token string) page {
	return page{Title: "Choose a new password", Message: "Enter the new password for your account.",
		Action: auth.ResetPath, Hidden: [][2]string{{"token", token}}, Button: "Set password",
		Fields: []pageField{{Name: "new_password", Label: "New password", Type: "password", Autocomplete: "new-password"}}}
}

// linkExpiredPage is the one page for a link that does not work.
var linkExpiredPage = page{Title: "Link expired", Message: "This link is invalid, expired or already used. Ask for a new one."}

// handleLinkPage renders the page a link of purpose opens, or the expired
// page; it consumes nothing.
func (s *Server) handleLinkPage(purpose string, render func(token string) page) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := r.URL.Query().Get("token")
		if len(token) > 128 || s.auth.CheckLink(r.Context(), token, purpose) != nil {
			writePage(w, http.StatusBadRequest, linkExpiredPage)
			return
		}
		writePage(w, http.StatusOK, render(token))
	})
}

func (s *Server) handleSendVerification() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.auth.SendVerification(r.Context(), principal(r), s.meta(r)); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusAccepted, map[string]string{"status": "sent", "detail": "A verification link is on its way to the account's address."})
	})
}

// linkTokenRequest is the body of the endpoints that take only a link's
// token (POST /v1/auth/email/verify); their pages post it as a form.
type linkTokenRequest struct {
	Token string `json:"token" validate:"required,max=128"`
}

func verifyPage(token string) page {
	return page{Title: "Verify your e-mail address", Message: "Confirm that this address is yours.",
		Action: auth.VerifyPath, Hidden: [][2]string{{"token", token}}, Button: "Verify"}
}

func (s *Server) handleConfirmEmail() http.Handler {
	return s.redeemLink(s.auth.ConfirmEmail,
		page{Title: "Address verified", Message: "Thank you: your e-mail address is verified."},
		map[string]string{"status": "email_verified"})
}

// redeemLink answers the endpoints that take only a link's token, as JSON
// or as the form of the link's page: redeem spends it; done is the page
// and answer on success.
func (s *Server) redeemLink(redeem func(ctx context.Context, token string, m auth.Meta) error, done page, answer map[string]string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req linkTokenRequest
		form := isForm(r)
		if form {
			if err := r.ParseForm(); err != nil {
				writeError(w, r, s.log, rampart.Errorf(rampart.EInvalid, "request body is not a valid form"))
				return
			}
			req.Token = r.PostForm.Get("token")
		} else if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		err := redeem(r.Context(), req.Token, s.meta(r))
		switch {
		case form && err == nil:
			writePage(w, http.StatusOK, done)
		case form && rampart.ErrorCode(err) == rampart.EInvalid:
			writePage(w, http.StatusBadRequest, linkExpiredPage)
		case err != nil:
			writeError(w, r, s.log, err)
		default:
			encode(w, http.StatusOK, answer)
		}
	})
}

// acceptInvitationRequest is the body of POST /v1/auth/invitations/accept;
// the invitation page posts the same fields as a form.
type acceptInvitationRequest struct {
	Token    string `json:"token" validate:"required,max=128"`
	Password string `json:"password" validate:"required,max=1024"`
}

func invitationPage(token string) page {
	return page{Title: "Accept your invitation", Message: "Choose a password for your new account.",
		Action: auth.InvitationPath, Hidden: [][2]string{{"token", token}}, Button: "Create account",
		Fields: []pageField{{Name: "password", Label: "Password", Type: "password", Autocomplete: "new-password"}}}
}

func (s *Server) handleAcceptInvitation() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req acceptInvitationRequest
		form := isForm(r)
		if form {
			if err := r.ParseForm(); err != nil {
				writeError(w, r, s.log, rampart.Errorf(rampart.EInvalid, "request body is not a valid form"))
				return
			}
			req = acceptInvitationRequest{Token: r.PostForm.Get("token"), Password: r.PostForm.Get("password")}
		} else if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		err := s.auth.AcceptInvitation(r.Context(), req.Token, req.Password, s.meta(r))
		switch {
		case form && err == nil:
			writePage(w, http.StatusOK, page{Title: "Welcome", Message: "Your account is ready: sign in with your e-mail address and new password."})
		case form && rampart.ErrorCode(err) == rampart.EUnprocessable:
			p := invitationPage(req.Token)
			p.Message = rampart.ErrorMessage(err)
			writePage(w, http.StatusUnprocessableEntity, p)
		case form && rampart.ErrorCode(err) == rampart.EInvalid:
			writePage(w, http.StatusBadRequest, linkExpiredPage)
		case err != nil:
			writeError(w, r, s.log, err)
		default:
			encode(w, http.StatusOK, map[string]string{"status": "accepted", "detail": "The account is active; sign in with the new password."})
		}
	})
}

func notMePage(token string) page {
	return page{Title: "This wasn't me", Message: "Sign out every session of your account and get a link to choose a new password.",
		Action: auth.NotMePath, Hidden: [][2]string{{"token", token}}, Button: "Sign out everywhere"}
}

// handleNotMe redeems a "this wasn't me" link (JSON or the page's form).
func (s *Server) handleNotMe() http.Handler {
	return s.redeemLink(s.auth.NotMe,
		page{Title: "Signed out everywhere", Message: "Every session of your account has ended. A link to choose a new password is on its way to your e-mail address."},
		map[string]string{"status": "signed_out", "detail": "Every session has ended; a password reset link is on its way."})
}

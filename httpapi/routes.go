package httpapi

import (
	"net/http"
	"sort"
	"strings"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/auth"
)

// Access a route may require: one of these, or a permission such as
// "users:read" that the caller's role must hold.
const (
	public   = "public"   // anyone
	operator = "operator" // the operator token
	user     = "user"     // any valid access token of an active session
	enrol    = "enrol"    // as user, and also enrolment-only (restricted) sessions
	account  = "account"  // as enrol, and also sessions due to change their password or accept terms
	caller   = "caller"   // any session or API key (what it may do is decided inside)
	inspect  = "inspect"  // the operator token or a tenant API key
	keyAdmin = "keyAdmin" // the operator token, or admin:security in a tenant
)

// route is one endpoint: who may call it and what answers it.
type route struct {
	method, path string
	access       string
	handler      http.Handler
}

// routes is the whole API, one line per endpoint: read it to know who may
// call what. openapi.json must describe exactly these (a test checks).
func (s *Server) routes() []route {
	return []route{
		{"GET", "/healthz", public, s.handleHealthz()},
		{"GET", "/readyz", public, s.handleReadyz()},
		{"GET", "/metrics", public, s.handleMetrics()},
		{"GET", "/openapi.json", public, handleOpenAPI()},

		{"GET", "/.well-known/jwks.json", public, s.handleJWKS()},
		{"GET", "/.well-known/openid-configuration", public, s.handleOpenIDConfiguration()},

		{"POST", "/v1/tenants", operator, s.handleCreateTenant()},
		{"GET", "/v1/tenants", operator, s.handleListTenants()},
		{"GET", "/v1/tenants/{id}", operator, s.handleGetTenant()},
		{"POST", "/v1/tenants/{id}/disable", operator, s.handleSetTenantStatus("disabled")},
		{"POST", "/v1/tenants/{id}/enable", operator, s.handleSetTenantStatus("active")},
		{"PATCH", "/v1/tenants/{id}", operator, s.handleUpdateTenant()},
		{"POST", "/v1/keys/rotate", keyAdmin, s.handleRotateKeys()},
		{"GET", "/v1/keys/status", keyAdmin, s.handleKeyStatus()}, // data key versions and re-encryption progress // operator: signing key, or a tenant's data keys; admin:security: own tenant's data keys

		{"POST", "/v1/auth/login", public, s.handleLogin()},
		{"POST", "/v1/auth/refresh", public, s.handleRefresh()},
		{"POST", "/v1/auth/logout", account, s.handleLogout()},
		{"POST", "/v1/auth/mfa", public, s.handleCompleteMFA()},
		{"POST", "/v1/auth/mfa/send", public, s.handleSendLoginCode()}, // a code by one of the user's e-mail or SMS factors
		{"POST", "/v1/auth/introspect", inspect, s.handleIntrospect()},
		{"POST", "/v1/auth/password-reset", public, s.handlePasswordReset()},                               // always 202, whether the account exists or not
		{"GET", "/v1/auth/password-reset/confirm", public, s.handleLinkPage(auth.PurposeReset, resetPage)}, // renders the link's page; consumes nothing
		{"POST", "/v1/auth/password-reset/confirm", public, s.handleConfirmPasswordReset()},                // {token} or {tenant, email, code}, and new_password
		{"GET", "/v1/auth/not-me", public, s.handleLinkPage(auth.PurposeNotMe, notMePage)},                 // "this wasn't me" link from a security e-mail; consumes nothing
		{"POST", "/v1/auth/not-me", public, s.handleNotMe()},                                               // {token}: ends every session, e-mails a password reset

		{"GET", "/v1/auth/email/verify", public, s.handleLinkPage(auth.PurposeVerification, verifyPage)}, // renders the link's page; consumes nothing
		{"POST", "/v1/auth/email/verify", public, s.handleConfirmEmail()},
		{"GET", "/v1/auth/invitations/accept", public, s.handleLinkPage(auth.PurposeInvitation, invitationPage)}, // renders the link's page; consumes nothing
		{"POST", "/v1/auth/invitations/accept", public, s.handleAcceptInvitation()},
		{"GET", "/v1/me", account, s.handleMe()},
		{"POST", "/v1/me/terms", account, s.handleAcceptTerms()}, // {version}: the tenant's current terms
		{"POST", "/v1/me/email/verify", user, s.handleSendVerification()},
		{"POST", "/v1/me/mfa/totp", enrol, s.handleStartTOTP()},
		{"POST", "/v1/me/mfa/totp/confirm", enrol, s.handleConfirmTOTP()},
		{"POST", "/v1/me/mfa/email", enrol, s.handleStartCodeEnrolment(auth.MethodEmail)},
		{"POST", "/v1/me/mfa/email/confirm", enrol, s.handleConfirmCodeEnrolment(auth.MethodEmail)},
		{"POST", "/v1/me/mfa/sms", enrol, s.handleStartCodeEnrolment(auth.MethodSMS)}, // unless the tenant forbids SMS
		{"POST", "/v1/me/mfa/sms/confirm", enrol, s.handleConfirmCodeEnrolment(auth.MethodSMS)},
		{"DELETE", "/v1/me/mfa/totp", user, s.handleDisableTOTP()},
		{"POST", "/v1/me/mfa/backup-codes", user, s.handleRegenerateBackupCodes()},
		{"POST", "/v1/me/mfa/verify", user, s.handleStepUp()},
		{"POST", "/v1/me/password", account, s.handleChangePassword()}, // clears password_change_required
		{"GET", "/v1/sessions", user, s.handleListSessions()},
		{"DELETE", "/v1/sessions/{id}", user, s.handleDeleteSession()}, // own; admins: any of the tenant

		{"POST", "/v1/users", "users:invite", s.handleCreateUser()}, // without a password: an invitation by e-mail
		{"GET", "/v1/users", "users:read", s.handleListUsers()},
		{"GET", "/v1/users/{id}", "users:read", s.handleGetUser()},
		{"PATCH", "/v1/users/{id}", "users:write", s.handleUpdateUser()}, // role or permissions also need users:roles
		{"DELETE", "/v1/users/{id}", "users:delete", s.handleDeleteUser()},
		{"POST", "/v1/users/{id}/sessions/revoke", "users:write", s.handleRevokeUserSessions()},
		{"POST", "/v1/users/{id}/mfa/reset", "users:write", s.handleResetMFA()},

		{"GET", "/v1/audit/events", "admin:audit", s.handleAuditEvents()},
		{"GET", "/v1/events", "admin:audit", s.handleEvents()}, // the feed: ascending from a position

		{"POST", "/v1/webhooks", "admin:security", s.handleCreateWebhook()},
		{"GET", "/v1/webhooks", "admin:security", s.handleListWebhooks()},
		{"DELETE", "/v1/webhooks/{id}", "admin:security", s.handleDeleteWebhook()},
		{"GET", "/v1/deliveries", "admin:security", s.handleDeliveries()},
		{"POST", "/v1/deliveries/{id}/retry", "admin:security", s.handleRetryDelivery()},
		{"GET", "/v1/incidents", "admin:security", s.handleIncidents()},
		{"GET", "/v1/incidents/{id}", "admin:security", s.handleIncident()},
		{"PATCH", "/v1/incidents/{id}", "admin:security", s.handleUpdateIncident()},
		{"POST", "/v1/incidents/{id}/actions", "admin:security", s.handleIncidentAction()},
		{"GET", "/v1/jobs", operator, s.handleJobs()},
		{"GET", "/v1/dev/outbox", operator, s.handleDevOutbox()}, // development without a courier only; 404 otherwise

		{"GET", "/v1/tenant", caller, s.handleOwnTenant()},
		{"PATCH", "/v1/tenant/settings", "admin:security", s.handleOwnTenantSettings()}, // and a recent second factor under step-up

		{"GET", "/v1/roles", "users:read", s.handleListRoles()},
		{"POST", "/v1/roles", "users:roles", s.handleCreateRole()},
		{"DELETE", "/v1/roles/{name}", "users:roles", s.handleDeleteRole()},
		{"POST", "/v1/authz/check", caller, s.handleCheck()},
		{"POST", "/v1/authz/check-batch", caller, s.handleCheckBatch()},

		{"POST", "/v1/ratelimit/check", caller, s.handleRateLimitCheck()},
		{"POST", uploadPath, caller, s.handleValidateFile()},

		{"POST", "/v1/crypto/encrypt", "crypto:encrypt", s.handleEncrypt()},
		{"POST", "/v1/crypto/encrypt-batch", "crypto:encrypt", s.handleEncryptBatch()},
		{"POST", "/v1/crypto/decrypt", "crypto:decrypt", s.handleDecrypt()}, // audited as data_access
		{"POST", "/v1/crypto/decrypt-batch", "crypto:decrypt", s.handleDecryptBatch(false)},
		{"POST", "/v1/crypto/rewrap", "crypto:encrypt", s.handleRewrap()},
		{"POST", "/v1/crypto/rewrap-batch", "crypto:encrypt", s.handleDecryptBatch(true)},
		{"POST", "/v1/crypto/encrypt-document", "crypto:encrypt", s.handleEncryptDocument()},
		{"POST", "/v1/crypto/decrypt-document", "crypto:decrypt", s.handleDecryptDocument()},
		{"POST", encryptFilePath, "crypto:encrypt", s.handleEncryptFile()},
		{"POST", decryptFilePath, "crypto:decrypt", s.handleDecryptFile()},

		{"POST", "/v1/pii/detect", caller, s.handleDetectPII()},
		{"POST", "/v1/pii/detect-batch", caller, s.handleDetectPIIBatch()}, // costs 1 + 1 per 10 items of the rate limit
		{"POST", "/v1/pii/mask", caller, s.handleMaskPII()},                // strategy encrypt also needs crypto:encrypt
		{"POST", "/v1/pii/unmask", "crypto:decrypt", s.handleUnmaskPII()},

		{"POST", "/v1/guard/scan", "guard:scan", s.handleGuardScan()},
		{"POST", "/v1/guard/scan-batch", "guard:scan", s.handleGuardScanBatch()},

		{"POST", "/v1/ai/upstreams", "admin:security", s.handleCreateUpstream()}, // the provider key is sealed and never shown again
		{"GET", "/v1/ai/upstreams", "admin:security", s.handleListUpstreams()},
		{"DELETE", "/v1/ai/upstreams/{id}", "admin:security", s.handleDeleteUpstream()},
		{"GET", "/v1/ai/models", caller, s.handleModels()}, // ai:chat or ai:embeddings; OpenAI-shaped errors
		{"POST", "/v1/ai/chat/completions", "ai:chat", s.handleChat()},
		{"POST", "/v1/ai/embeddings", "ai:embeddings", s.handleEmbeddings()},
		{"PUT", "/v1/ai/budgets", "admin:billing", s.handleSetBudget()},
		{"GET", "/v1/ai/budgets", "admin:billing", s.handleBudgets()},
		{"GET", "/v1/ai/usage", "admin:billing", s.handleUsage()},

		{"POST", "/v1/consents", "admin:compliance", s.handleRecordConsent()}, // append-only; a withdrawal is granted: false
		{"GET", "/v1/consents", "admin:compliance", s.handleListConsents()},
		{"GET", "/v1/consents/check", "admin:compliance", s.handleCheckConsent()}, // the latest record, cached; every replica sees a change at once with Redis

		{"POST", "/v1/privacy/systems", "admin:compliance", s.handleRegisterSystem()},        // the platform's systems holding personal data
		{"GET", "/v1/privacy/systems", "admin:compliance", s.handleListSystems()},            // and Rampart's own personal columns
		{"POST", "/v1/privacy/requests", "admin:compliance", s.handleCreatePrivacyRequest()}, // the same answer whether the subject is known or not
		{"GET", "/v1/privacy/requests", "admin:compliance", s.handleListPrivacyRequests()},
		{"GET", "/v1/privacy/requests/{id}", "admin:compliance", s.handleGetPrivacyRequest()},
		{"POST", "/v1/privacy/requests/{id}/extend", "admin:compliance", s.handleExtendPrivacyRequest()}, // once, with a reason
		{"GET", "/v1/privacy/requests/{id}/export", "admin:compliance", s.handleExportPrivacyRequest()},  // access, portability: the JSON bundle; completes the request
		{"POST", "/v1/privacy/requests/{id}/erase", "admin:compliance", s.handleErasePrivacyRequest()},   // erasure: keys shredded, rows deleted, audit kept
		{"GET", "/v1/privacy/retention", "admin:compliance", s.handleGetRetention()},                     // the tenant's policies, or its preset's defaults
		{"PUT", "/v1/privacy/retention", "admin:compliance", s.handleSetRetention()},                     // replace them; [] returns to the defaults
		{"GET", "/v1/privacy/retention/preview", "admin:compliance", s.handleRetentionPreview()},         // dry run: rows per category and action
		{"POST", "/v1/privacy/requests/{id}/export", "admin:compliance", s.handleCreateExportLink()},     // a one-time link to the zip (JSON and CSV)
		{"GET", "/v1/privacy/exports/{token}", public, s.handleDownloadExport()},                         // the token is the credential; once, within 15 minutes
		{"POST", "/v1/privacy/requests/{id}/systems/{name}", "admin:compliance", s.handleAnswerSystem()}, // a system's answer (API key), or an admin's mark
		{"POST", "/v1/me/privacy/requests", user, s.handleCreateMyPrivacyRequest()},                      // about oneself; needs a second factor within 10 minutes (or the tenant's step-up)

		{"POST", "/v1/api-keys", "api:keys", s.handleCreateAPIKey()},
		{"GET", "/v1/api-keys", "api:keys", s.handleListAPIKeys()},
		{"DELETE", "/v1/api-keys/{id}", "api:keys", s.handleRevokeAPIKey()},
	}
}

// mux registers the routes, with a problem+json 405 for a known path with an
// unknown method and a problem+json 404 for anything else.
func (s *Server) mux() *http.ServeMux {
	mux := http.NewServeMux()
	methods := map[string][]string{}
	for _, rt := range s.routes() {
		h := rt.handler
		switch rt.access {
		case operator:
			h = s.operatorOnly(s.limitOperator(h))
		case user:
			h = s.authenticated(h)
		case enrol:
			h = s.enrolling(h)
		case account:
			h = s.ownAccount(h)
		case caller:
			h = s.callers(h)
		case inspect:
			h = s.operatorOrAPIKey(h)
		case keyAdmin:
			h = s.operatorOr("admin:security", h)
		case public:
			if strings.HasPrefix(rt.path, "/v1/") {
				if rt.path == "/v1/auth/login" {
					h = s.limitAnonymous(h, s.loginLimit)
				} else {
					h = s.limitAnonymous(h)
				}
			}
		default:
			if !strings.Contains(rt.access, ":") {
				panic("httpapi: route " + rt.path + " has unknown access " + rt.access)
			}
			h = s.permitted(rt.access, h)
		}
		if openAIRoutes[rt.path] {
			h = openAIErrors(h)
		}
		mux.Handle(rt.method+" "+rt.path, h)
		methods[rt.path] = append(methods[rt.path], rt.method)
	}
	for path, ms := range methods {
		if contains(ms, "GET") {
			ms = append(ms, "HEAD")
		}
		sort.Strings(ms)
		allow := strings.Join(ms, ", ")
		mux.Handle(path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			e := rampart.Errorf(rampart.EMethod, "method %s is not allowed here; use %s", r.Method, allow)
			e.Extensions = map[string]any{"allow": allow}
			writeError(w, r, s.log, e)
		}))
	}
	if s.console != nil {
		mux.Handle("/console/", s.console)
		// Signing in to the console is a login: the same per-address limits.
		mux.Handle("POST /console/signin", s.limitAnonymous(s.console, s.loginLimit))
		mux.Handle("POST /console/signin/mfa", s.limitAnonymous(s.console))
		mux.Handle("GET /console", http.RedirectHandler("/console/", http.StatusSeeOther))
	}
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, s.log, rampart.Errorf(rampart.ENotFound, "no such endpoint"))
	}))
	return mux
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

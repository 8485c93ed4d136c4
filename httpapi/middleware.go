package httpapi

import (
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/iprules"
)

// middleware wraps a handler.
type middleware func(http.Handler) http.Handler

// chain applies mws so that the first one meets the request first.
func chain(h http.Handler, mws ...middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// recorder remembers the status a handler wrote, for logs and metrics.
type recorder struct {
	http.ResponseWriter
	status  int
	errorID string
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// observe logs each request and records its metrics, labelled by route
// pattern (never by raw path, which would let callers grow the label set).
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		elapsed := time.Since(start)
		s.metrics.requests.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
		s.metrics.latency.WithLabelValues(route).Observe(elapsed.Seconds())
		s.log.Info("request", "method", r.Method, "route", route, "status", rec.status,
			"duration_ms", float64(elapsed.Microseconds())/1000, "ip", s.clientIP(r), "error_id", rec.errorID)
	})
}

// recoverPanics answers a panic as a generic 500; the panic value is logged
// with the error_id and never shown.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				writeError(w, r, s.log, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders sets the headers every response carries.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// trustedHosts refuses requests whose Host is not in the configured list
// (when one is configured), against DNS-rebinding and host-header attacks.
func (s *Server) trustedHosts(next http.Handler) http.Handler {
	if len(s.cfg.TrustedHosts) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if !slices.Contains(s.cfg.TrustedHosts, strings.ToLower(host)) {
			writeError(w, r, s.log, rampart.Errorf(rampart.EInvalid, "host not allowed"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// corsMaxAge is how long browsers may cache a preflight answer.
const corsMaxAge = 10 * time.Minute

// cors answers browsers only for the configured origins; any other origin
// gets no CORS headers, so the browser withholds the response.
func (s *Server) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Add("Vary", "Origin")
		allowed := slices.Contains(s.cfg.CORSOrigins, origin)
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if !allowed {
			if preflight {
				writeError(w, r, s.log, rampart.Errorf(rampart.EForbidden, "origin not allowed"))
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Set("Access-Control-Expose-Headers", "Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, RateLimit, RateLimit-Policy")
		if preflight {
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key")
			h.Set("Access-Control-Max-Age", strconv.Itoa(int(corsMaxAge.Seconds())))
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody caps request bodies at the configured size: a declared length
// over the cap is refused before reading, and a body that turns out longer
// fails when decode reads past the cap.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == uploadPath || r.URL.Path == encryptFilePath || r.URL.Path == decryptFilePath {
			next.ServeHTTP(w, r) // uploads: capped by the handler at the upload limit; file streams: any size, in constant memory, limited per caller
			return
		}
		if r.ContentLength > s.cfg.MaxBodyBytes {
			writeError(w, r, s.log, rampart.Errorf(rampart.ETooLarge, "request body exceeds %d bytes", s.cfg.MaxBodyBytes))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

// ipRules applies the deployment's allow and deny lists to every /v1/
// request, before anything else reads it. Refusals are logged and counted;
// the tenant's own lists are applied where the tenant is known (auth).
func (s *Server) ipRules(next http.Handler) http.Handler {
	rules := s.cfg.IPRules
	if rules.Empty() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1/") {
			ip := s.clientIP(r)
			if v := rules.Check(ip); v != iprules.Allowed {
				s.metrics.ipDenied.Inc()
				s.log.Warn("address refused by the deployment's IP rules", "ip", ip, "rule", v.String(), "path", r.URL.Path)
				writeError(w, r, s.log, rampart.Errorf(rampart.EForbidden, "requests from your address are not allowed"))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

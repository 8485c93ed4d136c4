package httpapi

import (
	"context"
	_ "embed"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rampart-dev/rampart"
)

// readyTimeout bounds each dependency check of /readyz.
const readyTimeout = 2 * time.Second

func (s *Server) handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		encode(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// handleReadyz answers 200 when every dependency answers, else 503 naming the
// ones that do not (names only: the causes go to the log).
func (s *Server) handleReadyz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		checks := map[string]string{}
		ok := true
		for _, c := range s.readiness {
			ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
			err := c.check(r.WithContext(ctx))
			cancel()
			if err != nil {
				ok = false
				checks[c.name] = "unavailable"
				s.log.Warn("readiness check failed", "dependency", c.name, "err", err.Error())
				continue
			}
			checks[c.name] = "ok"
		}
		limits := s.rateLimitMode()
		if !ok {
			e := rampart.Errorf(rampart.EUnavailable, "a dependency is unavailable")
			e.Extensions = map[string]any{"checks": checks, "rate_limits": limits}
			writeError(w, r, s.log, e)
			return
		}
		encode(w, http.StatusOK, map[string]any{"status": "ready", "checks": checks, "rate_limits": limits})
	})
}

// rateLimitMode says where limits are kept and what happens to requests
// when that store is unreachable.
func (s *Server) rateLimitMode() map[string]any {
	if s.limiter == nil {
		return map[string]any{"enabled": false}
	}
	onFailure := "closed"
	if s.cfg.RateLimitFailOpen {
		onFailure = "open"
	}
	return map[string]any{"enabled": true, "backend": s.limiterName, "on_failure": onFailure, "security_limits_on_failure": "closed"}
}

func (s *Server) handleMetrics() http.Handler {
	return promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
}

//go:embed openapi.json
var openapiDoc []byte

func handleOpenAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openapiDoc)
	})
}

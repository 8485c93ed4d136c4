package httpapi

import (
	"net/http"
	"sort"
	"strings"

	"github.com/rampart-dev/rampart"
)

// Access levels a route may require.
const (
	public   = "public"   // anyone
	operator = "operator" // the operator token
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

		{"POST", "/v1/tenants", operator, s.handleCreateTenant()},
		{"GET", "/v1/tenants", operator, s.handleListTenants()},
		{"GET", "/v1/tenants/{id}", operator, s.handleGetTenant()},
		{"POST", "/v1/tenants/{id}/disable", operator, s.handleSetTenantStatus("disabled")},
		{"POST", "/v1/tenants/{id}/enable", operator, s.handleSetTenantStatus("active")},
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
			h = s.operatorOnly(h)
		case public:
		default:
			panic("httpapi: route " + rt.path + " has unknown access " + rt.access)
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

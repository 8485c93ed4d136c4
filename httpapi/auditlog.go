package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
)

// handleAuditEvents lists the caller's tenant's events, newest first; the
// cursor is the sequence number to continue below.
func (s *Server) handleAuditEvents() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principal(r)
		q := r.URL.Query()
		limit, err := pageSize(r)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		f := audit.Filter{Type: q.Get("type"), UserID: q.Get("user_id"), Limit: limit}
		if v := q.Get("since"); v != "" {
			if f.Since, err = time.Parse(time.RFC3339, v); err != nil {
				writeError(w, r, s.log, rampart.FieldError(rampart.EInvalid, "since", "since must be an RFC 3339 time"))
				return
			}
		}
		if v := q.Get("cursor"); v != "" {
			if f.BeforeSeq, err = strconv.ParseInt(v, 10, 64); err != nil || f.BeforeSeq < 1 {
				writeError(w, r, s.log, rampart.FieldError(rampart.EInvalid, "cursor", "cursor is not valid"))
				return
			}
		}
		events, err := s.tenancy.AuditEvents(r.Context(), p.TenantID, f)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		out := make([]audit.Record, len(events))
		for i, e := range events {
			out[i] = e.Record()
		}
		resp := map[string]any{"events": out}
		if len(events) == limit && events[len(events)-1].Seq > 1 {
			resp["next_cursor"] = strconv.FormatInt(events[len(events)-1].Seq, 10)
		}
		encode(w, http.StatusOK, resp)
	})
}

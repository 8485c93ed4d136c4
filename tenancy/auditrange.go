package tenancy

import (
	"context"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/store"
)

// VerifyAuditRange checks the hash chain of a tenant's log over the events
// of sequence numbers from to to (the audit_verify job checks whole
// chains): how many events it checked, and the first broken link or nil.
func (s *Service) VerifyAuditRange(ctx context.Context, tenantID string, from, to int64) (int64, *audit.Break, error) {
	if from < 1 || to < from {
		return 0, nil, rampart.Errorf(rampart.EInvalid, "the range to verify is not valid")
	}
	if to-from >= store.MaxAuditVerifyRange {
		return 0, nil, rampart.Errorf(rampart.EUnprocessable, "verify at most %d events at once: narrow the filter", store.MaxAuditVerifyRange)
	}
	rv, ok := s.store.(rangeVerifier)
	if !ok {
		return 0, nil, rampart.Errorf(rampart.EUnavailable, "this store cannot verify a range of the audit log")
	}
	return rv.VerifyAuditRange(ctx, tenantID, from, to)
}

// rangeVerifier is the store's range verification (store.Store has it;
// kept out of Store so that other stores need not).
type rangeVerifier interface {
	VerifyAuditRange(ctx context.Context, tenantID string, from, to int64) (int64, *audit.Break, error)
}

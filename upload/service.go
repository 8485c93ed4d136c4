package upload

import (
	"context"
	"io"

	"github.com/rampart-dev/rampart/audit"
)

// Auditor records events in a tenant's audit log (auth.Service does).
type Auditor interface {
	Audit(ctx context.Context, tenantID string, events ...*audit.Event)
}

// Service validates the uploads of a tenant's callers under one policy and
// records each validated file in the tenant's audit log as a file_upload
// event, valid or not. Build it with NewService.
type Service struct {
	policy Policy
	audit  Auditor
}

// NewService returns a Service applying policy.
func NewService(policy Policy, a Auditor) *Service {
	return &Service{policy: policy, audit: a}
}

// Policy returns the policy uploads are validated under (its BodyLimit
// bounds what a caller may send).
func (s *Service) Policy() Policy { return s.policy }

// Validate streams one multipart/form-data body (see ValidateForm) for a
// caller (actor.UserID) of tenantID. A body that cannot be read as a form is
// an error and records nothing.
func (s *Service) Validate(ctx context.Context, tenantID string, actor audit.Actor, contentType string, body io.Reader) (Result, error) {
	res, err := ValidateForm(contentType, body, s.policy)
	if err != nil {
		return res, err
	}
	codes := make([]string, 0, len(res.Errors))
	for _, e := range res.Errors {
		codes = append(codes, e.Code)
	}
	s.audit.Audit(ctx, tenantID, &audit.Event{Type: audit.FileUpload, UserID: actor.UserID, IP: actor.IP,
		UserAgent: actor.UserAgent, Resource: "file:" + res.SHA256, Success: res.Valid,
		Details: map[string]any{"filename": res.Filename, "size": res.Size, "sha256": res.SHA256, "detected_type": res.DetectedType, "valid": res.Valid, "issues": codes}})
	return res, nil
}

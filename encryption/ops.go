package encryption

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/keys"
)

// Encrypt seals v in the caller's tenant and returns the ciphertext. The
// plaintext is cleared.
func (s *Service) Encrypt(ctx context.Context, p *auth.Principal, v Value) (string, error) {
	defer clear(v.Plaintext)
	f, err := v.field(p.TenantID, "")
	if err != nil {
		return "", err
	}
	return s.vault.Encrypt(ctx, f, v.Plaintext)
}

// EncryptBatch seals up to MaxBatch values. Every value is checked before
// any is sealed: one bad value refuses the batch, naming it. The plaintexts
// are cleared.
func (s *Service) EncryptBatch(ctx context.Context, p *auth.Principal, vs []Value) ([]string, error) {
	defer func() {
		for _, v := range vs {
			clear(v.Plaintext)
		}
	}()
	if err := checkBatch(len(vs)); err != nil {
		return nil, err
	}
	for i, v := range vs {
		if _, err := v.field(p.TenantID, fmt.Sprintf("items[%d].", i)); err != nil {
			return nil, err
		}
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		f, _ := v.field(p.TenantID, "")
		c, err := s.vault.Encrypt(ctx, f, v.Plaintext)
		clear(v.Plaintext)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// Decrypt opens a ciphertext of the caller's tenant, recorded as a
// data_access event.
func (s *Service) Decrypt(ctx context.Context, p *auth.Principal, c Sealed, actor audit.Actor) ([]byte, error) {
	if err := c.Check(""); err != nil {
		return nil, err
	}
	pt, h, err := s.vault.Decrypt(ctx, p.TenantID, c.Context, c.Ciphertext)
	if err != nil {
		return nil, err
	}
	s.RecordAccess(ctx, p, "decrypt", map[string]any{"purpose": h.Key.Purpose, "key_version": h.Version}, actor)
	return pt, nil
}

// Rewrap moves a ciphertext of the caller's tenant to the newest version of
// its key, returning the new ciphertext and its header.
func (s *Service) Rewrap(ctx context.Context, p *auth.Principal, c Sealed) (string, keys.Header, error) {
	if err := c.Check(""); err != nil {
		return "", keys.Header{}, err
	}
	return s.vault.Rewrap(ctx, p.TenantID, c.Context, c.Ciphertext)
}

// Opened is the outcome of one item of a batch: a plaintext (decrypt) or a
// new ciphertext and its key version (rewrap), or the item's own error.
type Opened struct {
	Plaintext  []byte
	Ciphertext string
	Version    uint32
	// Err is an EUnprocessable error of this item alone (it does not
	// decrypt in its context, say).
	Err error
}

// DecryptBatch opens up to MaxBatch ciphertexts. Each answers on its own,
// since one unreadable value should not hide the others; a failure of the
// store fails the whole batch. The batch is recorded as one data_access
// event.
func (s *Service) DecryptBatch(ctx context.Context, p *auth.Principal, cs []Sealed, actor audit.Actor) ([]Opened, error) {
	out, failed, err := s.openBatch(ctx, p, cs, false)
	if err != nil {
		return nil, err
	}
	s.RecordAccess(ctx, p, "decrypt_batch", map[string]any{"items": len(cs), "failed": failed}, actor)
	return out, nil
}

// RewrapBatch rewraps up to MaxBatch ciphertexts, each answering on its own
// as in DecryptBatch. Nothing is revealed, so nothing is recorded.
func (s *Service) RewrapBatch(ctx context.Context, p *auth.Principal, cs []Sealed) ([]Opened, error) {
	out, _, err := s.openBatch(ctx, p, cs, true)
	return out, err
}

func (s *Service) openBatch(ctx context.Context, p *auth.Principal, cs []Sealed, rewrap bool) ([]Opened, int, error) {
	if err := checkBatch(len(cs)); err != nil {
		return nil, 0, err
	}
	for i, c := range cs {
		if err := c.Check(fmt.Sprintf("items[%d].", i)); err != nil {
			return nil, 0, err
		}
	}
	out := make([]Opened, len(cs))
	failed := 0
	for i, c := range cs {
		var err error
		if rewrap {
			var h keys.Header
			out[i].Ciphertext, h, err = s.vault.Rewrap(ctx, p.TenantID, c.Context, c.Ciphertext)
			out[i].Version = h.Version
		} else {
			out[i].Plaintext, _, err = s.vault.Decrypt(ctx, p.TenantID, c.Context, c.Ciphertext)
		}
		if err != nil {
			if rampart.ErrorCode(err) != rampart.EUnprocessable {
				return nil, 0, err // the store, not the item
			}
			failed++
			out[i] = Opened{Err: err}
		}
	}
	return out, failed, nil
}

// EncryptDocument seals the fields of a JSON document in place: fields maps
// dotted paths (user.email) to purpose names. With a subject, every field
// uses purpose personal_data. It returns the sealed paths, sorted.
func (s *Service) EncryptDocument(ctx context.Context, p *auth.Principal, doc map[string]any, fields map[string]string, subject, context string) ([]string, error) {
	if err := CheckContext("context", context); err != nil {
		return nil, err
	}
	purposes := map[string]keys.Purpose{}
	for path, name := range fields {
		pp, err := ParsePurpose("fields."+path, name)
		if err != nil {
			return nil, err
		}
		if path == "" || len(path) > maxPathBytes || strings.HasPrefix(path, ".") || strings.HasSuffix(path, ".") || strings.Contains(path, "..") {
			return nil, rampart.FieldError(rampart.EUnprocessable, "fields."+path, "a field is a dotted path such as user.email")
		}
		purposes[path] = pp
	}
	if subject != "" {
		for path, pp := range purposes {
			if pp != keys.PurposePersonalData {
				return nil, rampart.FieldError(rampart.EUnprocessable, "fields."+path, "with a subject, every field uses purpose personal_data")
			}
		}
	}
	if err := s.vault.EncryptDocument(ctx, p.TenantID, doc, purposes, subject, context, json.Marshal); err != nil {
		return nil, err
	}
	paths := make([]string, 0, len(purposes))
	for path := range purposes {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	return paths, nil
}

// DecryptDocument opens the sealed fields of a JSON document in place
// (numbers stay exact), recorded as a data_access event naming the fields.
// It returns the opened paths.
func (s *Service) DecryptDocument(ctx context.Context, p *auth.Principal, doc map[string]any, context string, actor audit.Actor) ([]string, error) {
	if err := CheckContext("context", context); err != nil {
		return nil, err
	}
	paths, err := s.vault.DecryptDocument(ctx, p.TenantID, doc, context, func(b []byte) (any, error) {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var v any
		return v, dec.Decode(&v)
	})
	if err != nil {
		return nil, err
	}
	s.RecordAccess(ctx, p, "decrypt_document", map[string]any{"fields": paths}, actor)
	return paths, nil
}

// EncryptFile streams src to dst as a file ciphertext of v (its plaintext
// unused), in constant memory, and returns the plaintext size.
func (s *Service) EncryptFile(ctx context.Context, p *auth.Principal, v Value, dst io.Writer, src io.Reader) (int64, error) {
	f, err := v.field(p.TenantID, "")
	if err != nil {
		return 0, err
	}
	return s.vault.EncryptFile(ctx, f, dst, src)
}

// DecryptFile reads a file ciphertext's header from src and returns a reader
// of its plaintext: each segment is authenticated before Read returns it,
// and a Read error means the file was altered or cut short. The read is
// recorded as a data_access event when the reader reaches the end, for
// only then is the whole file proven.
func (s *Service) DecryptFile(ctx context.Context, p *auth.Principal, context string, src io.Reader, actor audit.Actor) (io.Reader, error) {
	if err := CheckContext("context", context); err != nil {
		return nil, err
	}
	plain, h, err := s.vault.DecryptFile(ctx, p.TenantID, context, src)
	if err != nil {
		return nil, err
	}
	return &provenReader{r: plain, done: func() {
		s.RecordAccess(ctx, p, "decrypt_file", map[string]any{"purpose": h.Key.Purpose, "key_version": h.Version}, actor)
	}}, nil
}

// provenReader calls done once, when r reaches its end.
type provenReader struct {
	r    io.Reader
	done func()
}

func (p *provenReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if err == io.EOF && p.done != nil {
		p.done()
		p.done = nil
	}
	return n, err
}

// RecordAccess records a read of protected data by the caller as a
// data_access event: what is the operation ("decrypt", "pii_unmask"),
// details what it read.
func (s *Service) RecordAccess(ctx context.Context, p *auth.Principal, what string, details map[string]any, actor audit.Actor) {
	if details == nil {
		details = map[string]any{}
	}
	details["operation"] = what
	s.audit.Audit(ctx, p.TenantID, &audit.Event{Type: audit.DataAccess, UserID: p.UserID, IP: actor.IP,
		UserAgent: actor.UserAgent, Resource: "crypto:" + what, Success: true, Details: details})
}

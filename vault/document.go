package vault

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/keys"
)

// EncryptedFieldsKey is where an encrypted document records which of its
// fields are encrypted and with which purpose (the chatbot design's
// encrypt_document does the same).
const EncryptedFieldsKey = "_encrypted_fields"

// fieldContext binds a document field's ciphertext to the document's
// context and the field's path, so it cannot be moved to another field.
func fieldContext(context, path string) string { return context + "\x00field\x00" + path }

// MaxDocumentFields bounds the fields of one document call.
const MaxDocumentFields = 1000

// lookup walks a dotted path to the object holding its last segment.
func lookup(doc map[string]any, path string) (map[string]any, string, error) {
	parts := strings.Split(path, ".")
	cur := doc
	for i, p := range parts[:len(parts)-1] {
		next, ok := cur[p].(map[string]any)
		if !ok {
			return nil, "", fmt.Errorf("%s is not an object", strings.Join(parts[:i+1], "."))
		}
		cur = next
	}
	last := parts[len(parts)-1]
	if _, ok := cur[last]; !ok {
		return nil, "", fmt.Errorf("%s does not exist in the document", path)
	}
	return cur, last, nil
}

func sortedPaths(fields map[string]keys.Purpose) []string {
	paths := make([]string, 0, len(fields))
	for p := range fields {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

// EncryptDocument encrypts the named fields of doc in place (dotted paths
// into nested objects; any JSON value, encrypted as its JSON text) and
// records them under EncryptedFieldsKey. It is all or nothing: if any field
// is missing or fails, doc is left unchanged and the error names the field.
func (v *Vault) EncryptDocument(ctx context.Context, tenantID string, doc map[string]any, fields map[string]keys.Purpose, subject, context string, marshal func(any) ([]byte, error)) error {
	if len(fields) == 0 || len(fields) > MaxDocumentFields {
		return rampart.FieldError(rampart.EUnprocessable, "fields", "name 1 to %d fields", MaxDocumentFields)
	}
	if _, ok := doc[EncryptedFieldsKey]; ok {
		return rampart.FieldError(rampart.EUnprocessable, "document."+EncryptedFieldsKey, "the document is already encrypted")
	}
	paths := sortedPaths(fields)
	for i := 1; i < len(paths); i++ {
		// Sorted, a path inside another follows it directly or soon; any
		// later path with the prefix is inside it.
		for j := 0; j < i; j++ {
			if strings.HasPrefix(paths[i], paths[j]+".") {
				return rampart.FieldError(rampart.EUnprocessable, "fields."+paths[i], "%s lies inside %s, which is encrypted whole", paths[i], paths[j])
			}
		}
	}
	out := make([]string, len(paths))
	for i, path := range paths {
		parent, last, err := lookup(doc, path)
		if err != nil {
			return rampart.FieldError(rampart.EUnprocessable, "fields."+path, "%s", err.Error())
		}
		pt, err := marshal(parent[last])
		if err != nil {
			return rampart.FieldError(rampart.EUnprocessable, "fields."+path, "the value cannot be encoded")
		}
		c, err := v.Encrypt(ctx, Field{TenantID: tenantID, Purpose: fields[path], Subject: subject, Context: fieldContext(context, path)}, pt)
		if err != nil {
			return err
		}
		out[i] = c
	}
	// Every field encrypted: now change the document.
	record := map[string]any{}
	for i, path := range paths {
		parent, last, err := lookup(doc, path)
		if err != nil {
			return rampart.FieldError(rampart.EUnprocessable, "fields."+path, "%s", err.Error())
		}
		parent[last] = out[i]
		record[path] = string(fields[path])
	}
	doc[EncryptedFieldsKey] = record
	return nil
}

// DecryptDocument reverses EncryptDocument in place, reading the fields from
// EncryptedFieldsKey. All or nothing, as EncryptDocument; it returns the
// paths decrypted.
func (v *Vault) DecryptDocument(ctx context.Context, tenantID string, doc map[string]any, context string, unmarshal func([]byte) (any, error)) ([]string, error) {
	record, ok := doc[EncryptedFieldsKey].(map[string]any)
	if !ok || len(record) == 0 {
		return nil, rampart.FieldError(rampart.EUnprocessable, "document."+EncryptedFieldsKey, "the document names no encrypted fields")
	}
	if len(record) > MaxDocumentFields {
		return nil, rampart.FieldError(rampart.EUnprocessable, "document."+EncryptedFieldsKey, "more than %d fields", MaxDocumentFields)
	}
	paths := make([]string, 0, len(record))
	for p := range record {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	values := make([]any, len(paths))
	for i, path := range paths {
		parent, last, err := lookup(doc, path)
		if err != nil {
			return nil, rampart.FieldError(rampart.EUnprocessable, "document."+path, "%s", err.Error())
		}
		c, ok := parent[last].(string)
		if !ok {
			return nil, rampart.FieldError(rampart.EUnprocessable, "document."+path, "the field does not hold a ciphertext")
		}
		pt, _, err := v.Decrypt(ctx, tenantID, fieldContext(context, path), c)
		if err != nil {
			if e, ok := err.(*rampart.Error); ok && e == errDecrypt {
				return nil, rampart.FieldError(rampart.EUnprocessable, "document."+path, "the field does not decrypt in this context")
			}
			return nil, err
		}
		if values[i], err = unmarshal(pt); err != nil {
			return nil, rampart.FieldError(rampart.EUnprocessable, "document."+path, "the field does not decrypt in this context")
		}
	}
	for i, path := range paths {
		parent, last, _ := lookup(doc, path)
		parent[last] = values[i]
	}
	delete(doc, EncryptedFieldsKey)
	return paths, nil
}

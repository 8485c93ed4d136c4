package privacy

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"time"
)

// DirArchive archives rows as JSON lines in files under Dir, one per
// tenant, category and day (Dir/TENANT/CATEGORY-YYYY-MM-DD.jsonl, mode
// 0600), synced before Archive returns. A batch whose deletion then fails
// is archived again by the next run: lines may repeat, never go missing.
// The archive holds the rows as they were, personal data included: it is
// the operator's to protect and to delete in turn.
type DirArchive struct {
	Dir string
	Now func() time.Time
}

// Archive appends rows to the day's file.
func (a DirArchive) Archive(_ context.Context, tenantID, category string, rows []map[string]any) error {
	if a.Dir == "" {
		return errors.New("no archive directory")
	}
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	dir := filepath.Join(a.Dir, filepath.Base(tenantID))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, filepath.Base(category)+"-"+now().UTC().Format("2006-01-02")+".jsonl"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	var buf []byte
	for _, row := range rows {
		b, err := json.Marshal(row)
		if err != nil {
			f.Close()
			return err
		}
		buf = append(append(buf, b...), '\n')
	}
	if _, err := f.Write(buf); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

package privacy

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rampart-dev/rampart/store"
)

// TestExportPlanCoversRegistry: every personal column Rampart exports is
// in the export plan, every withheld one says why, and the plan reads
// nothing the registry does not list.
func TestExportPlanCoversRegistry(t *testing.T) {
	planned := map[string]bool{}
	for _, s := range exportPlan {
		for _, c := range s.Columns {
			planned[s.Table+"."+c] = true
		}
	}
	listed := map[string]bool{}
	for _, c := range Rampart {
		name := c.Table + "." + c.Column
		listed[name] = true
		switch c.Export {
		case "include":
			if !planned[name] {
				t.Errorf("%s holds personal data but the export plan leaves it out", name)
			}
		case "withhold":
			if c.Why == "" {
				t.Errorf("%s is withheld from the export without a reason", name)
			}
		default:
			t.Errorf("%s: export %q is neither include nor withhold", name, c.Export)
		}
		if !slices.Contains([]string{EraseDelete, EraseShred, EraseAnonymise}, c.Erase) {
			t.Errorf("%s: erasure %q is not a known one", name, c.Erase)
		}
		if !slices.Contains(Categories, c.Category) {
			t.Errorf("%s: category %q is not a known one", name, c.Category)
		}
	}
	for name := range planned {
		if !listed[name] {
			t.Errorf("the export plan reads %s, which the registry does not list", name)
		}
	}
}

// TestRegistryCoversSchema reads the migrated schema: every registered
// column exists, and every column named like personal data is registered
// or declared not personal.
func TestRegistryCoversSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rampart.db")
	st, err := store.Open(ctx, "sqlite:"+path, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	schema := map[string]bool{}
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			t.Fatal(err)
		}
		schema[table+"."+column] = true
	}
	registered := map[string]bool{}
	for _, c := range Rampart {
		registered[c.Table+"."+c.Column] = true
		if !schema[c.Table+"."+c.Column] {
			t.Errorf("the registry lists %s.%s, which the schema does not have", c.Table, c.Column)
		}
	}
	for name := range notPersonal {
		if !schema[name] {
			t.Errorf("notPersonal lists %s, which the schema does not have", name)
		}
	}
	for name := range schema {
		column := name[strings.Index(name, ".")+1:]
		for _, p := range personalNames {
			if strings.Contains(column, p) && !registered[name] && notPersonal[name] == "" {
				t.Errorf("%s looks like personal data: tag it in privacy.Rampart, or say why not in notPersonal", name)
				break
			}
		}
	}
}

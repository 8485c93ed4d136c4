package authz

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// sharedCases is testdata/permission_cases.json: the permission semantics
// that the Python SDK (sdk/python) must reproduce. Its tests read the same
// file, so a case added there binds both engines.
type sharedCases struct {
	Matches []struct {
		Grant, Permission, Resource string
		Want                        bool
	} `json:"matches"`
	ValidateGrant      []validityCase `json:"validate_grant"`
	ValidatePermission []validityCase `json:"validate_permission"`
	ValidateResource   []validityCase `json:"validate_resource"`
	Checks             []struct {
		Preset      string   `json:"preset"`
		CustomRoles []Role   `json:"custom_roles"`
		Role        string   `json:"role"`
		Permissions []string `json:"permissions"`
		Permission  string   `json:"permission"`
		Resource    string   `json:"resource"`
		Allowed     bool     `json:"allowed"`
		Source      string   `json:"source"`
		Rule        string   `json:"rule"`
	} `json:"checks"`
}

type validityCase struct {
	Value string `json:"value"`
	Valid bool   `json:"valid"`
}

func loadSharedCases(t *testing.T) *sharedCases {
	t.Helper()
	b, err := os.ReadFile("testdata/permission_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var c sharedCases
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Matches) == 0 || len(c.Checks) == 0 || len(c.ValidateGrant) == 0 {
		t.Fatal("permission_cases.json holds no cases")
	}
	return &c
}

func TestSharedPermissionCases(t *testing.T) {
	c := loadSharedCases(t)
	for _, tc := range c.Matches {
		cat, act := split(tc.Permission)
		if got := matches(tc.Grant, cat, act, tc.Resource); got != tc.Want {
			t.Errorf("matches(%q, %q, %q) = %v, the table says %v", tc.Grant, tc.Permission, tc.Resource, got, tc.Want)
		}
	}
	for _, v := range []struct {
		name  string
		fn    func(string) string
		cases []validityCase
	}{{"ValidateGrant", ValidateGrant, c.ValidateGrant}, {"ValidatePermission", ValidatePermission, c.ValidatePermission}, {"ValidateResource", ValidateResource, c.ValidateResource}} {
		for _, tc := range v.cases {
			if msg := v.fn(tc.Value); (msg == "") != tc.Valid {
				t.Errorf("%s(%q) = %q, the table says valid=%v", v.name, tc.Value, msg, tc.Valid)
			}
		}
	}
	for _, tc := range c.Checks {
		cat, err := NewCatalogue(tc.Preset, tc.CustomRoles)
		if err != nil {
			t.Fatal(err)
		}
		d := cat.Check(Subject{Role: tc.Role, Permissions: tc.Permissions}, tc.Permission, tc.Resource)
		if d.Allowed != tc.Allowed || d.Source != tc.Source || d.Rule != tc.Rule {
			t.Errorf("%s role %q + %q: Check(%q, %q) = %+v, the table says allowed=%v source=%q rule=%q",
				tc.Preset, tc.Role, tc.Permissions, tc.Permission, tc.Resource, d, tc.Allowed, tc.Source, tc.Rule)
		}
	}
}

// TestPythonPresets: the Python SDK ships the role presets as JSON (it
// cannot import Go); they must be exactly the engine's.
func TestPythonPresets(t *testing.T) {
	b, err := os.ReadFile("../sdk/python/rampart/presets.json")
	if err != nil {
		t.Fatal(err)
	}
	var got map[string][]Role
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, presets) {
		want, _ := json.MarshalIndent(presets, "", "  ")
		t.Errorf("sdk/python/rampart/presets.json differs from authz's presets; regenerate it:\n%s", want)
	}
}

package tenancy

import (
	"errors"
	"reflect"
	"testing"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/identity"
)

func TestMergeSettings(t *testing.T) {
	stored := identity.TenantPolicy{
		MaxSessionsPerUser: 3, IPAllow: []string{"10.0.0.0/8"}, RolePreset: "coaching",
		RateLimits: map[string]identity.RateLimitSetting{"export": {Rate: 5, PeriodSeconds: 60}},
	}
	tests := []struct {
		name  string
		doc   string
		want  identity.TenantPolicy
		field string // of the error; "" when none
	}{
		{"fields left out keep their values", `{"step_up_minutes":5}`,
			identity.TenantPolicy{MaxSessionsPerUser: 3, StepUpMinutes: 5, IPAllow: []string{"10.0.0.0/8"}, RolePreset: "coaching",
				RateLimits: map[string]identity.RateLimitSetting{"export": {Rate: 5, PeriodSeconds: 60}}}, ""},
		{"a map replaces the stored one", `{"rate_limits":{"chat":{"rate":1,"period_seconds":1}}}`,
			identity.TenantPolicy{MaxSessionsPerUser: 3, IPAllow: []string{"10.0.0.0/8"}, RolePreset: "coaching",
				RateLimits: map[string]identity.RateLimitSetting{"chat": {Rate: 1, PeriodSeconds: 1}}}, ""},
		{"a list replaces the stored one", `{"ip_allow":["192.168.0.0/16"]}`,
			identity.TenantPolicy{MaxSessionsPerUser: 3, IPAllow: []string{"192.168.0.0/16"}, RolePreset: "coaching",
				RateLimits: map[string]identity.RateLimitSetting{"export": {Rate: 5, PeriodSeconds: 60}}}, ""},
		{"names are exact", `{"Rate_Limit_Tier":"enterprise"}`, identity.TenantPolicy{}, "settings.Rate_Limit_Tier"},
		{"the preset stays", `{"role_preset":"chatbot"}`, identity.TenantPolicy{}, "settings.role_preset"},
		{"the whole policy is validated", `{"ip_change_policy":"shrug"}`, identity.TenantPolicy{}, "settings.ip_change_policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mergeSettings(stored, []byte(tt.doc))
			if tt.field != "" {
				var e *rampart.Error
				if !errors.As(err, &e) || e.Field != tt.field {
					t.Fatalf("err = %v, want one naming %s", err, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if stored.IPAllow[0] != "10.0.0.0/8" || len(stored.RateLimits) != 1 {
				t.Errorf("the stored policy changed: %+v", stored)
			}
		})
	}
}

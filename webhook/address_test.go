package webhook

import (
	"net/netip"
	"testing"

	"github.com/rampart-dev/rampart"
)

func TestPublicAddress(t *testing.T) {
	tests := []struct {
		ip   string
		want bool
	}{
		{"93.184.215.14", true},
		{"8.8.8.8", true},
		{"2606:4700::1111", true},
		{"::ffff:8.8.8.8", true},
		{"127.0.0.1", false},
		{"127.9.9.9", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"100.64.0.1", false},      // CGNAT
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"224.0.0.1", false},
		{"255.255.255.255", false},
		{"240.0.0.1", false},
		{"192.0.2.1", false},
		{"198.18.0.1", false},
		{"::1", false},
		{"::", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:10.0.0.1", false},
		{"::127.0.0.1", false},
		{"fe80::1", false},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"ff02::1", false},
		{"64:ff9b::a00:1", false},
		{"2002:7f00:1::", false},
		{"2001::1", false},
		{"2001:db8::1", false},
	}
	for _, tt := range tests {
		if got := PublicAddress(netip.MustParseAddr(tt.ip)); got != tt.want {
			t.Errorf("PublicAddress(%s) = %v, want %v", tt.ip, got, tt.want)
		}
	}
}

func TestValidateURL(t *testing.T) {
	tests := []struct {
		url                        string
		requireHTTPS, allowPrivate bool
		ok                         bool
	}{
		{"https://hooks.example.com/rampart", true, false, true},
		{"http://hooks.example.com/rampart", false, false, true},
		{"http://hooks.example.com/rampart", true, false, false},
		{"https://93.184.215.14:8443/x?token=abc", true, false, true},
		{"ftp://hooks.example.com/", false, false, false},
		{"https:///path", false, false, false},
		{"https://user:pass@hooks.example.com/", false, false, false},
		{"hooks.example.com/x", false, false, false},
		{"https://hooks.example.com:99999/", false, false, false},
		{"https://127.0.0.1/", false, false, false},
		{"https://127.0.0.1/", false, true, true},
		{"https://[::1]:8080/", false, false, false},
		{"https://[fe80::1%25eth0]/", false, false, false},
		{"https://169.254.169.254/latest/meta-data", false, false, false},
		{"https://localhost/", false, false, false},
		{"https://api.localhost./", false, false, false},
		{"https://localhost/", false, true, true},
		{"https://10.0.0.1/", false, false, false},
		{"https://%zz/", false, false, false},
	}
	for _, tt := range tests {
		err := ValidateURL(tt.url, tt.requireHTTPS, tt.allowPrivate)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateURL(%q, https=%v, private=%v) = %v, want ok=%v", tt.url, tt.requireHTTPS, tt.allowPrivate, err, tt.ok)
		}
		if err != nil && rampart.ErrorCode(err) != rampart.EUnprocessable {
			t.Errorf("ValidateURL(%q) code = %s", tt.url, rampart.ErrorCode(err))
		}
	}
}

func FuzzValidateURL(f *testing.F) {
	f.Add("https://hooks.example.com/x")
	f.Add("http://[::ffff:127.0.0.1]:80/")
	f.Fuzz(func(t *testing.T, raw string) {
		_ = ValidateURL(raw, false, false)
	})
}

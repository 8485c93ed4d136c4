package webhook

import (
	"encoding/base64"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rampart-dev/rampart"
)

// The example of the Standard Webhooks reference libraries (and Svix's): a
// receiver's library accepts what we send only if this comes out exactly.
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specBody      = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignSpecVector(t *testing.T) {
	key, err := ParseSecret(specSecret)
	if err != nil {
		t.Fatal(err)
	}
	got := Sign(key, specID, time.Unix(specTimestamp, 0), []byte(specBody))
	if got != specSignature {
		t.Fatalf("Sign = %s, want %s", got, specSignature)
	}
}

func specHeaders(sig string) http.Header {
	h := http.Header{}
	h.Set(HeaderID, specID)
	h.Set(HeaderTimestamp, strconv.Itoa(specTimestamp))
	h.Set(HeaderSignature, sig)
	return h
}

func TestVerify(t *testing.T) {
	key, _ := ParseSecret(specSecret)
	other := []byte(strings.Repeat("k", 32))
	at := time.Unix(specTimestamp, 0)
	body := []byte(specBody)
	tests := []struct {
		name    string
		headers http.Header
		body    []byte
		now     time.Time
		want    error
	}{
		{"spec vector", specHeaders(specSignature), body, at, nil},
		{"several entries, match last", specHeaders("v1,bm9wZQ== v2,xyz " + specSignature), body, at, nil},
		{"within tolerance", specHeaders(specSignature), body, at.Add(4 * time.Minute), nil},
		{"too old", specHeaders(specSignature), body, at.Add(6 * time.Minute), ErrTimestampTooOld},
		{"too new", specHeaders(specSignature), body, at.Add(-6 * time.Minute), ErrTimestampTooNew},
		{"body changed", specHeaders(specSignature), []byte(`{"test": 2432232315}`), at, ErrNoMatchingSignature},
		{"other key", specHeaders(Sign(other, specID, at, body)), body, at, ErrNoMatchingSignature},
		{"wrong version", specHeaders(strings.Replace(specSignature, "v1,", "v2,", 1)), body, at, ErrNoMatchingSignature},
		{"garbage", specHeaders("v1,%%%"), body, at, ErrNoMatchingSignature},
		{"no id", func() http.Header { h := specHeaders(specSignature); h.Del(HeaderID); return h }(), body, at, ErrMissingHeaders},
		{"bad timestamp", func() http.Header { h := specHeaders(specSignature); h.Set(HeaderTimestamp, "1614265330.5"); return h }(), body, at, ErrInvalidTimestamp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(key, tt.headers, tt.body, tt.now, DefaultTolerance)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSignatureHeaderRotation(t *testing.T) {
	old := []byte(strings.Repeat("o", 24))
	cur := []byte(strings.Repeat("c", 24))
	at := time.Unix(1700000000, 0)
	h := http.Header{}
	h.Set(HeaderID, "msg_1")
	h.Set(HeaderTimestamp, "1700000000")
	h.Set(HeaderSignature, SignatureHeader([][]byte{cur, old}, "msg_1", at, []byte("{}")))
	for _, k := range [][]byte{cur, old} {
		if err := Verify(k, h, []byte("{}"), at, time.Minute); err != nil {
			t.Fatalf("key %q: %v", k, err)
		}
	}
}

func TestParseSecret(t *testing.T) {
	gen, err := GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(gen, SecretPrefix) {
		t.Fatalf("GenerateSecret = %q", gen)
	}
	tests := []struct {
		in      string
		wantLen int
		wantErr error
	}{
		{gen, GeneratedSecretSize, nil},
		{specSecret, 24, nil},
		{strings.Repeat("x", 24), 24, nil},
		{strings.Repeat("x", 23), 0, ErrSecretTooShort},
		{"", 0, ErrSecretTooShort},
		{SecretPrefix + base64.StdEncoding.EncodeToString(make([]byte, 23)), 0, ErrSecretTooShort},
		{SecretPrefix + base64.StdEncoding.EncodeToString(make([]byte, 65)), 0, ErrSecretTooLong},
		{SecretPrefix + "not base64!!", 0, ErrSecretMalformed},
		{strings.Repeat("x", MaxRawSecretBytes+1), 0, ErrSecretTooLong},
	}
	for _, tt := range tests {
		key, err := ParseSecret(tt.in)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("ParseSecret(%.20q) error = %v, want %v", tt.in, err, tt.wantErr)
			continue
		}
		if err != nil {
			if rampart.ErrorCode(err) != rampart.EUnprocessable {
				t.Errorf("ParseSecret(%.20q) code = %s", tt.in, rampart.ErrorCode(err))
			}
			continue
		}
		if len(key) != tt.wantLen {
			t.Errorf("ParseSecret(%.20q) = %d bytes, want %d", tt.in, len(key), tt.wantLen)
		}
	}
}

// TestSignAgainstPython checks Sign against an independent implementation:
// Python's hmac and base64 modules, on random keys, IDs and bodies.
func TestSignAgainstPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is required in CI")
		}
		t.Skip("python3 not found")
	}
	const script = `
import base64, hashlib, hmac, sys
secret, msg_id, ts, body = sys.argv[1:5]
key = base64.b64decode(secret[len("whsec_"):]) if secret.startswith("whsec_") else secret.encode()
mac = hmac.new(key, (msg_id + "." + ts + ".").encode() + base64.b64decode(body), hashlib.sha256).digest()
print("v1," + base64.b64encode(mac).decode())
`
	bodies := []string{"{}", specBody, `{"name":"Zoë","emoji":"🔐","nl":"a\nb"}`, strings.Repeat("x", 5000)}
	for i, body := range bodies {
		secret, _ := GenerateSecret()
		if i%2 == 1 {
			secret = "a raw secret of some thirty bytes"
		}
		key, err := ParseSecret(secret)
		if err != nil {
			t.Fatal(err)
		}
		id := "msg_" + strconv.Itoa(i)
		ts := time.Unix(1700000000+int64(i), 0)
		out, err := exec.Command(py, "-c", script, secret, id, strconv.FormatInt(ts.Unix(), 10),
			base64.StdEncoding.EncodeToString([]byte(body))).Output()
		if err != nil {
			t.Fatalf("python3: %v", err)
		}
		if want, got := strings.TrimSpace(string(out)), Sign(key, id, ts, []byte(body)); got != want {
			t.Errorf("body %d: Sign = %s, python = %s", i, got, want)
		}
	}
}

func FuzzVerify(f *testing.F) {
	f.Add(specID, strconv.Itoa(specTimestamp), specSignature, []byte(specBody))
	f.Add("", "x", "v1,", []byte{})
	key, _ := ParseSecret(specSecret)
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte) {
		h := http.Header{}
		h.Set(HeaderID, id)
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderSignature, sig)
		_ = Verify(key, h, body, time.Unix(specTimestamp, 0), DefaultTolerance)
	})
}

func FuzzParseSecret(f *testing.F) {
	f.Add(specSecret)
	f.Add("whsec_")
	f.Fuzz(func(t *testing.T, s string) {
		key, err := ParseSecret(s)
		if err == nil && len(key) < MinSecretBytes {
			t.Fatalf("accepted a %d-byte key", len(key))
		}
	})
}

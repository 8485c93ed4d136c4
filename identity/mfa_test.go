package identity

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// RFC 6238 appendix B: the SHA-1 test secret and its 8-digit codes; the last
// six digits are the 6-digit codes.
func TestMatchTOTPAgainstRFC6238Vectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	for unix, code8 := range map[int64]string{59: "94287082", 1111111109: "07081804", 1234567890: "89005924", 2000000000: "69279037"} {
		at := time.Unix(unix, 0)
		step, ok := MatchTOTP(secret, code8[2:], at, 0)
		if !ok || step != unix/TOTPPeriod {
			t.Errorf("t=%d code %s: step %d ok %v", unix, code8[2:], step, ok)
		}
	}
}

func TestMatchTOTPWindowAndReplay(t *testing.T) {
	secret, _ := NewTOTPSecret()
	now := time.Unix(1_800_000_000, 0)
	code := func(offset time.Duration) string {
		c, err := totp.GenerateCodeCustom(EncodeSecret(secret), now.Add(offset), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	cur := now.Unix() / TOTPPeriod
	for name, tc := range map[string]struct {
		offset time.Duration
		last   int64
		ok     bool
	}{
		"current":         {0, 0, true},
		"one step back":   {-30 * time.Second, 0, true},
		"one step ahead":  {30 * time.Second, 0, true},
		"two steps back":  {-60 * time.Second, 0, false},
		"two steps ahead": {60 * time.Second, 0, false},
		"replayed step":   {0, cur, false},
		"older than last": {-30 * time.Second, cur, false},
		"newer than last": {30 * time.Second, cur, true},
	} {
		if _, ok := MatchTOTP(secret, code(tc.offset), now, tc.last); ok != tc.ok {
			t.Errorf("%s: ok=%v, want %v", name, ok, tc.ok)
		}
	}
}

func TestNormalizeCodes(t *testing.T) {
	for in, ok := range map[string]bool{"123456": true, "123 456": true, " 123456 ": true, "12345": false, "1234567": false, "12a456": false, "": false} {
		if _, err := NormalizeTOTPCode("code", in); (err == nil) != ok {
			t.Errorf("TOTP %q: %v", in, err)
		}
	}
	for in, want := range map[string]string{"ABCD-EFGH": "ABCDEFGH", "abcd-efgh": "ABCDEFGH", "abcdefgh": "ABCDEFGH", "AB CD EF GH": "ABCDEFGH", "ABCD-EFG": "", "ABCD-EFG0": "", "ABCD-EFGI": ""} {
		got, err := NormalizeBackupCode("backup_code", in)
		if (want == "") != (err != nil) || got != want {
			t.Errorf("backup %q: %q %v", in, got, err)
		}
	}
}

func TestBackupCodes(t *testing.T) {
	codes, err := NewBackupCodes()
	if err != nil || len(codes) != BackupCodeCount {
		t.Fatal(codes, err)
	}
	seen := map[string]bool{}
	re := regexp.MustCompile(`^[` + backupAlphabet + `]{4}-[` + backupAlphabet + `]{4}$`)
	for _, c := range codes {
		if !re.MatchString(c) || seen[c] {
			t.Fatalf("code %q", c)
		}
		seen[c] = true
		n, err := NormalizeBackupCode("b", c)
		if err != nil || strings.Contains(n, "-") {
			t.Fatalf("normalize %q: %q %v", c, n, err)
		}
	}
	key := []byte("k")
	a, b := HashBackupCode(key, "t1", "u1", "ABCDEFGH"), HashBackupCode(key, "t1", "u2", "ABCDEFGH")
	if a == b || strings.Contains(a, "ABCDEFGH") {
		t.Fatal("backup code hashes are not bound to the user")
	}
}

func TestKeyURI(t *testing.T) {
	uri := KeyURI("Rampart (Acme & Co)", "a+b@acme.io", []byte("12345678901234567890"))
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	label, _ := url.PathUnescape(strings.TrimPrefix(u.EscapedPath(), "/"))
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || label != "Rampart (Acme & Co):a+b@acme.io" || q.Get("issuer") != "Rampart (Acme & Co)" ||
		q.Get("secret") != "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" || q.Get("digits") != "6" || q.Get("period") != "30" || q.Get("algorithm") != "SHA1" {
		t.Fatalf("uri %s", uri)
	}
	if _, err := QRDataURI(uri); err != nil {
		t.Fatal(err)
	}
}

// TestQRCodesDecode renders many key URIs and reads each back with an
// independent decoder: every module must land on whole pixels.
func TestQRCodesDecode(t *testing.T) {
	for i := 0; i < 300; i++ {
		secret, _ := NewTOTPSecret()
		uri := KeyURI("Rampart (Tenant number "+strings.Repeat("x", i%40)+")", "someone.long+tag@example-company.io", secret)
		data, err := QRDataURI(uri)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(data, "data:image/png;base64,"))
		img, err := png.Decode(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
		res, err := qrcode.NewQRCodeReader().Decode(bmp, pureBarcode)
		if err != nil || res.GetText() != uri {
			t.Fatalf("uri %d does not decode: %v", i, err)
		}
	}
}

// pureBarcode tells the decoder the image is a generated code, not a photo:
// without it gozxing misreads about one generated code in a hundred (zbar
// reads those fine), which would make the test flaky, not stricter.
var pureBarcode = map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_PURE_BARCODE: true}

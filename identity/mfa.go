package identity

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"net/url"
	"strings"
	"time"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/rampart-dev/rampart"
)

// TOTP parameters of the chatbot platform's design (RFC 6238 defaults, which
// every authenticator app supports).
const (
	TOTPPeriod     = 30 // seconds per step
	TOTPDigits     = 6
	TOTPSecretSize = 20 // 160 bits
	TOTPWindow     = 1  // steps accepted either side of now
	qrSize         = 256
)

// b32 is the unpadded base32 authenticator apps expect.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns 160 random bits.
func NewTOTPSecret() ([]byte, error) {
	s := make([]byte, TOTPSecretSize)
	_, err := rand.Read(s)
	return s, err
}

// EncodeSecret returns the base32 form of a secret that users type or scan.
func EncodeSecret(secret []byte) string { return b32.EncodeToString(secret) }

// KeyURI returns the Google Authenticator key URI of a secret:
// otpauth://totp/Issuer:account?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30.
func KeyURI(issuer, account string, secret []byte) string {
	q := url.Values{}
	q.Set("secret", EncodeSecret(secret))
	q.Set("issuer", issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", fmt.Sprint(TOTPDigits))
	q.Set("period", fmt.Sprint(TOTPPeriod))
	// The label is "issuer:account", each part escaped, the colon literal.
	label := url.PathEscape(issuer) + ":" + url.PathEscape(account)
	// url.Values sorts keys; the spec does not care about order.
	return "otpauth://totp/" + label + "?" + strings.ReplaceAll(q.Encode(), "+", "%20")
}

// qrQuietZone is the white border around a QR code, in modules (the
// standard asks for four).
const qrQuietZone = 4

// QRDataURI renders a key URI as a PNG QR code in a data URI. Each module is
// a whole number of pixels (about qrSize in all) with a quiet zone around, so
// that every camera and decoder reads it.
func QRDataURI(keyURI string) (string, error) {
	code, err := qr.Encode(keyURI, qr.M, qr.Auto)
	if err != nil {
		return "", err
	}
	modules := code.Bounds().Dx()
	scale := max(1, qrSize/(modules+2*qrQuietZone))
	code, err = barcode.Scale(code, modules*scale, modules*scale)
	if err != nil {
		return "", err
	}
	border := qrQuietZone * scale
	side := modules*scale + 2*border
	img := image.NewGray(image.Rect(0, 0, side, side))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(border, border, side-border, side-border), code, image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// NormalizeTOTPCode checks a typed code: six digits, spaces allowed between.
func NormalizeTOTPCode(field, code string) (string, error) {
	c := strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(c) != TOTPDigits || strings.Trim(c, "0123456789") != "" {
		return "", rampart.FieldError(rampart.EInvalid, field, "%s must be %d digits", field, TOTPDigits)
	}
	return c, nil
}

// MatchTOTP finds the step in [now-1, now+1] whose code is code, refusing
// steps at or before lastStep: a code is never accepted twice, nor one older
// than a code already used. It returns the matching step, or ok false.
func MatchTOTP(secret []byte, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	current := now.Unix() / TOTPPeriod
	opts := totp.ValidateOpts{Period: TOTPPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	enc := EncodeSecret(secret)
	for d := int64(-TOTPWindow); d <= TOTPWindow; d++ {
		s := current + d
		want, err := totp.GenerateCodeCustom(enc, time.Unix(s*TOTPPeriod, 0), opts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && s > lastStep {
			return s, true
		}
	}
	return 0, false
}

// Backup codes: 10 codes of 8 characters from an alphabet without look-alikes
// (no 0/O, 1/I/L), shown as XXXX-XXXX: 40 bits each.
const (
	BackupCodeCount = 10
	backupAlphabet  = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
	backupLen       = 8
)

// NewBackupCodes returns BackupCodeCount fresh codes, formatted XXXX-XXXX.
func NewBackupCodes() ([]string, error) {
	codes := make([]string, BackupCodeCount)
	buf := make([]byte, backupLen)
	for i := range codes {
		var b strings.Builder
		for j := 0; j < backupLen; {
			if _, err := rand.Read(buf); err != nil {
				return nil, err
			}
			for _, x := range buf {
				// Rejection sampling keeps the distribution uniform.
				if int(x) >= 256-256%len(backupAlphabet) || j == backupLen {
					continue
				}
				if j == 4 {
					b.WriteByte('-')
				}
				b.WriteByte(backupAlphabet[int(x)%len(backupAlphabet)])
				j++
			}
		}
		codes[i] = b.String()
	}
	return codes, nil
}

// NormalizeBackupCode accepts a code with or without the dash, in any case.
func NormalizeBackupCode(field, code string) (string, error) {
	c := strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
	if len(c) != backupLen || strings.Trim(c, backupAlphabet) != "" {
		return "", rampart.FieldError(rampart.EInvalid, field, "%s must be 8 letters and digits, as XXXX-XXXX", field)
	}
	return c, nil
}

// HashBackupCode returns the stored form of a normalized code: HMAC-SHA256
// under a key derived from the master key, bound to tenant and user. A stolen
// database alone does not let anyone try the 2^40 codes offline.
func HashBackupCode(key []byte, tenantID, userID, normalized string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(tenantID + "\x00" + userID + "\x00" + normalized))
	return hex.EncodeToString(m.Sum(nil))
}

// TOTPSecretAAD binds a sealed TOTP secret to its tenant and user.
func TOTPSecretAAD(tenantID, userID string) []byte {
	return []byte("rampart/totp/" + tenantID + "/" + userID)
}

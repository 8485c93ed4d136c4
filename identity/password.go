package identity

import (
	"bufio"
	"bytes"
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rampart-dev/rampart"
)

// commonPasswords is the 30,000-entry password list of the zxcvbn project
// (MIT licence, see common-passwords.LICENSE), itself drawn from the Xato
// corpus of leaked passwords. Entries are lower case, one per line.
//
//go:embed common-passwords.txt
var commonPasswordsFile []byte

// MaxPasswordBytes bounds the password length so that a client cannot make the
// server hash megabytes; 1024 bytes is far above any passphrase a person types.
const MaxPasswordBytes = 1024

// Password check names, as reported in the 422 problem's `checks` member.
const (
	CheckLength    = "length"
	CheckUppercase = "uppercase"
	CheckLowercase = "lowercase"
	CheckDigits    = "digits"
	CheckSpecial   = "special"
	CheckCommon    = "common"
	CheckEmail     = "email"
)

// PasswordPolicy is the strength policy of the document-intelligence design:
// a minimum length, one of each character class, not a common password and not
// containing the local part of the user's email.
type PasswordPolicy struct {
	MinLength int
	common    map[string]struct{}
}

// NewPasswordPolicy returns the default policy (12 characters minimum) with the
// shipped common-password list loaded.
func NewPasswordPolicy() *PasswordPolicy {
	p := &PasswordPolicy{MinLength: 12, common: make(map[string]struct{}, 30000)}
	sc := bufio.NewScanner(bytes.NewReader(commonPasswordsFile))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" {
			p.common[w] = struct{}{}
		}
	}
	return p
}

// CommonCount reports how many entries the common-password list holds.
func (p *PasswordPolicy) CommonCount() int { return len(p.common) }

// Checks evaluates every rule and reports each one, true meaning passed.
func (p *PasswordPolicy) Checks(password, email string) map[string]bool {
	var upper, lower, digit, special bool
	for _, r := range password {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsPunct(r) || unicode.IsSymbol(r) || r == ' ':
			special = true
		}
	}
	lowered := strings.ToLower(password)
	_, isCommon := p.common[lowered]
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	// Local parts of one or two characters would forbid too much by accident.
	containsEmail := len(local) >= 3 && strings.Contains(lowered, local)
	return map[string]bool{
		CheckLength:    utf8.RuneCountInString(password) >= p.MinLength,
		CheckUppercase: upper,
		CheckLowercase: lower,
		CheckDigits:    digit,
		CheckSpecial:   special,
		CheckCommon:    !isCommon,
		CheckEmail:     !containsEmail,
	}
}

// Validate returns nil when password satisfies every rule, and otherwise a 422
// error whose `checks` extension names each rule and whether it passed.
// field is the request field name reported in the problem.
func (p *PasswordPolicy) Validate(field, password, email string) error {
	if !utf8.ValidString(password) {
		return rampart.FieldError(rampart.EInvalid, field, "%s must be valid UTF-8", field)
	}
	if len(password) > MaxPasswordBytes {
		return rampart.FieldError(rampart.EUnprocessable, field, "%s must be at most %d bytes", field, MaxPasswordBytes)
	}
	checks := p.Checks(password, email)
	var failed []string
	for _, name := range []string{CheckLength, CheckUppercase, CheckLowercase, CheckDigits, CheckSpecial, CheckCommon, CheckEmail} {
		if !checks[name] {
			failed = append(failed, name)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	e := rampart.FieldError(rampart.EUnprocessable, field, "%s does not meet the password policy: failed %s", field, strings.Join(failed, ", "))
	e.Extensions = map[string]any{"checks": checks}
	return e
}

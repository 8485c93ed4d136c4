package pii

import (
	"slices"
	"testing"
)

// found returns the texts of the findings of type t in text, with every
// candidate kept (minimum score 0) unless min says otherwise.
func found(t *testing.T, text string, typ Type, minScore float64) []string {
	t.Helper()
	var out []string
	for _, f := range NewDetector(WithMinScore(minScore)).Detect(text, []Type{typ}) {
		out = append(out, f.Text)
	}
	return out
}

// detectCase is one row of the per-type tables: text and the values of the
// type that must be found in it, in order (none for a non-match).
type detectCase struct {
	name string
	text string
	want []string
}

func runDetectCases(t *testing.T, typ Type, cases []detectCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := found(t, c.text, typ, DefaultMinScore)
			if !slices.Equal(got, c.want) {
				t.Errorf("%s in %q: got %q, want %q", typ, c.text, got, c.want)
			}
		})
	}
}

func TestLuhn(t *testing.T) {
	for _, c := range []struct {
		digits string
		ok     bool
	}{
		{"4111111111111111", true},
		{"4111111111111112", false},
		{"5555555555554444", true},
		{"378282246310005", true},
		{"378282246310006", false},
		{"6011111111111117", true},
		{"79927398713", true}, // the example of ISO/IEC 7812-1
		{"79927398710", false},
		{"0000000000000000", true},
	} {
		if got := luhn([]byte(c.digits)); got != c.ok {
			t.Errorf("luhn(%s) = %v, want %v", c.digits, got, c.ok)
		}
	}
}

func TestCreditCards(t *testing.T) {
	runDetectCases(t, CreditCard, []detectCase{
		{"visa", "card 4111111111111111 ok", []string{"4111111111111111"}},
		{"visa dashes", "4111-1111-1111-1111", []string{"4111-1111-1111-1111"}},
		{"mastercard spaces", "pay with 5555 5555 5555 4444.", []string{"5555 5555 5555 4444"}},
		{"mastercard 2-series", "2223003122003222", []string{"2223003122003222"}},
		{"amex 4-6-5", "amex 3782 822463 10005", []string{"3782 822463 10005"}},
		{"discover", "6011111111111117", []string{"6011111111111117"}},
		{"jcb", "3530111333300000", []string{"3530111333300000"}},
		{"diners", "30569309025904", []string{"30569309025904"}},
		{"maestro 12 digits", "card number 630427373398 is lost", []string{"630427373398"}},
		{"visa 19 digits", "4131034282458809939", []string{"4131034282458809939"}},
		{"card then CVV", "4111 1111 1111 1111 123", []string{"4111 1111 1111 1111"}},
		{"Luhn fails", "4111111111111112", nil},
		{"12 digits not Maestro", "411111111113", nil},
		{"too long", "41111111111111111111", nil},
		{"mixed separators", "4111 1111-1111 1111", nil},
		{"odd grouping", "41 1111111111 1111", nil},
		{"glued to letters", "x4111111111111111", nil},
	})
}

func TestSSNRules(t *testing.T) {
	for _, c := range []struct {
		ssn string
		ok  bool
	}{
		{"536221234", true},
		{"000221234", false}, // area 000
		{"666221234", false}, // area 666
		{"900221234", false}, // areas 900-999 are ITINs
		{"999221234", false},
		{"899221234", true},  // assigned since randomisation (2011)
		{"536001234", false}, // group 00
		{"536220000", false}, // serial 0000
		{"078051120", false}, // Woolworth's wallet card
		{"219099999", false}, // Social Security Administration pamphlet
		{"123456789", false},
	} {
		if got := ssnValid([]byte(c.ssn)); got != c.ok {
			t.Errorf("ssnValid(%s) = %v, want %v", c.ssn, got, c.ok)
		}
	}
	runDetectCases(t, SSN, []detectCase{
		{"dashed", "Here's my SSN: 460-89-9847", []string{"460-89-9847"}},
		{"dashed without context", "ref 536-22-1234 attached", []string{"536-22-1234"}},
		{"spaces with context", "social security number 536 22 1234", []string{"536 22 1234"}},
		{"contiguous with context", "SSN 536221234", []string{"536221234"}},
		{"contiguous without context", "order 536221234 shipped", nil},
		{"area 000", "SSN 000-22-1234", nil},
		{"area 666", "SSN 666-22-1234", nil},
		{"area 9xx", "SSN 912-22-1234", nil},
		{"group 00", "SSN 536-00-1234", nil},
		{"serial 0000", "SSN 536-22-0000", nil},
		{"longer run", "536-22-1234-5", nil},
		{"phone shape", "call 536-221-2345", nil},
	})
}

func TestIBAN(t *testing.T) {
	for _, c := range []struct {
		iban string
		ok   bool
	}{
		{"DE89370400440532013000", true},
		{"GB82WEST12345698765432", true},
		{"FR1420041010050500013M02606", true},
		{"NL91ABNA0417164300", true},
		{"BE68539007547034", true},
		{"CH9300762011623852957", true},
		{"NO9386011117947", true},
		{"MT84MALT011000012345MTLCAST001S", true},
		{"ES9121000418450200051332", true},
		{"IT60X0542811101000000123456", true},
		{"GB82WEST12345698765433", false},
		{"DE89370400440532013001", false},
	} {
		if got := ibanMod97([]byte(c.iban)); got != c.ok {
			t.Errorf("ibanMod97(%s) = %v, want %v", c.iban, got, c.ok)
		}
	}
	runDetectCases(t, IBAN, []detectCase{
		{"germany", "IBAN DE89370400440532013000.", []string{"DE89370400440532013000"}},
		{"uk in groups", "pay GB82 WEST 1234 5698 7654 32 today", []string{"GB82 WEST 1234 5698 7654 32"}},
		{"france", "FR14 2004 1010 0505 0001 3M02 606", []string{"FR14 2004 1010 0505 0001 3M02 606"}},
		{"netherlands", "NL91ABNA0417164300", []string{"NL91ABNA0417164300"}},
		{"belgium", "BE68539007547034", []string{"BE68539007547034"}},
		{"switzerland", "CH93 0076 2011 6238 5295 7", []string{"CH93 0076 2011 6238 5295 7"}},
		{"norway", "NO9386011117947", []string{"NO9386011117947"}},
		{"malta", "MT84MALT011000012345MTLCAST001S", []string{"MT84MALT011000012345MTLCAST001S"}},
		{"lower case", "my iban is gb42nawi04454264788619", []string{"gb42nawi04454264788619"}},
		{"bad check digits", "GB82WEST12345698765433", nil},
		{"too long for the country", "DE893704004405320130001", nil},
		{"too short for the country", "DE8937040044053201300", nil},
		{"unknown country", "QQ89370400440532013000", nil},
		{"mixed case country", "Gb82WEST12345698765432", nil},
	})
}

func TestIPAddresses(t *testing.T) {
	runDetectCases(t, IPAddress, []detectCase{
		{"ipv4", "from 192.168.1.1 today", []string{"192.168.1.1"}},
		{"ipv4 in pipes", `?%//!%20\|106.31.73.20|%20/`, []string{"106.31.73.20"}},
		{"ipv4 end of sentence", "blocked 41.173.96.26.", []string{"41.173.96.26"}},
		{"ipv4 cidr", "allow 10.0.0.0/8", []string{"10.0.0.0"}},
		{"octet too big", "999.1.1.1", nil},
		{"octet 256", "10.0.0.256", nil},
		{"leading zero", "10.0.0.01", nil},
		{"version string", "upgrade to 1.2.3.4.5", nil},
		{"version word", "version 1.2.3.4", nil},
		{"three parts", "release 4.2.1", nil},
		{"glued", "v1.2.3.4", nil},
		{"ipv6", "host 2001:db8::8a2e:370:7334 up", []string{"2001:db8::8a2e:370:7334"}},
		{"ipv6 full", "6e40:4041:c617:e898:c11:40d2:c669:2eb4", []string{"6e40:4041:c617:e898:c11:40d2:c669:2eb4"}},
		{"ipv6 link local", "fe80::1", []string{"fe80::1"}},
		{"ipv6 mapped", "::ffff:192.0.2.1", []string{"::ffff:192.0.2.1"}},
		{"time", "at 12:30:45", nil},
		{"c++", "std::vector", nil},
		{"mac address", "00:1A:2B:3C:4D:5E", nil},
		{"bad ipv6", "2001:db8:::1", nil},
	})
}

func TestPhones(t *testing.T) {
	runDetectCases(t, Phone, []detectCase{
		{"us dashes", "I would like to stop receiving messages to 541-714-1388", []string{"541-714-1388"}},
		{"us parens", "call (415) 555-0132 now", []string{"(415) 555-0132"}},
		{"us without context", "reach 415-555-0132", []string{"415-555-0132"}},
		{"us +1", "+1-984-182-0190 mobile", []string{"+1-984-182-0190"}},
		{"us extension", "Fax: 345-899-3560x4587", []string{"345-899-3560x4587"}},
		{"international", "+44 20 7946 0958", []string{"+44 20 7946 0958"}},
		{"trunk zero", "Desk: +41 (0)96 471 07 95", []string{"+41 (0)96 471 07 95"}},
		{"00 prefix", "001-518-640-0854 mobile", []string{"001-518-640-0854"}},
		{"local with context", "Can someone call me on 9472 7916?", []string{"9472 7916"}},
		{"local after label", "Phone:\n467 3395\n", []string{"467 3395"}},
		{"label after", "416 60 039 office", []string{"416 60 039"}},
		{"two numbers", "Phones: 415-555-0132, 212-555-0188", []string{"415-555-0132", "212-555-0188"}},
		{"local without context", "we sold 467 3395 units", nil},
		{"street address", "1600 Amphitheatre Parkway, Mountain View, CA 94043", nil},
		{"address then phone", "1600 Amphitheatre Parkway, Mountain View, CA 94043 phone 650-253-0000", []string{"650-253-0000"}},
		{"zip code", "Phone office at CA 94043", nil},
		{"zip plus four", "phone: 94043-1234", nil},
		{"ssn shape", "call 536-22-1234", nil},
		{"date", "call on 2023-01-15", nil},
		{"date and time", "Date: 2015-12-22 04:34:22", nil},
		{"ip address", "call 10.200.30.40", nil},
		{"card", "call 4111 1111 1111 1111", nil},
		{"license", "my driver's license number is 6940579", nil},
		{"year range", "in 2019-2020 we grew", nil},
	})
}

func TestDates(t *testing.T) {
	runDetectCases(t, DateOfBirth, []detectCase{
		{"iso", "born 1990-02-28", []string{"1990-02-28"}},
		{"us", "DOB: 02/28/1990", []string{"02/28/1990"}},
		{"us short", "dob 2/8/1935", []string{"2/8/1935"}},
		{"european", "geboren 28.02.1990", []string{"28.02.1990"}},
		{"day first slash", "born 28/02/1990", []string{"28/02/1990"}},
		{"month name", "born on February 28, 1990.", []string{"February 28, 1990"}},
		{"month abbreviation", "D.O.B. Feb. 28th, 1990", []string{"Feb. 28th, 1990"}},
		{"day month year", "born 28 Feb 1990", []string{"28 Feb 1990"}},
		{"day of month", "born 28th of February 1990", []string{"28th of February 1990"}},
		{"leap day", "born 2024-02-29", []string{"2024-02-29"}},
		{"leap day 2000", "born 2000-02-29", []string{"2000-02-29"}},
		{"no such day", "born 1990-02-30", nil},
		{"not a leap year", "born 2023-02-29", nil},
		{"1900 not leap", "born 1900-02-29", nil},
		{"april 31", "born 31 April 1990", nil},
		{"month 13", "born 13/13/1990", nil},
		{"year out of range", "born 1066-10-14", nil},
	})
	// Without a word like "born", a date scores at the reporting threshold.
	for _, f := range NewDetector().Detect("the meeting on 2024-03-01 and born 1990-01-02", nil) {
		if want := map[string]float64{"2024-03-01": 0.5, "1990-01-02": 0.95}[f.Text]; f.Score != want {
			t.Errorf("%q scored %v, want %v", f.Text, f.Score, want)
		}
	}
}

func TestEmailsAndURLs(t *testing.T) {
	runDetectCases(t, Email, []detectCase{
		{"plain", "write to jane.doe@example.com.", []string{"jane.doe@example.com"}},
		{"plus and subdomain", "j+tag@mail.example.co.uk", []string{"j+tag@mail.example.co.uk"}},
		{"capitals", "UtaKortig@jourrapide.com?", []string{"UtaKortig@jourrapide.com"}},
		{"in angle brackets", "<bob@example.org>", []string{"bob@example.org"}},
		{"no tld", "bob@localhost", nil},
		{"numeric tld", "bob@example.123", nil},
		{"double dot", "bob..x@example.com", nil},
		{"handle", "ask @jane on chat", nil},
	})
	runDetectCases(t, URL, []detectCase{
		{"https", "see https://www.UEarly.se/ now", []string{"https://www.UEarly.se/"}},
		{"path and query", "at http://example.com/a/b?c=d&e=f#g.", []string{"http://example.com/a/b?c=d&e=f#g"}},
		{"parenthesised", "(see https://example.com/x)", []string{"https://example.com/x"}},
		{"wikipedia parens", "https://en.wikipedia.org/wiki/Go_(language)", []string{"https://en.wikipedia.org/wiki/Go_(language)"}},
		{"www", "www.example.co.uk, then", []string{"www.example.co.uk"}},
		{"ip host", "http://192.168.0.1:8080/admin", []string{"http://192.168.0.1:8080/admin"}},
		{"no host", "http:// is a scheme", nil},
		{"bad host", "http://-bad-/", nil},
	})
}

func TestKeysAndSecrets(t *testing.T) {
	rampartKey := "rmp_" + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGB" + "_" + "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V"
	refresh := "rrt_" + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v"
	runDetectCases(t, APIKey, []detectCase{
		{"rampart", "key " + rampartKey + " leaked", []string{rampartKey}},
		{"rampart short", "rmp_abc is a prefix", nil},
		{"aws access key id", "AKIAIOSFODNN7EXAMPLE", []string{"AKIAIOSFODNN7EXAMPLE"}},
		{"aws session", "ASIAIOSFODNN7EXAMPLE,", []string{"ASIAIOSFODNN7EXAMPLE"}},
		{"aws too long", "AKIAIOSFODNN7EXAMPLEX", nil},
		{"github", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", []string{"ghp_abcdefghijklmnopqrstuvwxyz0123456789"}},
		{"github pat", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", []string{"github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"}},
		{"slack", "xoxb-123456789012-abcdefABCDEF", []string{"xoxb-123456789012-abcdefABCDEF"}},
		{"stripe", "sk_live_abcdefghijklmnop1234", []string{"sk_live_abcdefghijklmnop1234"}},
		{"stripe restricted", "rk_live_abcdefghijklmnop1234", []string{"rk_live_abcdefghijklmnop1234"}},
		{"google", "AIzaSyA-abcdefghijklmnopqrstuvwxyz12345", []string{"AIzaSyA-abcdefghijklmnopqrstuvwxyz12345"}},
		{"openai", "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789", []string{"sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"}},
		{"not openai", "sk-learn-is-a-python-library-for-machine-learning", nil},
		{"api_key assignment", "api_key=Zx81kLmN02pq", []string{"Zx81kLmN02pq"}},
	})
	runDetectCases(t, Secret, []detectCase{
		{"refresh token", refresh, []string{refresh}},
		{"aws secret", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", []string{"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}},
		{"password assignment", "password=hunter22", []string{"hunter22"}},
		{"json secret", `{"client_secret": "s3cr3t-value-123"}`, []string{"s3cr3t-value-123"}},
		{"env var", "DB_PASSWORD='correct horse'", []string{"correct horse"}},
		{"placeholder", "password: ********", nil},
		{"template", "password=${DB_PASSWORD}", nil},
		{"prose", "The password: must be long", nil},
	})
	jwt := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
	runDetectCases(t, JWT, []detectCase{
		{"jwt", "Bearer " + jwt, []string{jwt}},
		{"header without alg", "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxIn0.c2ln", nil},
		{"two segments", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0", nil},
	})
	pem := "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----"
	runDetectCases(t, PrivateKey, []detectCase{
		{"rsa", "key:\n" + pem + "\nthanks", []string{pem}},
		{"truncated", "-----BEGIN PRIVATE KEY-----\nMIIBOgIBAAJBAKj34Gkx\n", []string{"-----BEGIN PRIVATE KEY-----\nMIIBOgIBAAJBAKj34Gkx"}},
		{"public key", "-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY-----", nil},
	})
}

func TestAddresses(t *testing.T) {
	runDetectCases(t, Address, []detectCase{
		{"full", "1600 Amphitheatre Parkway, Mountain View, CA 94043", []string{"1600 Amphitheatre Parkway, Mountain View, CA 94043"}},
		{"unit and zip+4", "Ship to 350 Fifth Avenue, Apt 4B, New York, NY 10118-0110 please", []string{"350 Fifth Avenue, Apt 4B, New York, NY 10118-0110"}},
		{"letter suffix", "Send it to 221B Baker Street, London.", []string{"221B Baker Street"}},
		{"direction", "1600 Pennsylvania Avenue NW, Washington, DC 20500", []string{"1600 Pennsylvania Avenue NW, Washington, DC 20500"}},
		{"two lines", "123 Main St\nSpringfield, IL 62701", []string{"123 Main St\nSpringfield, IL 62701"}},
		{"prose", "In 2020 the Court ruled", nil},
		{"lower case", "we walked 3 miles down the road", nil},
	})
}

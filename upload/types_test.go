package upload

import (
	"testing"

	"github.com/gabriel-vasile/mimetype"
)

func lookup(t *testing.T, s string) *mimetype.MIME {
	t.Helper()
	m := mimetype.Lookup(s)
	if m == nil {
		t.Fatalf("mimetype does not know %s", s)
	}
	return m
}

func TestExtensionAccepts(t *testing.T) {
	tests := []struct {
		ext, detected string
		want          bool
	}{
		{".pdf", "application/pdf", true},
		{".pdf", "application/x-executable", false},
		{".pdf", "application/vnd.microsoft.portable-executable", false},
		{".pdf", "text/plain", false},
		{".docx", docxType, true},
		{".docx", zipType, true}, // OOXML seen only as its container
		{".docx", xlsxType, false},
		{".docx", "application/java-archive", false}, // a JAR is a ZIP, not a document
		{".docx", "application/epub+zip", false},
		{".xlsx", xlsxType, true},
		{".doc", "application/msword", true},
		{".doc", oleType, true},
		{".doc", "application/x-ms-installer", false}, // an MSI is OLE storage too
		{".xls", "application/vnd.ms-excel", true},
		{".png", "image/png", true},
		{".png", "image/apng", true},
		{".png", "image/jpeg", false},
		{".jpg", "image/jpeg", true},
		{".jpeg", "image/jpeg", true},
		{".gif", "image/gif", true},
		{".webp", "image/webp", true},
		{".tiff", "image/tiff", true},
		{".txt", "text/plain", true},
		{".txt", "text/html", true},
		{".txt", "application/json", true},
		{".txt", "application/octet-stream", false},
		{".txt", "application/pdf", false},
		{".csv", "text/csv", true},
		{".csv", "text/plain", true}, // CSV detection within text is a guess
		{".csv", "text/tab-separated-values", true},
		{".md", "text/html", true},
		{".json", "application/json", true},
		{".json", "text/plain", true},
		{".json", "image/png", false},
		{".log", "text/plain", true}, // no built-in rule: text is accepted
		{".zip", zipType, true},
		{".epub", "application/epub+zip", true},
		{".cfg", "image/png", false},
		{".sqlite", "application/vnd.sqlite3", true}, // no rule: the type's own extension
	}
	for _, tt := range tests {
		if got := extensionAccepts(tt.ext, lookup(t, tt.detected)); got != tt.want {
			t.Errorf("extensionAccepts(%s, %s) = %v, want %v", tt.ext, tt.detected, got, tt.want)
		}
	}
}

func TestDeclaredAccepts(t *testing.T) {
	tests := []struct {
		declared, ext, detected string
		want                    bool
	}{
		{"application/pdf", ".pdf", "application/pdf", true},
		{"APPLICATION/PDF; name=x.pdf", ".pdf", "application/pdf", true},
		{"application/x-pdf", ".pdf", "application/pdf", true}, // alias
		{"application/pdf", ".pdf", "image/png", false},
		{"image/png", ".png", "image/png", true},
		{"image/x-png", ".png", "image/png", true},
		{"image/jpg", ".jpg", "image/jpeg", true},
		{"image/pjpeg", ".jpg", "image/jpeg", true},
		{"image/png", ".png", "image/jpeg", false},
		{"text/plain", ".txt", "text/plain; charset=utf-8", true},
		{"text/plain; charset=iso-8859-1", ".txt", "text/plain; charset=utf-8", true},
		{"text/plain", ".csv", "text/csv", true},    // an ancestor of what was detected
		{"text/csv", ".csv", "text/plain", true},    // text agrees with text
		{"text/markdown", ".md", "text/html", true}, // Markdown starting with <div>
		{"application/json", ".json", "text/plain", true},
		{"application/ld+json", ".json", "application/json", true},
		{"application/vnd.ms-excel", ".csv", "text/csv", true}, // Windows browsers
		{"application/vnd.ms-excel", ".csv", "image/png", false},
		{"application/vnd.ms-excel", ".txt", "text/plain", false}, // the quirk is for .csv only
		{"application/vnd.ms-excel", ".xls", "application/vnd.ms-excel", true},
		{"application/vnd.ms-excel", ".xls", oleType, true}, // OLE seen only as its container
		{"text/plain", ".pdf", "application/pdf", false},
		{"text/html", ".txt", "image/png", false},
		{"application/zip", ".docx", docxType, true}, // the container of what was detected
		{"application/x-zip-compressed", ".docx", docxType, true},
		{docxType, ".docx", zipType, true},
		{docxType, ".docx", docxType, true},
		{xlsxType, ".docx", docxType, false},
		{docxType, ".docx", "application/pdf", false},
		{"application/msword", ".doc", "application/msword", true},
		{"application/vnd.ms-word", ".doc", "application/msword", true},
		{"application/pdf", ".pdf", "application/x-executable", false},
		{"application/x-executable", ".pdf", "application/x-executable", true}, // honest, and refused elsewhere
	}
	for _, tt := range tests {
		d, ok := parseDeclared(tt.declared)
		if !ok {
			t.Fatalf("parseDeclared(%q) failed", tt.declared)
		}
		if got := declaredAccepts(d, tt.ext, lookup(t, tt.detected)); got != tt.want {
			t.Errorf("declaredAccepts(%q, %s, %s) = %v, want %v", tt.declared, tt.ext, tt.detected, got, tt.want)
		}
	}
}

func TestParseDeclared(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"  ", "", true},
		{"application/octet-stream", "", true},
		{"Application/Octet-Stream; x=y", "", true},
		{"text/plain; charset=utf-8", "text/plain", true},
		{"image/jpg", "image/jpeg", true},
		{"nonsense", "", false},
		{"text/plain;;", "", false},
		{"/", "", false},
	}
	for _, tt := range tests {
		got, ok := parseDeclared(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseDeclared(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestExecutables(t *testing.T) {
	for _, tt := range []struct {
		detected string
		want     bool
	}{
		{"application/x-elf", true},
		{"application/x-executable", true}, // a child of x-elf
		{"application/x-sharedlib", true},
		{"application/vnd.microsoft.portable-executable", true},
		{"application/x-mach-binary", true},
		{"application/java-archive", true},
		{"application/x-ms-installer", true},
		{"text/x-shellscript", true},
		{"text/x-python", true},
		{"application/pdf", false},
		{"text/plain", false},
		{"text/html", false},
		{zipType, false},
		{docxType, false},
	} {
		if got := isExecutable(lookup(t, tt.detected)); got != tt.want {
			t.Errorf("isExecutable(%s) = %v, want %v", tt.detected, got, tt.want)
		}
	}
}

func TestDetect(t *testing.T) {
	for _, tt := range []struct {
		name string
		head []byte
		want string
	}{
		{"pe", peFile(), "application/vnd.microsoft.portable-executable"},
		{"text starting with MZ", []byte("MZ,Mozambique\n"), "text/plain"},
		{"elf", elfFile(), "application/x-executable"},
		{"pdf", pdfFile(""), "application/pdf"},
		{"png", pngFile(), "image/png"},
	} {
		if got := detect(tt.head); !got.Is(tt.want) {
			t.Errorf("%s: detected %s, want %s", tt.name, got, tt.want)
		}
	}
}

package upload

import (
	"mime"
	"slices"
	"strings"

	"github.com/gabriel-vasile/mimetype"
)

// Media types the rules below name more than once.
const (
	octetStream = "application/octet-stream"
	textPlain   = "text/plain"
	zipType     = "application/zip"
	oleType     = "application/x-ole-storage"
	docxType    = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	xlsxType    = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	pptxType    = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
)

// extensionRule is what the content of a file with a given extension may be
// detected as. Types are compared exactly (with mimetype's aliases), not by
// ancestry: a JAR is a ZIP, but a JAR named .docx is not a document.
type extensionRule struct {
	types []string
	text  bool // any text/plain or a descendant (CSV, JSON, HTML...) is accepted
}

// extensionRules holds the formats this package knows. Office Open XML files
// may be detected only as their ZIP container: mimetype recognises them from
// the first entries of the archive, and a writer that stores other entries
// first pushes "word/" beyond the bytes detection looks at. Legacy Office
// files may likewise be detected only as OLE storage.
var extensionRules = map[string]extensionRule{
	".pdf":  {types: []string{"application/pdf"}},
	".docx": {types: []string{docxType, zipType}},
	".xlsx": {types: []string{xlsxType, zipType}},
	".pptx": {types: []string{pptxType, zipType}},
	".doc":  {types: []string{"application/msword", oleType}},
	".xls":  {types: []string{"application/vnd.ms-excel", oleType}},
	".ppt":  {types: []string{"application/vnd.ms-powerpoint", oleType}},
	".odt":  {types: []string{"application/vnd.oasis.opendocument.text", zipType}},
	".ods":  {types: []string{"application/vnd.oasis.opendocument.spreadsheet", zipType}},
	".odp":  {types: []string{"application/vnd.oasis.opendocument.presentation", zipType}},
	".epub": {types: []string{"application/epub+zip", zipType}},
	".rtf":  {types: []string{"text/rtf"}},
	".png":  {types: []string{"image/png", "image/apng"}},
	".jpg":  {types: []string{"image/jpeg"}},
	".jpeg": {types: []string{"image/jpeg"}},
	".gif":  {types: []string{"image/gif"}},
	".webp": {types: []string{"image/webp"}},
	".tif":  {types: []string{"image/tiff"}},
	".tiff": {types: []string{"image/tiff"}},
	".bmp":  {types: []string{"image/bmp"}},
	".heic": {types: []string{"image/heic", "image/heif"}},
	".zip":  {types: []string{zipType}},
	".txt":  {text: true},
	".md":   {text: true},
	".csv":  {text: true},
	".tsv":  {text: true},
	".json": {text: true},
	".xml":  {text: true},
	".html": {text: true},
	".htm":  {text: true},
	".svg":  {text: true},
	".log":  {text: true},
}

// extensionQuirks are types clients declare for an extension although they
// name another format: Windows registers .csv to Excel, so browsers on it
// send application/vnd.ms-excel for every CSV file.
var extensionQuirks = map[string][]string{
	".csv": {"application/vnd.ms-excel", "application/csv", "text/x-csv", "text/comma-separated-values"},
	".md":  {"text/x-markdown", "text/markdown"},
}

// declaredAliases maps non-standard names clients send to the registered one.
var declaredAliases = map[string]string{
	"image/jpg":   "image/jpeg",
	"image/pjpeg": "image/jpeg",
	"image/x-png": "image/png",
}

// executableTypes are refused whatever the extension or policy: native
// programs and libraries, installers and packages, bytecode, shortcuts, and
// scripts that start with an interpreter line (mimetype reports those only
// for a "#!" first line, or "<?php" for PHP). A document pipeline never needs
// one, and each runs code if it reaches a place that executes files.
var executableTypes = []string{
	"application/vnd.microsoft.portable-executable",
	"application/x-elf", // and its children: object, executable, shared library, core dump
	"application/x-mach-binary",
	"application/x-java-applet",
	"application/java-archive",
	"application/vnd.android.package-archive",
	"application/x-ms-installer",
	"application/x-installshield",
	"application/x-ms-shortcut",
	"application/x-chrome-extension",
	"application/vnd.debian.binary-package",
	"application/x-rpm",
	"application/wasm",
	"application/x-bytecode.python",
	"text/x-shellscript",
	"text/x-php",
	"text/javascript",
	"text/x-python",
	"text/x-perl",
	"text/x-ruby",
	"text/x-lua",
	"text/x-tcl",
}

// lineage returns m and its ancestors up to, not including, the root
// (application/octet-stream, which every input matches).
func lineage(m *mimetype.MIME) []*mimetype.MIME {
	var out []*mimetype.MIME
	for ; m != nil && m.Parent() != nil; m = m.Parent() {
		out = append(out, m)
	}
	return out
}

// isA reports whether m, or one of its ancestors, is any of types.
func isA(m *mimetype.MIME, types ...string) bool {
	for _, a := range lineage(m) {
		for _, t := range types {
			if a.Is(t) {
				return true
			}
		}
	}
	return false
}

// isText reports whether detection found text: text/plain or a format mimetype
// recognises inside text (CSV, JSON, XML, HTML, SVG...).
func isText(m *mimetype.MIME) bool { return isA(m, textPlain) }

// isExecutable reports whether m is a type no policy accepts.
func isExecutable(m *mimetype.MIME) bool { return isA(m, executableTypes...) }

// extensionAccepts reports whether content detected as m may carry extension
// ext (lower case, with its dot). For an extension without a built-in rule
// (one a policy added), the content must be text or a format whose usual
// extension is ext, such as a ZIP for ".zip".
func extensionAccepts(ext string, m *mimetype.MIME) bool {
	rule, ok := extensionRules[ext]
	if !ok {
		if isText(m) {
			return true
		}
		for _, a := range lineage(m) {
			if a.Extension() == ext {
				return true
			}
		}
		return false
	}
	if rule.text && isText(m) {
		return true
	}
	for _, t := range rule.types {
		if m.Is(t) {
			return true
		}
	}
	return false
}

// isTextual reports whether a declared media type names a text format.
func isTextual(t string) bool {
	switch {
	case strings.HasPrefix(t, "text/"),
		strings.HasSuffix(t, "+json"), strings.HasSuffix(t, "+xml"),
		t == "application/json", t == "application/xml", t == "application/x-ndjson",
		t == "application/csv", t == "application/javascript":
		return true
	}
	return false
}

// parseDeclared returns the bare, lower-case media type a client declared
// ("" when it declared none), or ok=false when the value is not a media type.
// application/octet-stream is what clients send when they do not know the
// type, so it counts as none.
func parseDeclared(declared string) (t string, ok bool) {
	if strings.TrimSpace(declared) == "" {
		return "", true
	}
	t, _, err := mime.ParseMediaType(declared)
	// ParseMediaType takes a bare token such as "pdf"; a media type has a
	// type and a subtype.
	if typ, sub, _ := strings.Cut(t, "/"); err != nil || typ == "" || sub == "" {
		return "", false
	}
	if t == octetStream {
		return "", true
	}
	if a, ok := declaredAliases[t]; ok {
		t = a
	}
	return t, true
}

// declaredAccepts reports whether the bare declared type d (from
// parseDeclared, not empty) agrees with content detected as m in a file with
// extension ext. It agrees when:
//   - d is the detected type or one of its ancestors (text/plain for CSV,
//     application/zip for DOCX), aliases included;
//   - the content was detected only as a container (ZIP, OLE) and d is a format
//     stored in that container (DOCX declared, ZIP detected);
//   - d names a text format and the content is text: detection of CSV,
//     Markdown or JSON within text is a guess, so text agrees with text;
//   - d is a type clients are known to declare for ext (see extensionQuirks)
//     and the content is acceptable for ext.
func declaredAccepts(d, ext string, m *mimetype.MIME) bool {
	if isA(m, d) {
		return true
	}
	if m.Is(zipType) || m.Is(oleType) {
		if node := mimetype.Lookup(d); node != nil && isA(node, m.String()) {
			return true
		}
	}
	if isTextual(d) && isText(m) {
		return true
	}
	return slices.Contains(extensionQuirks[ext], d) && extensionAccepts(ext, m)
}

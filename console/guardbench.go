package console

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/guard"
)

// maxBenchText bounds the bench's text before the service's own limit (the
// tenant's max_text_bytes) applies.
const maxBenchText = 1 << 20

// benchData is the guardrail test bench: the form and the scan's result.
type benchData struct {
	Text     string
	Source   string
	Sources  []guard.Source
	Result   *guard.Result
	Scores   []benchScore
	Segments []benchSegment // the text cut at findings' edges
}

type benchScore struct {
	Scanner string
	Score   string
	Percent int
}

// benchSegment is a run of the text, marked when findings cover it.
type benchSegment struct {
	Text  string
	Label string // the findings covering it ("" when none)
}

var benchSources = []guard.Source{guard.SourceUser, guard.SourceDocument, guard.SourceTool, guard.SourceOutput}

func (c *Console) benchPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	c.render(w, r, v, http.StatusOK, "guardbench", page{Title: "Guardrail test bench", Active: "/console/guard",
		Data: benchData{Source: string(guard.SourceUser), Sources: benchSources}})
}

// benchScan scans a pasted text with the tenant's policy (guard.Service.Scan,
// as POST /v1/guard/scan, audited the same way) and shows the verdict, the
// scores and the findings highlighted in the text.
func (c *Console) benchScan(w http.ResponseWriter, r *http.Request, v *viewer) {
	d := benchData{Text: r.PostFormValue("text"), Source: r.PostFormValue("source"), Sources: benchSources}
	p := page{Title: "Guardrail test bench", Active: "/console/guard", Data: d}
	if len(d.Text) > maxBenchText {
		d.Text = ""
		p.Data = d
		c.render(w, r, v, http.StatusRequestEntityTooLarge, "guardbench", withField(p, "text", "The text is too long for the bench."))
		return
	}
	res, err := c.d.Guard.Scan(r.Context(), v.principal.TenantID, c.actorOf(v), guard.Request{Text: d.Text, Source: guard.Source(d.Source)})
	if err != nil {
		var e *rampart.Error
		if asError(err, &e) && e.Field != "" {
			c.render(w, r, v, http.StatusUnprocessableEntity, "guardbench", withField(p, e.Field, e.Message))
			return
		}
		c.fail(w, r, v, err)
		return
	}
	d.Result = res
	for _, sc := range guard.Scanners() {
		if s, ok := res.Scores[sc]; ok {
			d.Scores = append(d.Scores, benchScore{Scanner: string(sc), Score: fmt.Sprintf("%.3f", s), Percent: int(s*100 + 0.5)})
		}
	}
	d.Segments = segments(d.Text, res.Findings)
	p.Data = d
	c.render(w, r, v, http.StatusOK, "guardbench", p)
}

// segments cuts text at the edges of the findings (offsets in code points,
// end exclusive) and labels each run with the findings covering it.
func segments(text string, findings []guard.Finding) []benchSegment {
	runes := []rune(text)
	cuts := []int{0, len(runes)}
	for _, f := range findings {
		if f.Start >= 0 && f.End <= len(runes) && f.Start < f.End {
			cuts = append(cuts, f.Start, f.End)
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	var out []benchSegment
	for i := 0; i+1 < len(cuts); i++ {
		a, b := cuts[i], cuts[i+1]
		var labels []string
		for _, f := range findings {
			if f.Start <= a && b <= f.End {
				l := string(f.Scanner)
				if f.Type != "" {
					l += ": " + f.Type
				}
				if !slices.Contains(labels, l) {
					labels = append(labels, l)
				}
			}
		}
		out = append(out, benchSegment{Text: string(runes[a:b]), Label: strings.Join(labels, ", ")})
	}
	return out
}

package sim

import (
	"strings"
)

// templateContext is what ${{ ... }} expressions can read in run-name and
// concurrency templates.
type templateContext struct {
	inputs  map[string]string
	refName string
	actor   string
	repo    string
	wfName  string
}

// renderTemplate substitutes ${{ inputs.X }}, ${{ github.event.inputs.X }},
// ${{ github.ref_name }}, ${{ github.actor }}, ${{ github.repository }} and
// ${{ github.workflow }}. Unknown expressions render empty, as an undefined
// context value does in Actions.
func renderTemplate(tmpl string, ctx templateContext) string {
	var b strings.Builder
	for {
		i := strings.Index(tmpl, "${{")
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.Index(tmpl[i:], "}}")
		if j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		b.WriteString(ctx.eval(strings.TrimSpace(tmpl[i+3 : i+j])))
		tmpl = tmpl[i+j+2:]
	}
}

func (c templateContext) eval(expr string) string {
	for _, p := range []string{"inputs.", "github.event.inputs."} {
		if name, ok := strings.CutPrefix(expr, p); ok {
			return c.inputs[name]
		}
	}
	switch expr {
	case "github.ref_name", "github.head_ref":
		return c.refName
	case "github.ref":
		return "refs/heads/" + c.refName
	case "github.actor", "github.triggering_actor":
		return c.actor
	case "github.repository":
		return c.repo
	case "github.workflow":
		return c.wfName
	}
	return ""
}

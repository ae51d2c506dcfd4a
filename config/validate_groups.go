package config

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// maxWorkflowInputs is GitHub's limit on workflow_dispatch inputs (25 since
// December 2025; older GHES servers may still enforce 10).
const maxWorkflowInputs = 25

var (
	// idPattern keeps group and template ids safe in URL paths.
	idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	// accountPattern matches a GitHub owner or repository name.
	accountPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
	// inputPattern matches a workflow input id.
	inputPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)
	// workflowPattern matches a workflow file name or a numeric workflow id.
	workflowPattern = regexp.MustCompile(`^([0-9]+|[^/\s]+\.ya?ml)$`)
)

func validateGroups(groups []Group, p *problems) {
	groupIDs := map[string]int{}
	names := map[string]string{}
	templateGroup := map[string]string{}
	for gi := range groups {
		g := &groups[gi]
		key := groupKey(g, gi)
		switch {
		case g.ID == "":
			p.addf("%s: id is required", key)
		case !idPattern.MatchString(g.ID):
			p.addf("%s: id must contain only letters, digits, '.', '_' and '-'", key)
		default:
			if prev, dup := groupIDs[g.ID]; dup {
				p.addf("%s: duplicate group id %q (also groups.github[%d])", key, g.ID, prev)
			} else {
				groupIDs[g.ID] = gi
			}
		}
		if prev, dup := names[g.Name]; dup && g.Name != "" {
			p.addf("%s: name %q is already used by group %q", key, g.Name, prev)
		} else {
			names[g.Name] = g.ID
		}
		validateGroupFields(g, key, p)
		validateTemplates(g, gi, templateGroup, p)
	}
}

func validateGroupFields(g *Group, key string, p *problems) {
	if len(g.RunnerLabels) == 0 {
		p.addf("%s: runner_labels is required", key)
	}
	for i, l := range g.RunnerLabels {
		if strings.TrimSpace(l) == "" {
			p.addf("%s: runner_labels[%d] must not be empty", key, i)
		}
	}
	if g.Weight <= 0 {
		p.addf("%s: weight must be > 0, got %d", key, g.Weight)
	}
	for i, r := range g.Repos {
		owner, repo, ok := strings.Cut(r, "/")
		if !ok || !accountPattern.MatchString(owner) || !accountPattern.MatchString(repo) {
			p.addf("%s: repos[%d] must be \"owner/repo\", got %q", key, i, r)
		}
	}
}

// validateTemplates checks g's templates. templateGroup maps every template
// id seen so far to its group, since ids are unique across all groups.
func validateTemplates(g *Group, gi int, templateGroup map[string]string, p *problems) {
	perSource := map[string]int{}
	for ti := range g.Templates {
		t := &g.Templates[ti]
		src := t.SourceType + "\x00" + t.SourcePath
		label := templateLabel(t, g, gi, perSource[src])
		perSource[src]++
		if t.ID == "" {
			p.addf("%s: id is required", label)
		} else if !idPattern.MatchString(t.ID) {
			p.addf("%s: id must contain only letters, digits, '.', '_' and '-'", label)
		} else if prev, dup := templateGroup[t.ID]; dup {
			if prev == g.ID {
				p.addf("duplicate template id %q (twice in group %q)", t.ID, g.ID)
			} else {
				p.addf("duplicate template id %q (groups %q and %q)", t.ID, prev, g.ID)
			}
		} else {
			templateGroup[t.ID] = g.ID
		}
		validateTemplateFields(t, label, p)
	}
}

func validateTemplateFields(t *Template, label string, p *problems) {
	required := []struct{ key, value string }{{"owner", t.Owner}, {"repo", t.Repo}, {"workflow_id", t.WorkflowID}}
	for _, r := range required {
		if r.value == "" {
			p.addf("%s: %s is required", label, r.key)
		}
	}
	if t.Owner != "" && !accountPattern.MatchString(t.Owner) {
		p.addf("%s: owner must be a GitHub account name, got %q", label, t.Owner)
	}
	if t.Repo != "" && !accountPattern.MatchString(t.Repo) {
		p.addf("%s: repo must be a repository name without its owner, got %q", label, t.Repo)
	}
	if t.WorkflowID != "" && !workflowPattern.MatchString(t.WorkflowID) {
		p.addf("%s: workflow_id must be a workflow file name such as \"build.yml\" or a numeric id, got %q", label, t.WorkflowID)
	}
	for _, k := range sortedKeys(t.Inputs) {
		if !inputPattern.MatchString(k) {
			p.addf("%s: inputs: %q is not a valid input name", label, k)
		}
	}
	for _, k := range sortedKeys(t.Labels) {
		if k == "" {
			p.addf("%s: labels: a label name must not be empty", label)
		}
	}
	count := len(t.Inputs)
	if t.CorrelationInput != "" {
		count++
		if !inputPattern.MatchString(t.CorrelationInput) {
			p.addf("%s: correlation_input %q is not a valid input name", label, t.CorrelationInput)
		}
		if _, set := t.Inputs[t.CorrelationInput]; set {
			p.addf("%s: correlation_input %q must not be set in inputs: the dispatcher fills it with the dispatch key", label, t.CorrelationInput)
		}
	}
	if count > maxWorkflowInputs {
		p.addf("%s: %d inputs (correlation_input included), GitHub accepts at most %d", label, count, maxWorkflowInputs)
	}
}

// groupKey names a group by its position in the file and, if it has one,
// its id: `groups.github[1] (id "gpu")`.
func groupKey(g *Group, index int) string {
	if g.ID == "" {
		return fmt.Sprintf("groups.github[%d]", index)
	}
	return fmt.Sprintf("groups.github[%d] (id %q)", index, g.ID)
}

// templateLabel names a template by id (or by its position within its source
// when the id is missing), its group and, unless inline, its source:
// `template "sync-geth" in group "gpu" (file "gpu.toml")`.
func templateLabel(t *Template, g *Group, gi, indexInSource int) string {
	var b strings.Builder
	if t.ID != "" {
		fmt.Fprintf(&b, "template %q", t.ID)
	} else if t.SourceType == SourceInline {
		fmt.Fprintf(&b, "workflow_dispatch_templates[%d]", indexInSource)
	} else {
		fmt.Fprintf(&b, "templates[%d]", indexInSource)
	}
	fmt.Fprintf(&b, " in group %s", groupName(g, gi))
	if t.SourceType == SourceFile || t.SourceType == SourceURL {
		fmt.Fprintf(&b, " (%s %q)", sourceNoun(t.SourceType), t.SourcePath)
	}
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles creates files (relative name -> content) under a new temporary
// directory and returns it.
func writeFiles(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

const authTOML = `
[auth.basic]
enabled = true
users = [{ username = "admin", password = "pw" }]
`

func TestTemplateFilesTOMLAndYAML(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"conf/config.toml": authTOML + `
[[groups.github]]
id = "gpu"
runner_labels = ["gpu"]
workflow_dispatch_templates_files = ["templates/a.toml", "templates/b.yaml", "templates/c.yml"]
  [[groups.github.workflow_dispatch_templates]]
  id = "inline"
  owner = "o"
  repo = "r"
  workflow_id = "w.yml"
`,
		"conf/templates/a.toml": `
[[templates]]
id = "from-toml"
owner = "o"
repo = "r"
workflow_id = "w.yml"
ref = "dev"
inputs = { target = "${TARGET}" }
`,
		"conf/templates/b.yaml": `
- id: from-yaml-list
  owner: o
  repo: r
  workflow_id: w.yml
  labels: {kind: list}
`,
		"conf/templates/c.yml": `
templates:
  - id: from-yaml-map
    owner: o
    repo: r
    workflow_id: "42"
`,
	})
	// The working directory is the package directory, so the relative paths
	// resolve only if they are taken against the config file's directory.
	c, err := Load(filepath.Join(dir, "conf/config.toml"), LoadOptions{LookupEnv: env(map[string]string{"TARGET": "mainnet"})})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	got := c.Groups[0].Templates
	want := []struct{ id, sourceType, sourcePath string }{
		{"inline", SourceInline, ""},
		{"from-toml", SourceFile, "templates/a.toml"},
		{"from-yaml-list", SourceFile, "templates/b.yaml"},
		{"from-yaml-map", SourceFile, "templates/c.yml"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d templates; want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].ID != w.id || got[i].SourceType != w.sourceType || got[i].SourcePath != w.sourcePath || got[i].GroupID != "gpu" {
			t.Fatalf("template %d = %+v; want id %q from %s %q in group gpu", i, got[i], w.id, w.sourceType, w.sourcePath)
		}
	}
	if got[1].Ref != "dev" || got[1].Inputs["target"] != "mainnet" || got[0].Ref != "main" || got[2].Labels["kind"] != "list" {
		t.Fatalf("template values not carried: %+v", got)
	}
}

func TestTemplateFileAbsolutePath(t *testing.T) {
	dir := writeFiles(t, map[string]string{"t.toml": "[[templates]]\nid = \"abs\"\nowner = \"o\"\nrepo = \"r\"\nworkflow_id = \"w.yml\"\n"})
	abs := filepath.Join(dir, "t.toml")
	c := mustParse(t, authTOML+`
[[groups.github]]
id = "g"
runner_labels = ["x"]
workflow_dispatch_templates_files = ["`+abs+`"]
`, "toml", LoadOptions{})
	if ts := c.Groups[0].Templates; len(ts) != 1 || ts[0].ID != "abs" || ts[0].SourcePath != abs {
		t.Fatalf("templates = %+v", ts)
	}
}

func TestTemplateFileErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"bad.toml":     "[[templates]]\nid = \"x\"\nowner = \"o\"\nrepo = \"r\"\nworkflow_id = \"w.yml\"\nwokflow = \"typo\"\n",
		"unset.yaml":   "- id: y\n  owner: o\n  repo: r\n  workflow_id: w.yml\n  inputs: {token: \"${NOPE}\"}\n",
		"syntax.yaml":  "- id: [\n",
		"invalid.toml": "[[templates]]\nid = \"z\"\nrepo = \"r\"\nworkflow_id = \"w.yml\"\n",
		"empty.toml":   "# nothing yet\n",
	})
	text := authTOML + `
[[groups.github]]
id = "g"
runner_labels = ["x"]
workflow_dispatch_templates_files = ["bad.toml", "unset.yaml", "syntax.yaml", "missing.toml", "invalid.toml"]
`
	_, err := Parse([]byte(text), "toml", dir, LoadOptions{LookupEnv: noEnv})
	if err == nil {
		t.Fatal("Parse succeeded; want errors")
	}
	for _, want := range []string{
		`group "g": template file "bad.toml": unknown key "templates.wokflow"`,
		`group "g": template file "unset.yaml": templates[0].inputs.token: environment variable NOPE is not set (line 5)`,
		`group "g": template file "syntax.yaml": parse:`,
		`group "g": template file "missing.toml":`,
		`template "z" in group "g" (file "invalid.toml"): owner is required`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not contain %q:\n%v", want, err)
		}
	}

	c, err := Parse([]byte(authTOML+`
[[groups.github]]
id = "g"
runner_labels = ["x"]
workflow_dispatch_templates_files = ["empty.toml"]
`), "toml", dir, LoadOptions{LookupEnv: noEnv})
	if err != nil {
		t.Fatalf("empty template file: %v", err)
	}
	if !hasWarning(c, `template file "empty.toml": document holds no templates`) {
		t.Fatalf("warnings = %q; want one about the empty template file", c.Warnings)
	}
}

func TestDuplicateTemplateAcrossSources(t *testing.T) {
	dir := writeFiles(t, map[string]string{"t.toml": "[[templates]]\nid = \"same\"\nowner = \"o\"\nrepo = \"r\"\nworkflow_id = \"w.yml\"\n"})
	_, err := Parse([]byte(authTOML+`
[[groups.github]]
id = "a"
runner_labels = ["x"]
  [[groups.github.workflow_dispatch_templates]]
  id = "same"
  owner = "o"
  repo = "r"
  workflow_id = "w.yml"
[[groups.github]]
id = "b"
runner_labels = ["y"]
workflow_dispatch_templates_files = ["t.toml"]
`), "toml", dir, LoadOptions{LookupEnv: noEnv})
	if err == nil || !strings.Contains(err.Error(), `duplicate template id "same" (groups "a" and "b")`) {
		t.Fatalf("err = %v; want a duplicate template id across groups", err)
	}
}

package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDefaultsWhenOmitted(t *testing.T) {
	c := mustParse(t, minimalTOML, "toml", LoadOptions{})
	want := Default()
	want.Auth.Basic = BasicAuthConfig{Enabled: true, Users: []BasicUser{{Username: "admin", Password: "secret", Role: RoleAdmin}}}
	want.Groups = []Group{{ID: "g1", Name: "g1", RunnerLabels: []string{"self-hosted"}, Weight: 1}}
	want.Warnings = c.Warnings // checked by TestAdvise
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got  %#v\nwant %#v", *c, *want)
	}
	if !c.Dispatcher.Enabled {
		t.Fatal("dispatcher.enabled = false when omitted; want true")
	}
	if !c.Server.RateLimit.Auth.Enabled || c.Server.RateLimit.Public.Enabled || c.Server.RateLimit.Authenticated.Enabled {
		t.Fatalf("rate limit tiers = %+v; want only auth enabled", c.Server.RateLimit)
	}
}

func TestExplicitValuesOverrideDefaults(t *testing.T) {
	c := mustParse(t, minimalTOML+`
[dispatcher]
enabled = false
[server.rate_limit]
enabled = true
[server.rate_limit.auth]
enabled = false
[server.rate_limit.public]
enabled = false
[github]
api_url = "https://ghes.example.com/api/v3"
rate_limit_buffer = 0
[history]
retention_days = -1
`, "toml", LoadOptions{})
	if c.Dispatcher.Enabled {
		t.Fatal("dispatcher.enabled = true; want false as written")
	}
	rl := c.Server.RateLimit
	if rl.Auth.Enabled || rl.Public.Enabled || !rl.Authenticated.Enabled {
		t.Fatalf("tiers auth/public/authenticated = %v/%v/%v; want false/false/true",
			rl.Auth.Enabled, rl.Public.Enabled, rl.Authenticated.Enabled)
	}
	if c.GitHub.APIURL != "https://ghes.example.com/api/v3/" {
		t.Fatalf("api_url = %q; want a trailing slash added", c.GitHub.APIURL)
	}
	if c.GitHub.RateLimitBuffer != 100 {
		t.Fatalf("rate_limit_buffer = %d; want 0 to mean the default 100", c.GitHub.RateLimitBuffer)
	}
	if c.History.RetentionDays != -1 {
		t.Fatalf("retention_days = %d; want -1 (cleanup disabled)", c.History.RetentionDays)
	}
}

func TestZeroMeansDefault(t *testing.T) {
	c := mustParse(t, minimalTOML+`
[server.rate_limit]
auth = { requests_per_minute = 0 }
public = { requests_per_minute = 0 }
authenticated = { requests_per_minute = 0 }
[history]
retention_days = 0
`, "toml", LoadOptions{})
	rl := c.Server.RateLimit
	if rl.Auth.RequestsPerMinute != 10 || rl.Public.RequestsPerMinute != 60 || rl.Authenticated.RequestsPerMinute != 120 {
		t.Fatalf("requests_per_minute = %d/%d/%d; want 10/60/120", rl.Auth.RequestsPerMinute, rl.Public.RequestsPerMinute, rl.Authenticated.RequestsPerMinute)
	}
	if c.History.RetentionDays != 30 {
		t.Fatalf("retention_days = %d; want 30", c.History.RetentionDays)
	}
}

func TestDispatcherEnabledDefaultYAML(t *testing.T) {
	base := `
auth: {basic: {enabled: true, users: [{username: a, password: b}]}}
groups: {github: [{id: g, runner_labels: [x]}]}
`
	if c := mustParse(t, base, "yaml", LoadOptions{}); !c.Dispatcher.Enabled {
		t.Fatal("YAML without dispatcher.enabled: got false; want true")
	}
	if c := mustParse(t, base+"dispatcher: {enabled: false}\n", "yaml", LoadOptions{}); c.Dispatcher.Enabled {
		t.Fatal("YAML with dispatcher.enabled false: got true")
	}
	c := mustParse(t, base+"server: {rate_limit: {enabled: true, authenticated: {enabled: false}}}\n", "yaml", LoadOptions{})
	if rl := c.Server.RateLimit; !rl.Auth.Enabled || !rl.Public.Enabled || rl.Authenticated.Enabled {
		t.Fatalf("YAML tiers = %+v; want auth and public on, authenticated off", rl)
	}
	if c.Auth.Basic.Users[0].Role != RoleReadonly {
		t.Fatalf("role = %q; want empty to mean %q", c.Auth.Basic.Users[0].Role, RoleReadonly)
	}
}

func TestUnknownKeysAreErrors(t *testing.T) {
	err := mustFail(t, minimalTOML+`
[server]
listne = ":1"
[nosuch]
a = 1
b = 2
[[groups.github.workflow_dispatch_templates]]
id = "t"
owner = "o"
repo = "r"
workflow_id = "w.yml"
wokflow = "typo"
`, "toml", LoadOptions{},
		`unknown key "server.listne"`, `unknown key "nosuch"`, `unknown key "groups.github.workflow_dispatch_templates.wokflow"`)
	if strings.Contains(err.Error(), "nosuch.a") {
		t.Fatalf("error %q lists the keys of an unknown table; naming the table is enough", err)
	}
	mustFail(t, "server:\n  listne: x\n", "yaml", LoadOptions{}, "line 2", "listne")
}

func TestReferenceYAMLMatchesTOML(t *testing.T) {
	opts := LoadOptions{LookupEnv: env(map[string]string{
		"GITHUB_TOKEN": "ghp_x", "ADMIN_PASSWORD": "adm1n", "OAUTH_SECRET": "oauth",
	})}
	fromYAML, err := Load("testdata/reference.yaml", opts)
	if err != nil {
		t.Fatalf("Load YAML: %v", err)
	}
	fromTOML, err := Load("testdata/reference.toml", opts)
	if err != nil {
		t.Fatalf("Load TOML: %v", err)
	}
	if len(fromYAML.Warnings) != 1 || !hasWarning(fromYAML, "database section is ignored") {
		t.Fatalf("YAML warnings = %q; want one about the ignored database section", fromYAML.Warnings)
	}
	if len(fromTOML.Warnings) != 0 {
		t.Fatalf("TOML warnings = %q; want none", fromTOML.Warnings)
	}
	fromYAML.Warnings, fromYAML.Path, fromTOML.Path = nil, "", ""
	if !reflect.DeepEqual(fromYAML, fromTOML) {
		t.Fatalf("YAML and TOML differ:\nyaml %#v\ntoml %#v", fromYAML.redactedCopy(), fromTOML.redactedCopy())
	}
	// Spot checks that the equality is about real values.
	g := fromYAML.Groups[0]
	if g.Templates[0].Inputs["el-client"] != `"geth"` || g.Templates[1].ID != "sync-test-mainnet-reth" ||
		g.Templates[1].SourceType != SourceFile || fromYAML.Auth.Basic.Users[1].Password != "pa$word" ||
		fromYAML.GitHub.PollInterval.D() != time.Minute || fromYAML.Server.RateLimit.Auth.RequestsPerMinute != 5 {
		t.Fatalf("unexpected values: %+v", fromYAML.redactedCopy())
	}
}

func TestExampleConfigLoads(t *testing.T) {
	c, err := Load("../config.example.toml", LoadOptions{LookupEnv: noEnv})
	if err != nil {
		t.Fatalf("config.example.toml: %v", err)
	}
	if len(c.Groups) != 2 || c.Groups[0].ID != "sync-tests" || c.Groups[1].ID != "gpu" {
		t.Fatalf("groups = %+v; want sync-tests and gpu", c.Groups)
	}
	if u := c.Auth.Basic.Users[0]; u.Username != "admin" || u.Password != "changeme" || u.Role != RoleAdmin {
		t.Fatalf("first user = %+v; want admin/changeme/admin", u)
	}
	c, err = Load("../config.example.toml", LoadOptions{LookupEnv: env(map[string]string{"ADMIN_PASSWORD": "s3cret"})})
	if err != nil {
		t.Fatalf("config.example.toml with ADMIN_PASSWORD: %v", err)
	}
	if got := c.Auth.Basic.Users[0].Password; got != "s3cret" {
		t.Fatalf("admin password = %q; want it from ADMIN_PASSWORD", got)
	}
	if c.Path != "../config.example.toml" {
		t.Fatalf("Path = %q", c.Path)
	}
}

// TestExampleConfigDocumentsEveryKey checks that each key a config can hold
// appears in config.example.toml, so the example stays complete.
func TestExampleConfigDocumentsEveryKey(t *testing.T) {
	data, err := os.ReadFile("../config.example.toml")
	if err != nil {
		t.Fatalf("read example: %v", err)
	}
	text := string(data)
	var missing []string
	walkKeys(reflect.TypeOf(document{}), "", func(key string) {
		if key == "database" {
			return
		}
		last := key[strings.LastIndex(key, ".")+1:]
		if !strings.Contains(text, last+" =") && !strings.Contains(text, "["+key+"]") {
			missing = append(missing, key)
		}
	})
	if len(missing) > 0 {
		t.Fatalf("config.example.toml does not document %q", missing)
	}
}

// walkKeys calls fn with every leaf key path of a document type.
func walkKeys(t reflect.Type, prefix string, fn func(string)) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == reflect.TypeOf(Duration(0)) {
		fn(prefix)
		return
	}
	for i := 0; i < t.NumField(); i++ {
		if name, ok := tomlName(t.Field(i)); ok {
			walkKeys(t.Field(i).Type, joinKey(prefix, name), fn)
		}
	}
}

func TestLoadFormatAndErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if _, err := Load(write("c.json", "{}"), LoadOptions{}); err == nil || !strings.Contains(err.Error(), "unsupported config format") {
		t.Fatalf("Load .json: err = %v; want unsupported format", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.toml"), LoadOptions{}); err == nil || !strings.Contains(err.Error(), "missing.toml") {
		t.Fatalf("Load missing file: err = %v; want it named", err)
	}
	p := write("bad.toml", "[server\n")
	if _, err := Load(p, LoadOptions{}); err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("Load bad TOML: err = %v; want the path and line", err)
	}
	p = write("c.yml", "auth: {basic: {enabled: true, users: [{username: a, password: b}]}}\n")
	if c, err := Load(p, LoadOptions{LookupEnv: noEnv}); err != nil || c.Path != p {
		t.Fatalf("Load .yml: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 3 {
		t.Fatalf("loading wrote into the config directory: %v %v", entries, err)
	}
}

func TestDurationSyntax(t *testing.T) {
	mustFail(t, minimalTOML+"[dispatcher]\ninterval = 30\n", "toml", LoadOptions{}, "dispatcher.interval", `invalid duration "30"`)
	mustFail(t, minimalTOML+"[dispatcher]\ninterval = \"soon\"\n", "toml", LoadOptions{}, "dispatcher.interval", `"soon"`)
	mustFail(t, "dispatcher: {interval: 30}\n", "yaml", LoadOptions{}, `invalid duration "30"`)
	c := mustParse(t, minimalTOML+"[dispatcher]\ninterval = \"1m30s\"\n", "toml", LoadOptions{})
	if c.Dispatcher.Interval.D() != 90*time.Second {
		t.Fatalf("interval = %v; want 1m30s", c.Dispatcher.Interval)
	}
}

func TestEmptyYAMLDocumentUsesDefaults(t *testing.T) {
	mustFail(t, "", "yaml", LoadOptions{}, "at least one auth method")
	mustFail(t, "", "toml", LoadOptions{}, "at least one auth method")
}

func TestDatabaseSectionIgnoredInTOML(t *testing.T) {
	c := mustParse(t, minimalTOML+"[database]\ndriver = \"postgres\"\n[database.postgres]\npassword = \"${UNSET_DB_PASSWORD}\"\n", "toml", LoadOptions{})
	if !hasWarning(c, "database section is ignored") {
		t.Fatalf("warnings = %q; want one about the database section", c.Warnings)
	}
}

func TestParseRejectsUnknownFormat(t *testing.T) {
	if _, err := Parse([]byte("{}"), "json", "", LoadOptions{}); err == nil || !strings.Contains(err.Error(), `unsupported config format "json"`) {
		t.Fatalf("err = %v; want unsupported format", err)
	}
	for _, f := range []string{"TOML", ".toml", "yml", "YAML"} {
		if _, err := parseFormat(f); err != nil {
			t.Fatalf("parseFormat(%q): %v", f, err)
		}
	}
}

func hasWarning(c *Config, substr string) bool {
	for _, w := range c.Warnings {
		if strings.Contains(w, substr) {
			return true
		}
	}
	return false
}

func TestAdvise(t *testing.T) {
	f := func(extra, want string) {
		t.Helper()
		c := mustParse(t, minimalTOML+extra, "toml", LoadOptions{})
		if !hasWarning(c, want) {
			t.Fatalf("warnings = %q; want one containing %q", c.Warnings, want)
		}
	}
	f("", "github.token is empty")
	f("[cluster]\npeers = [{ id = \"n2\" }]\n", "cluster.peers is ignored")
	f("[server]\ncors_origins = [\"*\"]\n", "any web page")
	c := mustParse(t, `
[github]
token = "t"
[auth.github]
enabled = true
client_id = "i"
client_secret = "s"
[auth.basic]
users = [{ username = "a", password = "b" }]
`, "toml", LoadOptions{})
	if len(c.Warnings) != 1 || !hasWarning(c, "auth.basic.users is ignored") {
		t.Fatalf("warnings = %q; want only the ignored basic users", c.Warnings)
	}
}

package config

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// richTOML is valid and sets every section, so that each validation case can
// break exactly one thing.
const richTOML = `
[server]
cors_origins = ["https://ui.example.com"]
trusted_proxies = ["10.0.0.0/8", "192.168.1.1"]

[cluster]
enabled = true
node_id = "n1"
raft_addr = "127.0.0.1:7001"
http_addr = "http://127.0.0.1:9091"
bootstrap = true
peers = [
  { id = "n2", raft_addr = "127.0.0.1:7002", http_addr = "http://127.0.0.1:9092" },
  { id = "n3", raft_addr = "127.0.0.1:7003", http_addr = "http://127.0.0.1:9093" },
]

[auth.basic]
enabled = true
users = [
  { username = "admin", password = "pw", role = "admin" },
  { username = "viewer", password = "pw" },
]

[auth.github]
enabled = true
client_id = "id"
client_secret = "secret"
redirect_url = "https://ui.example.com/"
allowed_redirect_origins = ["https://other.example.com"]
org_role_mapping = { ethpandaops = "admin" }
user_role_mapping = { octocat = "readonly" }

[[groups.github]]
id = "sync"
runner_labels = ["self-hosted", "sync"]
repos = ["ethpandaops/syncoor-tests"]
  [[groups.github.workflow_dispatch_templates]]
  id = "sync-geth"
  owner = "ethpandaops"
  repo = "syncoor-tests"
  workflow_id = "syncoor.yaml"
  inputs = { el-client = "geth" }
  labels = { network = "hoodi" }
  correlation_input = "dispatch_id"

[[groups.github]]
id = "gpu"
runner_labels = ["gpu"]
weight = 3
  [[groups.github.workflow_dispatch_templates]]
  id = "bench"
  owner = "ethpandaops"
  repo = "gpu-jobs"
  workflow_id = "12345"
`

func TestValidation(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(c *Config)
		want   string
	}{
		// server
		{"listen", func(c *Config) { c.Server.Listen = "9090" }, `server.listen: must be host:port, got "9090"`},
		{"listen port", func(c *Config) { c.Server.Listen = ":99999" }, `server.listen: invalid port`},
		{"cors origin", func(c *Config) { c.Server.CORSOrigins = []string{"ui.example.com"} }, `server.cors_origins[0]: must be an origin`},
		{"cors origin path", func(c *Config) { c.Server.CORSOrigins = []string{"https://ui.example.com/"} }, `server.cors_origins[0]: must be an origin`},
		{"cors star", func(c *Config) { c.Server.CORSOrigins = []string{"https://a.example.com", "*"} }, `server.cors_origins[1]: "*" must be the only entry`},
		{"trusted proxy", func(c *Config) { c.Server.TrustedProxies = []string{"10.0.0.0/8", "proxy.local"} }, `server.trusted_proxies[1]: must be an IP address or a CIDR, got "proxy.local"`},
		{"max body", func(c *Config) { c.Server.MaxBodyBytes = 0 }, `server.max_body_bytes: must be > 0`},
		{"rpm", func(c *Config) { c.Server.RateLimit.Public.RequestsPerMinute = -1 }, `server.rate_limit.public.requests_per_minute: must be > 0`},
		// storage
		{"storage dir", func(c *Config) { c.Storage.Dir = "" }, `storage.dir: is required`},
		{"storage sync", func(c *Config) { c.Storage.Sync = "sometimes" }, `storage.sync: must be "always" or "none", got "sometimes"`},
		{"snapshot every", func(c *Config) { c.Storage.SnapshotEvery = 0 }, `storage.snapshot_every: must be > 0`},
		{"negative commit delay", func(c *Config) { c.Storage.CommitDelay = Duration(-time.Microsecond) }, `storage.commit_delay: must be between 0 and 10ms, got -1µs`},
		{"long commit delay", func(c *Config) { c.Storage.CommitDelay = Duration(time.Second) }, `storage.commit_delay: must be between 0 and 10ms, got 1s`},
		// github
		{"api url", func(c *Config) { c.GitHub.APIURL = "api.github.com" }, `github.api_url: must be an http or https URL`},
		{"poll interval", func(c *Config) { c.GitHub.PollInterval = 0 }, `github.poll_interval: must be a duration > 0`},
		{"request timeout", func(c *Config) { c.GitHub.RequestTimeout = -1 }, `github.request_timeout: must be a duration > 0`},
		{"rate limit buffer", func(c *Config) { c.GitHub.RateLimitBuffer = -5 }, `github.rate_limit_buffer: must be >= 0, got -5`},
		// dispatcher
		{"dispatch interval", func(c *Config) { c.Dispatcher.Interval = 0 }, `dispatcher.interval: must be a duration > 0, got "0s"`},
		{"tracking interval", func(c *Config) { c.Dispatcher.TrackingInterval = 0 }, `dispatcher.tracking_interval: must be a duration > 0`},
		{"run not found", func(c *Config) { c.Dispatcher.RunNotFoundTimeout = 0 }, `dispatcher.run_not_found_timeout: must be a duration > 0`},
		// cluster
		{"node id", func(c *Config) { c.Cluster.NodeID = "" }, `cluster.node_id: is required when the cluster is enabled`},
		{"raft addr", func(c *Config) { c.Cluster.RaftAddr = "127.0.0.1" }, `cluster.raft_addr: must be host:port`},
		{"raft port zero", func(c *Config) { c.Cluster.RaftAddr = "127.0.0.1:0" }, `cluster.raft_addr: invalid port`},
		{"http addr", func(c *Config) { c.Cluster.HTTPAddr = "127.0.0.1:9091" }, `cluster.http_addr: must be an http or https URL`},
		{"peer id", func(c *Config) { c.Cluster.Peers[1].ID = "" }, `cluster.peers[1].id: is required`},
		{"peer id dup", func(c *Config) { c.Cluster.Peers[1].ID = "n1" }, `cluster.peers[1].id: "n1" is already used by cluster.node_id`},
		{"peer raft dup", func(c *Config) { c.Cluster.Peers[1].RaftAddr = "127.0.0.1:7002" }, `cluster.peers[1].raft_addr: "127.0.0.1:7002" is already used by cluster.peers[0].raft_addr`},
		{"peer http", func(c *Config) { c.Cluster.Peers[0].HTTPAddr = "" }, `cluster.peers[0].http_addr: must be an http or https URL`},
		// auth
		{"session ttl", func(c *Config) { c.Auth.SessionTTL = 0 }, `auth.session_ttl: must be a duration > 0`},
		{"no auth method", func(c *Config) { c.Auth.Basic.Enabled, c.Auth.GitHub.Enabled = false, false }, `auth: at least one auth method (auth.basic or auth.github) must be enabled`},
		{"no users", func(c *Config) { c.Auth.Basic.Users = nil }, `auth.basic.users: at least one user is required`},
		{"username", func(c *Config) { c.Auth.Basic.Users[1].Username = "" }, `auth.basic.users[1]: username is required`},
		{"username dup", func(c *Config) { c.Auth.Basic.Users[1].Username = "admin" }, `auth.basic.users[1]: username "admin" is already used by auth.basic.users[0]`},
		{"password", func(c *Config) { c.Auth.Basic.Users[0].Password = "" }, `auth.basic.users[0]: password is required`},
		{"role", func(c *Config) { c.Auth.Basic.Users[0].Role = "root" }, `auth.basic.users[0]: role must be "admin" or "readonly", got "root"`},
		{"client id", func(c *Config) { c.Auth.GitHub.ClientID = "" }, `auth.github.client_id: is required when github auth is enabled`},
		{"client secret", func(c *Config) { c.Auth.GitHub.ClientSecret = "" }, `auth.github.client_secret: is required when github auth is enabled`},
		{"redirect url", func(c *Config) { c.Auth.GitHub.RedirectURL = "/login" }, `auth.github.redirect_url: must be an http or https URL`},
		{"redirect origins", func(c *Config) { c.Auth.GitHub.AllowedRedirectOrigins = []string{"javascript:x"} }, `auth.github.allowed_redirect_origins[0]: must be an origin`},
		{"org role", func(c *Config) { c.Auth.GitHub.OrgRoleMapping["ethpandaops"] = "owner" }, `auth.github.org_role_mapping["ethpandaops"]: role must be "admin" or "readonly", got "owner"`},
		{"user role", func(c *Config) { c.Auth.GitHub.UserRoleMapping["octocat"] = "" }, `auth.github.user_role_mapping["octocat"]: role must be`},
		// history, logging, templates
		{"cleanup interval", func(c *Config) { c.History.CleanupInterval = 0 }, `history.cleanup_interval: must be a duration > 0`},
		{"log level", func(c *Config) { c.Logging.Level = "verbose" }, `logging.level: must be "debug", "info", "warn" or "error", got "verbose"`},
		{"log format", func(c *Config) { c.Logging.Format = "xml" }, `logging.format: must be "text" or "json", got "xml"`},
		{"url timeout", func(c *Config) { c.Templates.URLTimeout = 0 }, `templates.url_timeout: must be a duration > 0`},
		{"url max bytes", func(c *Config) { c.Templates.URLMaxBytes = 0 }, `templates.url_max_bytes: must be > 0`},
		// groups
		{"group id", func(c *Config) { c.Groups[1].ID = "" }, `groups.github[1]: id is required`},
		{"group id chars", func(c *Config) { c.Groups[1].ID = "g p u" }, `groups.github[1] (id "g p u"): id must contain only letters, digits, '.', '_' and '-'`},
		{"group id dup", func(c *Config) { c.Groups[1].ID = "sync"; c.Groups[1].Name = "other" }, `groups.github[1] (id "sync"): duplicate group id "sync" (also groups.github[0])`},
		{"group name dup", func(c *Config) { c.Groups[1].Name = "sync" }, `groups.github[1] (id "gpu"): name "sync" is already used by group "sync"`},
		{"runner labels", func(c *Config) { c.Groups[1].RunnerLabels = nil }, `groups.github[1] (id "gpu"): runner_labels is required`},
		{"runner label empty", func(c *Config) { c.Groups[1].RunnerLabels = []string{"gpu", " "} }, `groups.github[1] (id "gpu"): runner_labels[1] must not be empty`},
		{"weight", func(c *Config) { c.Groups[1].Weight = 0 }, `groups.github[1] (id "gpu"): weight must be > 0, got 0`},
		{"repos", func(c *Config) { c.Groups[0].Repos = []string{"syncoor-tests"} }, `groups.github[0] (id "sync"): repos[0] must be "owner/repo", got "syncoor-tests"`},
		// templates
		{"template id", func(c *Config) { c.Groups[1].Templates[0].ID = "" }, `workflow_dispatch_templates[0] in group "gpu": id is required`},
		{"template id chars", func(c *Config) { c.Groups[1].Templates[0].ID = "a/b" }, `template "a/b" in group "gpu": id must contain only`},
		{"template id dup", func(c *Config) { c.Groups[1].Templates[0].ID = "sync-geth" }, `duplicate template id "sync-geth" (groups "sync" and "gpu")`},
		{"template id dup same group", func(c *Config) {
			c.Groups[1].Templates = append(c.Groups[1].Templates, c.Groups[1].Templates[0])
		}, `duplicate template id "bench" (twice in group "gpu")`},
		{"owner", func(c *Config) { c.Groups[0].Templates[0].Owner = "" }, `template "sync-geth" in group "sync": owner is required`},
		{"owner chars", func(c *Config) { c.Groups[0].Templates[0].Owner = "a/b" }, `template "sync-geth" in group "sync": owner must be a GitHub account name, got "a/b"`},
		{"repo", func(c *Config) { c.Groups[0].Templates[0].Repo = "" }, `template "sync-geth" in group "sync": repo is required`},
		{"repo with owner", func(c *Config) { c.Groups[0].Templates[0].Repo = "ethpandaops/syncoor-tests" }, `template "sync-geth" in group "sync": repo must be a repository name without its owner`},
		{"workflow id", func(c *Config) { c.Groups[0].Templates[0].WorkflowID = "" }, `template "sync-geth" in group "sync": workflow_id is required`},
		{"workflow path", func(c *Config) { c.Groups[0].Templates[0].WorkflowID = ".github/workflows/x.yml" }, `template "sync-geth" in group "sync": workflow_id must be a workflow file name`},
		{"input name", func(c *Config) { c.Groups[0].Templates[0].Inputs["bad name"] = "x" }, `template "sync-geth" in group "sync": inputs: "bad name" is not a valid input name`},
		{"label name", func(c *Config) { c.Groups[0].Templates[0].Labels[""] = "x" }, `template "sync-geth" in group "sync": labels: a label name must not be empty`},
		{"correlation name", func(c *Config) { c.Groups[0].Templates[0].CorrelationInput = "1x" }, `template "sync-geth" in group "sync": correlation_input "1x" is not a valid input name`},
		{"correlation in inputs", func(c *Config) { c.Groups[0].Templates[0].Inputs["dispatch_id"] = "" }, `template "sync-geth" in group "sync": correlation_input "dispatch_id" must not be set in inputs`},
		{"too many inputs", func(c *Config) {
			for i := 0; i < 24; i++ {
				c.Groups[0].Templates[0].Inputs[fmt.Sprintf("in%d", i)] = "v"
			}
		}, `template "sync-geth" in group "sync": 26 inputs (correlation_input included), GitHub accepts at most 25`},
		{"file template label", func(c *Config) {
			c.Groups[1].Templates = append(c.Groups[1].Templates, Template{ID: "ft", Repo: "r", WorkflowID: "w.yml", SourceType: SourceFile, SourcePath: "t.toml"})
		}, `template "ft" in group "gpu" (file "t.toml"): owner is required`},
		{"url template without id", func(c *Config) {
			c.Groups[1].Templates = append(c.Groups[1].Templates, Template{Owner: "o", Repo: "r", WorkflowID: "w.yml", SourceType: SourceURL, SourcePath: "https://x/t.yaml"})
		}, `templates[0] in group "gpu" (URL "https://x/t.yaml"): id is required`},
	}
	if err := validateOnly(mustParse(t, richTOML, "toml", LoadOptions{})); err != nil {
		t.Fatalf("richTOML is invalid: %v", err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustParse(t, richTOML, "toml", LoadOptions{})
			tc.mutate(c)
			err := validateOnly(c)
			if err == nil {
				t.Fatalf("no error; want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q\ndoes not contain %q", err, tc.want)
			}
			if n := len(strings.Split(err.Error(), "\n")); n != 1 {
				t.Fatalf("%d errors; want only the one caused by the change:\n%v", n, err)
			}
		})
	}
}

func validateOnly(c *Config) error {
	var p problems
	validate(c, &p)
	return p.err()
}

func TestValidationCollectsAllErrors(t *testing.T) {
	text := `
[storage]
sync = "sometimes"
[auth.basic]
enabled = true
users = [{ username = "a", password = "b", role = "boss" }]
[[groups.github]]
id = "gpu"
weight = 0
  [[groups.github.workflow_dispatch_templates]]
  id = "sync-geth"
  repo = "r"
  workflow_id = "w.yml"
[[groups.github]]
id = "b"
runner_labels = ["x"]
  [[groups.github.workflow_dispatch_templates]]
  id = "sync-geth"
  owner = "o"
  repo = "r"
  workflow_id = "w.yml"
`
	mustFail(t, text, "toml", LoadOptions{},
		`storage.sync: must be "always" or "none", got "sometimes"`,
		`auth.basic.users[0]: role must be "admin" or "readonly", got "boss"`,
		`groups.github[0] (id "gpu"): runner_labels is required`,
		`groups.github[0] (id "gpu"): weight must be > 0, got 0`,
		`template "sync-geth" in group "gpu": owner is required`,
		`duplicate template id "sync-geth" (groups "gpu" and "b")`,
	)
}

func TestClusterNotValidatedWhenDisabled(t *testing.T) {
	mustParse(t, minimalTOML+"[cluster]\nenabled = false\nraft_addr = \"nonsense\"\n", "toml", LoadOptions{})
}

func TestGitHubAuthAloneSuffices(t *testing.T) {
	c := mustParse(t, `
[auth.github]
enabled = true
client_id = "id"
client_secret = "s"
[[groups.github]]
id = "g"
runner_labels = ["x"]
`, "toml", LoadOptions{})
	if c.Auth.Basic.Enabled || !c.Auth.GitHub.Enabled {
		t.Fatalf("auth = %+v", c.Auth)
	}
}

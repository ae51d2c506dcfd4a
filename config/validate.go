package config

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"time"
)

// validate checks every section and adds each problem to p. Messages start
// with the key they concern, so a user can find it in the file.
func validate(c *Config, p *problems) {
	validateServer(&c.Server, p)
	validateStorage(&c.Storage, p)
	validateGitHub(&c.GitHub, p)
	validateDispatcher(&c.Dispatcher, p)
	validateCluster(&c.Cluster, p)
	validateAuth(&c.Auth, p)
	validateHistory(&c.History, p)
	validateLogging(&c.Logging, p)
	validateTemplateSettings(&c.Templates, p)
	validateGroups(c.Groups, p)
}

func validateServer(s *ServerConfig, p *problems) {
	if err := checkHostPort(s.Listen, true); err != nil {
		p.addf("server.listen: %w", err)
	}
	for i, o := range s.CORSOrigins {
		if o == "*" {
			if len(s.CORSOrigins) > 1 {
				p.addf(`server.cors_origins[%d]: "*" must be the only entry`, i)
			}
			continue
		}
		if err := checkOrigin(o); err != nil {
			p.addf(`server.cors_origins[%d]: %w`, i, err)
		}
	}
	for i, tp := range s.TrustedProxies {
		if _, err := netip.ParsePrefix(tp); err == nil {
			continue
		}
		if _, err := netip.ParseAddr(tp); err != nil {
			p.addf("server.trusted_proxies[%d]: must be an IP address or a CIDR, got %q", i, tp)
		}
	}
	if s.MaxBodyBytes <= 0 {
		p.addf("server.max_body_bytes: must be > 0, got %d", s.MaxBodyBytes)
	}
	tiers := []struct {
		name string
		tier RateTier
	}{{"auth", s.RateLimit.Auth}, {"public", s.RateLimit.Public}, {"authenticated", s.RateLimit.Authenticated}}
	for _, t := range tiers {
		if t.tier.RequestsPerMinute < 0 {
			p.addf("server.rate_limit.%s.requests_per_minute: must be > 0, got %d", t.name, t.tier.RequestsPerMinute)
		}
	}
}

func validateStorage(s *StorageConfig, p *problems) {
	if s.Dir == "" {
		p.addf("storage.dir: is required")
	}
	if s.Sync != SyncAlways && s.Sync != SyncNone {
		p.addf("storage.sync: must be %q or %q, got %q", SyncAlways, SyncNone, s.Sync)
	}
	if s.SnapshotEvery <= 0 {
		p.addf("storage.snapshot_every: must be > 0, got %d", s.SnapshotEvery)
	}
	if s.CommitDelay < 0 || s.CommitDelay.D() > maxCommitDelay {
		p.addf("storage.commit_delay: must be between 0 and %s, got %s", maxCommitDelay, s.CommitDelay)
	}
}

// maxCommitDelay bounds storage.commit_delay: every concurrent write may
// wait this long, so more is a misunderstanding rather than a tuning.
const maxCommitDelay = 10 * time.Millisecond

func validateGitHub(g *GitHubConfig, p *problems) {
	if err := checkHTTPURL(g.APIURL); err != nil {
		p.addf("github.api_url: %w", err)
	}
	checkPositive(p, "github.poll_interval", g.PollInterval)
	checkPositive(p, "github.request_timeout", g.RequestTimeout)
	if g.RateLimitBuffer < 0 {
		p.addf("github.rate_limit_buffer: must be >= 0, got %d", g.RateLimitBuffer)
	}
}

func validateDispatcher(d *DispatcherConfig, p *problems) {
	checkPositive(p, "dispatcher.interval", d.Interval)
	checkPositive(p, "dispatcher.tracking_interval", d.TrackingInterval)
	checkPositive(p, "dispatcher.run_not_found_timeout", d.RunNotFoundTimeout)
}

func validateCluster(c *ClusterConfig, p *problems) {
	if !c.Enabled {
		return
	}
	if c.NodeID == "" {
		p.addf("cluster.node_id: is required when the cluster is enabled")
	}
	if err := checkHostPort(c.RaftAddr, false); err != nil {
		p.addf("cluster.raft_addr: %w", err)
	}
	if err := checkHTTPURL(c.HTTPAddr); err != nil {
		p.addf("cluster.http_addr: %w", err)
	}
	ids := map[string]string{c.NodeID: "cluster.node_id"}
	raftAddrs := map[string]string{c.RaftAddr: "cluster.raft_addr"}
	for i, peer := range c.Peers {
		key := fmt.Sprintf("cluster.peers[%d]", i)
		if peer.ID == "" {
			p.addf("%s.id: is required", key)
		} else if prev, dup := ids[peer.ID]; dup {
			p.addf("%s.id: %q is already used by %s", key, peer.ID, prev)
		} else {
			ids[peer.ID] = key + ".id"
		}
		if err := checkHostPort(peer.RaftAddr, false); err != nil {
			p.addf("%s.raft_addr: %w", key, err)
		} else if prev, dup := raftAddrs[peer.RaftAddr]; dup {
			p.addf("%s.raft_addr: %q is already used by %s", key, peer.RaftAddr, prev)
		} else {
			raftAddrs[peer.RaftAddr] = key + ".raft_addr"
		}
		if err := checkHTTPURL(peer.HTTPAddr); err != nil {
			p.addf("%s.http_addr: %w", key, err)
		}
	}
}

func validateAuth(a *AuthConfig, p *problems) {
	checkPositive(p, "auth.session_ttl", a.SessionTTL)
	if !a.Basic.Enabled && !a.GitHub.Enabled {
		p.addf("auth: at least one auth method (auth.basic or auth.github) must be enabled")
	}
	if a.Basic.Enabled && len(a.Basic.Users) == 0 {
		p.addf("auth.basic.users: at least one user is required when basic auth is enabled")
	}
	seen := map[string]int{}
	for i, u := range a.Basic.Users {
		key := fmt.Sprintf("auth.basic.users[%d]", i)
		if u.Username == "" {
			p.addf("%s: username is required", key)
		} else if prev, dup := seen[u.Username]; dup {
			p.addf("%s: username %q is already used by auth.basic.users[%d]", key, u.Username, prev)
		} else {
			seen[u.Username] = i
		}
		if u.Password == "" {
			p.addf("%s: password is required", key)
		}
		if !validRole(u.Role) {
			p.addf("%s: role must be %q or %q, got %q", key, RoleAdmin, RoleReadonly, u.Role)
		}
	}
	validateGitHubAuth(&a.GitHub, p)
}

func validateGitHubAuth(g *GitHubAuthConfig, p *problems) {
	if g.Enabled {
		if g.ClientID == "" {
			p.addf("auth.github.client_id: is required when github auth is enabled")
		}
		if g.ClientSecret == "" {
			p.addf("auth.github.client_secret: is required when github auth is enabled")
		}
	}
	if g.RedirectURL != "" {
		if err := checkHTTPURL(g.RedirectURL); err != nil {
			p.addf("auth.github.redirect_url: %w", err)
		}
	}
	for i, o := range g.AllowedRedirectOrigins {
		if err := checkOrigin(o); err != nil {
			p.addf("auth.github.allowed_redirect_origins[%d]: %w", i, err)
		}
	}
	for _, m := range []struct {
		key     string
		mapping map[string]string
	}{{"org_role_mapping", g.OrgRoleMapping}, {"user_role_mapping", g.UserRoleMapping}} {
		for _, login := range sortedKeys(m.mapping) {
			if login == "" {
				p.addf("auth.github.%s: a login must not be empty", m.key)
			}
			if role := m.mapping[login]; !validRole(role) {
				p.addf("auth.github.%s[%q]: role must be %q or %q, got %q", m.key, login, RoleAdmin, RoleReadonly, role)
			}
		}
	}
}

func validateHistory(h *HistoryConfig, p *problems) {
	checkPositive(p, "history.cleanup_interval", h.CleanupInterval)
}

func validateLogging(l *LoggingConfig, p *problems) {
	switch l.Level {
	case "debug", "info", "warn", "error":
	default:
		p.addf(`logging.level: must be "debug", "info", "warn" or "error", got %q`, l.Level)
	}
	if l.Format != LogText && l.Format != LogJSON {
		p.addf("logging.format: must be %q or %q, got %q", LogText, LogJSON, l.Format)
	}
}

func validateTemplateSettings(t *TemplatesConfig, p *problems) {
	checkPositive(p, "templates.url_timeout", t.URLTimeout)
	if t.URLMaxBytes <= 0 {
		p.addf("templates.url_max_bytes: must be > 0, got %d", t.URLMaxBytes)
	}
}

func validRole(r string) bool { return r == RoleAdmin || r == RoleReadonly }

func checkPositive(p *problems, key string, d Duration) {
	if d <= 0 {
		p.addf("%s: must be a duration > 0, got %q", key, d.String())
	}
}

// checkHostPort accepts "host:port" and ":port"; port 0 only if allowZero.
func checkHostPort(s string, allowZero bool) error {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("must be host:port, got %q", s)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 || (n == 0 && !allowZero) {
		return fmt.Errorf("invalid port in %q", s)
	}
	return nil
}

// checkHTTPURL accepts an absolute http or https URL.
func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("must be an http or https URL, got %q", s)
	}
	return nil
}

// checkOrigin accepts a browser origin: scheme and host, with no path (not
// even "/", since an Origin header never has one and would not match).
func checkOrigin(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("must be an origin such as \"https://ui.example.com\", got %q", s)
	}
	return nil
}

package config

// Config is the whole configuration after loading, defaulting and validation.
type Config struct {
	Server     ServerConfig
	Storage    StorageConfig
	GitHub     GitHubConfig
	Dispatcher DispatcherConfig
	Cluster    ClusterConfig
	Auth       AuthConfig
	History    HistoryConfig
	Logging    LoggingConfig
	Templates  TemplatesConfig
	// Groups holds `[[groups.github]]` in file order, each with its templates
	// from every source already collected.
	Groups []Group
	// Warnings lists things that loaded but deserve the operator's attention,
	// such as an ignored `database` section.
	Warnings []string
	// Path is the file the configuration came from; empty after Parse.
	Path string
}

// ServerConfig is `[server]`.
type ServerConfig struct {
	Listen      string   `toml:"listen" yaml:"listen"`
	CORSOrigins []string `toml:"cors_origins" yaml:"cors_origins"`
	// TrustedProxies lists the CIDRs or IPs whose X-Forwarded-For and
	// X-Real-IP headers are believed. From anyone else they are ignored, so a
	// client cannot pick its own rate-limit key.
	TrustedProxies []string        `toml:"trusted_proxies" yaml:"trusted_proxies"`
	MaxBodyBytes   int64           `toml:"max_body_bytes" yaml:"max_body_bytes"`
	RateLimit      RateLimitConfig `toml:"rate_limit" yaml:"rate_limit"`
}

// RateLimitConfig is `[server.rate_limit]`: per-IP token buckets in three tiers.
type RateLimitConfig struct {
	// Enabled is the default for the public and authenticated tiers.
	Enabled bool `toml:"enabled" yaml:"enabled"`
	// Auth guards the login endpoints. It is on by default, even when
	// Enabled is false, because it is the brute-force protection.
	Auth          RateTier `toml:"auth" yaml:"auth"`
	Public        RateTier `toml:"public" yaml:"public"`
	Authenticated RateTier `toml:"authenticated" yaml:"authenticated"`
}

// RateTier is one rate-limit tier. After loading, Enabled is final: a tier
// whose `enabled` key is absent has already taken its default.
type RateTier struct {
	Enabled           bool `toml:"enabled" yaml:"enabled"`
	RequestsPerMinute int  `toml:"requests_per_minute" yaml:"requests_per_minute"`
}

// Storage sync policies.
const (
	SyncAlways = "always" // fsync before a write is acknowledged
	SyncNone   = "none"   // leave flushing to the operating system
)

// StorageConfig is `[storage]`: where the write-ahead log lives.
type StorageConfig struct {
	// Dir is used as written; a relative path is relative to the working
	// directory of the process, not to the config file.
	Dir  string `toml:"dir" yaml:"dir"`
	Sync string `toml:"sync" yaml:"sync"`
	// SnapshotEvery is the number of events between snapshots.
	SnapshotEvery int `toml:"snapshot_every" yaml:"snapshot_every"`
	// CommitDelay is how long a group commit may wait for more writes
	// before its fsync while writes arrive concurrently (wal.Options).
	CommitDelay Duration `toml:"commit_delay" yaml:"commit_delay"`
}

// GitHubConfig is `[github]`.
type GitHubConfig struct {
	// APIURL always ends in "/" after loading, as go-github requires.
	APIURL          string   `toml:"api_url" yaml:"api_url"`
	Token           string   `toml:"token" yaml:"token"`
	RunnersToken    string   `toml:"runners_token" yaml:"runners_token"`
	PollInterval    Duration `toml:"poll_interval" yaml:"poll_interval"`
	RateLimitBuffer int      `toml:"rate_limit_buffer" yaml:"rate_limit_buffer"`
	// WebhookSecret, when set, enables POST /api/v1/webhooks/github.
	WebhookSecret  string   `toml:"webhook_secret" yaml:"webhook_secret"`
	RequestTimeout Duration `toml:"request_timeout" yaml:"request_timeout"`
}

// DispatcherConfig is `[dispatcher]`.
type DispatcherConfig struct {
	// Enabled defaults to true: omitting the key must not silently switch
	// dispatching off, as it did in the reference system.
	Enabled          bool     `toml:"enabled" yaml:"enabled"`
	Interval         Duration `toml:"interval" yaml:"interval"`
	TrackingInterval Duration `toml:"tracking_interval" yaml:"tracking_interval"`
	// RunNotFoundTimeout is how long a triggered job may go without its run
	// being found before it is reconciled as failed.
	RunNotFoundTimeout Duration `toml:"run_not_found_timeout" yaml:"run_not_found_timeout"`
}

// ClusterConfig is `[cluster]`.
type ClusterConfig struct {
	Enabled bool   `toml:"enabled" yaml:"enabled"`
	NodeID  string `toml:"node_id" yaml:"node_id"`
	// RaftAddr is host:port for Raft traffic.
	RaftAddr string `toml:"raft_addr" yaml:"raft_addr"`
	// HTTPAddr is the base URL where peers forward writes to this node.
	HTTPAddr string `toml:"http_addr" yaml:"http_addr"`
	// Bootstrap is set on exactly one node of a new cluster.
	Bootstrap bool   `toml:"bootstrap" yaml:"bootstrap"`
	Peers     []Peer `toml:"peers" yaml:"peers"`
}

// Peer is one `[[cluster.peers]]` entry.
type Peer struct {
	ID       string `toml:"id" yaml:"id"`
	RaftAddr string `toml:"raft_addr" yaml:"raft_addr"`
	HTTPAddr string `toml:"http_addr" yaml:"http_addr"`
}

// User roles.
const (
	RoleAdmin    = "admin"
	RoleReadonly = "readonly"
)

// AuthConfig is `[auth]`.
type AuthConfig struct {
	SessionTTL Duration         `toml:"session_ttl" yaml:"session_ttl"`
	Basic      BasicAuthConfig  `toml:"basic" yaml:"basic"`
	GitHub     GitHubAuthConfig `toml:"github" yaml:"github"`
}

// BasicAuthConfig is `[auth.basic]`.
type BasicAuthConfig struct {
	Enabled bool        `toml:"enabled" yaml:"enabled"`
	Users   []BasicUser `toml:"users" yaml:"users"`
}

// BasicUser is one `[[auth.basic.users]]` entry. Role is RoleAdmin or
// RoleReadonly after loading (empty becomes RoleReadonly).
type BasicUser struct {
	Username string `toml:"username" yaml:"username"`
	Password string `toml:"password" yaml:"password"`
	Role     string `toml:"role" yaml:"role"`
}

// GitHubAuthConfig is `[auth.github]` (OAuth login).
type GitHubAuthConfig struct {
	Enabled      bool   `toml:"enabled" yaml:"enabled"`
	ClientID     string `toml:"client_id" yaml:"client_id"`
	ClientSecret string `toml:"client_secret" yaml:"client_secret"`
	// RedirectURL is the UI address to return to after login, not the OAuth
	// callback.
	RedirectURL string `toml:"redirect_url" yaml:"redirect_url"`
	// AllowedRedirectOrigins are the origins a login's `redirect` parameter
	// may point at, besides RedirectURL's own.
	AllowedRedirectOrigins []string `toml:"allowed_redirect_origins" yaml:"allowed_redirect_origins"`
	// OrgRoleMapping maps an organisation login to a role.
	OrgRoleMapping map[string]string `toml:"org_role_mapping" yaml:"org_role_mapping"`
	// UserRoleMapping maps a user login (compared case-insensitively) to a
	// role; it wins over OrgRoleMapping.
	UserRoleMapping map[string]string `toml:"user_role_mapping" yaml:"user_role_mapping"`
}

// HistoryConfig is `[history]`.
type HistoryConfig struct {
	// RetentionDays is how long finished jobs are kept. Zero means the
	// default (30); a negative value disables cleanup.
	RetentionDays   int      `toml:"retention_days" yaml:"retention_days"`
	CleanupInterval Duration `toml:"cleanup_interval" yaml:"cleanup_interval"`
}

// Log formats.
const (
	LogText = "text"
	LogJSON = "json"
)

// LoggingConfig is `[logging]`.
type LoggingConfig struct {
	Level  string `toml:"level" yaml:"level"`
	Format string `toml:"format" yaml:"format"`
}

// TemplatesConfig is `[templates]`: how template URLs are fetched.
type TemplatesConfig struct {
	// AllowPrivateURLs lets template URLs reach loopback, link-local,
	// private, unspecified and multicast addresses. Off by default so that a
	// config cannot be used to probe the internal network.
	AllowPrivateURLs bool     `toml:"allow_private_urls" yaml:"allow_private_urls"`
	URLTimeout       Duration `toml:"url_timeout" yaml:"url_timeout"`
	URLMaxBytes      int64    `toml:"url_max_bytes" yaml:"url_max_bytes"`
}

package config

import "time"

// Defaults that are also the meaning of an explicit zero, as in the reference
// system.
const (
	defaultAuthRPM          = 10
	defaultPublicRPM        = 60
	defaultAuthenticatedRPM = 120
	defaultRateLimitBuffer  = 100
	defaultRetentionDays    = 30
	defaultWeight           = 1
)

// Default returns a configuration with every default filled in. It has no
// groups and no auth method enabled, so it does not pass validation by itself;
// a config file is decoded over it, so keys the file omits keep these values.
func Default() *Config {
	return &Config{
		Server: ServerConfig{
			Listen:       ":9090",
			MaxBodyBytes: 1 << 20,
			RateLimit: RateLimitConfig{
				Auth:          RateTier{Enabled: true, RequestsPerMinute: defaultAuthRPM},
				Public:        RateTier{RequestsPerMinute: defaultPublicRPM},
				Authenticated: RateTier{RequestsPerMinute: defaultAuthenticatedRPM},
			},
		},
		Storage: StorageConfig{Dir: "./data", Sync: SyncAlways, SnapshotEvery: 10000, CommitDelay: Duration(defaultCommitDelay)},
		GitHub: GitHubConfig{
			APIURL:          "https://api.github.com/",
			PollInterval:    Duration(15 * time.Second),
			RateLimitBuffer: defaultRateLimitBuffer,
			RequestTimeout:  Duration(10 * time.Second),
		},
		Dispatcher: DispatcherConfig{
			Enabled:            true,
			Interval:           Duration(30 * time.Second),
			TrackingInterval:   Duration(30 * time.Second),
			RunNotFoundTimeout: Duration(5 * time.Minute),
		},
		Auth:    AuthConfig{SessionTTL: Duration(24 * time.Hour)},
		History: HistoryConfig{RetentionDays: defaultRetentionDays, CleanupInterval: Duration(time.Hour)},
		Logging: LoggingConfig{Level: "info", Format: LogText},
		Templates: TemplatesConfig{
			URLTimeout:  Duration(30 * time.Second),
			URLMaxBytes: 1 << 20,
		},
	}
}

// definedFunc reports whether a key path is present in the document, so that
// a default can depend on another key only when the file is silent.
type definedFunc func(path ...string) bool

// applyImplicitDefaults fills the values whose default is not a constant or
// whose explicit zero means "default". It runs after decoding, before
// validation.
func applyImplicitDefaults(c *Config, defined definedFunc) {
	rl := &c.Server.RateLimit
	// The public and authenticated tiers follow rate_limit.enabled unless
	// they say otherwise; the auth tier keeps its own default (on).
	if !defined("server", "rate_limit", "public", "enabled") {
		rl.Public.Enabled = rl.Enabled
	}
	if !defined("server", "rate_limit", "authenticated", "enabled") {
		rl.Authenticated.Enabled = rl.Enabled
	}
	zeroMeansDefault(&rl.Auth.RequestsPerMinute, defaultAuthRPM)
	zeroMeansDefault(&rl.Public.RequestsPerMinute, defaultPublicRPM)
	zeroMeansDefault(&rl.Authenticated.RequestsPerMinute, defaultAuthenticatedRPM)
	zeroMeansDefault(&c.GitHub.RateLimitBuffer, defaultRateLimitBuffer)
	zeroMeansDefault(&c.History.RetentionDays, defaultRetentionDays)
	if c.GitHub.APIURL != "" && c.GitHub.APIURL[len(c.GitHub.APIURL)-1] != '/' {
		c.GitHub.APIURL += "/"
	}
	for i := range c.Auth.Basic.Users {
		if c.Auth.Basic.Users[i].Role == "" {
			c.Auth.Basic.Users[i].Role = RoleReadonly
		}
	}
	for i := range c.Groups {
		g := &c.Groups[i]
		if g.Name == "" {
			g.Name = g.ID
		}
		for j := range g.Templates {
			if g.Templates[j].Ref == "" {
				g.Templates[j].Ref = DefaultRef
			}
		}
	}
}

func zeroMeansDefault(v *int, def int) {
	if *v == 0 {
		*v = def
	}
}

// defaultCommitDelay lets a busy journal gather a few more writes per fsync
// (about a quarter of a typical SSD flush) without a lone write waiting.
const defaultCommitDelay = 250 * time.Microsecond

package httpd

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"time"
)

// Build information, set at link time:
//
//	go build -ldflags "-X github.com/dispatchoor/dispatchoor/http.Version=v1.2.3 \
//	  -X github.com/dispatchoor/dispatchoor/http.Commit=abc1234 \
//	  -X github.com/dispatchoor/dispatchoor/http.BuildDate=2025-01-01T00:00:00Z"
//
// Non-empty Options.Version, Commit and BuildDate take precedence.
var (
	Version   = "dev"
	Commit    = "unknown"
	BuildDate = "unknown"
)

// Defaults for zero Options fields.
const (
	DefaultMaxBodyBytes   = 1 << 20
	DefaultSessionTTL     = 24 * time.Hour
	DefaultRequestTimeout = 15 * time.Second
)

// Roles. Any role other than RoleAdmin is read-only, as in the reference.
const (
	RoleAdmin    = "admin"
	RoleReadonly = "readonly"
)

// BasicUser is a username/password login from config.
type BasicUser struct {
	Username string
	Password string
	Role     string // RoleAdmin or RoleReadonly; empty means RoleReadonly
}

// RateTier is one per-IP token bucket tier: a rate of RequestsPerMinute/60
// per second and a burst of RequestsPerMinute.
type RateTier struct {
	Enabled           bool
	RequestsPerMinute int
}

// RateLimit holds the three tiers of spec §5.5.
type RateLimit struct {
	// Auth guards login and the OAuth endpoints: brute-force protection.
	Auth RateTier
	// Public covers /health, /metrics, the OpenAPI document and the UI.
	Public RateTier
	// Authenticated covers every route that needs a session. It is checked
	// before the session is, so a flood of bad tokens is limited too.
	Authenticated RateTier
}

// DefaultRateLimit returns the reference defaults, with only the auth tier
// switched on.
func DefaultRateLimit() RateLimit {
	return RateLimit{
		Auth:          RateTier{Enabled: true, RequestsPerMinute: 10},
		Public:        RateTier{RequestsPerMinute: 60},
		Authenticated: RateTier{RequestsPerMinute: 120},
	}
}

// Options configure a Server. Only Service is required.
type Options struct {
	Service Service
	// Logger receives the access log and server errors; nil discards.
	Logger *slog.Logger
	// Listen is the address ListenAndServe binds, e.g. "127.0.0.1:9090".
	Listen string

	// CORSOrigins are exact origins ("https://ui.example.com") allowed to
	// call the API from a browser, or "*" for any origin without
	// credentials. Same-origin requests never need an entry.
	CORSOrigins []string
	// TrustedProxies are CIDRs or single IPs whose X-Forwarded-For,
	// X-Real-IP, X-Forwarded-Proto and X-Forwarded-Host headers are believed.
	TrustedProxies []string
	// MaxBodyBytes caps request bodies (DefaultMaxBodyBytes when 0).
	MaxBodyBytes int64
	// RateLimit configures the tiers; nil means DefaultRateLimit().
	RateLimit *RateLimit
	// RequestTimeout bounds each call into the Service
	// (DefaultRequestTimeout when 0); past it the answer is 503.
	RequestTimeout time.Duration

	BasicAuthEnabled  bool
	BasicUsers        []BasicUser
	GitHubAuthEnabled bool
	// GitHubOAuth configures GitHub sign-in. Without it the sign-in routes
	// answer 404 even when GitHubAuthEnabled is set (which then only keeps
	// existing GitHub sessions valid).
	GitHubOAuth *OAuthOptions
	// SessionTTL is the fixed lifetime of a login (DefaultSessionTTL when 0).
	SessionTTL time.Duration

	// Version, Commit and BuildDate override the link-time variables.
	Version, Commit, BuildDate string

	// Now is the clock (time.Now when nil); rate limits and sessions use it.
	Now func() time.Time
	// StaticFS is the built dashboard (index.html at its root); nil serves a
	// page explaining how to build it.
	StaticFS fs.FS
	// GitHubStatus reports the GitHub clients; nil reports them as not
	// configured.
	GitHubStatus GitHubStatusFunc
	// MetricsWriter writes /metrics; nil writes the default VictoriaMetrics
	// registry (every registered Set) with process metrics.
	MetricsWriter func(w io.Writer)

	// bcryptCost is lowered by tests only; production always uses
	// bcrypt.DefaultCost (10).
	bcryptCost int
	// newID makes request ids; tests make it deterministic.
	newID func() string
	// random supplies session tokens and ids; crypto/rand when nil.
	random io.Reader
}

func (o *Options) applyDefaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.RateLimit == nil {
		rl := DefaultRateLimit()
		o.RateLimit = &rl
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = DefaultSessionTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Version == "" {
		o.Version = Version
	}
	if o.Commit == "" {
		o.Commit = Commit
	}
	if o.BuildDate == "" {
		o.BuildDate = BuildDate
	}
}

func (o *Options) validate() error {
	if o.Service == nil {
		return errors.New("options: Service is required")
	}
	seen := map[string]bool{}
	for i, u := range o.BasicUsers {
		if u.Username == "" || u.Password == "" {
			return fmt.Errorf("options: basic user %d: username and password are required", i)
		}
		if seen[u.Username] {
			return fmt.Errorf("options: duplicate basic user %q", u.Username)
		}
		seen[u.Username] = true
	}
	if o.GitHubAuthEnabled && o.GitHubOAuth != nil {
		if err := o.GitHubOAuth.validate(o.Service); err != nil {
			return fmt.Errorf("options: %w", err)
		}
	}
	return nil
}

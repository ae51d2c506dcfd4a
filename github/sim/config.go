package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Config describes a simulated GitHub: its mode, timing model, rate limits,
// and the world (repositories, runners, workflows, tokens, webhooks, faults)
// it starts with. Start from DefaultConfig: New uses the values as given, so
// a zero duration really means "no delay".
type Config struct {
	// Mode is "dotcom" (default) or "ghes:<version>", e.g. "ghes:3.20".
	Mode string `toml:"mode" json:"mode"`
	// PublicURL is the base used in links, run URLs and webhook payloads
	// (e.g. "http://127.0.0.1:9090"). Empty: taken from each request's Host.
	PublicURL string `toml:"public_url" json:"public_url"`
	// Seed fixes every random choice.
	Seed int64 `toml:"seed" json:"seed"`
	// Start is the initial virtual time when New creates its own manual
	// clock (ClockMode "manual"); zero means 2026-03-01T12:00:00Z.
	Start time.Time `toml:"start" json:"start"`
	// ClockMode is "real" (default: wall time times ClockScale) or "manual"
	// (time moves only through Advance). Ignored when Clock is set.
	ClockMode string `toml:"clock" json:"clock"`
	// ClockScale speeds up the real clock (demo); <= 0 means 1.
	ClockScale float64 `toml:"clock_scale" json:"clock_scale"`
	// Clock overrides ClockMode; tests inject a *ManualClock here.
	Clock Clock `toml:"-" json:"-"`

	Timing    Timing         `toml:"timing" json:"timing"`
	RateLimit RateLimit      `toml:"rate_limit" json:"rate_limit"`
	Dispatch  DispatchPolicy `toml:"dispatch" json:"dispatch"`
	Webhooks  WebhookPolicy  `toml:"webhooks" json:"webhooks"`
	OAuth     OAuthConfig    `toml:"oauth" json:"oauth"`

	Tokens       []TokenConfig       `toml:"tokens" json:"tokens"`
	Repos        []RepoConfig        `toml:"repos" json:"repos"`
	RunnerGroups []RunnerGroupConfig `toml:"runner_groups" json:"runner_groups"`
	Runners      []RunnerConfig      `toml:"runners" json:"runners"`
	Workflows    []WorkflowSpec      `toml:"workflows" json:"workflows"`
	Hooks        []HookConfig        `toml:"hooks" json:"hooks"`
	Faults       []FaultRule         `toml:"faults" json:"faults"`
	Background   []BackgroundLoad    `toml:"background" json:"background"`
}

// Timing holds the delays of the timing model (spec §8.6). All are virtual.
type Timing struct {
	// ListVisibilityLag ± ListVisibilityJitter: a new run is absent from
	// list endpoints for this long.
	ListVisibilityLag    Duration `toml:"list_visibility_lag" json:"list_visibility_lag"`
	ListVisibilityJitter Duration `toml:"list_visibility_jitter" json:"list_visibility_jitter"`
	// GetVisibilityLag: GET /runs/{id} answers 404 for this long.
	GetVisibilityLag Duration `toml:"get_visibility_lag" json:"get_visibility_lag"`
	// RequestedPhase: a run shows status "requested" before "queued".
	RequestedPhase Duration `toml:"requested_phase" json:"requested_phase"`
	// AssignDelay: an idle eligible runner takes this long to start a job.
	AssignDelay Duration `toml:"assign_delay" json:"assign_delay"`
	// BrokerDelayProb is the chance that a queued job is not offered to idle
	// runners for BrokerDelay.
	BrokerDelayProb float64  `toml:"broker_delay_prob" json:"broker_delay_prob"`
	BrokerDelay     Duration `toml:"broker_delay" json:"broker_delay"`
	// BusySetLagMin..BusySetLagMax (uniform): a job started, the runner API
	// still says busy=false.
	BusySetLagMin Duration `toml:"busy_set_lag_min" json:"busy_set_lag_min"`
	BusySetLagMax Duration `toml:"busy_set_lag_max" json:"busy_set_lag_max"`
	// BusyClearLag: a job finished, the runner API still says busy=true.
	BusyClearLag Duration `toml:"busy_clear_lag" json:"busy_clear_lag"`
	// CancelLatency: an in-progress job takes this long to stop on cancel.
	CancelLatency Duration `toml:"cancel_latency" json:"cancel_latency"`
	// OfflineDetect: a runner process is gone, the API says "online" this long.
	OfflineDetect Duration `toml:"offline_detect" json:"offline_detect"`
	// LostRunnerFail: a runner vanished mid-job; the job fails after this.
	LostRunnerFail Duration `toml:"lost_runner_fail" json:"lost_runner_fail"`
	// EphemeralDeregister: an ephemeral runner disappears this long after
	// its job.
	EphemeralDeregister Duration `toml:"ephemeral_deregister" json:"ephemeral_deregister"`
	// QueueTimeout: a job never assigned is cancelled after this.
	QueueTimeout Duration `toml:"queue_timeout" json:"queue_timeout"`
	// WebhookDelay ± WebhookJitter between an event and its delivery.
	WebhookDelay  Duration `toml:"webhook_delay" json:"webhook_delay"`
	WebhookJitter Duration `toml:"webhook_jitter" json:"webhook_jitter"`
}

// RateLimit configures primary and secondary rate limits (spec §8.7).
type RateLimit struct {
	// Mode is "" (on for dotcom, off for ghes, as GHES ships), "on" or "off".
	// When off, responses carry no x-ratelimit-* headers and /rate_limit
	// answers 404 "Rate limiting is not enabled.", as GHES does.
	Mode string `toml:"mode" json:"mode"`
	// Limits per token kind per hour; a token's own Limit overrides.
	// Zero values take GitHub's: pat 5000, app 5000, oauth 5000,
	// github_token 1000.
	Limits map[string]int `toml:"limits" json:"limits"`
	// Window is the length of a primary window (default 1h).
	Window Duration `toml:"window" json:"window"`
	// Status is the status of limit responses: 403 (default) or 429.
	Status int `toml:"status" json:"status"`
	// Secondary limits. Off unless SecondaryMode is "on".
	SecondaryMode string `toml:"secondary" json:"secondary"`
	// MaxInFlight concurrent requests per token (default 100).
	MaxInFlight int `toml:"max_in_flight" json:"max_in_flight"`
	// PointsPerMinute per endpoint per token (default 900; GET 1, others 5).
	PointsPerMinute int `toml:"points_per_minute" json:"points_per_minute"`
	// MutatingPerMinute per token (default 80).
	MutatingPerMinute int `toml:"mutating_per_minute" json:"mutating_per_minute"`
	// OmitRetryAfter leaves retry-after off secondary responses so clients
	// exercise their "wait at least a minute" path.
	OmitRetryAfter bool `toml:"omit_retry_after" json:"omit_retry_after"`
}

// DispatchPolicy holds the switchable parts of dispatch validation (§8.5).
type DispatchPolicy struct {
	// RunDetails is "" (by mode: supported on dotcom and ghes >= 3.21),
	// "supported", "unsupported" (400 on the key) or "ignored" (204).
	RunDetails string `toml:"run_details" json:"run_details"`
	// AllowUnknownKeys accepts unknown top-level body keys instead of 400.
	AllowUnknownKeys bool `toml:"allow_unknown_keys" json:"allow_unknown_keys"`
	// AllowNonStringInputs accepts non-string input values instead of 422.
	AllowNonStringInputs bool `toml:"allow_non_string_inputs" json:"allow_non_string_inputs"`
	// MaxInputs is the input property limit (default 25).
	MaxInputs int `toml:"max_inputs" json:"max_inputs"`
	// TooManyInputsMessage overrides the >MaxInputs message; "%d" receives
	// the count supplied.
	TooManyInputsMessage string `toml:"too_many_inputs_message" json:"too_many_inputs_message"`
	// IgnoreRunDetailsOn2026 makes API version 2026-03-10 ignore the
	// removed return_run_details key instead of answering 400.
	IgnoreRunDetailsOn2026 bool `toml:"ignore_run_details_on_2026" json:"ignore_run_details_on_2026"`
}

// WebhookPolicy configures the emitter.
type WebhookPolicy struct {
	// Timeout for a delivery (default 10s dotcom, 30s ghes). Real time.
	Timeout Duration `toml:"timeout" json:"timeout"`
	// Retention of delivery records (default 72h virtual).
	Retention Duration `toml:"retention" json:"retention"`
}

// TokenConfig is an API credential the simulator accepts.
type TokenConfig struct {
	Token string `toml:"token" json:"token"`
	// Kind is "pat" (default), "app", "github_token" or "oauth".
	Kind string `toml:"kind" json:"kind"`
	// Login and UserID identify the actor of runs dispatched with it.
	Login  string `toml:"login" json:"login"`
	UserID int64  `toml:"user_id" json:"user_id"`
	// Permissions, e.g. "actions:read", "actions:write", "runners:read",
	// "hooks:read", "hooks:write". Empty grants everything.
	Permissions []string `toml:"permissions" json:"permissions"`
	// Repos ("owner/name") the token can see. Empty: all.
	Repos []string `toml:"repos" json:"repos"`
	// Limit overrides the per-kind primary limit.
	Limit int `toml:"limit" json:"limit"`
}

// RepoConfig declares a repository. Owners are organisations, created on
// first mention.
type RepoConfig struct {
	Owner         string   `toml:"owner" json:"owner"`
	Name          string   `toml:"name" json:"name"`
	DefaultBranch string   `toml:"default_branch" json:"default_branch"`
	Branches      []string `toml:"branches" json:"branches"`
	Tags          []string `toml:"tags" json:"tags"`
	Public        bool     `toml:"public" json:"public"`
}

// RunnerGroupConfig declares an organisation runner group besides the
// implicit "Default" group (id 1) every organisation has.
type RunnerGroupConfig struct {
	Org        string `toml:"org" json:"org"`
	Name       string `toml:"name" json:"name"`
	Visibility string `toml:"visibility" json:"visibility"` // all (default) | selected | private
	// SelectedRepos ("owner/name") for visibility "selected".
	SelectedRepos            []string `toml:"selected_repos" json:"selected_repos"`
	AllowsPublicRepositories bool     `toml:"allows_public_repositories" json:"allows_public_repositories"`
	RestrictedToWorkflows    bool     `toml:"restricted_to_workflows" json:"restricted_to_workflows"`
	// SelectedWorkflows like "acme/sync-tests/.github/workflows/sync.yml@main";
	// the "@ref" part is optional.
	SelectedWorkflows []string `toml:"selected_workflows" json:"selected_workflows"`
}

// RunnerConfig declares a self-hosted runner.
type RunnerConfig struct {
	Name string `toml:"name" json:"name"`
	// Scope is "org" (default), "repo" or "enterprise".
	Scope string `toml:"scope" json:"scope"`
	// Owner is the organisation (org, repo scope) or enterprise slug.
	Owner string `toml:"owner" json:"owner"`
	// Repo is the repository name for repo scope.
	Repo string `toml:"repo" json:"repo"`
	// Labels, e.g. ["self-hosted", "linux", "x64", "gpu"]. Default labels
	// (self-hosted, OS, architecture) are typed "read-only", others "custom".
	Labels []string `toml:"labels" json:"labels"`
	OS     string   `toml:"os" json:"os"` // default "linux"
	// Group is the runner group name (default "Default").
	Group     string `toml:"group" json:"group"`
	Ephemeral bool   `toml:"ephemeral" json:"ephemeral"`
	// Offline starts the runner disconnected.
	Offline bool `toml:"offline" json:"offline"`
}

// WorkflowSpec is the YAML-equivalent declaration of a workflow.
type WorkflowSpec struct {
	// Repo is "owner/name".
	Repo string `toml:"repo" json:"repo"`
	// File is the base name under .github/workflows, e.g. "sync.yml".
	File string `toml:"file" json:"file"`
	Name string `toml:"name" json:"name"`
	// State is "active" (default), "disabled_manually", ...
	State string `toml:"state" json:"state"`
	// NoDispatch: the workflow lacks the workflow_dispatch trigger.
	NoDispatch bool `toml:"no_dispatch" json:"no_dispatch"`
	// Refs the workflow file exists on; empty means every ref of the repo.
	Refs []string `toml:"refs" json:"refs"`
	// RefsWithoutDispatch lists refs whose version lacks the trigger.
	RefsWithoutDispatch []string    `toml:"refs_without_dispatch" json:"refs_without_dispatch"`
	Inputs              []InputSpec `toml:"inputs" json:"inputs"`
	// RunName is the run-name template, e.g. "sync [${{ inputs.id }}]".
	RunName string `toml:"run_name" json:"run_name"`
	// Concurrency is an optional concurrency group template.
	Concurrency string    `toml:"concurrency" json:"concurrency"`
	Jobs        []JobSpec `toml:"jobs" json:"jobs"`
	// RunFailures gives the probability that a run ends at once, without
	// running jobs, with that conclusion: "startup_failure", "stale",
	// "action_required".
	RunFailures map[string]float64 `toml:"run_failures" json:"run_failures"`
}

// InputSpec declares a workflow_dispatch input.
type InputSpec struct {
	Name        string   `toml:"name" json:"name"`
	Description string   `toml:"description" json:"description"`
	Required    bool     `toml:"required" json:"required"`
	Default     string   `toml:"default" json:"default"`
	Type        string   `toml:"type" json:"type"` // string | boolean | choice | number | environment
	Options     []string `toml:"options" json:"options"`
}

// JobSpec declares one job of a workflow.
type JobSpec struct {
	Name string `toml:"name" json:"name"`
	// RunsOn are the labels a runner must all have (case-insensitive).
	RunsOn []string `toml:"runs_on" json:"runs_on"`
	// Group restricts the job to a runner group by name.
	Group string   `toml:"group" json:"group"`
	Needs []string `toml:"needs" json:"needs"`
	// Duration of the job once started.
	Duration DurationDist `toml:"duration" json:"duration"`
	// Outcomes are weights of the job conclusion ("success", "failure",
	// "cancelled", "timed_out", "neutral", "skipped", "action_required");
	// empty means always success.
	Outcomes map[string]float64 `toml:"outcomes" json:"outcomes"`
	// Always marks an if: always() job: a normal cancel does not stop it.
	Always bool `toml:"always" json:"always"`
}

// DurationDist is a duration distribution: normal(Mean, StdDev) clamped to
// [Min, Max] when Mean > 0, otherwise uniform in [Min, Max]. All zero means
// normal(120s, 30s).
type DurationDist struct {
	Mean   Duration `toml:"mean" json:"mean"`
	StdDev Duration `toml:"stddev" json:"stddev"`
	Min    Duration `toml:"min" json:"min"`
	Max    Duration `toml:"max" json:"max"`
}

// HookConfig is a webhook target.
type HookConfig struct {
	// ID is assigned when zero.
	ID     int64  `toml:"id" json:"id"`
	URL    string `toml:"url" json:"url"`
	Secret string `toml:"secret" json:"secret"`
	// Events: "workflow_run", "workflow_job", "workflow_dispatch" or "*".
	// Empty means all three.
	Events []string `toml:"events" json:"events"`
	// ContentType is "json" (default) or "form".
	ContentType string `toml:"content_type" json:"content_type"`
	// Scope is "org" (default, all repos of Owner), "repo" (Owner/Repo) or
	// "app" (everything).
	Scope string `toml:"scope" json:"scope"`
	Owner string `toml:"owner" json:"owner"`
	Repo  string `toml:"repo" json:"repo"`
}

// OAuthConfig configures the sign-in endpoints.
type OAuthConfig struct {
	ClientID     string `toml:"client_id" json:"client_id"`
	ClientSecret string `toml:"client_secret" json:"client_secret"`
	// CallbackURL is used when authorize gets no redirect_uri.
	CallbackURL string `toml:"callback_url" json:"callback_url"`
	// Users who can sign in; the first approves unless ?login= picks another.
	Users []OAuthUser `toml:"users" json:"users"`
}

// OAuthUser is a GitHub user the simulator signs in.
type OAuthUser struct {
	Login string   `toml:"login" json:"login"`
	ID    int64    `toml:"id" json:"id"`
	Name  string   `toml:"name" json:"name"`
	Email string   `toml:"email" json:"email"`
	Orgs  []string `toml:"orgs" json:"orgs"`
	// AdminOrgs are the Orgs where the membership role is "admin".
	AdminOrgs []string `toml:"admin_orgs" json:"admin_orgs"`
}

// BackgroundLoad dispatches a workflow periodically, standing for other
// users' jobs that compete for the same runners.
type BackgroundLoad struct {
	Repo     string            `toml:"repo" json:"repo"`
	Workflow string            `toml:"workflow" json:"workflow"`
	Ref      string            `toml:"ref" json:"ref"`
	Inputs   map[string]string `toml:"inputs" json:"inputs"`
	Every    Duration          `toml:"every" json:"every"`
	Jitter   Duration          `toml:"jitter" json:"jitter"`
}

// DefaultStart is the virtual start time of manual clocks New creates.
var DefaultStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// DefaultConfig returns the spec §8.6 timing defaults in dotcom mode with a
// real clock and an empty world.
func DefaultConfig() Config {
	return Config{
		Mode:      ModeDotcom,
		Seed:      1,
		ClockMode: "real",
		Timing:    DefaultTiming(),
	}
}

// DefaultTiming returns the timing defaults of spec §8.6.
func DefaultTiming() Timing {
	return Timing{
		ListVisibilityLag:    Duration(3 * time.Second),
		ListVisibilityJitter: Duration(2 * time.Second),
		AssignDelay:          Duration(2 * time.Second),
		BrokerDelayProb:      0.05,
		BrokerDelay:          Duration(60 * time.Second),
		BusySetLagMin:        0,
		BusySetLagMax:        Duration(60 * time.Second),
		BusyClearLag:         Duration(5 * time.Second),
		CancelLatency:        Duration(5 * time.Second),
		OfflineDetect:        Duration(60 * time.Second),
		LostRunnerFail:       Duration(5 * time.Minute),
		EphemeralDeregister:  Duration(2 * time.Second),
		QueueTimeout:         Duration(24 * time.Hour),
		WebhookDelay:         Duration(200 * time.Millisecond),
		WebhookJitter:        Duration(150 * time.Millisecond),
	}
}

// LoadConfig reads a TOML (.toml) or JSON (.json) file on top of
// DefaultConfig and validates it.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read sim config: %w", err)
	}
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	cfg, err := ParseConfig(b, format)
	if err != nil {
		return Config{}, fmt.Errorf("sim config %s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig decodes a "toml" or "json" document on top of DefaultConfig,
// rejects unknown keys and validates the result.
func ParseConfig(b []byte, format string) (Config, error) {
	cfg := DefaultConfig()
	switch format {
	case "toml":
		md, err := toml.Decode(string(b), &cfg)
		if err != nil {
			return Config{}, fmt.Errorf("decode toml: %w", err)
		}
		if und := md.Undecoded(); len(und) > 0 {
			return Config{}, fmt.Errorf("unknown keys: %v", und)
		}
	case "json":
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cfg); err != nil {
			return Config{}, fmt.Errorf("decode json: %w", err)
		}
	default:
		return Config{}, fmt.Errorf("unknown config format %q (want toml or json)", format)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// Validate reports the first problem that would stop New from building the
// world, with enough context to find it in a file.
func (c Config) Validate() error {
	if _, err := parseMode(c.Mode); err != nil {
		return err
	}
	switch c.ClockMode {
	case "", "real", "manual":
	default:
		return fmt.Errorf("clock %q: want real or manual", c.ClockMode)
	}
	switch c.RateLimit.Mode {
	case "", "on", "off":
	default:
		return fmt.Errorf("rate_limit.mode %q: want on or off", c.RateLimit.Mode)
	}
	switch c.RateLimit.SecondaryMode {
	case "", "on", "off":
	default:
		return fmt.Errorf("rate_limit.secondary %q: want on or off", c.RateLimit.SecondaryMode)
	}
	if s := c.RateLimit.Status; s != 0 && s != 403 && s != 429 {
		return fmt.Errorf("rate_limit.status %d: want 403 or 429", s)
	}
	switch c.Dispatch.RunDetails {
	case "", RunDetailsSupported, RunDetailsUnsupported, RunDetailsIgnored:
	default:
		return fmt.Errorf("dispatch.run_details %q: want supported, unsupported or ignored", c.Dispatch.RunDetails)
	}
	w, err := buildWorld(c, DefaultStart)
	if err != nil {
		return err
	}
	_ = w
	return nil
}

// ErrNotManualClock is returned by Advance when the simulator runs on a
// clock that cannot be moved by hand.
var ErrNotManualClock = errors.New("sim: clock cannot be advanced (not a manual clock)")

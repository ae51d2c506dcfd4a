package httpd

import (
	"context"
	"time"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
)

// Service is everything the API needs from the live state. *actors.System
// implements it.
//
// Errors: a result matching state.ErrNotFound becomes 404 and one matching
// state.ErrInvalid becomes 400, both with the error's text;
// context.DeadlineExceeded becomes 503; anything else is logged and answered
// with a generic 500.
type Service interface {
	// Groups returns every group ordered by name.
	Groups(ctx context.Context) ([]actors.GroupInfo, error)
	// Group returns one group; an unknown id is ErrNotFound.
	Group(ctx context.Context, id string) (actors.GroupInfo, error)
	// Templates returns a group's templates ordered by name; an unknown group
	// is ErrNotFound.
	Templates(ctx context.Context, groupID string) ([]state.Template, error)
	Template(ctx context.Context, id string) (state.Template, error)
	PauseGroup(ctx context.Context, who actors.Who, groupID string, paused bool) (actors.GroupInfo, error)
	// ReloadTemplates re-reads the config file and syncs groups and templates.
	ReloadTemplates(ctx context.Context, who actors.Who) ([]actors.ReloadResult, error)

	// QueueInto returns active jobs (dispatching, triggered, running)
	// first, then pending jobs in dispatch order, in buf[:0].
	QueueInto(ctx context.Context, groupID string, buf []actors.JobInfo) ([]actors.JobInfo, error)
	Enqueue(ctx context.Context, who actors.Who, groupID string, req state.AddJob) (actors.JobInfo, error)
	Reorder(ctx context.Context, who actors.Who, groupID string, jobIDs []string) error
	Job(ctx context.Context, id string) (actors.JobInfo, error)
	UpdateJob(ctx context.Context, who actors.Who, id string, req state.UpdateJob) (actors.JobInfo, error)
	RemoveJob(ctx context.Context, who actors.Who, id string) error
	PauseJob(ctx context.Context, who actors.Who, id string, paused bool) (actors.JobInfo, error)
	CancelJob(ctx context.Context, who actors.Who, id string) (actors.JobInfo, error)
	SetAutoRequeue(ctx context.Context, who actors.Who, id string, on bool, limit *int) (actors.JobInfo, error)
	DisableRequeue(ctx context.Context, who actors.Who, id string) (actors.JobInfo, error)

	History(ctx context.Context, groupID string, q state.HistoryQuery) (state.HistoryPage, error)
	HistoryStats(ctx context.Context, groupID, rangeName string) (state.HistoryStats, error)

	Runners(ctx context.Context) ([]state.Runner, error)
	GroupRunners(ctx context.Context, groupID string) ([]state.Runner, error)
	// RefreshRunners asks the runner poller for an immediate poll.
	RefreshRunners(ctx context.Context) error

	// CreateSession journals a new session; s.TokenHash is the hex SHA-256 of
	// the token, which itself is never stored.
	CreateSession(ctx context.Context, who actors.Who, s state.Session) error
	// LookupSession must be fast and lock-free: it runs on every
	// authenticated request. An expired session reports false.
	LookupSession(tokenHash string) (*state.Session, bool)
	RevokeSession(ctx context.Context, who actors.Who, tokenHash string) error

	Status(ctx context.Context) (actors.Status, error)
}

// ClientStatus describes one GitHub client in /api/v1/status, in the
// reference's ClientStatus shape.
type ClientStatus struct {
	Status             string     `json:"status"` // healthy | unhealthy
	Connected          bool       `json:"connected"`
	Error              string     `json:"error,omitempty"`
	RateLimitRemaining int        `json:"rate_limit_remaining"`
	RateLimitReset     *time.Time `json:"rate_limit_reset,omitempty"`
	ResetIn            string     `json:"reset_in,omitempty"`
}

// GitHubStatusFunc reports the runners and dispatch clients. It must not
// block on the network: it is called on every /api/v1/status request.
type GitHubStatusFunc func() (runners, dispatch ClientStatus)

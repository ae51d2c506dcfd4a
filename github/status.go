package github

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	gh "github.com/google/go-github/v88/github"
)

// Health values of ClientStatus.Status, as in the reference /api/v1/status.
const (
	HealthHealthy   = "healthy"
	HealthDegraded  = "degraded"
	HealthUnhealthy = "unhealthy"
)

// The reference system's fixed thresholds on the remaining budget.
const (
	degradedBelow  = 100
	unhealthyBelow = 10
)

// ClientStatus is a client's health for GET /api/v1/status. It marshals to the
// reference ClientStatus object (status, connected, error,
// rate_limit_remaining, rate_limit_reset, reset_in) plus backoff_until and
// backoff_reason while a back-off is in force. It never contains the token.
type ClientStatus struct {
	Name      string
	Status    string // HealthHealthy, HealthDegraded or HealthUnhealthy
	Connected bool   // the last answered call reached GitHub with valid credentials
	Error     string // why not connected
	Remaining int
	Limit     int
	Reset     time.Time     // zero when GitHub sent no rate-limit headers
	ResetIn   time.Duration // Reset minus now, rounded to the second; 0 once past
	// BackoffUntil and BackoffReason are set while calls are refused locally.
	BackoffUntil  time.Time
	BackoffReason string
}

// Status reports the client's connection and rate-limit state. It sends no
// request. Before any call has completed the client counts as not connected.
func (c *Client) Status() ClientStatus {
	now := c.clock()
	rate, known := c.limits.snapshot()
	c.connMu.Lock()
	s := ClientStatus{Name: c.name, Connected: c.connected, Error: c.connErr}
	c.connMu.Unlock()
	if known {
		s.Remaining, s.Limit, s.Reset = rate.Remaining, rate.Limit, rate.Reset
		if rate.Reset.After(now) {
			s.ResetIn = rate.Reset.Sub(now).Round(time.Second)
		}
	}
	s.BackoffUntil, s.BackoffReason = c.limits.blockedUntil(now)
	s.Status = health(s, known && rate.Reset.After(now))
	return s
}

// health applies the reference thresholds. A budget whose window has reset is
// full again, so its old remaining no longer counts.
func health(s ClientStatus, budgetCurrent bool) string {
	switch {
	case !s.Connected:
		return HealthUnhealthy
	case budgetCurrent && s.Remaining < unhealthyBelow:
		return HealthUnhealthy
	case !s.BackoffUntil.IsZero(), budgetCurrent && s.Remaining < degradedBelow:
		return HealthDegraded
	}
	return HealthHealthy
}

// MarshalJSON writes the reference field names.
func (s ClientStatus) MarshalJSON() ([]byte, error) {
	type wire struct {
		Status        string `json:"status"`
		Connected     bool   `json:"connected"`
		Error         string `json:"error,omitempty"`
		Remaining     int    `json:"rate_limit_remaining"`
		Reset         string `json:"rate_limit_reset,omitempty"`
		ResetIn       string `json:"reset_in,omitempty"`
		BackoffUntil  string `json:"backoff_until,omitempty"`
		BackoffReason string `json:"backoff_reason,omitempty"`
	}
	w := wire{Status: s.Status, Connected: s.Connected, Error: s.Error, Remaining: s.Remaining,
		BackoffReason: s.BackoffReason}
	if !s.Reset.IsZero() {
		w.Reset = s.Reset.UTC().Format(time.RFC3339)
		w.ResetIn = s.ResetIn.String()
	}
	if !s.BackoffUntil.IsZero() {
		w.BackoffUntil = s.BackoffUntil.UTC().Format(time.RFC3339)
	}
	return json.Marshal(w)
}

// RateLimit asks GitHub for the current primary budget (GET /rate_limit, which
// does not count against it) and records the answer. It doubles as a cheap
// connectivity and credentials check at start-up.
func (c *Client) RateLimit(ctx context.Context) (Rate, error) {
	var limits *gh.RateLimits
	_, err := c.call(ctx, "rate_limit", classFree, func(ctx context.Context) (*gh.Response, error) {
		var resp *gh.Response
		var err error
		limits, resp, err = c.gh.RateLimit.Get(ctx)
		return resp, err
	})
	if errors.Is(err, ErrNotFound) {
		// GHES with rate limiting off answers 404 "Rate limiting is not
		// enabled": there is no budget to track.
		return Rate{}, nil
	}
	if err != nil {
		return Rate{}, c.fail(err, "read rate limit")
	}
	core := limits.GetCore()
	if core == nil {
		return Rate{}, nil
	}
	r := Rate{Limit: core.Limit, Remaining: core.Remaining, Used: core.Used, Reset: core.Reset.UTC()}
	c.limits.set(r)
	return r, nil
}

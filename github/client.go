package github

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	gh "github.com/google/go-github/v88/github"
)

// DefaultAPIURL is the REST base of github.com. GHES uses "https://HOST/api/v3/".
const DefaultAPIURL = "https://api.github.com/"

// DefaultRequestTimeout bounds one HTTP request when Options.RequestTimeout is 0.
const DefaultRequestTimeout = 10 * time.Second

// Options configures a Client. The zero value of every field except Token has
// a usable default.
type Options struct {
	// Name identifies the client in logs, metrics and Status, e.g. "dispatch"
	// or "runners". Default "github".
	Name string
	// APIURL is the REST base URL. Default DefaultAPIURL; for GHES
	// "https://HOST/api/v3/"; tests point it at a simulator.
	APIURL string
	// Token is sent as a Bearer token to the API host only. Empty sends
	// unauthenticated requests.
	Token string
	// RequestTimeout bounds each HTTP request (each page of a listing); a
	// shorter deadline on the caller's context wins. Default 10 s.
	RequestTimeout time.Duration
	// RateLimitBuffer is the part of the hourly budget that reads leave for
	// dispatch and cancel (see the package documentation). Must not be negative.
	RateLimitBuffer int
	// HTTPClient is used for requests when set; its transport is wrapped, the
	// value itself is not modified. Default: a client on http.DefaultTransport.
	HTTPClient *http.Client
	// Logger receives debug lines per request and warnings on back-off.
	// Default: discard.
	Logger *slog.Logger
	// Clock drives rate-limit windows and back-offs. Default time.Now.
	Clock func() time.Time
	// OnCall, if set, is called once per HTTP request with the operation name
	// (e.g. "list_org_runners", "dispatch"), the HTTP status (0 when no answer
	// arrived) and the duration. Calls refused locally are not reported.
	OnCall func(endpoint string, status int, d time.Duration)
}

// Client is a GitHub REST client for one token. It is safe for concurrent use.
// Build one for dispatching (token) and one for runner polling (runners_token,
// or the same token), so that each has its own name and rate-limit view.
type Client struct {
	name    string
	token   string
	timeout time.Duration
	clock   func() time.Time
	log     *slog.Logger
	gh      *gh.Client
	limits  *limiter

	ownersMu sync.Mutex
	owners   map[string]bool // lower-cased login → is an organisation

	connMu    sync.Mutex
	connected bool
	connErr   string
}

// NewClient validates opts and builds a Client. It sends no request.
func NewClient(opts Options) (*Client, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	base, err := url.Parse(opts.APIURL)
	if err != nil || base.Host == "" || (base.Scheme != "http" && base.Scheme != "https") {
		return nil, fmt.Errorf("github client %s: api_url %q is not an absolute http(s) URL", opts.Name, opts.APIURL)
	}
	c := &Client{
		name:    opts.Name,
		token:   opts.Token,
		timeout: opts.RequestTimeout,
		clock:   opts.Clock,
		log:     opts.Logger,
		limits:  &limiter{buffer: opts.RateLimitBuffer},
		owners:  make(map[string]bool),
		connErr: "no request completed yet",
	}
	httpClient := &http.Client{}
	if opts.HTTPClient != nil {
		copied := *opts.HTTPClient
		httpClient = &copied
	}
	baseTransport := httpClient.Transport
	if baseTransport == nil {
		baseTransport = http.DefaultTransport
	}
	httpClient.Transport = &transport{
		base:    baseTransport,
		name:    opts.Name,
		token:   opts.Token,
		apiHost: base.Host,
		limits:  c.limits,
		etags:   newETagCache(),
		clock:   opts.Clock,
		onCall:  opts.OnCall,
		log:     opts.Logger,
	}
	// go-github's own rate-limit blocking reads the wall clock; this client
	// keeps that state itself on the injected clock, so it is turned off.
	c.gh, err = gh.NewClient(
		gh.WithHTTPClient(httpClient),
		gh.WithURLs(&opts.APIURL, nil),
		gh.WithDisableRateLimitCheck(),
	)
	if err != nil {
		return nil, fmt.Errorf("github client %s: %w", opts.Name, err)
	}
	return c, nil
}

func (o *Options) setDefaults() error {
	if o.Name == "" {
		o.Name = "github"
	}
	if o.APIURL == "" {
		o.APIURL = DefaultAPIURL
	}
	if o.RequestTimeout < 0 {
		return fmt.Errorf("github client %s: request timeout %v is negative", o.Name, o.RequestTimeout)
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.RateLimitBuffer < 0 {
		return fmt.Errorf("github client %s: rate limit buffer %d is negative", o.Name, o.RateLimitBuffer)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return nil
}

// Name returns the client's name.
func (c *Client) Name() string { return c.name }

// Backoff returns the time before which calls are refused locally because of a
// rate limit, with the reason; the zero time when calls may go. Reads may
// additionally be refused earlier by the buffer rule.
func (c *Client) Backoff() (until time.Time, reason string) {
	return c.limits.blockedUntil(c.clock())
}

// call sends one request through go-github under the rate-limit rule and the
// request timeout, and turns any failure into this package's errors.
func (c *Client) call(ctx context.Context, op string, class callClass,
	send func(ctx context.Context) (*gh.Response, error)) (*gh.Response, error) {
	if err := c.limits.admit(class, c.clock()); err != nil {
		c.log.Debug("github call refused locally", "client", c.name, "op", op, "error", err)
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var trace sendTrace
	ctx = trace.attach(withOp(ctx, op))

	resp, err := send(ctx)
	c.noteOutcome(resp, err)
	if err == nil {
		c.limits.succeeded()
		return resp, nil
	}
	return resp, c.classify(op, class, resp, err, trace.mayHaveBeenSent())
}

// classify maps go-github's result to this package's errors. Error answers are
// rebuilt from their status and message only, so nothing of the request (its
// headers in particular) travels further.
func (c *Client) classify(op string, class callClass, resp *gh.Response, err error, sent bool) error {
	now := c.clock()
	if rl, ok := errors.AsType[*gh.RateLimitError](err); ok && rl.Response != nil {
		e := c.limits.primaryHit(rl.Response.Header, now)
		c.log.Warn("github primary rate limit hit", "client", c.name, "op", op, "until", e.Reset)
		return e
	}
	if ab, ok := errors.AsType[*gh.AbuseRateLimitError](err); ok && ab.Response != nil {
		return c.secondary(op, ab.Response.Header, now)
	}
	if er, ok := errors.AsType[*gh.ErrorResponse](err); ok && er.Response != nil {
		return c.answerError(op, class, er, now)
	}
	// No usable HTTP answer: a transport error, a timeout, or a 2xx whose body
	// could not be read. For a write that may have reached GitHub the outcome
	// is unknown.
	if class == classWrite && (sent || answered(resp)) {
		return fmt.Errorf("%w: %w", ErrUncertain, err)
	}
	return err
}

// answerError classifies an HTTP error answer that go-github did not already
// recognise as a rate limit.
func (c *Client) answerError(op string, class callClass, er *gh.ErrorResponse, now time.Time) error {
	status := er.Response.StatusCode
	msg := redactString(er.Message, c.token)
	if isSecondaryAnswer(status, msg) {
		return c.secondary(op, er.Response.Header, now)
	}
	switch {
	case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
		return &ValidationError{Status: status, Message: msg, Details: errorDetails(er.Errors, c.token)}
	case status >= 500 && class == classWrite:
		return fmt.Errorf("%w: %w", ErrUncertain, c.apiError(status, msg, er.Response.Header))
	}
	return c.apiError(status, msg, er.Response.Header)
}

func (c *Client) apiError(status int, msg string, h http.Header) *APIError {
	return &APIError{Status: status, Message: msg, RequestID: h.Get(headerRequestID)}
}

func (c *Client) secondary(op string, h http.Header, now time.Time) error {
	e := c.limits.secondaryHit(h, now)
	c.log.Warn("github secondary rate limit hit", "client", c.name, "op", op, "until", e.Reset, "reason", e.Reason)
	return e
}

// noteOutcome updates the connection state shown by Status. A refusal for bad
// credentials or a 5xx counts as not connected; any other answer as connected.
// A call cancelled by its caller says nothing about GitHub.
func (c *Client) noteOutcome(resp *gh.Response, err error) {
	connected, reason := true, ""
	switch {
	case answered(resp) && resp.StatusCode == http.StatusUnauthorized:
		connected, reason = false, "GitHub answered 401 Bad credentials"
	case answered(resp) && resp.StatusCode >= 500:
		connected, reason = false, fmt.Sprintf("GitHub answered %d", resp.StatusCode)
	case answered(resp):
	case errors.Is(err, context.Canceled):
		return
	case err != nil:
		connected, reason = false, redactString(err.Error(), c.token)
	}
	c.connMu.Lock()
	defer c.connMu.Unlock()
	c.connected, c.connErr = connected, reason
}

// answered reports whether an HTTP answer arrived.
func answered(resp *gh.Response) bool {
	return resp != nil && resp.Response != nil
}

// isSecondaryAnswer recognises a secondary limit that go-github did not,
// because its documentation_url differs: GitHub's message names it, and a 429
// is a request to slow down whatever its body says.
func isSecondaryAnswer(status int, msg string) bool {
	if status == http.StatusTooManyRequests {
		return true
	}
	return status == http.StatusForbidden && containsFold(msg, "secondary rate limit")
}

// errorDetails renders GitHub's "errors" entries.
func errorDetails(errs []gh.Error, token string) []string {
	var out []string
	for _, e := range errs {
		text := e.Message
		if text == "" {
			text = fmt.Sprintf("%s %s on %s", e.Code, e.Field, e.Resource)
		}
		out = append(out, redactString(text, token))
	}
	return out
}

// fail wraps err with the operation context and scrubs the token from it.
func (c *Client) fail(err error, format string, args ...any) error {
	return redact(fmt.Errorf(format+": %w", append(args, err)...), c.token)
}

// containsFold reports whether substr is in s, ignoring case.
func containsFold(s, substr string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(substr))
}

// required returns an error naming the first empty value among name/value
// pairs. Empty path segments would otherwise address a different endpoint.
func required(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			return fmt.Errorf("github: %s is empty", pairs[i])
		}
	}
	return nil
}

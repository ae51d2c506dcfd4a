package httpd

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/valyala/fasthttp"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// errGitHubCall marks a failed call to GitHub during a sign-in, as opposed
// to a failure of our own journal.
var errGitHubCall = errors.New("github")

// start handles GET /api/v1/auth/github: it checks where the sign-in should
// end, binds a signed state to this browser and sends it to GitHub.
func (f *oauthFlow) start(ctx *fasthttp.RequestCtx) {
	if f == nil {
		writeErrorStatus(ctx, fasthttp.StatusNotFound, errGitHubDisabled.Error())
		return
	}
	self, err := f.s.selfOrigin(ctx)
	if err != nil {
		writeErrorStatus(ctx, fasthttp.StatusBadRequest, "Invalid Host header")
		return
	}
	var target string
	if r := ctx.QueryArgs().Peek("redirect"); len(r) > 0 {
		if target, err = f.redirects.check(string(r), self); err != nil {
			f.s.log.Info("github sign-in: redirect refused", "err", err, "ip", f.s.ClientIP(ctx))
			writeErrorStatus(ctx, fasthttp.StatusBadRequest, "redirect target not allowed: use a path on this server, "+
				"auth.github.redirect_url or an origin in auth.github.allowed_redirect_origins")
			return
		}
	}
	binding := string(ctx.Request.Header.Cookie(bindingCookie))
	if !validBinding(binding) {
		if binding, err = newBinding(f.s.opts.random); err != nil {
			f.s.log.Error("github sign-in", "request_id", requestID(ctx), "err", err)
			writeErrorStatus(ctx, fasthttp.StatusInternalServerError, "Failed to initiate OAuth flow")
			return
		}
	}
	st, err := f.states.mint(f.s.opts.random, binding, target)
	if err != nil {
		f.s.log.Error("github sign-in", "request_id", requestID(ctx), "err", err)
		writeErrorStatus(ctx, fasthttp.StatusInternalServerError, "Failed to initiate OAuth flow")
		return
	}
	f.setBindingCookie(ctx, binding, int(stateTTL.Seconds()))
	q := url.Values{
		"client_id":    {f.clientID},
		"redirect_uri": {f.callbackURL(self)},
		"scope":        {oauthScope},
		"state":        {st},
	}
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.Response.Header.Set(fasthttp.HeaderLocation, f.ep.authorize+"?"+q.Encode())
	ctx.SetStatusCode(fasthttp.StatusTemporaryRedirect)
}

// callbackURL is where GitHub sends the browser back: the configured one,
// or this server's callback path on the origin the browser used.
func (f *oauthFlow) callbackURL(self string) string {
	if f.fixedCallback != "" {
		return f.fixedCallback
	}
	return self + pathGitHubCallback
}

// setBindingCookie sets (maxAge > 0) or clears (maxAge < 0) the cookie that
// binds a state to this browser. It is sent back only to the sign-in
// routes, and SameSite=Lax still lets it ride along on GitHub's top-level
// redirect to the callback.
func (f *oauthFlow) setBindingCookie(ctx *fasthttp.RequestCtx, value string, maxAge int) {
	c := fasthttp.AcquireCookie()
	defer fasthttp.ReleaseCookie(c)
	c.SetKey(bindingCookie)
	c.SetValue(value)
	c.SetPath(pathGitHubStart)
	c.SetHTTPOnly(true)
	c.SetSameSite(fasthttp.CookieSameSiteLaxMode)
	c.SetMaxAge(maxAge)
	c.SetSecure(f.s.proxies.isHTTPS(ctx))
	ctx.Response.Header.SetCookie(c)
}

// callback handles GET /api/v1/auth/github/callback. Browsers get HTML
// pages for failures and a 307 to the UI with a one-time code on success;
// a client sending exactly "Accept: application/json" gets JSON throughout
// and, on success, its session at once.
func (f *oauthFlow) callback(ctx *fasthttp.RequestCtx) {
	jsonClient := string(ctx.Request.Header.Peek(fasthttp.HeaderAccept)) == "application/json"
	fail := func(status int, title, msg string) {
		if jsonClient {
			writeErrorStatus(ctx, status, msg)
			return
		}
		f.writePage(ctx, status, title, msg)
	}
	if f == nil {
		fail(fasthttp.StatusNotFound, "Not available", errGitHubDisabled.Error())
		return
	}
	ctx.Response.Header.Set("Cache-Control", "no-store")
	binding := string(ctx.Request.Header.Cookie(bindingCookie))
	f.setBindingCookie(ctx, "", -1) // it has done its job, whatever happens next
	args := ctx.QueryArgs()
	if e := args.Peek("error"); len(e) > 0 {
		fail(fasthttp.StatusUnauthorized, "Sign-in cancelled",
			"GitHub did not authorise the sign-in ("+string(e)+"). You can try again from the sign-in page.")
		return
	}
	code, st := string(args.Peek("code")), string(args.Peek("state"))
	switch {
	case code == "":
		fail(fasthttp.StatusBadRequest, "Sign-in failed", "Missing code parameter")
		return
	case st == "":
		fail(fasthttp.StatusBadRequest, "Sign-in failed", "Missing state parameter")
		return
	}
	target, err := f.states.redeem(st, binding)
	if err != nil {
		f.s.log.Info("github sign-in: state refused", "reason", err, "ip", f.s.ClientIP(ctx))
		fail(fasthttp.StatusBadRequest, "Sign-in failed",
			"Invalid or expired state parameter. Start the sign-in again from the sign-in page, in this browser.")
		return
	}
	self, err := f.s.selfOrigin(ctx)
	if err != nil {
		fail(fasthttp.StatusBadRequest, "Sign-in failed", "Invalid Host header")
		return
	}
	// Three GitHub calls (and more for many organisations), each bounded by
	// its own timeout, then the journal; deliberately not derived from ctx,
	// as in api().
	c, cancel := context.WithTimeout(context.Background(), 4*f.gh.timeout+f.s.opts.RequestTimeout)
	defer cancel()
	cl := &call{ctx: ctx, c: c, s: f.s}
	u, err := f.signIn(cl, code, f.callbackURL(self))
	var refusal *signInRefusal
	switch {
	case errors.As(err, &refusal):
		f.s.log.Info("github sign-in refused", "request_id", requestID(ctx), "reason", refusal.msg, "ip", f.s.ClientIP(ctx))
		fail(refusal.status, refusal.title, refusal.msg)
		return
	case errors.Is(err, errGitHubCall):
		f.s.log.Warn("github sign-in failed", "request_id", requestID(ctx), "err", err, "ip", f.s.ClientIP(ctx))
		fail(fasthttp.StatusUnauthorized, "Sign-in failed", "Authentication failed")
		return
	case err != nil:
		f.s.log.Error("github sign-in failed", "request_id", requestID(ctx), "err", err, "ip", f.s.ClientIP(ctx))
		fail(fasthttp.StatusInternalServerError, "Sign-in failed", "Failed to complete authentication")
		return
	}
	if jsonClient {
		tok, err := f.createSession(cl, u)
		if err != nil {
			f.s.writeError(ctx, err)
			return
		}
		writeJSON(ctx, fasthttp.StatusOK, loginResponse{Token: tok, User: githubUserView(u)})
		return
	}
	once, err := f.codes.issue(f.s.opts.random, u)
	if err != nil {
		f.s.log.Error("github sign-in failed", "request_id", requestID(ctx), "err", err)
		fail(fasthttp.StatusInternalServerError, "Sign-in failed", "Failed to complete authentication")
		return
	}
	if target == "" {
		target = f.landing
	}
	if target == "" {
		target = "/"
	}
	ctx.Response.Header.Set(fasthttp.HeaderLocation, withCode(target, once))
	ctx.SetStatusCode(fasthttp.StatusTemporaryRedirect)
}

// signIn exchanges the code and reads who signed in, then maps and
// remembers them. The access token lives only in this call.
func (f *oauthFlow) signIn(c *call, code, redirectURI string) (state.User, error) {
	tok, err := f.gh.exchange(c.c, code, redirectURI)
	if err != nil {
		return state.User{}, fmt.Errorf("%w: %w", errGitHubCall, err)
	}
	client, err := f.gh.client(tok)
	if err != nil {
		return state.User{}, fmt.Errorf("%w: %w", errGitHubCall, err)
	}
	acct, err := f.gh.user(c.c, client)
	if err != nil {
		return state.User{}, fmt.Errorf("%w: %w", errGitHubCall, err)
	}
	who := c.who()
	who.Username = acct.Login
	orgs := func() ([]string, error) {
		list, err := f.gh.orgs(c.c, client)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errGitHubCall, err)
		}
		return list, nil
	}
	return f.authorise(c.c, who, acct, orgs)
}

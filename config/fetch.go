package config

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// maxRedirects bounds the redirects a template URL may go through.
const maxRedirects = 5

// fetcher downloads template documents. Unless private addresses are
// allowed, it checks every address it connects to, after DNS resolution and
// on every redirect, so neither a hostname that resolves (or re-resolves) to
// an internal address nor a redirect can reach the internal network.
type fetcher struct {
	client   *http.Client
	maxBytes int64
	// blocked says why an address must not be dialled ("" if it may be).
	blocked func(netip.Addr) string
}

func newFetcher(cfg TemplatesConfig) *fetcher {
	f := &fetcher{maxBytes: cfg.URLMaxBytes, blocked: blockedReason}
	if cfg.AllowPrivateURLs {
		f.blocked = func(netip.Addr) string { return "" }
	}
	dialer := &net.Dialer{Timeout: cfg.URLTimeout.D(), Control: f.checkDial}
	transport := &http.Transport{
		// No proxy: through one, the dialled address would be the proxy's
		// and the check would not see the real destination.
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   cfg.URLTimeout.D(),
		ResponseHeaderTimeout: cfg.URLTimeout.D(),
		MaxIdleConns:          1,
		IdleConnTimeout:       time.Second,
	}
	f.client = &http.Client{
		Transport:     transport,
		Timeout:       cfg.URLTimeout.D(),
		CheckRedirect: checkRedirect,
	}
	return f
}

// close releases idle connections; a fetcher lives for one load.
func (f *fetcher) close() { f.client.CloseIdleConnections() }

// fetch returns the body of a 200 answer to GET rawURL.
func (f *fetcher) fetch(ctx context.Context, rawURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("parse URL: %w", err)
	}
	if err := f.checkURL(u); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch: status %s, want 200", resp.Status)
	}
	if resp.ContentLength > f.maxBytes {
		return nil, f.tooLarge()
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > f.maxBytes {
		return nil, f.tooLarge()
	}
	return body, nil
}

func (f *fetcher) tooLarge() error {
	return fmt.Errorf("document is larger than %d bytes (templates.url_max_bytes)", f.maxBytes)
}

// checkURL refuses schemes other than http and https, and an IP literal that
// is blocked, before any connection is tried; checkDial is the real guard.
func (f *fetcher) checkURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("scheme %q is not allowed (want http or https)", u.Scheme)
	}
	if u.Hostname() == "" {
		return errors.New("URL has no host")
	}
	if addr, err := netip.ParseAddr(u.Hostname()); err == nil {
		if reason := f.blocked(addr.Unmap()); reason != "" {
			return refusal(addr, reason)
		}
	}
	return nil
}

// checkDial is a net.Dialer Control function: it runs after name resolution,
// with the address about to be connected to.
func (f *fetcher) checkDial(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("dial address %q: %w", address, err)
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("dial address %q: %w", address, err)
	}
	if reason := f.blocked(addr.Unmap()); reason != "" {
		return refusal(addr, reason)
	}
	return nil
}

func refusal(addr netip.Addr, reason string) error {
	return fmt.Errorf("address %s is %s; set templates.allow_private_urls = true to allow it", addr, reason)
}

func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("more than %d redirects", maxRedirects)
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("redirect to scheme %q is not allowed", req.URL.Scheme)
	}
	return nil
}

// thisNetwork is 0.0.0.0/8, which Linux routes to the local host.
var thisNetwork = netip.MustParsePrefix("0.0.0.0/8")

// blockedReason returns why a template URL may not reach addr by default, or
// "" if it may.
func blockedReason(addr netip.Addr) string {
	switch {
	case addr.IsLoopback():
		return "loopback"
	case addr.IsLinkLocalUnicast(), addr.IsLinkLocalMulticast():
		return "link-local"
	case addr.IsPrivate():
		return "private"
	case addr.IsUnspecified(), thisNetwork.Contains(addr):
		return "unspecified"
	case addr.IsMulticast():
		return "multicast"
	}
	return ""
}

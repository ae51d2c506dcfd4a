package httpd

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/valyala/fasthttp"
)

// proxySet holds the trusted proxies. Forwarding headers are believed only
// from them: anyone else could pick their own address, and with it their own
// rate-limit bucket (weakness 12 of the reference).
type proxySet struct {
	prefixes []netip.Prefix
}

func newProxySet(entries []string) (*proxySet, error) {
	ps := &proxySet{}
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if strings.Contains(e, "/") {
			p, err := netip.ParsePrefix(e)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: %w", e, err)
			}
			ps.prefixes = append(ps.prefixes, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(e)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", e, err)
		}
		a = a.Unmap()
		ps.prefixes = append(ps.prefixes, netip.PrefixFrom(a, a.BitLen()))
	}
	return ps, nil
}

func (ps *proxySet) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range ps.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peerAddr is the address of the TCP peer, without port.
func peerAddr(ctx *fasthttp.RequestCtx) netip.Addr {
	a, ok := netip.AddrFromSlice(ctx.RemoteIP())
	if !ok {
		return netip.IPv4Unspecified()
	}
	return a.Unmap()
}

// clientAddr is the address of the client: the peer itself, or, when the
// peer is a trusted proxy, the rightmost X-Forwarded-For entry that is not a
// trusted proxy (entries to its left were written by the client and may be
// forged), else X-Real-IP.
func (ps *proxySet) clientAddr(ctx *fasthttp.RequestCtx) netip.Addr {
	peer := peerAddr(ctx)
	if !ps.trusted(peer) {
		return peer
	}
	if xff := ctx.Request.Header.Peek("X-Forwarded-For"); len(xff) > 0 {
		return rightmostUntrusted(ps, string(xff), peer)
	}
	if a, ok := parseHostAddr(string(ctx.Request.Header.Peek("X-Real-IP"))); ok {
		return a
	}
	return peer
}

func rightmostUntrusted(ps *proxySet, xff string, peer netip.Addr) netip.Addr {
	hops := strings.Split(xff, ",")
	last := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHostAddr(hops[i])
		if !ok {
			// Garbage in the chain: the hop to its right is the last address
			// a trusted party vouched for.
			return last
		}
		if !ps.trusted(a) {
			return a
		}
		last = a
	}
	return last
}

// parseHostAddr parses "1.2.3.4", "::1", "1.2.3.4:80" or "[::1]:80".
func parseHostAddr(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// forwardedHeader returns a forwarding header only when the peer is a
// trusted proxy.
func (ps *proxySet) forwardedHeader(ctx *fasthttp.RequestCtx, name string) string {
	if !ps.trusted(peerAddr(ctx)) {
		return ""
	}
	v := string(ctx.Request.Header.Peek(name))
	// A proxy chain may append; the first value is the original client's.
	if i := strings.IndexByte(v, ','); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}

// isHTTPS reports whether the client reached us over TLS, directly or
// through a trusted proxy that says so.
func (ps *proxySet) isHTTPS(ctx *fasthttp.RequestCtx) bool {
	return ctx.IsTLS() || strings.EqualFold(ps.forwardedHeader(ctx, "X-Forwarded-Proto"), "https")
}

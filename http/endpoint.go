package httpd

import (
	"context"

	"github.com/valyala/fasthttp"

	"github.com/dispatchoor/dispatchoor/actors"
)

// call is what an endpoint sees of a request: the fasthttp context for
// reading it, a context bounded by the request timeout for the Service, and
// the caller.
type call struct {
	ctx *fasthttp.RequestCtx
	c   context.Context
	s   *Server
}

// who is the identity commands are journaled under.
func (c *call) who() actors.Who {
	w := actors.Who{IP: c.s.proxies.clientAddr(c.ctx).String()}
	if p := PrincipalFrom(c.ctx); p != nil {
		w.Username = p.Username
	}
	return w
}

func (c *call) param(name string) string { return Param(c.ctx, name) }

func (c *call) body() []byte { return c.ctx.PostBody() }

// endpoint handles a request: it returns the status and the value to send
// as JSON (nil for no body), or an error mapped by statusOf.
type endpoint func(c *call) (status int, body any, err error)

// api adapts an endpoint to fasthttp.
func (s *Server) api(e endpoint) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		// Deliberately not derived from ctx: fasthttp closes ctx.Done() at
		// shutdown, and in-flight requests should finish, not fail.
		c, cancel := context.WithTimeout(context.Background(), s.opts.RequestTimeout)
		defer cancel()
		status, body, err := e(&call{ctx: ctx, c: c, s: s})
		switch {
		case err != nil:
			s.writeError(ctx, err)
		case body == nil:
			ctx.SetStatusCode(status)
		default:
			writeJSON(ctx, status, body)
		}
	}
}

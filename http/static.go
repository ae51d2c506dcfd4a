package httpd

import (
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/valyala/fasthttp"
)

const (
	cacheImmutable = "public, max-age=31536000, immutable"
	cacheNoCache   = "no-cache"
)

// notBuiltPage is served in place of the dashboard when the binary was
// built without it.
const notBuiltPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>dispatchoor</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">
<h1>dispatchoor</h1>
<p>The API is running, but this binary was built without the web dashboard.</p>
<p>Build it with <code>make ui</code> (needs Node.js), or build everything with
<code>make build</code>, then restart the server.</p>
<p>The API lives under <a href="/api/v1/openapi.json"><code>/api/v1</code></a>;
health is at <a href="/health"><code>/health</code></a>.</p>
</body>
</html>
`

// defaultUIConfig is /config.json when the dashboard does not ship one: the
// API on the same origin.
var defaultUIConfig = []byte(`{"apiUrl":"/api/v1"}`)

// staticHandler serves the dashboard: files from StaticFS, index.html for
// any other page path (the client-side router resolves it), long-lived
// caching for the content-hashed files under /assets/, and compression.
func (s *Server) staticHandler() fasthttp.RequestHandler {
	return fasthttp.CompressHandlerBrotliLevel(s.serveStatic,
		fasthttp.CompressBrotliDefaultCompression, fasthttp.CompressDefaultCompression)
}

func (s *Server) serveStatic(ctx *fasthttp.RequestCtx) {
	name := strings.TrimPrefix(path.Clean("/"+string(ctx.Path())), "/")
	fsys := s.opts.StaticFS
	if name == "config.json" && !isFile(fsys, name) {
		ctx.Response.Header.Set(fasthttp.HeaderCacheControl, cacheNoCache)
		ctx.SetContentType("application/json")
		ctx.SetBody(defaultUIConfig)
		return
	}
	if fsys == nil {
		ctx.Response.Header.Set(fasthttp.HeaderCacheControl, cacheNoCache)
		ctx.SetContentType("text/html; charset=utf-8")
		ctx.SetBodyString(notBuiltPage)
		return
	}
	if name != "" && name != "index.html" && isFile(fsys, name) {
		cache := cacheNoCache
		if strings.HasPrefix(name, "assets/") {
			cache = cacheImmutable
		}
		s.serveFile(ctx, name, cache)
		return
	}
	if strings.HasPrefix(name, "assets/") {
		// A missing hashed asset is a stale page asking for an old build;
		// answering index.html would be cached as that asset for a year.
		writeErrorStatus(ctx, fasthttp.StatusNotFound, "not found")
		return
	}
	s.serveFile(ctx, "index.html", cacheNoCache)
}

func (s *Server) serveFile(ctx *fasthttp.RequestCtx, name, cache string) {
	data, err := fs.ReadFile(s.opts.StaticFS, name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			writeErrorStatus(ctx, fasthttp.StatusNotFound, "not found")
			return
		}
		s.log.Error("read static file", "request_id", requestID(ctx), "name", name, "err", err)
		writeErrorStatus(ctx, fasthttp.StatusInternalServerError, msgInternal)
		return
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = http.DetectContentType(data)
	}
	h := &ctx.Response.Header
	h.Set(fasthttp.HeaderCacheControl, cache)
	if path.Ext(name) == ".html" {
		// The dashboard is never meant to be framed by another site.
		h.Set("X-Frame-Options", "DENY")
	}
	ctx.SetContentType(ctype)
	ctx.SetBody(data)
}

func isFile(fsys fs.FS, name string) bool {
	if fsys == nil || !fs.ValidPath(name) {
		return false
	}
	fi, err := fs.Stat(fsys, name)
	return err == nil && !fi.IsDir()
}

package httpd

import (
	"bytes"
	"html/template"

	"github.com/valyala/fasthttp"
)

// signInPage is what a browser sees when a GitHub sign-in does not succeed:
// it arrived by a redirect from GitHub, so a JSON error would leave the
// user staring at raw text.
var signInPage = template.Must(template.New("signin").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · dispatchoor</title>
<style>
body{font-family:system-ui,sans-serif;background:#f4f4f5;color:#18181b;display:flex;min-height:100vh;align-items:center;justify-content:center;margin:0;padding:1rem}
main{max-width:28rem;background:#fff;border:1px solid #e4e4e7;border-radius:.75rem;padding:1.5rem}
h1{font-size:1.25rem;margin:0 0 .75rem}
p{line-height:1.5;margin:0 0 1rem}
a{color:#0284c7}
</style>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
<p><a href="{{.Back}}">Back to dispatchoor</a></p>
</main>
</body>
</html>
`))

// writePage answers with the sign-in result page.
func (f *oauthFlow) writePage(ctx *fasthttp.RequestCtx, status int, title, msg string) {
	back := "/"
	if f != nil && f.landing != "" {
		back = f.landing
	}
	var b bytes.Buffer
	data := struct{ Title, Message, Back string }{title, msg, back}
	if err := signInPage.Execute(&b, data); err != nil {
		// The template is fixed and its data are strings; this cannot
		// happen, but the client still deserves an answer.
		writeErrorStatus(ctx, status, msg)
		return
	}
	// The page runs nothing and loads nothing.
	ctx.Response.Header.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	ctx.Response.Header.SetContentType("text/html; charset=utf-8")
	ctx.SetStatusCode(status)
	ctx.SetBody(b.Bytes())
}

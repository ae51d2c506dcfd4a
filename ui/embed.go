// Package ui holds the web dashboard. Its production build (ui/dist) is
// embedded in the binary so that one file serves API and dashboard alike.
//
// Building the dashboard needs Node; building Go does not. A fresh clone only
// carries dist/.placeholder, in which case Assets reports that no UI exists and
// the server can answer with a hint instead of an empty page.
package ui

import (
	"embed"
	"io/fs"
)

// The all: prefix keeps dist/.placeholder, so the pattern always matches even
// before the first `npm run build`.
//
//go:embed all:dist
var dist embed.FS

// Assets returns the built dashboard rooted at dist/ (index.html at the top,
// hashed bundles under assets/) and true, or nil and false when the UI has not
// been built.
func Assets() (fs.FS, bool) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil, false
	}
	if _, err := fs.Stat(sub, "index.html"); err != nil {
		return nil, false
	}
	return sub, true
}

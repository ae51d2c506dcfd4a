package ui

import (
	"io/fs"
	"os"
	"testing"
)

// The embedded tree mirrors the dist directory at build time, so the expected
// answer depends on whether `npm run build` ran before `go test`.
func TestAssetsMatchesBuildState(t *testing.T) {
	_, statErr := os.Stat("dist/index.html")
	built := statErr == nil

	assets, ok := Assets()
	if ok != built {
		t.Fatalf("Assets() ok = %v; want %v (dist/index.html present: %v)", ok, built, built)
	}
	if !built {
		if assets != nil {
			t.Fatalf("Assets() fs = %v; want nil when the UI is not built", assets)
		}
		return
	}
	data, err := fs.ReadFile(assets, "index.html")
	if err != nil {
		t.Fatalf("read embedded index.html: %v", err)
	}
	if len(data) == 0 {
		t.Fatalf("embedded index.html is empty")
	}
}

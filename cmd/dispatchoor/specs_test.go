package main

import "testing"

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"templates/sync.yaml":                                  "templates/sync.yaml",
		"https://example.com/t.yaml":                           "https://example.com/t.yaml",
		"https://user:s3cret@example.com/t.yaml":               "https://redacted@example.com/t.yaml",
		"https://example.com/t.yaml?token=s3cret&ref=main":     "https://example.com/t.yaml?ref=redacted&token=redacted",
		"https://ghp_abc:x-oauth-basic@raw.example.com/a.yaml": "https://redacted@raw.example.com/a.yaml",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

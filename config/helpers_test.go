package config

import (
	"strings"
	"testing"
)

// env returns a LookupEnv func over a fixed map, so tests never read the
// process environment.
func env(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// noEnv is an environment where nothing is set.
var noEnv = env(nil)

// minimalTOML is the smallest valid config: one basic user and one group.
const minimalTOML = `
[auth.basic]
enabled = true
users = [{ username = "admin", password = "secret", role = "admin" }]

[[groups.github]]
id = "g1"
runner_labels = ["self-hosted"]
`

func mustParse(tb testing.TB, text, format string, opts LoadOptions) *Config {
	tb.Helper()
	if opts.LookupEnv == nil {
		opts.LookupEnv = noEnv
	}
	c, err := Parse([]byte(text), format, "", opts)
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return c
}

// mustFail parses text and checks that the error mentions every want.
func mustFail(tb testing.TB, text, format string, opts LoadOptions, want ...string) error {
	tb.Helper()
	if opts.LookupEnv == nil {
		opts.LookupEnv = noEnv
	}
	_, err := Parse([]byte(text), format, "", opts)
	if err == nil {
		tb.Fatalf("Parse succeeded; want an error mentioning %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			tb.Fatalf("error %q\ndoes not mention %q", err, w)
		}
	}
	return err
}

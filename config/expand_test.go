package config

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func TestExpandEnv(t *testing.T) {
	vars := env(map[string]string{
		"SET":    "value",
		"EMPTY":  "",
		"DOLLAR": "se$cret${X}",
		"QUOTED": `a"b\c`,
	})
	f := func(in string, fmtName format, want string) {
		t.Helper()
		got, err := expandEnv(in, fmtName, vars)
		if err != nil {
			t.Fatalf("expandEnv(%q): %v", in, err)
		}
		if got.text != want {
			t.Fatalf("expandEnv(%q) = %q; want %q", in, got.text, want)
		}
	}
	f(`a = ${SET}`, formatYAML, `a = value`)
	f(`a = "${SET}"`, formatTOML, `a = "value"`)
	f(`a: ${EMPTY}`, formatYAML, `a: `)
	f(`a: ${EMPTY:-fallback}`, formatYAML, `a: fallback`)
	f(`a: ${UNSET:-fall back}`, formatYAML, `a: fall back`)
	f(`a: ${SET:-unused}`, formatYAML, `a: value`)
	f(`a: ${UNSET:-}`, formatYAML, `a: `)
	f(`a: $$`, formatYAML, `a: $`)
	f(`a: $${SET}`, formatYAML, `a: ${SET}`)
	f(`a: pa$word $SET $`, formatYAML, `a: pa$word $SET $`)
	// A value is inserted once: a $ inside it is not expanded again.
	f(`a: ${DOLLAR}`, formatYAML, `a: se$cret${X}`)
	// TOML comments are left exactly as written.
	f("# ${UNSET} $$\na = 1 # ${SET}", formatTOML, "# ${UNSET} $$\na = 1 # ${SET}")
	// A # inside a string is not a comment.
	f(`a = "#${SET}"`, formatTOML, `a = "#value"`)
	// Values are escaped for the TOML string they land in.
	f(`a = "${QUOTED}"`, formatTOML, `a = "a\"b\\c"`)
	f(`a = """${QUOTED}"""`, formatTOML, `a = """a\"b\\c"""`)
	f(`a = '${SET}'`, formatTOML, `a = 'value'`)
	f(`a = '''${QUOTED}'''`, formatTOML, `a = '''a"b\c'''`)
	f(`a = ${SET}`, formatTOML, `a = value`)
	// An escaped quote does not end the string; the closing run of a
	// multi-line string may hold extra quotes.
	f(`a = "x\"${QUOTED}"`, formatTOML, `a = "x\"a\"b\\c"`)
	f(`a = """x"""" # ${SET}`, formatTOML, `a = """x"""" # ${SET}`)
	// YAML text is substituted verbatim, as the reference system did.
	f(`a: "${QUOTED}"`, formatYAML, `a: "a"b\c"`)
}

func TestExpandEnvUnsetBecomesMarker(t *testing.T) {
	got, err := expandEnv("a = 1\nb = \"${MISSING}\"\n", formatTOML, noEnv)
	if err != nil {
		t.Fatalf("expandEnv: %v", err)
	}
	if len(got.unset) != 1 || got.unset[0].name != "MISSING" || got.unset[0].line != 2 {
		t.Fatalf("unset = %+v; want MISSING on line 2", got.unset)
	}
	if !strings.Contains(got.text, got.unset[0].marker) {
		t.Fatalf("text %q lacks marker %q", got.text, got.unset[0].marker)
	}
}

func TestExpandEnvErrors(t *testing.T) {
	vars := env(map[string]string{"Q": "it's", "ML": "a'''b", "NL": "a\nb"})
	f := func(in string, want ...string) {
		t.Helper()
		_, err := expandEnv(in, formatTOML, vars)
		if err == nil {
			t.Fatalf("expandEnv(%q) succeeded; want an error", in)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Fatalf("expandEnv(%q) error %q does not mention %q", in, err, w)
			}
		}
		if strings.Contains(err.Error(), "it's") || strings.Contains(err.Error(), "a'''b") {
			t.Fatalf("error %q reveals the value", err)
		}
	}
	f("a = 1\nb = \"${UNCLOSED\"", "line 2", "unterminated")
	f(`a = "${}"`, "line 1", "invalid environment variable name")
	f(`a = "${1X}"`, "invalid environment variable name", `"1X"`)
	f(`a = "${A-B}"`, "invalid environment variable name")
	f(`a = '${Q}'`, "line 1", "value of Q", "single quote")
	f(`a = '${NL}'`, "value of NL")
	f(`a = '''${ML}'''`, "value of ML")
	// Every problem is reported, not only the first.
	f("a = \"${}\"\nb = \"${\"", "line 1", "line 2")
}

// TestExpandEnvRoundTripsThroughTOML checks that awkward values placed in
// every kind of TOML string decode back unchanged.
func TestExpandEnvRoundTripsThroughTOML(t *testing.T) {
	values := []string{`plain`, `pa$word`, `"quoted"`, `back\slash`, "tab\there", "new\nline", `\u0041`, "ctl\x01", `${X}`, `$$`}
	for _, v := range values {
		for _, doc := range []string{`v = "${V}"`, `v = """${V}"""`, "v = '''${V}'''"} {
			if strings.HasPrefix(doc, "v = '''") && strings.ContainsAny(v, "\x01") {
				continue // control characters cannot be written in literal strings at all
			}
			exp, err := expandEnv(doc, formatTOML, env(map[string]string{"V": v}))
			if err != nil {
				t.Fatalf("expand %q with V=%q: %v", doc, v, err)
			}
			var got struct{ V string }
			if _, err := toml.Decode(exp.text, &got); err != nil {
				t.Fatalf("decode %q (from %q, V=%q): %v", exp.text, doc, v, err)
			}
			want := v
			if got.V != want {
				t.Fatalf("%s with V=%q decoded to %q", doc, v, got.V)
			}
		}
	}
}

func TestUnsetVariableNamesKey(t *testing.T) {
	text := minimalTOML + `
[github]
token = "${GH_TOKEN}"
# a comment may mention ${NOT_NEEDED} freely
`
	mustFail(t, text, "toml", LoadOptions{}, `github.token: environment variable GH_TOKEN is not set (line 11)`)

	err := mustFail(t, strings.Replace(minimalTOML, `"secret"`, `"${PW}"`, 1), "toml", LoadOptions{},
		`auth.basic.users[0].password: environment variable PW is not set`)
	if strings.Contains(err.Error(), markerPrefix) {
		t.Fatalf("error %q shows the internal marker", err)
	}
}

func TestUnsetVariableOutsideStringNamesLine(t *testing.T) {
	text := minimalTOML + "weight = ${WEIGHT}\n"
	err := mustFail(t, text, "toml", LoadOptions{}, "line 9: environment variable WEIGHT is not set")
	if strings.Contains(err.Error(), markerPrefix) {
		t.Fatalf("error %q shows the internal marker", err)
	}
}

func TestUnsetVariableInYAMLCommentIsIgnored(t *testing.T) {
	text := `
# token: ${NOT_NEEDED}
auth:
  basic:
    enabled: true
    users: [{username: a, password: "${PW}"}]
groups:
  github:
    - {id: g, runner_labels: [x]}
`
	c := mustParse(t, text, "yaml", LoadOptions{LookupEnv: env(map[string]string{"PW": "p"})})
	if got := c.Auth.Basic.Users[0].Password; got != "p" {
		t.Fatalf("password = %q; want %q", got, "p")
	}
}

func TestEnvSuppliesNonStringValues(t *testing.T) {
	text := minimalTOML + "weight = ${WEIGHT}\n[dispatcher]\nenabled = ${DISPATCH:-false}\n"
	c := mustParse(t, text, "toml", LoadOptions{LookupEnv: env(map[string]string{"WEIGHT": "3"})})
	if c.Groups[0].Weight != 3 || c.Dispatcher.Enabled {
		t.Fatalf("weight = %d, dispatcher.enabled = %v; want 3, false", c.Groups[0].Weight, c.Dispatcher.Enabled)
	}
}

func TestPasswordWithDollar(t *testing.T) {
	text := strings.Replace(minimalTOML, `"secret"`, `"pa$x$$y"`, 1) + "[github]\ntoken = \"${TOKEN}\"\n"
	c := mustParse(t, text, "toml", LoadOptions{LookupEnv: env(map[string]string{"TOKEN": `t$k"n\`})})
	if got := c.Auth.Basic.Users[0].Password; got != "pa$x$y" {
		t.Fatalf("password = %q; want %q", got, "pa$x$y")
	}
	if got := c.GitHub.Token; got != `t$k"n\` {
		t.Fatalf("token = %q; want %q", got, `t$k"n\`)
	}
}

func TestUnsetVariableNeverShowsMarker(t *testing.T) {
	text := minimalTOML + `workflow_dispatch_templates_urls = ["https://${HOST}/t.yaml"]
[storage]
sync = "${SYNC}"
`
	fetched := false
	err := mustFail(t, text, "toml", LoadOptions{fetch: func(context.Context, *fetcher, string) ([]byte, error) {
		fetched = true
		return nil, errors.New("unexpected fetch")
	}},
		`storage.sync: environment variable SYNC is not set (line 11)`,
		`storage.sync: must be "always" or "none", got "${SYNC}"`,
		`groups.github[0].workflow_dispatch_templates_urls[0]: environment variable HOST is not set (line 9)`)
	if strings.Contains(err.Error(), markerPrefix) {
		t.Fatalf("error %q shows the internal marker", err)
	}
	if fetched {
		t.Fatal("a URL holding an unset variable was fetched")
	}
}

package config

import (
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// fuzzOptions never touches the file system or the network: fuzzed input
// can name any file or URL.
var fuzzOptions = LoadOptions{
	LookupEnv: env(map[string]string{"ADMIN_PASSWORD": "fuzz-pw", "GITHUB_TOKEN": "fuzz-token"}),
	readFile: func(path string) ([]byte, error) {
		return nil, errors.New("file access disabled while fuzzing")
	},
	fetch: func(context.Context, *fetcher, string) ([]byte, error) {
		return nil, errors.New("network disabled while fuzzing")
	},
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"../config.example.toml", "testdata/reference.toml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, false)
	}
	data, err := os.ReadFile("testdata/reference.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data, true)
	f.Add([]byte(minimalTOML), false)
	f.Add([]byte(richTOML), false)
	f.Add([]byte("a = \"${X:-y}\" # ${Z}\nb = '''$$'''\n"), false)
	f.Add([]byte("groups: {github: [{id: g, weight: 0, runner_labels: [x]}]}\n"), true)
	f.Add([]byte("- 1\n"), true)

	f.Fuzz(func(t *testing.T, data []byte, isYAML bool) {
		format := "toml"
		if isYAML {
			format = "yaml"
		}
		c, err := Parse(data, format, "", fuzzOptions)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		checkInvariants(t, c)
		again, err := Parse(data, format, "", fuzzOptions)
		if err != nil || !reflect.DeepEqual(c, again) {
			t.Fatalf("parsing the same input twice differs: %v", err)
		}
	})
}

// checkInvariants asserts what every successfully loaded config guarantees.
func checkInvariants(t *testing.T, c *Config) {
	t.Helper()
	for _, d := range []Duration{c.GitHub.PollInterval, c.GitHub.RequestTimeout, c.Dispatcher.Interval,
		c.Dispatcher.TrackingInterval, c.Dispatcher.RunNotFoundTimeout, c.Auth.SessionTTL,
		c.History.CleanupInterval, c.Templates.URLTimeout} {
		if d <= 0 {
			t.Fatalf("a duration is %v; want > 0", d)
		}
	}
	if !c.Auth.Basic.Enabled && !c.Auth.GitHub.Enabled {
		t.Fatal("no auth method enabled")
	}
	if !strings.HasSuffix(c.GitHub.APIURL, "/") {
		t.Fatalf("api_url %q lacks its trailing slash", c.GitHub.APIURL)
	}
	ids := map[string]bool{}
	for _, g := range c.Groups {
		if g.ID == "" || g.Weight <= 0 || len(g.RunnerLabels) == 0 {
			t.Fatalf("invalid group accepted: %+v", g)
		}
		for _, tp := range g.Templates {
			if tp.GroupID != g.ID || tp.SourceType == "" || tp.Ref == "" || tp.Owner == "" || tp.Repo == "" || tp.WorkflowID == "" {
				t.Fatalf("invalid template accepted: %+v", tp)
			}
			if ids[tp.ID] {
				t.Fatalf("duplicate template id %q accepted", tp.ID)
			}
			ids[tp.ID] = true
		}
	}
	r := c.redactedCopy()
	for _, s := range []string{r.GitHub.Token, r.GitHub.RunnersToken, r.GitHub.WebhookSecret, r.Auth.GitHub.ClientSecret} {
		if s != "" && s != redactedText {
			t.Fatalf("secret %q survived redaction", s)
		}
	}
	for _, u := range r.Auth.Basic.Users {
		if u.Password != redactedText {
			t.Fatalf("password %q survived redaction", u.Password)
		}
	}
	_ = c.Redacted()
}

// FuzzExpandTOMLString checks that any environment value placed in any kind
// of TOML string decodes back unchanged, or is refused with an error.
func FuzzExpandTOMLString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"uote`, `back\slash`, "it's", "a'''b", "new\nline", "ctl\x7f", "\r\n", `\u0041`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		if !utf8.ValidString(value) {
			return // TOML documents are UTF-8; such a value cannot be written at all
		}
		for _, doc := range []string{`v = "${V}"`, `v = """${V}"""`, `v = '${V}'`, `v = '''${V}'''`} {
			exp, err := expandEnv(doc, formatTOML, env(map[string]string{"V": value}))
			if err != nil {
				if !errors.Is(err, errLiteralValue) && !errors.Is(err, errMultiLiteralValue) {
					t.Fatalf("%s with V=%q: unexpected error %v", doc, value, err)
				}
				continue
			}
			var got struct{ V string }
			if _, err := toml.Decode(exp.text, &got); err != nil {
				t.Fatalf("%s with V=%q: decode %q: %v", doc, value, exp.text, err)
			}
			want := value
			if got.V != want {
				t.Fatalf("%s with V=%q decoded to %q", doc, value, got.V)
			}
		}
	})
}

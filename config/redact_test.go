package config

import (
	"fmt"
	"strings"
	"testing"
)

func TestRedactedHidesEverySecret(t *testing.T) {
	secrets := map[string]string{
		"TOKEN": "tok-AAAA", "RUNNERS": "tok-BBBB", "HOOK": "hook-CCCC",
		"CLIENT": "client-DDDD", "PW": "pw-EEEE", "URLPW": "url-FFFF", "QTOKEN": "q-GGGG",
	}
	text := `
[github]
api_url = "https://user:${URLPW}@ghes.example.com/api/v3/"
token = "${TOKEN}"
runners_token = "${RUNNERS}"
webhook_secret = "${HOOK}"
[auth.basic]
enabled = true
users = [{ username = "admin", password = "${PW}", role = "admin" }]
[auth.github]
enabled = true
client_id = "visible-client-id"
client_secret = "${CLIENT}"
[templates]
allow_private_urls = true
[[groups.github]]
id = "g"
runner_labels = ["x"]
`
	c := mustParse(t, text, "toml", LoadOptions{LookupEnv: env(secrets)})
	// A template URL with credentials, as it would be after loading.
	c.Groups[0].TemplateURLs = []string{"https://bot:" + secrets["URLPW"] + "@example.com/t.yaml?token=" + secrets["QTOKEN"]}

	outputs := map[string]string{
		"Redacted": c.Redacted(),
		"%v":       fmt.Sprintf("%v", c),
		"%+v":      fmt.Sprintf("%+v", *c),
		"%#v":      fmt.Sprintf("%#v", c),
		"%s":       fmt.Sprintf("%s", *c),
	}
	for form, out := range outputs {
		for name, secret := range secrets {
			if strings.Contains(out, secret) {
				t.Fatalf("%s output reveals %s:\n%s", form, name, out)
			}
		}
		if !strings.Contains(out, "visible-client-id") || !strings.Contains(out, `"[redacted]"`) {
			t.Fatalf("%s output lacks the non-secret fields or the redaction marks:\n%s", form, out)
		}
	}
	// The config itself keeps its secrets.
	if c.GitHub.Token != secrets["TOKEN"] || c.Auth.Basic.Users[0].Password != secrets["PW"] ||
		!strings.Contains(c.Groups[0].TemplateURLs[0], secrets["QTOKEN"]) {
		t.Fatal("Redacted modified the config")
	}
}

func TestRedactedKeepsEmptySecretsEmpty(t *testing.T) {
	out := mustParse(t, minimalTOML, "toml", LoadOptions{}).Redacted()
	if !strings.Contains(out, `token = ""`) {
		t.Fatalf("an unset token should show as empty, not as redacted:\n%s", out)
	}
}

func TestRedactURL(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := redactURL(in); got != want {
			t.Fatalf("redactURL(%q) = %q; want %q", in, got, want)
		}
	}
	f("https://api.github.com/", "https://api.github.com/")
	f("https://u@h/x", "https://u@h/x")
	f("https://u:p@h/x", "https://u:%5Bredacted%5D@h/x")
	f("https://h/x?a=1&b=2", "https://h/x?a=%5Bredacted%5D&b=%5Bredacted%5D")
	f("://bad", redactedText)
}

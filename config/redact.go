package config

import (
	"bytes"
	"fmt"
	"net/url"

	"github.com/BurntSushi/toml"
)

// redactedText replaces every secret in Redacted's output.
const redactedText = "[redacted]"

// Redacted returns the effective configuration as TOML with every secret
// (tokens, passwords, client and webhook secrets, passwords inside URLs)
// replaced by "[redacted]". It is the only form in which a Config should be
// logged. Templates from files and URLs appear inline beside their groups'
// source lists, so the output shows what was loaded but is not meant to be
// loaded again as it is.
func (c Config) Redacted() string {
	r := c.redactedCopy()
	doc := newDocument(&r)
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(doc); err != nil {
		// Every field type here is encodable; this is a programming error,
		// and its message must not carry any of the values.
		return fmt.Sprintf("config: cannot encode: %T", err)
	}
	return buf.String()
}

// String returns Redacted(), so that printing a Config with %v or %s never
// leaks a secret.
func (c Config) String() string { return c.Redacted() }

// GoString returns Redacted(), for the same reason, under %#v.
func (c Config) GoString() string { return c.Redacted() }

// redactedCopy returns a copy of c with the secrets replaced. Slices holding
// secrets are copied so c itself is untouched.
func (c Config) redactedCopy() Config {
	hide := func(s *string) {
		if *s != "" {
			*s = redactedText
		}
	}
	hide(&c.GitHub.Token)
	hide(&c.GitHub.RunnersToken)
	hide(&c.GitHub.WebhookSecret)
	hide(&c.Auth.GitHub.ClientSecret)
	c.GitHub.APIURL = redactURL(c.GitHub.APIURL)
	c.Auth.Basic.Users = append([]BasicUser(nil), c.Auth.Basic.Users...)
	for i := range c.Auth.Basic.Users {
		hide(&c.Auth.Basic.Users[i].Password)
	}
	c.Groups = append([]Group(nil), c.Groups...)
	for i := range c.Groups {
		g := &c.Groups[i]
		g.TemplateURLs = append([]string(nil), g.TemplateURLs...)
		for j := range g.TemplateURLs {
			g.TemplateURLs[j] = redactURL(g.TemplateURLs[j])
		}
	}
	return c
}

// redactURL hides a password in a URL's user information and every query
// value, where access tokens are often passed. A URL that does not parse is
// hidden whole.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return redactedText
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), redactedText)
		}
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			q[k] = []string{redactedText}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

package main

import (
	"maps"
	"net/url"
	"slices"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/actors/state"
	"github.com/dispatchoor/dispatchoor/config"
)

// groupSpecs turns the configured groups into what the actors sync.
func groupSpecs(cfg *config.Config) []actors.GroupSpec {
	out := make([]actors.GroupSpec, 0, len(cfg.Groups))
	for _, g := range cfg.Groups {
		sp := actors.GroupSpec{Group: state.Group{
			ID: g.ID, Name: g.Name, Description: g.Description,
			RunnerLabels: slices.Clone(g.RunnerLabels), Weight: g.Weight, Repos: slices.Clone(g.Repos),
		}}
		for _, t := range g.Templates {
			sp.Templates = append(sp.Templates, state.Template{
				ID: t.ID, GroupID: g.ID, Name: t.Name, Owner: t.Owner, Repo: t.Repo, WorkflowID: t.WorkflowID, Ref: t.Ref,
				DefaultInputs: maps.Clone(t.Inputs), Labels: maps.Clone(t.Labels), CorrelationInput: t.CorrelationInput,
				SourceType: t.SourceType, SourcePath: redactURL(t.SourcePath),
			})
		}
		out = append(out, sp)
	}
	return out
}

func basicUsernames(cfg *config.Config) []string {
	var out []string
	if !cfg.Auth.Basic.Enabled {
		return out
	}
	for _, u := range cfg.Auth.Basic.Users {
		out = append(out, u.Username)
	}
	return out
}

// redactURL hides credentials a template URL may carry (user info, query
// values such as ?token=) before the URL is journaled or shown by the API:
// secrets never enter the log. Paths that are not URLs pass unchanged.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return s
	}
	if u.User != nil {
		u.User = url.User("redacted")
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			q.Set(k, "redacted")
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

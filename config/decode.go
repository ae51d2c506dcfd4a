package config

import (
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"
)

// format is a document syntax.
type format int

const (
	formatTOML format = iota
	formatYAML
)

func (f format) String() string {
	if f == formatYAML {
		return "yaml"
	}
	return "toml"
}

// parseFormat accepts "toml", "yaml" or "yml", with or without a leading dot
// and in any case.
func parseFormat(s string) (format, error) {
	switch strings.ToLower(strings.TrimPrefix(s, ".")) {
	case "toml":
		return formatTOML, nil
	case "yaml", "yml":
		return formatYAML, nil
	}
	return 0, fmt.Errorf("unsupported config format %q (want toml, yaml or yml)", s)
}

// formatOfName picks the format from a file name or URL path: TOML for
// ".toml", otherwise YAML, the reference system's format.
func formatOfName(name string) format {
	if strings.EqualFold(path.Ext(name), ".toml") {
		return formatTOML
	}
	return formatYAML
}

// document is the shape of a config file. It differs from Config only where
// the file's shape and the API's differ: groups sit under `groups.github`, a
// group's weight must tell "absent" from "0", and `database` is accepted.
type document struct {
	Server     ServerConfig     `toml:"server" yaml:"server"`
	Storage    StorageConfig    `toml:"storage" yaml:"storage"`
	GitHub     GitHubConfig     `toml:"github" yaml:"github"`
	Dispatcher DispatcherConfig `toml:"dispatcher" yaml:"dispatcher"`
	Cluster    ClusterConfig    `toml:"cluster" yaml:"cluster"`
	Auth       AuthConfig       `toml:"auth" yaml:"auth"`
	History    HistoryConfig    `toml:"history" yaml:"history"`
	Logging    LoggingConfig    `toml:"logging" yaml:"logging"`
	Templates  TemplatesConfig  `toml:"templates" yaml:"templates"`
	Groups     groupsDoc        `toml:"groups" yaml:"groups"`
	// Database is the reference system's storage section. Its content is
	// never used; decoding it into a generic map accepts any keys.
	Database map[string]any `toml:"database,omitempty" yaml:"database,omitempty"`
}

type groupsDoc struct {
	GitHub []groupDoc `toml:"github" yaml:"github"`
}

type groupDoc struct {
	ID            string     `toml:"id" yaml:"id"`
	Name          string     `toml:"name" yaml:"name"`
	Description   string     `toml:"description" yaml:"description"`
	RunnerLabels  []string   `toml:"runner_labels" yaml:"runner_labels"`
	Weight        *int       `toml:"weight" yaml:"weight"`
	Repos         []string   `toml:"repos" yaml:"repos"`
	TemplateFiles []string   `toml:"workflow_dispatch_templates_files" yaml:"workflow_dispatch_templates_files"`
	TemplateURLs  []string   `toml:"workflow_dispatch_templates_urls" yaml:"workflow_dispatch_templates_urls"`
	Templates     []Template `toml:"workflow_dispatch_templates" yaml:"workflow_dispatch_templates"`
}

// newDocument returns a document holding c's sections, so that decoding over
// it keeps c's value for every key the file omits.
func newDocument(c *Config) document {
	d := document{
		Server: c.Server, Storage: c.Storage, GitHub: c.GitHub,
		Dispatcher: c.Dispatcher, Cluster: c.Cluster, Auth: c.Auth,
		History: c.History, Logging: c.Logging, Templates: c.Templates,
	}
	for _, g := range c.Groups {
		weight := g.Weight
		d.Groups.GitHub = append(d.Groups.GitHub, groupDoc{
			ID: g.ID, Name: g.Name, Description: g.Description,
			RunnerLabels: g.RunnerLabels, Weight: &weight, Repos: g.Repos,
			TemplateFiles: g.TemplateFiles, TemplateURLs: g.TemplateURLs,
			Templates: g.Templates,
		})
	}
	return d
}

// config converts the document. Templates are marked as inline; those of
// files and URLs are added later.
func (d *document) config() *Config {
	c := &Config{
		Server: d.Server, Storage: d.Storage, GitHub: d.GitHub,
		Dispatcher: d.Dispatcher, Cluster: d.Cluster, Auth: d.Auth,
		History: d.History, Logging: d.Logging, Templates: d.Templates,
	}
	for _, gd := range d.Groups.GitHub {
		g := Group{
			ID: gd.ID, Name: gd.Name, Description: gd.Description,
			RunnerLabels: gd.RunnerLabels, Weight: defaultWeight, Repos: gd.Repos,
			TemplateFiles: gd.TemplateFiles, TemplateURLs: gd.TemplateURLs,
		}
		if gd.Weight != nil {
			g.Weight = *gd.Weight
		}
		for _, t := range gd.Templates {
			t.GroupID, t.SourceType, t.SourcePath = gd.ID, SourceInline, ""
			g.Templates = append(g.Templates, t)
		}
		c.Groups = append(c.Groups, g)
	}
	if d.Database != nil {
		c.Warnings = append(c.Warnings,
			"the database section is ignored: state is kept in the write-ahead log under storage.dir")
	}
	return c
}

// keyIgnorer is implemented by decoding targets that accept some keys
// without using them.
type keyIgnorer interface {
	ignoresKey(k toml.Key) bool
}

// ignoresKey accepts anything inside the reference system's database
// section; TOML marks the nested keys of a generic map as undecoded.
func (*document) ignoresKey(k toml.Key) bool { return len(k) > 0 && k[0] == "database" }

// decodeInto decodes text over v. Keys that v has no place for are returned
// as unknown-key errors, apart from the decoding error proper, so the caller
// can report them together with validation problems.
func decodeInto(text string, f format, v any) (defined definedFunc, unknown []error, err error) {
	if f == formatYAML {
		return decodeYAML(text, v)
	}
	return decodeTOML(text, v)
}

func decodeTOML(text string, v any) (definedFunc, []error, error) {
	md, err := toml.NewDecoder(strings.NewReader(text)).Decode(v)
	if err != nil {
		return nil, nil, err
	}
	var unknown []error
	reported := map[string]bool{}
	ign, _ := v.(keyIgnorer)
	for _, k := range md.Undecoded() {
		if ign != nil && ign.ignoresKey(k) {
			continue
		}
		// An unknown table lists its own keys too; naming the table is enough.
		if len(k) > 1 && reported[toml.Key(k[:len(k)-1]).String()] {
			reported[k.String()] = true
			continue
		}
		reported[k.String()] = true
		unknown = append(unknown, fmt.Errorf("unknown key %q", k.String()))
	}
	return md.IsDefined, unknown, nil
}

func decodeYAML(text string, v any) (definedFunc, []error, error) {
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(text), &root); err != nil {
		return nil, nil, err
	}
	dec := yaml.NewDecoder(strings.NewReader(text))
	// yaml.v3 reports unknown fields as part of its decoding error; they are
	// returned as such, since yaml.v3 stops short of a typed list.
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, err
	}
	return func(path ...string) bool { return yamlDefined(&root, path) }, nil, nil
}

// yamlDefined reports whether the mapping keys in path lead to a value.
func yamlDefined(n *yaml.Node, path []string) bool {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return false
		}
		n = n.Content[0]
	}
	if len(path) == 0 {
		return true
	}
	if n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == path[0] {
			return yamlDefined(n.Content[i+1], path[1:])
		}
	}
	return false
}

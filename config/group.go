package config

// Template sources, recorded in Template.SourceType.
const (
	SourceInline = "inline"
	SourceFile   = "file"
	SourceURL    = "url"
)

// DefaultRef is the git ref a template dispatches on when it names none.
const DefaultRef = "main"

// Group is one `[[groups.github]]` entry: a pool of self-hosted runners and
// the job templates that run on it.
type Group struct {
	// ID is used in every URL, so it is restricted to letters, digits, '.',
	// '_' and '-'.
	ID string
	// Name defaults to ID.
	Name        string
	Description string
	// RunnerLabels must all be present on a runner for it to belong to the
	// group (exact, case-sensitive match).
	RunnerLabels []string
	// Weight is the group's share of idle runners that several groups'
	// labels match. Always > 0.
	Weight int
	// Repos lists "owner/repo" whose repository-level runners are polled, in
	// addition to the organisation runners of the template owners.
	Repos []string
	// TemplateFiles and TemplateURLs are the sources as written in the
	// config; their templates are already in Templates.
	TemplateFiles []string
	TemplateURLs  []string
	// Templates holds inline templates first, then those of each file, then
	// those of each URL.
	Templates []Template
}

// Template is a workflow_dispatch job template.
type Template struct {
	// ID is unique across all groups.
	ID string `toml:"id" yaml:"id"`
	// GroupID is the group the template was configured in.
	GroupID    string `toml:"-" yaml:"-"`
	Name       string `toml:"name" yaml:"name"`
	Owner      string `toml:"owner" yaml:"owner"`
	Repo       string `toml:"repo" yaml:"repo"`
	WorkflowID string `toml:"workflow_id" yaml:"workflow_id"`
	// Ref defaults to DefaultRef.
	Ref string `toml:"ref" yaml:"ref"`
	// Inputs are the default workflow inputs; GitHub takes strings only.
	Inputs map[string]string `toml:"inputs" yaml:"inputs"`
	// Labels are free-form metadata for filtering, unrelated to runner
	// labels.
	Labels map[string]string `toml:"labels" yaml:"labels"`
	// CorrelationInput names a workflow input, declared by the target
	// workflow, through which the dispatcher passes its dispatch key so the
	// run can be matched exactly when GitHub does not return the run id.
	CorrelationInput string `toml:"correlation_input" yaml:"correlation_input"`
	// SourceType is SourceInline, SourceFile or SourceURL.
	SourceType string `toml:"-" yaml:"-"`
	// SourcePath is the file path as written in the config, or the URL;
	// empty for inline templates.
	SourcePath string `toml:"-" yaml:"-"`
}

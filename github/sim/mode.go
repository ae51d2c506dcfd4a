package sim

import (
	"fmt"
	"strconv"
	"strings"
)

// Modes of Config.Mode.
const (
	ModeDotcom = "dotcom"
	modeGHES   = "ghes:"
)

// Run-details policies of DispatchPolicy.RunDetails.
const (
	RunDetailsSupported   = "supported"
	RunDetailsUnsupported = "unsupported"
	RunDetailsIgnored     = "ignored"
)

// API versions the simulator understands (X-GitHub-Api-Version).
const (
	apiVersion2022 = "2022-11-28"
	apiVersion2026 = "2026-03-10"
)

// mode is a parsed Config.Mode.
type mode struct {
	ghes         bool
	major, minor int
	version      string // "3.20.0" for ghes
}

func parseMode(s string) (mode, error) {
	if s == "" || s == ModeDotcom {
		return mode{}, nil
	}
	if !strings.HasPrefix(s, modeGHES) {
		return mode{}, fmt.Errorf("mode %q: want dotcom or ghes:<version>", s)
	}
	v := strings.TrimPrefix(s, modeGHES)
	parts := strings.Split(v, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return mode{}, fmt.Errorf("mode %q: version must look like 3.21 or 3.21.0", s)
	}
	nums := make([]int, 3)
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return mode{}, fmt.Errorf("mode %q: bad version part %q", s, p)
		}
		nums[i] = n
	}
	return mode{ghes: true, major: nums[0], minor: nums[1],
		version: fmt.Sprintf("%d.%d.%d", nums[0], nums[1], nums[2])}, nil
}

// atLeast reports whether a ghes version is >= major.minor (dotcom: always).
func (m mode) atLeast(major, minor int) bool {
	if !m.ghes {
		return true
	}
	return m.major > major || (m.major == major && m.minor >= minor)
}

// apiPrefix is the path prefix of the REST API in this mode.
func (m mode) apiPrefix() string {
	if m.ghes {
		return "/api/v3"
	}
	return ""
}

package httpd

import (
	"fmt"
	"slices"
	"strings"
)

// roleRank orders the roles a mapping may grant; a higher rank wins.
var roleRank = map[string]int{RoleReadonly: 1, RoleAdmin: 2}

// roleMapper decides a GitHub user's role. GitHub logins and organisation
// names are case-insensitive, so both mappings are keyed by lower case; the
// reference compared organisations case-sensitively and took the first
// match in GitHub's order rather than the highest role.
type roleMapper struct {
	users map[string]string
	orgs  map[string]string
}

func newRoleMapper(users, orgs map[string]string) (roleMapper, error) {
	u, err := lowerRoleMap("user_role_mapping", users)
	if err != nil {
		return roleMapper{}, err
	}
	o, err := lowerRoleMap("org_role_mapping", orgs)
	if err != nil {
		return roleMapper{}, err
	}
	return roleMapper{users: u, orgs: o}, nil
}

// lowerRoleMap validates a mapping and keys it by lower case. Two keys that
// differ only in case are refused: which of their roles was meant is
// anybody's guess.
func lowerRoleMap(name string, m map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(m))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		role := m[k]
		if k == "" {
			return nil, fmt.Errorf("%s: a login must not be empty", name)
		}
		if _, ok := roleRank[role]; !ok {
			return nil, fmt.Errorf("%s[%q]: role must be %q or %q, got %q", name, k, RoleAdmin, RoleReadonly, role)
		}
		lk := strings.ToLower(k)
		if _, dup := out[lk]; dup {
			return nil, fmt.Errorf("%s: %q is listed twice with different case", name, k)
		}
		out[lk] = role
	}
	return out, nil
}

// userRole is the role the user mapping gives a login.
func (m roleMapper) userRole(login string) (string, bool) {
	role, ok := m.users[strings.ToLower(login)]
	return role, ok
}

// usesOrgs reports whether organisation memberships can matter, so that
// they are fetched only then.
func (m roleMapper) usesOrgs() bool { return len(m.orgs) > 0 }

// orgRole is the highest role any of the organisations gives, and the
// organisation that gives it. The order of orgs does not matter: ties
// between organisations granting the same role go to the first in name
// order, so the answer (and the log line naming it) is deterministic.
func (m roleMapper) orgRole(orgs []string) (role, org string, ok bool) {
	for _, o := range orgs {
		r, mapped := m.orgs[strings.ToLower(o)]
		if !mapped {
			continue
		}
		better := roleRank[r] > roleRank[role] ||
			(roleRank[r] == roleRank[role] && strings.ToLower(o) < strings.ToLower(org))
		if better {
			role, org = r, o
		}
	}
	return role, org, role != ""
}

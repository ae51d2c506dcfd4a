package state

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash"
	"slices"
	"strings"
)

// Hash returns a digest of the whole state that does not depend on map
// order or on how the state was reached: live application, replay from
// empty and snapshot plus tail must all give the same hash. Partition
// indexes are left out on purpose, since a snapshot records where it was
// taken while a replay from empty does not. It is a digest of the partition
// digests, so partition owners can compute their parts independently.
func (s *State) Hash() string {
	groups := make(map[string]string, len(s.Groups))
	for id, g := range s.Groups {
		groups[id] = g.GroupHash()
	}
	return CombineHashes(groups, s.Auth.PartHash(), s.Runners.PartHash())
}

// CombineHashes combines partition digests into the state digest.
func CombineHashes(groups map[string]string, auth, runners string) string {
	h := sha256.New()
	for _, id := range sortedKeys(groups) {
		writeJSON(h, "group", id)
		h.Write([]byte(groups[id]))
	}
	h.Write([]byte(auth))
	h.Write([]byte(runners))
	return hex.EncodeToString(h.Sum(nil))
}

// GroupHash is the digest of one group partition.
func (g *GroupState) GroupHash() string {
	h := sha256.New()
	g.hashInto(h)
	return hex.EncodeToString(h.Sum(nil))
}

// PartHash is the digest of the auth partition.
func (a *AuthState) PartHash() string {
	h := sha256.New()
	a.hashInto(h)
	return hex.EncodeToString(h.Sum(nil))
}

// PartHash is the digest of the runner partition.
func (r *RunnerState) PartHash() string {
	h := sha256.New()
	r.hashInto(h)
	return hex.EncodeToString(h.Sum(nil))
}

func (g *GroupState) hashInto(h hash.Hash) {
	writeJSON(h, "group", g.Group)
	writeJSON(h, "next", g.NextPosition)
	for _, id := range sortedKeys(g.Templates) {
		writeJSON(h, "template", g.Templates[id])
	}
	for _, id := range sortedKeys(g.Jobs) {
		writeJSON(h, "job", g.Jobs[id])
	}
}

func (a *AuthState) hashInto(h hash.Hash) {
	for _, k := range sortedKeys(a.Sessions) {
		writeJSON(h, "session", a.Sessions[k])
	}
	for _, k := range sortedKeys(a.Users) {
		writeJSON(h, "user", a.Users[k])
	}
}

func (r *RunnerState) hashInto(h hash.Hash) {
	ids := make([]int64, 0, len(r.Runners))
	for id := range r.Runners {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		writeJSON(h, "runner", r.Runners[id])
	}
}

// writeJSON writes a tagged, length-prefixed JSON encoding; encoding/json
// sorts map keys, so the bytes are canonical.
func writeJSON(h hash.Hash, tag string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Every state type marshals; failing here is a programming error.
		panic("state hash: " + err.Error())
	}
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	h.Write([]byte(tag))
	h.Write(n[:])
	h.Write(b)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, strings.Compare)
	return keys
}

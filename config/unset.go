package config

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// unsetErrors reports, for each unset reference whose marker landed in a
// decoded string of v, the variable and the key it belongs to. prefix is put
// before every key path. References that landed nowhere (in a YAML comment,
// or in the ignored database section) are not needed and not reported.
func (e expansion) unsetErrors(v any, prefix string) []error {
	if len(e.unset) == 0 {
		return nil
	}
	var errs []error
	walkStrings(reflect.ValueOf(v), prefix, func(key, s string) {
		if !strings.Contains(s, markerPrefix) {
			return
		}
		for _, u := range e.unset {
			if strings.Contains(s, u.marker) {
				errs = append(errs, fmt.Errorf("%s: environment variable %s is not set (line %d)", key, u.name, u.line))
			}
		}
	})
	return errs
}

// restoreRefs rewrites the errors in a joined error that show a marker (an
// unset value that also failed validation, say), so they show the reference
// the user wrote instead.
func (e expansion) restoreRefs(err error) error {
	if len(e.unset) == 0 || !strings.Contains(err.Error(), markerPrefix) {
		return err
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return errors.New(e.restore(err.Error()))
	}
	var out []error
	for _, one := range joined.Unwrap() {
		if strings.Contains(one.Error(), markerPrefix) {
			one = errors.New(e.restore(one.Error()))
		}
		out = append(out, one)
	}
	return errors.Join(out...)
}

// restore replaces every marker in s by its ${NAME} reference.
func (e expansion) restore(s string) string {
	for _, u := range e.unset {
		s = strings.ReplaceAll(s, u.marker, "${"+u.name+"}")
	}
	return s
}

// decodeFailure explains a decoding error. When the text had unset
// references the failure is most likely theirs (a marker where a number was
// expected, say), so each is named with its line, and markers in the
// decoder's message are shown as the reference the user wrote.
func (e expansion) decodeFailure(err error) error {
	if len(e.unset) == 0 {
		return err
	}
	notes := make([]string, 0, len(e.unset))
	for _, u := range e.unset {
		notes = append(notes, fmt.Sprintf("line %d: environment variable %s is not set", u.line, u.name))
	}
	return fmt.Errorf("%s; %s", e.restore(err.Error()), strings.Join(notes, "; "))
}

// walkStrings calls fn with every string reachable from v (struct fields,
// slice elements, map keys and values) and its key path, named as in the
// config file through the fields' toml tags.
func walkStrings(v reflect.Value, key string, fn func(key, s string)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkStrings(v.Elem(), key, fn)
		}
	case reflect.String:
		fn(key, v.String())
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			name, ok := tomlName(t.Field(i))
			if ok {
				walkStrings(v.Field(i), joinKey(key, name), fn)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walkStrings(v.Index(i), key+"["+strconv.Itoa(i)+"]", fn)
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		for _, k := range keys {
			sub := joinKey(key, fmt.Sprint(k.Interface()))
			walkStrings(k, sub, fn)
			walkStrings(v.MapIndex(k), sub, fn)
		}
	}
}

// tomlName returns the key a struct field has in the config file.
func tomlName(f reflect.StructField) (string, bool) {
	if !f.IsExported() {
		return "", false
	}
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	switch name {
	case "-":
		return "", false
	case "":
		return f.Name, true
	}
	return name, true
}

func joinKey(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

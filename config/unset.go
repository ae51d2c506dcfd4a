package config

import (
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

// decodeFailure explains a decoding error. When the text had unset
// references the failure is most likely theirs (a marker where a number was
// expected, say), so each is named with its line, and markers in the
// decoder's message are shown as the reference the user wrote.
func (e expansion) decodeFailure(err error) error {
	msg := err.Error()
	var notes []string
	for _, u := range e.unset {
		msg = strings.ReplaceAll(msg, u.marker, "${"+u.name+"}")
		notes = append(notes, fmt.Sprintf("line %d: environment variable %s is not set", u.line, u.name))
	}
	if len(notes) == 0 {
		return err
	}
	return fmt.Errorf("%s; %s", msg, strings.Join(notes, "; "))
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

package generator

import (
	"fmt"
	"reflect"
	"testing"
)

// TestCloneEntry checks cloneEntry on an entry of every kind with every
// exported field filled (every slice, map and pointer non-empty, to a
// depth of three): the copy is deeply equal and shares no slice, map or
// pointer with the original, so that Derive and Link changing a build's
// copy cannot reach the Warm's.
func TestCloneEntry(t *testing.T) {
	for _, k := range Kinds() {
		e := k.New()
		fill(reflect.ValueOf(e).Elem(), 0)
		c := cloneEntry(e)
		if !reflect.DeepEqual(c, e) {
			t.Errorf("%s: the copy differs:\n%+v\n%+v", k.Name, c, e)
		}
		if p := shared(reflect.ValueOf(c), reflect.ValueOf(e), k.Name); p != "" {
			t.Errorf("copy and original share %s", p)
		}
		// And what decoding leaves unset stays unset (nil, not empty).
		z := k.New()
		if c := cloneEntry(z); !reflect.DeepEqual(c, z) {
			t.Errorf("%s: the copy of an empty entry differs:\n%+v", k.Name, c)
		}
	}
}

// fill sets every exported field of v reachable to a depth of three to
// something not zero.
func fill(v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type().PkgPath() == "time" {
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), depth)
			}
		}
	case reflect.String:
		v.SetString(fmt.Sprint("s", depth))
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(depth + 1))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		if depth > 2 {
			return
		}
		n := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(n.Index(i), depth+1)
		}
		v.Set(n)
	case reflect.Pointer:
		if depth > 2 {
			return
		}
		n := reflect.New(v.Type().Elem())
		fill(n.Elem(), depth+1)
		v.Set(n)
	case reflect.Map:
		if depth > 2 {
			return
		}
		n := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, depth+1)
		fill(e, depth+1)
		n.SetMapIndex(k, e)
		v.Set(n)
	}
}

// shared returns the path of a slice, map or pointer that a and b (of one
// type) both hold, or "".
func shared(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Struct:
		for i := range a.NumField() {
			if !a.Type().Field(i).IsExported() {
				continue
			}
			if p := shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
				return p
			}
		}
	case reflect.Slice:
		if a.Len() > 0 && b.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
		for i := range min(a.Len(), b.Len()) {
			if p := shared(a.Index(i), b.Index(i), fmt.Sprint(path, "[", i, "]")); p != "" {
				return p
			}
		}
	case reflect.Pointer, reflect.Map:
		if a.IsNil() || b.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		if a.Kind() == reflect.Pointer {
			return shared(a.Elem(), b.Elem(), "(*"+path+")")
		}
		for it := a.MapRange(); it.Next(); {
			if p := shared(it.Value(), b.MapIndex(it.Key()), path+"[…]"); p != "" {
				return p
			}
		}
	case reflect.Interface:
		if !a.IsNil() && !b.IsNil() {
			return shared(a.Elem(), b.Elem(), path)
		}
	}
	return ""
}

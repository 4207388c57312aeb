package generator

import (
	"reflect"
	"sync"
)

// cloneEntry returns a deep copy of e as decoding gives it (before Derive
// and Link): every slice, map and pointer reached through exported fields
// is copied, so that nothing the copy's user changes reaches e. Unexported
// fields are copied as values: decoding sets none of them (the parse
// cache keeps only entries that its encoding carries whole, and the
// encoding sets no unexported field), and a value such as time.Time
// shares nothing mutable.
func cloneEntry(e Entry) Entry {
	src := reflect.ValueOf(e)
	dst := reflect.New(src.Type().Elem())
	cloneInto(dst.Elem(), src.Elem())
	return dst.Interface().(Entry)
}

// cloneInto sets dst, which is settable and of src's type, to a deep copy
// of src.
func cloneInto(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Struct:
		dst.Set(src)
		for _, i := range refFields(src.Type()) {
			cloneInto(dst.Field(i), src.Field(i))
		}
	case reflect.Slice:
		if src.IsNil() {
			dst.SetZero()
			return
		}
		n := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		if holdsRefs(src.Type().Elem()) {
			for i := range src.Len() {
				cloneInto(n.Index(i), src.Index(i))
			}
		} else {
			reflect.Copy(n, src)
		}
		dst.Set(n)
	case reflect.Array:
		for i := range src.Len() {
			cloneInto(dst.Index(i), src.Index(i))
		}
	case reflect.Pointer:
		if src.IsNil() {
			dst.SetZero()
			return
		}
		n := reflect.New(src.Type().Elem())
		cloneInto(n.Elem(), src.Elem())
		dst.Set(n)
	case reflect.Map:
		if src.IsNil() {
			dst.SetZero()
			return
		}
		n := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			k := reflect.New(src.Type().Key()).Elem()
			cloneInto(k, it.Key())
			v := reflect.New(src.Type().Elem()).Elem()
			cloneInto(v, it.Value())
			n.SetMapIndex(k, v)
		}
		dst.Set(n)
	case reflect.Interface:
		if src.IsNil() {
			dst.SetZero()
			return
		}
		v := reflect.New(src.Elem().Type()).Elem()
		cloneInto(v, src.Elem())
		dst.Set(v)
	default:
		dst.Set(src)
	}
}

// refTypes caches holdsRefs by type, and structFields refFields.
var refTypes, structFields sync.Map // reflect.Type → bool, []int

// refFields returns the indices of the exported fields of struct type t
// that hold references (holdsRefs).
func refFields(t reflect.Type) []int {
	if v, ok := structFields.Load(t); ok {
		return v.([]int)
	}
	var out []int
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && holdsRefs(f.Type) {
			out = append(out, i)
		}
	}
	structFields.Store(t, out)
	return out
}

// holdsRefs reports whether a value of type t can reach memory that a
// copy of it by value would share (through an exported field).
func holdsRefs(t reflect.Type) bool {
	if v, ok := refTypes.Load(t); ok {
		return v.(bool)
	}
	r := typeHoldsRefs(t)
	refTypes.Store(t, r)
	return r
}

func typeHoldsRefs(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return holdsRefs(t.Elem())
	case reflect.Struct:
		return len(refFields(t)) > 0
	}
	return false
}

package personname

import "testing"

func TestIsMasked(t *testing.T) {
	for name, want := range map[string]bool{
		"张某某": true, "张某": true, "欧阳某某": true, "欧阳某": true, "李某某": true,
		"张三": false, "张小明": false, "欧阳修": false, "某某": false, "某某某": false, "张某某某": false,
		"王某明": false, "Zhang某": false, "": false, "云泽市某某餐饮有限公司": false,
	} {
		if got := IsMasked(name); got != want {
			t.Errorf("IsMasked(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"张三": "张某某", "张小明": "张某某", "欧阳修": "欧阳某某", "司马光明": "司马某某", "李": "李某某", " 王小明 ": "王某某",
		"张三（男，1980年生）": "张某某", "买买提·艾力": "买某某", "Zhang San": "张某某", "": "张某某",
	} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
		if !IsMasked(Mask(in)) {
			t.Errorf("IsMasked(Mask(%q)) = false", in)
		}
	}
}

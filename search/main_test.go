package search

import (
	"os"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestMain runs the package's tests with the default theme's UI strings, as
// the site does, so that messages read as users see them.
func TestMain(m *testing.M) {
	defaultSettings = &Settings{Labels: themeLabels(), KindLabels: map[string]string{
		"policy": "政策文件", "interpretation": "政策解读", "approval": "办事服务", "fee": "收费目录",
		"channel": "投诉举报", "handling": "投诉举报办理情况", "notice": "决策公示", "release": "新闻发布",
		"report": "年度报告", "page": "公开信息",
	}}
	os.Exit(m.Run())
}

// themeLabels reads the default theme's UI strings: nil when the test
// binary runs outside the package folder (bench/search.sh).
func themeLabels() map[string]string {
	b, err := os.ReadFile("../themes/default/i18n/zh-CN.yaml")
	if err != nil {
		return nil
	}
	var m map[string]string
	if err := yaml.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	return m
}

func TestThemeHasEveryLabel(t *testing.T) {
	labels := themeLabels()
	if labels == nil {
		t.Fatal("cannot read ../themes/default/i18n/zh-CN.yaml")
	}
	for _, k := range LabelKeys {
		if labels[k] == "" {
			t.Errorf("themes/default/i18n/zh-CN.yaml has no %s", k)
		}
	}
}

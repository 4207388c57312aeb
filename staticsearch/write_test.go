package staticsearch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"gongkai/search"
)

// TestWriteIncremental writes an index twice, the second time with one
// document changed and the first as the previous build: the manifest is
// the same for the same documents, only the packs that hold the change get
// new names, and the others are linked from the previous build. Every
// document pack holds its documents' cards in row order, each followed by
// its body when the card holds only its lead (TestDocLead).
func TestWriteIncremental(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	docs := make([]search.Doc, 2*blockSize+44) // three packs of documents
	for i := range docs {
		docs[i] = search.Doc{ID: fmt.Sprintf("/policy/%04d/", i), Kind: "policy", Title: fmt.Sprintf("第%d号通知", i),
			Body: fmt.Sprintf("关于做好第%d批养老服务补贴发放工作的通知。", i), Agencies: []string{"云泽市民政局"},
			Date: time.Date(2020, 1, 1+i, 0, 0, 0, 0, cst)} // rows in this order (rowOrder)
	}
	dir := t.TempDir()
	var raw []byte
	write := func(name, prev string, docs []search.Doc) (string, Stats, manifest) {
		t.Helper()
		out := filepath.Join(dir, name)
		if prev != "" {
			prev = filepath.Join(dir, prev)
		}
		st, err := Write(t.Context(), out, prev, docs, Options{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(out, ManifestPath))
		if err != nil {
			t.Fatal(err)
		}
		raw = b
		var m manifest
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return out, st, m
	}
	out1, st1, m1 := write("one", "", docs)
	first := raw
	write("again", "", docs)
	if !bytes.Equal(first, raw) {
		t.Errorf("the same documents gave another manifest:\n%s\n%s", first, raw)
	}
	if st1.Reused != 0 || len(m1.Blocks) != 3 {
		t.Fatalf("first build: %+v, %d blocks", st1, len(m1.Blocks))
	}
	for bi, name := range m1.Blocks {
		data, err := os.ReadFile(filepath.Join(out1, ChunkDir, "d", name+".bin"))
		if err != nil {
			t.Fatal(err)
		}
		entries, err := ReadPack(data)
		if err != nil {
			t.Fatal(err)
		}
		if want := 2 * min(blockSize, len(docs)-bi*blockSize); len(entries) != want {
			t.Fatalf("pack %d holds %d entries, want %d", bi, len(entries), want)
		}
		for i := range len(entries) / 2 {
			var f docFile
			if err := json.Unmarshal(entries[2*i], &f); err != nil {
				t.Fatal(err)
			}
			if f.Lead || len(entries[2*i+1]) != 0 {
				t.Errorf("pack %d entry %d: a short body cut (%v) or stored again (%d bytes)", bi, i, f.Lead, len(entries[2*i+1]))
			}
			if want := docs[bi*blockSize+i].ID; f.ID != want || f.Text[0] != docs[bi*blockSize+i].Title {
				t.Errorf("pack %d entry %d: %s %q, want %s", bi, i, f.ID, f.Text[0], want)
			}
		}
	}

	changed := append([]search.Doc(nil), docs...)
	changed[5].Body = "关于做好新一批高龄津贴发放工作的通知。"
	out2, st2, m2 := write("two", "one", changed)
	if m2.Blocks[0] == m1.Blocks[0] || m2.Blocks[1] != m1.Blocks[1] || m2.Blocks[2] != m1.Blocks[2] {
		t.Errorf("blocks %v after changing row 5, before %v: want only the first renamed", m2.Blocks, m1.Blocks)
	}
	if st2.Reused == 0 || st2.Reused >= st2.Files {
		t.Errorf("rebuild reused %d of %d files, want some and not all", st2.Reused, st2.Files)
	}
	for _, name := range m1.Blocks[1:] {
		a, errA := os.Stat(filepath.Join(out1, ChunkDir, "d", name+".bin"))
		b, errB := os.Stat(filepath.Join(out2, ChunkDir, "d", name+".bin"))
		if errA != nil || errB != nil || !os.SameFile(a, b) {
			t.Errorf("pack %s not linked from the previous build (%v, %v)", name, errA, errB)
		}
	}
	data, err := os.ReadFile(filepath.Join(out2, ChunkDir, "d", m2.Blocks[0]+".bin"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := ReadPack(data)
	if err != nil || len(entries) <= 10 || !bytes.Contains(entries[10], []byte("高龄津贴")) {
		t.Errorf("the changed document's pack: %v, %d entries", err, len(entries))
	}
}

// TestReadPackRejects checks that a damaged pack gives an error, not a
// panic.
func TestReadPackRejects(t *testing.T) {
	for _, data := range [][]byte{nil, {1, 0, 0}, {9, 0, 0, 0, 1, 0, 0, 0}, {1, 0, 0, 0, 9, 0, 0, 0, 1, 2}, {2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 1, 2, 3}} {
		if _, err := ReadPack(data); err == nil {
			t.Errorf("ReadPack(% x) gave no error", data)
		}
	}
}

// TestDocLead checks a long body: the card holds its first leadRunes
// characters and says so, and the entry after it the rest.
func TestDocLead(t *testing.T) {
	body := strings.Repeat("养老服务补贴发放", leadRunes/8+10) // leadRunes + 80 characters
	docs := []search.Doc{{ID: "/policy/a/", Kind: "policy", Title: "通知", Body: body}}
	out := t.TempDir()
	if _, err := Write(t.Context(), out, "", docs, Options{}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, ManifestPath))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(out, ChunkDir, "d", m.Blocks[0]+".bin"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := ReadPack(data)
	if err != nil || len(entries) != 2 {
		t.Fatalf("%v, %d entries", err, len(entries))
	}
	var f docFile
	if err := json.Unmarshal(entries[0], &f); err != nil {
		t.Fatal(err)
	}
	if !f.Lead || f.Text[2] != string([]rune(body)[:leadRunes]) || f.Text[2]+string(entries[1]) != body {
		t.Errorf("card %v %q, body %q", f.Lead, f.Text[2], entries[1])
	}
	// ReadDocs gives the card as stored and the body whole.
	cards, bodies, err := ReadDocs(data)
	if err != nil || len(cards) != 1 || !bytes.Equal(cards[0], entries[0]) || len(bodies) != 1 || bodies[0] != body {
		t.Errorf("ReadDocs: %v, %d cards, bodies %q", err, len(cards), bodies)
	}
}

// TestTieOrder writes documents that rank the same and share a date, in
// agencies that put their rows out of ID order (rowOrder): the client
// lists them by ID, as the service breaks its last ties.
func TestTieOrder(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	var docs []search.Doc
	for i, agency := range []string{"乙局", "甲局", "丁局", "丙局"} {
		docs = append(docs, search.Doc{ID: fmt.Sprintf("/policy/%d/", i+1), Kind: "policy", Title: "养老服务补贴",
			Body: "养老服务补贴发放。", Agencies: []string{agency}, Date: day})
	}
	site := t.TempDir()
	if _, err := Write(t.Context(), site, "", docs, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteClient(site, false); err != nil {
		t.Fatal(err)
	}
	res := runClient(t, node, site, []byte("q=%E5%85%BB%E8%80%81%E6%9C%8D%E5%8A%A1%E8%A1%A5%E8%B4%B4\n"))
	var got []string
	for _, r := range res[0].Results {
		got = append(got, r.URL)
	}
	if want := []string{"/policy/1/", "/policy/2/", "/policy/3/", "/policy/4/"}; !slices.Equal(got, want) {
		t.Errorf("results %v, want %v", got, want)
	}
}

// TestSnippetBeyondCard: a result whose match lies past its card's lead
// (the body's first characters) reads the rest of its body, so the
// snippet shows the match, as the service's does.
func TestSnippetBeyondCard(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	body := strings.Repeat("本市持续推进营商环境改善工作。", 40) + "今年起试行湿地生态补偿，按面积核定。"
	docs := []search.Doc{{ID: "/policy/1/", Kind: "policy", Title: "关于营商环境的通知", Body: body,
		Date: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}}
	site := t.TempDir()
	if _, err := Write(t.Context(), site, "", docs, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteClient(site, false); err != nil {
		t.Fatal(err)
	}
	// A two-character word needs no check against the text, so only the
	// result's own reading can fetch the rest of the body.
	out := runClientRaw(t, node, site, []byte(url.Values{"q": {"湿地"}}.Encode()+"\n"))
	var resp struct {
		Results []struct {
			Snippet string `json:"snippet"`
		} `json:"results"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.Results) != 1 {
		t.Fatalf("%d results, want 1", len(resp.Results))
	}
	if s := resp.Results[0].Snippet; !strings.Contains(s, "<mark>湿地") {
		t.Errorf("snippet %q does not show the match", s)
	}
}

// TestNeedsT2S checks the cards' flag against what the client decides for
// a text (Store.opencc).
func TestNeedsT2S(t *testing.T) {
	for s, want := range map[string]bool{"资料": false, "資料": true, "abc": false, "\uf900": true, "𠀀": true, "": false} {
		if got := needsT2S("标题", s); got != want {
			t.Errorf("needsT2S(%q) = %t, want %t", s, got, want)
		}
	}
}

// TestCardFields checks that the client names a card's fields as docFile
// orders them.
func TestCardFields(t *testing.T) {
	var names []string
	ty := reflect.TypeFor[docFile]()
	for i := range ty.NumField() {
		if name := strings.TrimSuffix(ty.Field(i).Tag.Get("json"), ",omitempty"); name != "id" && name != "keys" {
			names = append(names, "'"+name+"'")
		}
	}
	if want := "const CARD = [" + strings.Join(names, ", ") + "]"; !strings.Contains(clientSource, want) {
		t.Errorf("client.js does not hold %s", want)
	}
	f := docFile{ID: "/a/", Kind: "policy", Title: "<标题>", Agencies: []string{}, Keys: []string{"/a/", "a"}, Text: [4]string{"<标题>", "", "正文", ""}, Lead: true}
	b, err := f.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"id":"/a/","keys":["/a/","a"],"f":["policy","<标题>",null,null,null,null,null,null,null,["<标题>","","正文",""],true]}`; string(b) != want {
		t.Errorf("card %s, want %s", b, want)
	}
	var g docFile
	if err := json.Unmarshal(b, &g); err != nil || !reflect.DeepEqual(g, docFile{ID: "/a/", Kind: "policy", Title: "<标题>", Keys: f.Keys, Text: f.Text, Lead: true}) {
		t.Errorf("read back %+v, %v", g, err)
	}
}

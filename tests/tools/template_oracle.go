// template_oracle: runs Go's text/template with docker's function map, to
// produce the expectations in tests/unit/data/template_go.jsonl (see
// template_cases.py). Not built or needed by the normal build; run with any
// Go toolchain: go run template_oracle.go < cases.jsonl
// Input lines: {"t": template, "d": data, "opt": "missingkey=error"?}.
// Output lines: the same with "out" or "err". JSON integers stay int64 and
// other numbers float64, as json-c keeps them.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"
)

var basic = template.FuncMap{
	"json": func(v any) string {
		buf := &bytes.Buffer{}
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		enc.Encode(v)
		return strings.TrimSpace(buf.String())
	},
	"split": strings.Split, "join": strings.Join, "title": strings.Title,
	"lower": strings.ToLower, "upper": strings.ToUpper,
	"pad": func(source string, prefix, suffix int) string {
		if source == "" { return source }
		return strings.Repeat(" ", prefix) + source + strings.Repeat(" ", suffix)
	},
	"truncate": func(source string, length int) string {
		if len(source) < length { return source }
		return source[:length]
	},
}

func conv(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil { return i }
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x { x[k] = conv(e) }
	case []any:
		for i, e := range x { x[i] = conv(e) }
	}
	return v
}

// Input: JSON lines {"t":..., "d":...}; output JSON lines {"out":..} or {"err":..}
func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var c struct{ T string `json:"t"`; D json.RawMessage `json:"d"`; Opt string `json:"opt"` }
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.UseNumber()
		if err := dec.Decode(&c); err != nil { panic(err) }
		var data any
		if len(c.D) > 0 {
			d2 := json.NewDecoder(bytes.NewReader(c.D)); d2.UseNumber()
			if err := d2.Decode(&data); err != nil { panic(err) }
			data = conv(data)
		}
		res := map[string]any{"t": c.T, "d": c.D}
		if c.Opt != "" { res["opt"] = c.Opt }
		tm := template.New("").Funcs(basic)
		if c.Opt == "missingkey=error" { tm = tm.Option("missingkey=error") }
		t, err := tm.Parse(c.T)
		if err != nil {
			res["err"] = err.Error()
		} else {
			var b bytes.Buffer
			if err := t.Execute(&b, data); err != nil { res["err"] = err.Error(); res["partial"] = b.String() } else { res["out"] = b.String() }
		}
		if len(c.D) == 0 { delete(res, "d") }
		o, _ := json.Marshal(res)
		fmt.Println(string(o))
	}
}

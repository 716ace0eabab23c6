// tfref: records what Terraform's own libraries answer, as JSON lines, for awsauth's tests.
// A development aid, not part of awsauth: awsauth's tests read the recorded answers and never
// need Go. See README.md.
//
//	tfref strings < cases.jsonl   # {"name","src"}: src is an HCL body `x = <string expr>`
//	tfref encode  < cases.jsonl   # {"name","src"}: src is an HCL expression of literals
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	ctyyaml "github.com/zclconf/go-cty-yaml"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

type input struct {
	Name string `json:"name"`
	Src  string `json:"src"`
}

func diagText(diags hcl.Diagnostics) string {
	var parts []string
	for _, d := range diags {
		s := d.Summary
		if d.Detail != "" {
			s += ": " + d.Detail
		}
		if d.Subject != nil {
			s = fmt.Sprintf("%d:%d (byte %d): %s", d.Subject.Start.Line, d.Subject.Start.Column, d.Subject.Start.Byte, s)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// emit writes one JSON object per line with keys in the given order, without HTML escaping.
func emit(w *bufio.Writer, kv ...interface{}) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := 0; i < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(plain(kv[i]))
		b.WriteByte(':')
		b.Write(plain(kv[i+1]))
	}
	b.WriteString("}\n")
	w.Write(b.Bytes())
}

func plain(v interface{}) []byte {
	if raw, ok := v.(json.RawMessage); ok {
		return raw
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

func stringsMode(in input, w *bufio.Writer) {
	file, diags := hclsyntax.ParseConfig([]byte(in.Src), "case.tf", hcl.InitialPos)
	if diags.HasErrors() {
		emit(w, "name", in.Name, "src", in.Src, "error", diagText(diags))
		return
	}
	attrs, diags := file.Body.JustAttributes()
	x, ok := attrs["x"]
	if diags.HasErrors() || !ok {
		emit(w, "name", in.Name, "src", in.Src, "error", "no attribute x: "+diagText(diags))
		return
	}
	val, diags := x.Expr.Value(&hcl.EvalContext{})
	if diags.HasErrors() {
		emit(w, "name", in.Name, "src", in.Src, "error", diagText(diags))
		return
	}
	if val.Type() != cty.String || val.IsNull() {
		emit(w, "name", in.Name, "src", in.Src, "error", "not a string: "+val.GoString())
		return
	}
	emit(w, "name", in.Name, "src", in.Src, "value", val.AsString())
}

// tagged is the value as plain JSON in source order: strings as strings, numbers as
// {"number":"<text>"}, objects as {"object":[[key, value], ...]} in the order written, tuples as
// arrays, bools and null as themselves.
func tagged(expr hclsyntax.Expression) (interface{}, hcl.Diagnostics) {
	switch e := expr.(type) {
	case *hclsyntax.ObjectConsExpr:
		var items [][2]interface{}
		for _, item := range e.Items {
			k, diags := item.KeyExpr.Value(nil)
			if diags.HasErrors() {
				return nil, diags
			}
			v, diags := tagged(item.ValueExpr)
			if diags.HasErrors() {
				return nil, diags
			}
			items = append(items, [2]interface{}{k.AsString(), v})
		}
		if items == nil {
			items = [][2]interface{}{}
		}
		return map[string]interface{}{"object": items}, nil
	case *hclsyntax.TupleConsExpr:
		out := []interface{}{}
		for _, x := range e.Exprs {
			v, diags := tagged(x)
			if diags.HasErrors() {
				return nil, diags
			}
			out = append(out, v)
		}
		return out, nil
	}
	v, diags := expr.Value(nil)
	if diags.HasErrors() {
		return nil, diags
	}
	switch {
	case v.IsNull():
		return nil, nil
	case v.Type() == cty.String:
		return v.AsString(), nil
	case v.Type() == cty.Bool:
		return v.True(), nil
	case v.Type() == cty.Number:
		return map[string]string{"number": v.AsBigFloat().Text('f', -1)}, nil
	}
	return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "unsupported leaf " + v.GoString()}}
}

// goJSONEscapes rewrites what Go before 1.22 wrote for U+0008 and U+000C (\u0008, \u000c) as
// Go 1.22 and later (which Terraform is built with) write them: \b, \f.
func goJSONEscapes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			rest := s[i:]
			switch {
			case strings.HasPrefix(rest, `\u0008`):
				b.WriteString(`\b`)
				i += 5
			case strings.HasPrefix(rest, `\u000c`):
				b.WriteString(`\f`)
				i += 5
			default:
				b.WriteString(s[i : i+2])
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func encodeMode(in input, w *bufio.Writer) {
	expr, diags := hclsyntax.ParseExpression([]byte(in.Src), "case.tf", hcl.InitialPos)
	if diags.HasErrors() {
		emit(w, "name", in.Name, "src", in.Src, "error", diagText(diags))
		return
	}
	val, diags := expr.Value(&hcl.EvalContext{})
	if diags.HasErrors() {
		emit(w, "name", in.Name, "src", in.Src, "error", diagText(diags))
		return
	}
	tv, diags := tagged(expr)
	if diags.HasErrors() {
		emit(w, "name", in.Name, "src", in.Src, "error", diagText(diags))
		return
	}
	// yamlencode: ctyyaml.YAMLEncodeFunc is Standard.Marshal of the value
	y, err := ctyyaml.Standard.Marshal(val)
	if err != nil {
		emit(w, "name", in.Name, "src", in.Src, "error", "yaml: "+err.Error())
		return
	}
	// jsonencode: stdlib.JSONEncodeFunc is "null" for null, else ctyjson.Marshal(v, v.Type()), trimmed
	var j string
	if val.IsNull() {
		j = "null"
	} else {
		jb, err := ctyjson.Marshal(val, val.Type())
		if err != nil {
			emit(w, "name", in.Name, "src", in.Src, "error", "json: "+err.Error())
			return
		}
		j = goJSONEscapes(string(bytes.TrimSpace(jb)))
	}
	emit(w, "name", in.Name, "src", in.Src, "value", tv, "yaml", string(y), "json", j)
}

func main() {
	if len(os.Args) != 2 || (os.Args[1] != "strings" && os.Args[1] != "encode") {
		fmt.Fprintln(os.Stderr, "usage: tfref strings|encode < cases.jsonl")
		os.Exit(2)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var in input
		if err := json.Unmarshal([]byte(line), &in); err != nil {
			fmt.Fprintln(os.Stderr, "bad input line:", err)
			os.Exit(1)
		}
		if os.Args[1] == "strings" {
			stringsMode(in, w)
		} else {
			encodeMode(in, w)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

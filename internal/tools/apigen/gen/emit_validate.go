package gen

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Validation follows AWS (the Coral framework); see
// internal/kinesisapi/VALIDATION.md. Per member, in model order: a missing
// required member is "Member must not be null"; a present value is checked
// against pattern, length, value range and enum, each failure a separate
// violation; structures are checked member by member with paths
// "parent.member"; list and map elements that are structures are checked
// with paths "list.N.member" / "map.KEY.member"; scalar elements are checked
// as a whole ("Member must satisfy constraint: [...]" at the list's path).

// validateState collects helpers needed by the emitted validation code.
type validateState struct {
	renders     map[string]bool // list/map shapes needing a render function
	oks         map[string]bool // scalar shapes needing an ok function
	collections map[string]bool // list/map shapes needing a validate function
	patterns    map[string]bool // string shapes whose pattern is checked
}

// needs reports whether values of shape name have anything to check.
func (g *gen) needs(name string) bool {
	if v, ok := g.needsCheck[name]; ok {
		return v
	}
	s := g.shape(name)
	var v bool
	switch s.Type {
	case "structure":
		g.needsCheck[name] = false // cycle guard
		for _, mem := range s.Members {
			if g.required(name, mem.Name) || g.needs(mem.Ref.Shape) {
				v = true
			}
		}
	case "list":
		v = s.Min != nil || s.Max != nil || g.needs(s.Member.Shape)
	case "map":
		v = s.Min != nil || s.Max != nil || g.needs(s.Key.Shape) || g.needs(s.Value.Shape)
	default:
		v = s.Min != nil || s.Max != nil || s.Pattern != "" || len(s.Enum) > 0
	}
	g.needsCheck[name] = v
	return v
}

func (g *gen) emitValidate(e *emitter) error {
	e.use("github.com/eddy-streams/eddy/internal/awsproto/codec")
	st := &validateState{renders: map[string]bool{}, oks: map[string]bool{}, collections: map[string]bool{}, patterns: map[string]bool{}}
	for _, name := range g.structs {
		if !g.validated[name] {
			continue
		}
		if g.isInput(name) {
			e.p("// Validate checks s against the model's constraints and returns the")
			e.p("// ValidationException AWS would send, or nil.")
			e.p("func (s *%s) Validate() error {", name)
			if g.needs(name) {
				e.p("\tvar v codec.Violations")
				e.p("\ts.validate(&v, nil)")
				e.p("\treturn v.Err()")
			} else {
				e.p("\treturn nil")
			}
			e.p("}")
			e.p("")
		}
		if g.needs(name) {
			if err := g.emitValidateStruct(e, st, name); err != nil {
				return err
			}
		}
	}
	// Helpers, emitted until no new ones are asked for.
	done := map[string]bool{}
	for {
		var todo []string
		for n := range st.renders {
			if !done["r"+n] {
				todo = append(todo, "r"+n)
			}
		}
		for n := range st.oks {
			if !done["o"+n] {
				todo = append(todo, "o"+n)
			}
		}
		for n := range st.collections {
			if !done["v"+n] {
				todo = append(todo, "v"+n)
			}
		}
		if len(todo) == 0 {
			break
		}
		slices.Sort(todo)
		for _, t := range todo {
			done[t] = true
			var err error
			switch t[0] {
			case 'r':
				g.emitRender(e, st, t[1:])
			case 'o':
				g.emitOK(e, st, t[1:])
			default:
				err = g.emitValidateCollection(e, st, t[1:])
			}
			if err != nil {
				return err
			}
		}
	}
	var pats []string
	for n := range st.patterns {
		pats = append(pats, n)
	}
	slices.Sort(pats)
	for _, n := range pats {
		if r := g.rejects[n]; r != "" {
			e.p("var pat%s = codec.MustPattern(%q).Rejecting(%q)", typeName(n), g.patterns[n], r)
			continue
		}
		e.p("var pat%s = codec.MustPattern(%q)", typeName(n), g.patterns[n])
	}
	return nil
}

func (g *gen) emitValidateStruct(e *emitter, st *validateState, name string) error {
	s := g.shape(name)
	e.p("func (s *%s) validate(v *codec.Violations, parent *codec.Path) {", name)
	var blocks []Member
	for _, mem := range s.Members {
		if g.required(name, mem.Name) || g.needs(mem.Ref.Shape) {
			blocks = append(blocks, mem)
		}
	}
	for i, mem := range blocks {
		if i > 0 {
			e.p("\tif v.Full() {")
			e.p("\t\treturn")
			e.p("\t}")
		}
		e.p("\t{")
		e.p("\t\tp := codec.Member(parent, %q)", lowerFirst(mem.Name))
		if err := g.emitMemberCheck(e, st, name, mem); err != nil {
			return err
		}
		e.p("\t}")
	}
	e.p("}")
	e.p("")
	return nil
}

func (g *gen) emitMemberCheck(e *emitter, st *validateState, structName string, mem Member) error {
	sh := g.shape(mem.Ref.Shape)
	f := "s." + exported(mem.Name)
	req := g.required(structName, mem.Name)
	needs := g.needs(mem.Ref.Shape)
	const in = "\t\t\t"
	switch {
	case isScalar(sh.Type) && req:
		bit := g.presence[structName][mem.Name]
		zero := map[string]string{
			"string": f + ` == ""`, "integer": f + " == 0", "long": f + " == 0", "double": f + " == 0",
			"float": f + " == 0", "boolean": "!" + f, "timestamp": f + ".IsZero()",
		}[sh.Type]
		e.p("\t\tif s.present&(1<<%d) == 0 && %s {", bit, zero)
		e.p("\t\t\tv.Null(&p)")
		if needs {
			e.p("\t\t} else {")
			e.p(in+"x := %s", f)
			if err := g.emitChecks(e, st, mem.Ref.Shape, in); err != nil {
				return err
			}
		}
		e.p("\t\t}")
	case isScalar(sh.Type):
		e.p("\t\tif %s != nil {", f)
		e.p(in+"x := *%s", f)
		if err := g.emitChecks(e, st, mem.Ref.Shape, in); err != nil {
			return err
		}
		e.p("\t\t}")
	default: // blob, list, map, structure: nil when absent
		if req {
			e.p("\t\tif %s == nil {", f)
			e.p("\t\t\tv.Null(&p)")
			if needs {
				e.p("\t\t} else {")
			}
		} else {
			e.p("\t\tif %s != nil {", f)
		}
		if needs {
			e.p(in+"x := %s", f)
			if err := g.emitChecks(e, st, mem.Ref.Shape, in); err != nil {
				return err
			}
		}
		e.p("\t\t}")
	}
	return nil
}

// emitChecks checks the present value x of shape name at path p.
func (g *gen) emitChecks(e *emitter, st *validateState, name, in string) error {
	s := g.shape(name)
	switch s.Type {
	case "structure":
		e.line(in + "x.validate(v, &p)")
	case "string":
		str := "x"
		if g.isEnum(name) {
			str = "string(x)"
		}
		if s.Pattern != "" {
			st.patterns[name] = true
			e.p(in+"if !pat%s.Match(%s) {", typeName(name), str)
			e.p(in+"\tv.Add(&p, %s, %q)", str, patternMsg(s))
			e.line(in + "}")
		}
		g.emitRange(e, in, "codec.StrLen("+str+")", str, s, "length", false)
		if len(s.Enum) > 0 {
			e.line(in + "if !x.valid() {")
			e.p(in+"\tv.Add(&p, %s, %q)", str, g.enumMsg(name))
			e.line(in + "}")
		}
	case "integer", "long":
		g.emitRange(e, in, "x", "codec.RenderInt(int64(x))", s, "value", false)
	case "double", "float":
		g.emitRange(e, in, "x", "codec.RenderFloat(float64(x))", s, "value", true)
	case "blob":
		g.emitRange(e, in, "len(x)", "codec.RenderBlob(len(x))", s, "length", false)
	case "list", "map":
		st.collections[name] = true
		e.p(in+"validate%s(v, p, x)", typeName(name))
	}
	return nil
}

// emitValidateCollection writes validateX(v, p, x), the checks of a present
// list or map value x of shape X at path p.
func (g *gen) emitValidateCollection(e *emitter, st *validateState, name string) error {
	s := g.shape(name)
	e.p("func validate%s(v *codec.Violations, p codec.Path, x %s) {", typeName(name), g.goType(name, ctxRequired))
	const in = "\t"
	switch s.Type {
	case "list":
		st.renders[name] = true
		render := "render" + typeName(name) + "(x)"
		g.emitRange(e, in, "len(x)", render, s, "length", false)
		elem := s.Member.Shape
		esh := g.shape(elem)
		if !g.needs(elem) {
			break
		}
		switch esh.Type {
		case "structure":
			e.line(in + "for i := range x {")
			e.line(in + "\tif v.Full() {")
			e.line(in + "\t\tbreak")
			e.line(in + "\t}")
			e.line(in + "\tep := codec.Element(&p, i)")
			e.line(in + "\tx[i].validate(v, &ep)")
			e.line(in + "}")
		case "list", "map":
			st.collections[elem] = true
			e.line(in + "for i := range x {")
			e.line(in + "\tif v.Full() {")
			e.line(in + "\t\tbreak")
			e.line(in + "\t}")
			e.p(in+"\tvalidate%s(v, codec.Element(&p, i), x[i])", typeName(elem))
			e.line(in + "}")
		default:
			st.oks[elem] = true
			e.line(in + "for _, el := range x {")
			e.p(in+"\tif !ok%s(el) {", typeName(elem))
			e.p(in+"\t\tv.Add(&p, %s, %q)", render, "Member must satisfy constraint: "+g.bracket(elem))
			e.line(in + "\t\tbreak")
			e.line(in + "\t}")
			e.line(in + "}")
		}
	case "map":
		st.renders[name] = true
		render := "render" + typeName(name) + "(x)"
		g.emitRange(e, in, "len(x)", render, s, "length", false)
		if g.needs(s.Key.Shape) {
			st.oks[s.Key.Shape] = true
			e.line(in + "for k := range x {")
			e.p(in+"\tif !ok%s(%s) {", typeName(s.Key.Shape), g.conv(s.Key.Shape, "k"))
			e.p(in+"\t\tv.Add(&p, %s, %q)", render, "Map keys must satisfy constraint: "+g.bracket(s.Key.Shape))
			e.line(in + "\t\tbreak")
			e.line(in + "\t}")
			e.line(in + "}")
		}
		val := s.Value.Shape
		if g.needs(val) {
			switch g.shape(val).Type {
			case "structure":
				e.use("maps")
				e.use("slices")
				e.line(in + "for _, k := range slices.Sorted(maps.Keys(x)) {")
				e.line(in + "\tif v.Full() {")
				e.line(in + "\t\tbreak")
				e.line(in + "\t}")
				e.line(in + "\tif x[k] != nil {")
				e.line(in + "\t\tep := codec.Entry(&p, k)")
				e.line(in + "\t\tx[k].validate(v, &ep)")
				e.line(in + "\t}")
				e.line(in + "}")
			case "list", "map":
				e.use("maps")
				e.use("slices")
				st.collections[val] = true
				e.line(in + "for _, k := range slices.Sorted(maps.Keys(x)) {")
				e.line(in + "\tif v.Full() {")
				e.line(in + "\t\tbreak")
				e.line(in + "\t}")
				e.p(in+"\tvalidate%s(v, codec.Entry(&p, k), x[k])", typeName(val))
				e.line(in + "}")
			default:
				st.oks[val] = true
				e.line(in + "for _, el := range x {")
				e.p(in+"\tif !ok%s(el) {", typeName(val))
				e.p(in+"\t\tv.Add(&p, %s, %q)", render, "Map value must satisfy constraint: "+g.bracket(val))
				e.line(in + "\t\tbreak")
				e.line(in + "\t}")
				e.line(in + "}")
			}
		}
	}
	e.p("}")
	e.p("")
	return nil
}

// emitRange emits the min/max checks of shape s on measure n (an
// expression), reporting value (an expression) on failure. what is
// "length" or "value". A minimum length of 0 cannot fail and is skipped.
func (g *gen) emitRange(e *emitter, in, n, value string, s *Shape, what string, float bool) {
	lo, hi := s.Min, s.Max
	if what == "length" && lo != nil && lo.String() == "0" {
		lo = nil
	}
	if lo == nil && hi == nil {
		return
	}
	kw := "if n := " + n + "; "
	if lo != nil {
		e.p(in+"%sn < %s {", kw, goNumber(lo, float))
		e.p(in+"\tv.Add(&p, %s, %q)", value, "Member must have "+what+" greater than or equal to "+msgNumber(lo, float))
		kw = "} else if "
	}
	if hi != nil {
		e.p(in+"%sn > %s {", kw, goNumber(hi, float))
		e.p(in+"\tv.Add(&p, %s, %q)", value, "Member must have "+what+" less than or equal to "+msgNumber(hi, float))
	}
	e.line(in + "}")
}

func goNumber(n fmt.Stringer, float bool) string {
	s := n.String()
	if !float && strings.ContainsAny(s, ".eE") {
		f, _ := strconv.ParseFloat(s, 64)
		return strconv.FormatInt(int64(f), 10)
	}
	return s
}

// msgNumber renders a bound as AWS does: integers plainly, floating-point
// bounds like Java's Double.toString.
func msgNumber(n fmt.Stringer, float bool) string {
	if !float {
		return goNumber(n, false)
	}
	f, _ := strconv.ParseFloat(n.String(), 64)
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") && !math.IsInf(f, 0) {
		s += ".0"
	}
	return s
}

func patternMsg(s *Shape) string {
	return "Member must satisfy regular expression pattern: " + s.Pattern
}

func (g *gen) enumMsg(name string) string {
	values := g.shape(name).Enum
	if order := g.opts.Overrides.EnumOrder[name]; len(order) > 0 {
		values = order
	}
	return "Member must satisfy enum value set: [" + strings.Join(values, ", ") + "]"
}

// bracket lists every constraint of a scalar shape, in the order AWS lists
// them when an element of a list or map fails: "[Member must have length
// less than or equal to 128, Member must have length greater than or equal
// to 1]".
func (g *gen) bracket(name string) string {
	s := g.shape(name)
	var parts []string
	float := s.Type == "double" || s.Type == "float"
	what := "value"
	if s.Type == "string" || s.Type == "blob" {
		what = "length"
	}
	if s.Max != nil {
		parts = append(parts, "Member must have "+what+" less than or equal to "+msgNumber(s.Max, float))
	}
	if s.Min != nil {
		parts = append(parts, "Member must have "+what+" greater than or equal to "+msgNumber(s.Min, float))
	}
	if s.Pattern != "" {
		parts = append(parts, patternMsg(s))
	}
	if len(s.Enum) > 0 {
		parts = append(parts, g.enumMsg(name))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// emitOK writes okX(x) bool: whether scalar x satisfies all of shape X's
// constraints.
func (g *gen) emitOK(e *emitter, st *validateState, name string) {
	s := g.shape(name)
	e.p("func ok%s(x %s) bool {", typeName(name), g.goType(name, ctxElement))
	var conds []string
	switch s.Type {
	case "string":
		str := "x"
		if g.isEnum(name) {
			str = "string(x)"
			conds = append(conds, "x.valid()")
		}
		if s.Pattern != "" {
			st.patterns[name] = true
			conds = append(conds, fmt.Sprintf("pat%s.Match(%s)", typeName(name), str))
		}
		if s.Min != nil || s.Max != nil {
			e.p("\tn := codec.StrLen(%s)", str)
		}
	case "blob":
		if s.Min != nil || s.Max != nil {
			e.p("\tn := len(x)")
		}
	default:
		e.p("\tn := x")
	}
	float := s.Type == "double" || s.Type == "float"
	if s.Min != nil {
		conds = append(conds, "n >= "+goNumber(s.Min, float))
	}
	if s.Max != nil {
		conds = append(conds, "n <= "+goNumber(s.Max, float))
	}
	if len(conds) == 0 {
		conds = []string{"true"}
	}
	e.p("\treturn %s", strings.Join(conds, " && "))
	e.p("}")
	e.p("")
}

// emitRender writes renderX(x) string: a list or map as AWS shows it.
func (g *gen) emitRender(e *emitter, st *validateState, name string) {
	s := g.shape(name)
	e.p("func render%s(x %s) string {", typeName(name), g.goType(name, ctxRequired))
	if s.Type == "list" {
		elem := s.Member.Shape
		esh := g.shape(elem)
		if esh.Type == "string" {
			e.p("\treturn codec.RenderStrings(x)")
		} else {
			e.p("\treturn codec.RenderList(len(x), func(i int) string { return %s })", g.renderValue(st, elem, "x[i]"))
		}
	} else {
		val := s.Value.Shape
		t := g.goType(val, ctxMapValue)
		e.p("\treturn codec.RenderMap(x, func(el %s) string { return %s })", t, g.renderValue(st, val, "el"))
	}
	e.p("}")
	e.p("")
}

// renderValue returns an expression rendering Go expression x of shape name.
func (g *gen) renderValue(st *validateState, name, x string) string {
	s := g.shape(name)
	switch s.Type {
	case "string":
		if g.isEnum(name) {
			return "string(" + x + ")"
		}
		return x
	case "integer", "long":
		return "codec.RenderInt(int64(" + x + "))"
	case "double", "float":
		return "codec.RenderFloat(float64(" + x + "))"
	case "boolean":
		return "codec.RenderBool(" + x + ")"
	case "timestamp":
		return x + ".String()"
	case "blob":
		return "codec.RenderBlob(len(" + x + "))"
	case "structure":
		return fmt.Sprintf("codec.RenderStruct(%q, %s.appendCBOR(nil))", g.javaClass(name), x)
	}
	st.renders[name] = true
	return "render" + typeName(name) + "(" + x + ")"
}

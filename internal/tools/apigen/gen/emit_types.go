package gen

import (
	"fmt"
	"strings"
)

// emitTypes writes the structures and enums.
func (g *gen) emitTypes(e *emitter) error {
	for _, name := range g.structs {
		s := g.shape(name)
		kind := "structure"
		switch {
		case g.isInput(name):
			kind = "input"
		case g.isOutput(name):
			kind = "output"
		case s.Event:
			kind = "event"
		}
		e.p("// %s is the %s %s of the model.", name, name, kind)
		if bits := g.presence[name]; len(bits) > 0 {
			e.p("// Decoding records which required scalar members were present, so that")
			e.p("// Validate can tell a missing member from a zero value.")
		}
		e.p("type %s struct {", name)
		for _, mem := range s.Members {
			t := g.goType(mem.Ref.Shape, g.memberCtx(name, mem))
			if strings.Contains(t, "time.Time") {
				e.use("time")
			}
			comment := ""
			if g.required(name, mem.Name) {
				comment = " // required"
			}
			e.p("\t%s %s%s", exported(mem.Name), t, comment)
		}
		if bits := g.presence[name]; len(bits) > 0 {
			e.p("")
			e.p("\tpresent %s", bitsType(len(bits)))
		}
		e.p("}")
		e.p("")
	}
	for _, name := range g.enums {
		s := g.shape(name)
		e.p("// %s is an enum of the model.", name)
		e.p("type %s string", name)
		e.p("")
		e.p("// %s values.", name)
		e.p("const (")
		seen := map[string]bool{}
		for _, v := range s.Enum {
			c := enumConst(name, v)
			if seen[c] {
				return fmt.Errorf("enum %s: values collide as %s", name, c)
			}
			seen[c] = true
			e.p("\t%s %s = %q", c, name, v)
		}
		e.p(")")
		e.p("")
		e.p("// valid reports whether v is one of the model's values.")
		e.p("func (v %s) valid() bool {", name)
		e.p("\tswitch v {")
		var cs []string
		for _, v := range s.Enum {
			cs = append(cs, enumConst(name, v))
		}
		e.p("\tcase %s:", strings.Join(cs, ", "))
		e.p("\t\treturn true")
		e.p("\t}")
		e.p("\treturn false")
		e.p("}")
		e.p("")
	}
	return nil
}

func bitsType(n int) string {
	switch {
	case n <= 8:
		return "uint8"
	case n <= 16:
		return "uint16"
	case n <= 32:
		return "uint32"
	}
	return "uint64"
}

func (g *gen) isInput(name string) bool {
	for _, op := range g.ops {
		if op.Input != nil && op.Input.Shape == name {
			return true
		}
	}
	return false
}

func (g *gen) isOutput(name string) bool {
	for _, op := range g.ops {
		if op.Output != nil && op.Output.Shape == name {
			return true
		}
	}
	return false
}

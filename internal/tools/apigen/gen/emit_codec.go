package gen

import (
	"fmt"
	"strconv"
)

// encoding parametrises the codec emitters: the JSON and CBOR code have the
// same shape over decoders with the same methods.
type encoding struct {
	name     string // JSON or CBOR, in function names
	decoder  string // decoder type
	objStart string // decoder method that begins a structure or map
}

var (
	jsonEnc = &encoding{name: "JSON", decoder: "codec.JSONDecoder", objStart: "ObjectStart"}
	cborEnc = &encoding{name: "CBOR", decoder: "codec.CBORDecoder", objStart: "MapStart"}
)

// scalarReader is the decoder method reading a scalar type.
func scalarReader(t string, slab bool) string {
	switch t {
	case "string":
		if slab {
			return "StringSlab"
		}
		return "String"
	case "integer":
		return "Int32"
	case "long":
		return "Int64"
	case "boolean":
		return "Bool"
	case "double":
		return "Float64"
	case "float":
		return "Float32"
	case "timestamp":
		return "Time"
	}
	panic("not a scalar: " + t)
}

// conv converts a decoded scalar v to the Go type of shape name.
func (g *gen) conv(name, v string) string {
	if g.isEnum(name) {
		return name + "(" + v + ")"
	}
	return v
}

func (g *gen) emitCodec(e *emitter, enc *encoding) error {
	e.use("github.com/eddy-streams/eddy/internal/awsproto/codec")
	if enc == jsonEnc {
		e.use("github.com/eddy-streams/eddy/internal/awsproto")
		for _, name := range g.structs {
			g.emitPublicCodec(e, name)
		}
		for _, name := range g.lists {
			e.p("var pool%s codec.SlicePool[%s]", typeName(name), g.goType(g.shape(name).Member.Shape, ctxElement))
		}
		e.p("")
	}
	for _, name := range g.structs {
		g.emitDecodeStruct(e, enc, name)
		g.emitAppendStruct(e, enc, name)
	}
	for _, name := range g.lists {
		g.emitList(e, enc, name)
	}
	for _, name := range g.maps {
		g.emitMap(e, enc, name)
	}
	return nil
}

func (g *gen) emitPublicCodec(e *emitter, name string) {
	e.p("// DecodeAWS reads s from a request or response body in encoding enc.")
	e.p("func (s *%s) DecodeAWS(enc awsproto.Encoding, body []byte) error {", name)
	e.p("\t*s = %s{}", name)
	e.p("\tif enc == awsproto.CBOR {")
	e.p("\t\tvar d codec.CBORDecoder")
	e.p("\t\td.Reset(body)")
	e.p("\t\tif d.Root() {")
	e.p("\t\t\ts.decodeCBOR(&d)")
	e.p("\t\t}")
	e.p("\t\treturn d.Finish()")
	e.p("\t}")
	e.p("\tvar d codec.JSONDecoder")
	e.p("\td.Reset(body)")
	e.p("\tif d.Root() {")
	e.p("\t\ts.decodeJSON(&d)")
	e.p("\t}")
	e.p("\treturn d.Finish()")
	e.p("}")
	e.p("")
	e.p("// AppendAWS appends s to dst in encoding enc.")
	e.p("func (s *%s) AppendAWS(enc awsproto.Encoding, dst []byte) []byte {", name)
	e.p("\tif enc == awsproto.CBOR {")
	e.p("\t\treturn s.appendCBOR(dst)")
	e.p("\t}")
	e.p("\treturn s.appendJSON(dst)")
	e.p("}")
	e.p("")
}

func (g *gen) emitDecodeStruct(e *emitter, enc *encoding, name string) {
	s := g.shape(name)
	slab := g.slab[name]
	e.p("func (s *%s) decode%s(d *%s) bool {", name, enc.name, enc.decoder)
	e.p("\tvar it codec.Iter")
	e.p("\tif !d.%s(&it, codec.KindStructure) {", enc.objStart)
	e.p("\t\treturn false")
	e.p("\t}")
	e.p("\tfor d.NextMember(&it) {")
	e.p("\t\tswitch string(d.Key()) {")
	for _, mem := range s.Members {
		e.p("\t\tcase %q:", wireName(mem))
		g.emitReadMember(e, enc, name, mem, slab)
	}
	e.p("\t\tdefault:")
	e.p("\t\t\td.Skip()")
	e.p("\t\t}")
	e.p("\t}")
	e.p("\treturn !d.Failed()")
	e.p("}")
	e.p("")
}

func (g *gen) emitReadMember(e *emitter, enc *encoding, structName string, mem Member, slab bool) {
	sh := g.shape(mem.Ref.Shape)
	f := "s." + exported(mem.Name)
	switch sh.Type {
	case "blob":
		e.p("\t\t\t%s = d.Blob()", f)
	case "structure":
		e.p("\t\t\tif v := new(%s); v.decode%s(d) {", mem.Ref.Shape, enc.name)
		e.p("\t\t\t\t%s = v", f)
		e.p("\t\t\t}")
	case "list", "map":
		e.p("\t\t\t%s = decode%s%s(d)", f, enc.name, typeName(mem.Ref.Shape))
	default:
		reader := scalarReader(sh.Type, slab)
		if bit, ok := g.presence[structName][mem.Name]; ok {
			e.p("\t\t\tif v, ok := d.%s(); ok {", reader)
			e.p("\t\t\t\t%s = %s", f, g.conv(mem.Ref.Shape, "v"))
			e.p("\t\t\t\ts.present |= 1 << %d", bit)
			e.p("\t\t\t}")
			return
		}
		if sh.Type == "string" && !g.isEnum(mem.Ref.Shape) {
			e.p("\t\t\t%s = d.%sPtr%s()", f, "String", map[bool]string{true: "Slab"}[slab])
			return
		}
		e.p("\t\t\tif v, ok := d.%s(); ok {", reader)
		if g.isEnum(mem.Ref.Shape) {
			e.p("\t\t\t\tx := %s", g.conv(mem.Ref.Shape, "v"))
			e.p("\t\t\t\t%s = &x", f)
		} else {
			e.p("\t\t\t\t%s = &v", f)
		}
		e.p("\t\t\t}")
	}
}

// valueAppend returns code appending Go expression x of shape name.
func (g *gen) valueAppend(enc *encoding, name, x string) string {
	sh := g.shape(name)
	switch sh.Type {
	case "string":
		if g.isEnum(name) {
			x = "string(" + x + ")"
		}
		return fmt.Sprintf("codec.Append%sString(b, %s)", enc.name, x)
	case "integer", "long":
		return fmt.Sprintf("codec.Append%sInt(b, int64(%s))", enc.name, x)
	case "boolean":
		return fmt.Sprintf("codec.Append%sBool(b, %s)", enc.name, x)
	case "double":
		return fmt.Sprintf("codec.Append%sFloat(b, %s, 64)", enc.name, x)
	case "float":
		return fmt.Sprintf("codec.Append%sFloat(b, float64(%s), 32)", enc.name, x)
	case "timestamp":
		return fmt.Sprintf("codec.Append%sTime(b, %s)", enc.name, x)
	case "blob":
		return fmt.Sprintf("codec.Append%sBlob(b, %s)", enc.name, x)
	case "structure":
		return fmt.Sprintf("%s.append%s(b)", x, enc.name)
	}
	return fmt.Sprintf("append%s%s(b, %s)", enc.name, typeName(name), x)
}

// memberCond returns the condition under which a member is written ("" for
// always) and the expression of its value.
func (g *gen) memberCond(structName string, mem Member) (cond, x string) {
	sh := g.shape(mem.Ref.Shape)
	f := "s." + exported(mem.Name)
	req := g.required(structName, mem.Name)
	switch {
	case sh.Type == "structure":
		return f + " != nil", f
	case isScalar(sh.Type) && !req:
		return f + " != nil", "*" + f
	case !req: // blob, list, map
		return f + " != nil", f
	}
	return "", f
}

func (g *gen) emitAppendStruct(e *emitter, enc *encoding, name string) {
	s := g.shape(name)
	e.p("func (s *%s) append%s(b []byte) []byte {", name, enc.name)
	if enc == cborEnc {
		always := 0
		for _, mem := range s.Members {
			if cond, _ := g.memberCond(name, mem); cond == "" {
				always++
			}
		}
		if always == len(s.Members) {
			e.p("\tb = codec.AppendCBORMap(b, %d)", always)
		} else {
			e.p("\tn := %d", always)
			for _, mem := range s.Members {
				if cond, _ := g.memberCond(name, mem); cond != "" {
					e.p("\tif %s {", cond)
					e.p("\t\tn++")
					e.p("\t}")
				}
			}
			e.p("\tb = codec.AppendCBORMap(b, n)")
		}
		for _, mem := range s.Members {
			cond, x := g.memberCond(name, mem)
			indent := "\t"
			if cond != "" {
				e.p("\tif %s {", cond)
				indent = "\t\t"
			}
			e.p("%sb = append(b, (%s)...)", indent, cborKey(wireName(mem)))
			e.p("%sb = %s", indent, g.valueAppend(enc, mem.Ref.Shape, x))
			if cond != "" {
				e.p("\t}")
			}
		}
		e.p("\treturn b")
		e.p("}")
		e.p("")
		return
	}
	e.p("\tb = append(b, '{')")
	// What has been written of the object so far decides how a member is
	// separated from the previous one.
	const (
		empty   = iota // nothing: no comma
		unknown        // depends on optional members: codec.JSONSep
		some           // a required member: comma
	)
	state := empty
	for _, mem := range s.Members {
		cond, x := g.memberCond(name, mem)
		indent := "\t"
		if cond != "" {
			e.p("\tif %s {", cond)
			indent = "\t\t"
		}
		key := `"` + wireName(mem) + `":`
		switch state {
		case unknown:
			e.p("%sb = codec.JSONSep(b)", indent)
		case some:
			key = "," + key
		}
		e.p("%sb = append(b, %s...)", indent, strconv.Quote(key))
		e.p("%sb = %s", indent, g.valueAppend(enc, mem.Ref.Shape, x))
		if cond != "" {
			e.p("\t}")
			if state == empty {
				state = unknown
			}
		} else {
			state = some
		}
	}
	e.p("\treturn append(b, '}')")
	e.p("}")
	e.p("")
}

func (g *gen) emitList(e *emitter, enc *encoding, name string) {
	s := g.shape(name)
	elem := s.Member.Shape
	esh := g.shape(elem)
	goType := g.goType(name, ctxRequired)
	tn := typeName(name)
	e.p("func decode%s%s(d *%s) %s {", enc.name, tn, enc.decoder, goType)
	e.p("\tvar it codec.Iter")
	e.p("\tif !d.ArrayStart(&it) {")
	e.p("\t\treturn nil")
	e.p("\t}")
	elemCode := func(in string) {
		switch esh.Type {
		case "structure":
			e.p(in+"v = append(v, %s{})", elem)
			e.p(in+"v[len(v)-1].decode%s(d)", enc.name)
		case "blob":
			e.line(in + "v = append(v, d.Blob())")
		case "list", "map":
			e.p(in+"v = append(v, decode%s%s(d))", enc.name, typeName(elem))
		default:
			e.p(in+"x, _ := d.%s()", scalarReader(esh.Type, false))
			e.p(in+"v = append(v, %s)", g.conv(elem, "x"))
		}
	}
	if enc == cborEnc {
		// A definite-length array says how many elements follow.
		e.p("\tif n := it.Count(); n >= 0 && n <= codec.MaxPrealloc {")
		e.p("\t\tv := make(%s, 0, n)", goType)
		e.p("\t\tfor d.NextElement(&it) {")
		elemCode("\t\t\t")
		e.p("\t\t}")
		e.p("\t\treturn v")
		e.p("\t}")
	}
	e.p("\tscratch := pool%s.Get()", tn)
	e.p("\tv := *scratch")
	e.p("\tfor d.NextElement(&it) {")
	elemCode("\t\t")
	e.p("\t}")
	e.p("\treturn pool%s.Finish(scratch, v)", tn)
	e.p("}")
	e.p("")

	e.p("func append%s%s(b []byte, v %s) []byte {", enc.name, tn, goType)
	x := "v[i]"
	if enc == cborEnc {
		e.p("\tb = codec.AppendCBORArray(b, len(v))")
		e.p("\tfor i := range v {")
	} else {
		e.p("\tb = append(b, '[')")
		e.p("\tfor i := range v {")
		e.p("\t\tif i > 0 {")
		e.p("\t\t\tb = append(b, ',')")
		e.p("\t\t}")
	}
	e.p("\t\tb = %s", g.valueAppend(enc, elem, x))
	e.p("\t}")
	if enc == cborEnc {
		e.p("\treturn b")
	} else {
		e.p("\treturn append(b, ']')")
	}
	e.p("}")
	e.p("")
}

func (g *gen) emitMap(e *emitter, enc *encoding, name string) {
	s := g.shape(name)
	val := s.Value.Shape
	vsh := g.shape(val)
	goType := g.goType(name, ctxRequired)
	tn := typeName(name)
	e.use("maps")
	e.use("slices")
	e.p("func decode%s%s(d *%s) %s {", enc.name, tn, enc.decoder, goType)
	e.p("\tvar it codec.Iter")
	e.p("\tif !d.%s(&it, codec.KindMap) {", enc.objStart)
	e.p("\t\treturn nil")
	e.p("\t}")
	e.p("\tm := make(%s)", goType)
	e.p("\tfor d.NextMember(&it) {")
	e.p("\t\tk := d.KeyString()")
	switch vsh.Type {
	case "structure":
		e.p("\t\tif x := new(%s); x.decode%s(d) {", val, enc.name)
	case "blob":
		e.p("\t\tif x := d.Blob(); x != nil {")
	case "list", "map":
		e.p("\t\tif x := decode%s%s(d); x != nil {", enc.name, typeName(val))
	default:
		e.p("\t\tif x, ok := d.%s(); ok {", scalarReader(vsh.Type, false))
	}
	e.p("\t\t\tm[k] = %s", g.conv(val, "x"))
	e.p("\t\t}")
	e.p("\t}")
	e.p("\treturn m")
	e.p("}")
	e.p("")

	e.p("func append%s%s(b []byte, m %s) []byte {", enc.name, tn, goType)
	if enc == cborEnc {
		e.p("\tb = codec.AppendCBORMap(b, len(m))")
		e.p("\tfor _, k := range slices.Sorted(maps.Keys(m)) {")
		e.p("\t\tb = codec.AppendCBORString(b, k)")
	} else {
		e.p("\tb = append(b, '{')")
		e.p("\tfor i, k := range slices.Sorted(maps.Keys(m)) {")
		e.p("\t\tif i > 0 {")
		e.p("\t\t\tb = append(b, ',')")
		e.p("\t\t}")
		e.p("\t\tb = codec.AppendJSONString(b, k)")
		e.p("\t\tb = append(b, ':')")
	}
	if vsh.Type == "structure" {
		null := `"null"`
		if enc == cborEnc {
			null = `"\xf6"`
		}
		e.p("\t\tif m[k] == nil {")
		e.p("\t\t\tb = append(b, %s...)", null)
		e.p("\t\t\tcontinue")
		e.p("\t\t}")
	}
	e.p("\t\tb = %s", g.valueAppend(enc, val, "m[k]"))
	e.p("\t}")
	if enc == cborEnc {
		e.p("\treturn b")
	} else {
		e.p("\treturn append(b, '}')")
	}
	e.p("}")
	e.p("")
}

// cborKey returns a Go string constant expression for the CBOR text string
// s: its head in hex, then the text, e.g. "\x6e" + "SequenceNumber".
func cborKey(s string) string {
	var head string
	n := len(s)
	switch {
	case n < 24:
		head = fmt.Sprintf(`"\x%02x"`, 0x60|n)
	case n < 256:
		head = fmt.Sprintf(`"\x78\x%02x"`, n)
	default:
		head = fmt.Sprintf(`"\x79\x%02x\x%02x"`, n>>8, n&0xff)
	}
	return head + " + " + strconv.Quote(s)
}

package gen

import (
	"fmt"
)

// emitAPI writes the typed API interface, its binding to an
// awsproto.Service, event-stream helpers and the list of error shapes.
func (g *gen) emitAPI(e *emitter) error {
	e.use("context")
	e.use("github.com/eddy-streams/eddy/internal/awsproto")
	md := g.m.Metadata
	signing := md.SigningName
	if signing == "" {
		signing = md.EndpointPrefix
	}
	if md.TargetPrefix == "" {
		return fmt.Errorf("model has no targetPrefix")
	}

	for _, op := range g.ops {
		if op.Input == nil {
			e.use("github.com/eddy-streams/eddy/internal/awsproto/codec")
		}
	}
	e.p("// ModelSHA256 identifies the model this package was generated from: the")
	e.p("// SHA-256 of its JSON text.")
	e.p("const ModelSHA256 = %q", g.m.SHA256)
	e.p("")
	e.p("// Service constants of the model.")
	e.p("const (")
	e.p("\tTargetPrefix = %q", md.TargetPrefix)
	e.p("\tSigningName  = %q", signing)
	e.p(")")
	e.p("")

	e.p("// API has one method per operation of the model. Handlers return typed")
	e.p("// outputs, or errors that awsproto.AsError turns into AWS exceptions.")
	e.p("// Operations without an output return only an error; event-stream")
	e.p("// operations send their events through es.")
	e.p("type API interface {")
	for _, op := range g.ops {
		e.p("\t%s", g.signature(op))
	}
	e.p("}")
	e.p("")

	e.p("// NewService binds api to the operations, for awsproto's handler.")
	e.p("func NewService(api API) *awsproto.Service {")
	e.p("\treturn &awsproto.Service{")
	e.p("\t\tTargetPrefix: TargetPrefix,")
	e.p("\t\tSigningName:  SigningName,")
	e.p("\t\tOperations: map[string]*awsproto.Operation{")
	for _, op := range g.ops {
		in := g.inputType(op)
		e.p("\t\t\t%q: {", op.Name)
		e.p("\t\t\t\tName:     %q,", op.Name)
		e.p("\t\t\t\tNewInput: func() awsproto.Input { return new(%s) },", in)
		switch {
		case op.Output != nil && g.streamOut[op.Output.Shape] != "":
			e.p("\t\t\t\tStream: func(ctx context.Context, in awsproto.Input, es awsproto.EventSender) error {")
			e.p("\t\t\t\t\tif err := in.Validate(); err != nil {")
			e.p("\t\t\t\t\t\treturn err")
			e.p("\t\t\t\t\t}")
			e.p("\t\t\t\t\treturn api.%s(ctx, in.(*%s), es)", op.Name, in)
			e.p("\t\t\t\t},")
		case op.Output != nil:
			e.p("\t\t\t\tCall: func(ctx context.Context, in awsproto.Input) (awsproto.Output, error) {")
			e.p("\t\t\t\t\tout, err := api.%s(ctx, in.(*%s))", op.Name, in)
			e.p("\t\t\t\t\tif err != nil || out == nil {")
			e.p("\t\t\t\t\t\treturn nil, err")
			e.p("\t\t\t\t\t}")
			e.p("\t\t\t\t\treturn out, nil")
			e.p("\t\t\t\t},")
		default:
			e.p("\t\t\t\tCall: func(ctx context.Context, in awsproto.Input) (awsproto.Output, error) {")
			e.p("\t\t\t\t\treturn nil, api.%s(ctx, in.(*%s))", op.Name, in)
			e.p("\t\t\t\t},")
		}
		e.p("\t\t\t},")
	}
	e.p("\t\t},")
	e.p("\t}")
	e.p("}")
	e.p("")

	// Event streams: a constant and a typed sender per event.
	for _, op := range g.ops {
		if op.Output == nil || g.streamOut[op.Output.Shape] == "" {
			continue
		}
		union := g.shape(g.streamOut[op.Output.Shape])
		for _, mem := range union.Members {
			ev := g.shape(mem.Ref.Shape)
			if ev.Exception {
				continue
			}
			e.p("// Send%s sends one %s event of %s.", mem.Name, mem.Name, op.Name)
			e.p("func Send%s(es awsproto.EventSender, ev *%s) error {", mem.Name, mem.Ref.Shape)
			e.p("\treturn es.Send(%q, ev)", mem.Name)
			e.p("}")
			e.p("")
		}
	}

	e.p("// Exceptions lists the model's error shapes: the wire type name and")
	e.p("// whether the model marks it a server fault.")
	e.p("var Exceptions = []struct {")
	e.p("\tType  string")
	e.p("\tFault bool")
	e.p("}{")
	for _, name := range g.exceptions {
		e.p("\t{%q, %v},", name, g.shape(name).Fault)
	}
	e.p("}")
	return nil
}

// inputType is the Go type of an operation's input.
func (g *gen) inputType(op *Operation) string {
	if op.Input == nil {
		g.usesEmpty = true
		return "codec.EmptyInput"
	}
	return op.Input.Shape
}

func (g *gen) signature(op *Operation) string {
	in := g.inputType(op)
	switch {
	case op.Output != nil && g.streamOut[op.Output.Shape] != "":
		return fmt.Sprintf("%s(ctx context.Context, in *%s, es awsproto.EventSender) error", op.Name, in)
	case op.Output != nil:
		return fmt.Sprintf("%s(ctx context.Context, in *%s) (*%s, error)", op.Name, in, op.Output.Shape)
	}
	return fmt.Sprintf("%s(ctx context.Context, in *%s) error", op.Name, in)
}

package awsproto

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/metrics"
)

// HandlerOptions configures a Handler. The zero value is usable.
type HandlerOptions struct {
	// Logger receives internal failures (with their causes), panics (with
	// stacks) and, at debug level, one line per request. Nil discards.
	Logger *slog.Logger
	// Metrics receives request counters and latency histograms. Nil
	// disables them.
	Metrics *metrics.Set
	// MaxBodyBytes caps request bodies; larger requests get 413 before the
	// body is read into memory. Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// BodyReadTimeout bounds how long reading one request body may take, so
	// that a stalled client cannot hold a buffer forever. Zero means 60 s;
	// negative disables it.
	BodyReadTimeout time.Duration
	// EventWriteTimeout bounds the write of one event-stream message to a
	// client that stopped reading. Zero means 30 s; negative disables it.
	EventWriteTimeout time.Duration
	// Ready reports whether the services can take requests. Until it does,
	// API requests get 503 ServiceUnavailableException, so that the server
	// can listen (and answer health checks) while storage recovers. Nil
	// means always ready.
	Ready func() bool
}

// Handler serves the AWS JSON 1.1 / CBOR protocol for a set of services: it
// dispatches on X-Amz-Target, parses SigV4, decodes the body into the
// operation's input and encodes its output or error the way AWS does.
type Handler struct {
	// services is replaced, never modified, by Register: requests read it
	// without locking.
	services   atomic.Pointer[map[string]*boundService]
	registerMu sync.Mutex
	ready      func() bool
	log        *slog.Logger
	maxBody    int64
	readTO     time.Duration
	eventTO    time.Duration
	metrics    *handlerMetrics

	// streams is canceled by EndStreams: every event stream's context is
	// tied to it so that shutdown can end them.
	streams   context.Context
	endStream context.CancelFunc
}

type boundService struct {
	svc *Service
	ops map[string]*boundOp
}

type boundOp struct {
	op      *Operation
	metrics *opMetrics
}

// NewHandler returns a Handler serving services (see Register).
func NewHandler(opts HandlerOptions, services ...*Service) (*Handler, error) {
	h := &Handler{
		ready:   opts.Ready,
		log:     opts.Logger,
		maxBody: opts.MaxBodyBytes,
		readTO:  opts.BodyReadTimeout,
		eventTO: opts.EventWriteTimeout,
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.readTO == 0 {
		h.readTO = 60 * time.Second
	}
	if h.eventTO == 0 {
		h.eventTO = 30 * time.Second
	}
	h.metrics = newHandlerMetrics(opts.Metrics)
	h.streams, h.endStream = context.WithCancel(context.Background())
	h.services.Store(&map[string]*boundService{})
	if err := h.Register(services...); err != nil {
		return nil, err
	}
	return h, nil
}

// Register adds services to a running Handler, which serves them from the
// next request on. Target prefixes must be unique and every operation needs
// NewInput and exactly one of Call and Stream; on error nothing is added.
func (h *Handler) Register(services ...*Service) error {
	h.registerMu.Lock()
	defer h.registerMu.Unlock()
	old := *h.services.Load()
	next := make(map[string]*boundService, len(old)+len(services))
	for k, v := range old {
		next[k] = v
	}
	for _, s := range services {
		if s == nil || s.TargetPrefix == "" {
			return errors.New("awsproto: service without a target prefix")
		}
		if _, dup := next[s.TargetPrefix]; dup {
			return fmt.Errorf("awsproto: two services with target prefix %q", s.TargetPrefix)
		}
		bs := &boundService{svc: s, ops: make(map[string]*boundOp, len(s.Operations))}
		for name, op := range s.Operations {
			if op == nil || op.NewInput == nil || (op.Call == nil) == (op.Stream == nil) {
				return fmt.Errorf("awsproto: %s.%s needs NewInput and exactly one of Call and Stream", s.TargetPrefix, name)
			}
			if op.Name != "" && op.Name != name {
				return fmt.Errorf("awsproto: %s: operation registered as %q is named %q", s.TargetPrefix, name, op.Name)
			}
			bs.ops[name] = &boundOp{op: op, metrics: h.metrics.forOp(s, name)}
		}
		next[s.TargetPrefix] = bs
	}
	h.services.Store(&next)
	return nil
}

// EndStreams ends every open event stream and makes new ones end at once.
// The server calls it when it shuts down, since event streams last minutes
// and would otherwise hold graceful shutdown until its timeout.
func (h *Handler) EndStreams() { h.endStream() }

// bodyFormat is how a request wants to be answered, from its Content-Type.
type bodyFormat uint8

const (
	formatOther      bodyFormat = iota // anything AWS does not accept
	formatJSON                         // application/x-amz-json-1.1
	formatJSONLegacy                   // application/json: AWS answers in the old Coral envelope
	formatCBOR                         // application/x-amz-cbor-1.1
)

func classifyContentType(v string) bodyFormat {
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	v = strings.TrimSpace(v)
	switch {
	case strings.EqualFold(v, ContentTypeJSON):
		return formatJSON
	case strings.EqualFold(v, ContentTypeCBOR):
		return formatCBOR
	case strings.EqualFold(v, "application/json"):
		return formatJSONLegacy
	}
	return formatOther
}

// splitTarget splits "Prefix.Operation"; like AWS it ignores anything after
// a second dot.
func splitTarget(t string) (prefix, op string) {
	prefix, rest, ok := strings.Cut(t, ".")
	if !ok {
		return t, ""
	}
	op, _, _ = strings.Cut(rest, ".")
	return prefix, op
}

// request is the per-request state of ServeHTTP.
type request struct {
	w     http.ResponseWriter
	r     *http.Request
	id    string
	start time.Time
	op    *boundOp
	enc   Encoding
	// status and errType are what was sent, for metrics and the debug log.
	status  int
	errType string
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := request{w: w, r: r, start: time.Now()}
	defer h.finish(&q)

	hdr := w.Header()
	_, hasOrigin := r.Header["Origin"]
	preflight := hasOrigin && r.Method == http.MethodOptions
	// AWS sends x-amz-id-2 on everything except CORS preflight answers.
	q.id = setIDHeaders(hdr, !preflight)
	if hasOrigin {
		if h.cors(&q, preflight) {
			return
		}
	}
	if r.Method != http.MethodPost {
		h.writeRaw(&q, http.StatusForbidden, nil, xmlAccessDenied, "AccessDeniedException")
		return
	}

	bufp := getBuf()
	defer putBuf(bufp)
	body, err := h.readBody(&q, *bufp)
	*bufp = body
	if err != nil {
		if errors.Is(err, errBodyTooLarge) {
			// AWS answers 413 with no body at all (boto3 then reports the
			// status code as the error code).
			h.writeRaw(&q, http.StatusRequestEntityTooLarge, nil, "", "RequestEntityTooLarge")
			return
		}
		// The client went away, stalled past the read deadline or sent a
		// broken body. Any status would be a lie (net/http would send 200
		// for an empty answer), so the connection (HTTP/1.1) or stream
		// (HTTP/2) is aborted instead.
		h.log.Debug("reading request body", "request_id", q.id, "err", err)
		panic(http.ErrAbortHandler)
	}

	format := classifyContentType(headerValue(r.Header, "Content-Type"))
	if h.ready != nil && !h.ready() {
		if format == formatCBOR {
			q.enc = CBOR
		}
		h.writeError(&q, &Error{Exception: ServiceUnavailable, Message: "eddy is starting: recovery is not finished."})
		return
	}
	prefix, opName := splitTarget(headerValue(r.Header, "X-Amz-Target"))
	var svc *boundService
	if bs := (*h.services.Load())[prefix]; bs != nil && opName != "" {
		svc = bs
		q.op = bs.ops[opName]
	}
	known := q.op != nil

	// The order of the checks below is AWS's (see PROTOCOL.md).
	if len(body) == 0 {
		exc := UnknownOperation
		if known {
			exc = Serialization
		}
		if format == formatJSON {
			q.enc = JSON
		} else {
			q.enc = CBOR
		}
		h.writeError(&q, &Error{Exception: exc})
		return
	}
	switch format {
	case formatOther:
		if prefix == "" || opName == "" {
			h.writeRaw(&q, http.StatusForbidden, nil, xmlAccessDenied, "AccessDeniedException")
		} else {
			h.writeRaw(&q, http.StatusNotFound, nil, xmlUnknownOperation, "UnknownOperationException")
		}
		return
	case formatJSONLegacy:
		// AWS no longer serves plain application/json: it answers 200 with
		// an old-style envelope naming the problem.
		if jsonObjectOrArray(body) {
			h.writeRaw(&q, http.StatusOK, valJSONPlain, deprecatedUnknownOperation, "UnknownOperationException")
		} else {
			h.writeRaw(&q, http.StatusOK, valJSONPlain, deprecatedSerialization, "SerializationException")
		}
		return
	case formatJSON:
		q.enc = JSON
	case formatCBOR:
		q.enc = CBOR
	}
	if !known {
		if q.enc == JSON && !jsonObjectOrArray(body) {
			h.writeError(&q, &Error{Exception: Serialization})
			return
		}
		h.writeError(&q, &Error{Exception: UnknownOperation})
		return
	}
	if q.enc == JSON && !startsLikeJSONContainer(body) {
		h.writeError(&q, &Error{Exception: Serialization})
		return
	}

	sig, aerr := ParseSigV4(r, svc.svc.SigningName)
	if aerr != nil {
		// AWS reports a malformed body before a bad signature.
		if q.enc == JSON && !jsonObjectOrArray(body) {
			aerr = &Error{Exception: Serialization}
		}
		h.writeError(&q, aerr)
		return
	}
	ctx := WithCaller(r.Context(), sig.Caller())

	in := q.op.op.NewInput()
	if err := in.DecodeAWS(q.enc, body); err != nil {
		h.writeError(&q, h.asError(&q, err))
		return
	}
	if err := in.Validate(); err != nil {
		h.writeError(&q, h.asError(&q, err))
		return
	}
	if q.op.op.Stream != nil {
		h.serveStream(ctx, &q, in)
		return
	}
	out, err := q.op.op.Call(ctx, in)
	if err != nil {
		h.writeError(&q, h.asError(&q, err))
		return
	}
	h.writeOutput(&q, out)
}

// startsLikeJSONContainer is the cheap first-byte check done on the hot path;
// the decoder finds any deeper malformation.
func startsLikeJSONContainer(body []byte) bool {
	for _, c := range body {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c == '{' || c == '['
	}
	return false
}

// readBody reads the size-capped body under the body read deadline.
func (h *Handler) readBody(q *request, buf []byte) ([]byte, error) {
	if q.r.ContentLength == 0 {
		return buf[:0], nil
	}
	if h.readTO <= 0 || q.r.ContentLength > h.maxBody {
		return readBody(q.r, buf, h.maxBody)
	}
	rc := http.NewResponseController(q.w)
	// An error means the connection cannot take deadlines (e.g. a test
	// recorder); reading without one is then the only option.
	withDeadline := rc.SetReadDeadline(time.Now().Add(h.readTO)) == nil
	body, err := readBody(q.r, buf, h.maxBody)
	if err == nil && withDeadline {
		// Event streams outlive any body deadline. On error the deadline
		// stays: net/http then drains or closes the rest of the body, and
		// must not wait forever for a stalled client while doing so.
		rc.SetReadDeadline(time.Time{})
	}
	return body, err
}

// cors answers CORS the way AWS does for browser clients. It reports
// whether the request was a preflight and has been answered.
func (h *Handler) cors(q *request, preflight bool) bool {
	hdr := q.w.Header()
	hdr["Access-Control-Allow-Origin"] = []string{"*"}
	if !preflight {
		hdr["Access-Control-Expose-Headers"] = []string{"x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date"}
		return false
	}
	if v := q.r.Header["Access-Control-Request-Headers"]; len(v) > 0 {
		hdr["Access-Control-Allow-Headers"] = []string{v[0]}
	}
	if v := q.r.Header["Access-Control-Request-Method"]; len(v) > 0 {
		hdr["Access-Control-Allow-Methods"] = []string{v[0]}
	}
	hdr["Access-Control-Max-Age"] = []string{"172800"}
	h.writeRaw(q, http.StatusOK, nil, "", "")
	return true
}

// asError converts an operation's error for the wire, logging the cause of
// anything that is not a deliberate AWS exception.
func (h *Handler) asError(q *request, err error) *Error {
	e := AsError(err)
	if e.Exception == InternalFailure && e.Err != nil {
		h.log.Error("internal failure", "request_id", q.id, "operation", q.opName(), "err", e.Err)
	}
	return e
}

func (q *request) opName() string {
	if q.op == nil {
		return ""
	}
	return q.op.op.Name
}

// writeError sends e in the request's encoding with its catalog status.
func (h *Handler) writeError(q *request, e *Error) {
	exc := e.Exception
	if exc == nil {
		exc = InternalFailure
		e = &Error{Exception: exc, Message: "Internal service failure."}
	}
	hdr := q.w.Header()
	if q.enc == CBOR {
		hdr[hdrContentType] = valCBOR
	} else {
		hdr[hdrContentType] = valJSON
	}
	hdr[hdrErrorType] = []string{exc.Type}
	bufp := getBuf()
	b := AppendErrorBody((*bufp)[:0], q.enc, e)
	setContentLength(hdr, len(b))
	q.w.WriteHeader(exc.Status)
	q.w.Write(b)
	*bufp = b
	putBuf(bufp)
	q.status, q.errType = exc.Status, exc.Type
}

// writeRaw sends a fixed body. A nil contentType suppresses the header
// (net/http would otherwise sniff one), as AWS sends these bare.
func (h *Handler) writeRaw(q *request, status int, contentType []string, body, errType string) {
	hdr := q.w.Header()
	hdr[hdrContentType] = contentType
	setContentLength(hdr, len(body))
	q.w.WriteHeader(status)
	if body != "" {
		q.w.Write([]byte(body))
	}
	q.status, q.errType = status, errType
}

// writeOutput encodes a successful result into a pooled buffer.
func (h *Handler) writeOutput(q *request, out Output) {
	hdr := q.w.Header()
	hdr[hdrContentType] = q.enc.contentTypeValue()
	bufp := getBuf()
	b := (*bufp)[:0]
	if out != nil {
		b = out.AppendAWS(q.enc, b)
	}
	setContentLength(hdr, len(b))
	q.w.WriteHeader(http.StatusOK)
	if len(b) > 0 {
		q.w.Write(b)
	}
	*bufp = b
	putBuf(bufp)
	q.status = http.StatusOK
}

func (e Encoding) contentTypeValue() []string {
	if e == CBOR {
		return valCBOR
	}
	return valJSON
}

// finish recovers a panicking operation into InternalFailureException and
// records the request in metrics and the debug log.
func (h *Handler) finish(q *request) {
	if p := recover(); p != nil {
		if p == http.ErrAbortHandler {
			panic(p)
		}
		h.log.Error("panic in request handler", "request_id", q.id, "operation", q.opName(), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		if q.status == 0 {
			h.writeError(q, &Error{Exception: InternalFailure, Message: "Internal service failure."})
		} else {
			q.status, q.errType = http.StatusInternalServerError, InternalFailure.Type
		}
	}
	elapsed := time.Since(q.start)
	h.metrics.observe(q, elapsed)
	if h.log.Enabled(q.r.Context(), slog.LevelDebug) {
		h.log.Debug("request", "request_id", q.id, "method", q.r.Method, "target", headerValue(q.r.Header, "X-Amz-Target"),
			"status", q.status, "error", q.errType, "duration", elapsed)
	}
}

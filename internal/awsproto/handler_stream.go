package awsproto

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/eddy-streams/eddy/internal/awsproto/eventstream"
)

// Event-stream payload content types. The AWS SDKs' JSON protocols label
// event payloads application/json; CBOR payloads carry the CBOR protocol's
// type. The SDKs decode by the protocol in use, not by this header.
const (
	eventContentJSON = "application/json"
	eventContentCBOR = ContentTypeCBOR
)

// eventSender implements EventSender over one HTTP response.
type eventSender struct {
	h       *Handler
	q       *request
	rc      *http.ResponseController
	started bool
	failed  error // first write error; the stream is dead after it
	buf     []byte
}

// serveStream runs an event-stream operation. Errors before Start become an
// ordinary error response; errors after it an exception message that ends
// the stream, unless the stream ended because the server is shutting down
// or the client left, in which case it just ends.
func (h *Handler) serveStream(ctx context.Context, q *request, in Input) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(h.streams, cancel)
	defer stop()

	es := &eventSender{h: h, q: q, rc: http.NewResponseController(q.w)}
	// A write deadline left on a kept-alive connection would fail the next
	// request on it.
	defer es.rc.SetWriteDeadline(time.Time{})
	bufp := getBuf()
	es.buf = *bufp
	defer func() {
		*bufp = es.buf
		putBuf(bufp)
	}()

	err := h.runStream(ctx, q, in, es)
	switch {
	case err == nil && !es.started:
		// A stream that sent nothing still owes the client its response.
		es.Start()
	case err == nil:
	case !es.started:
		h.writeError(q, h.asError(q, err))
	case es.failed != nil || ctx.Err() != nil:
		// The client is gone or the server is ending streams: there is no
		// one to tell, or nothing useful to say.
	default:
		e := h.asError(q, err)
		es.sendException(e)
		q.errType = e.Exception.Type
	}
}

// runStream calls the operation, turning a panic into an error so that the
// stream can still be closed with an exception message.
func (h *Handler) runStream(ctx context.Context, q *request, in Input, es *eventSender) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.log.Error("panic in event stream", "request_id", q.id, "operation", q.opName(), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = &Error{Exception: InternalFailure, Message: "Internal service failure."}
		}
	}()
	return q.op.op.Stream(ctx, in, es)
}

// Start sends the 200 response headers and the initial-response event.
func (s *eventSender) Start() error {
	if s.started {
		return s.failed
	}
	s.started = true
	hdr := s.q.w.Header()
	hdr[hdrContentType] = valEventStream
	s.q.w.WriteHeader(http.StatusOK)
	s.q.status = http.StatusOK
	return s.write([]eventstream.Header{
		{Name: eventstream.HeaderEventType, Value: eventstream.String("initial-response")},
		{Name: eventstream.HeaderContentType, Value: eventstream.String(s.contentType())},
		{Name: eventstream.HeaderMessageType, Value: eventstream.String(eventstream.MessageTypeEvent)},
	}, nil, nil)
}

// Send writes one event and flushes it to the client.
func (s *eventSender) Send(eventType string, payload Output) error {
	if err := s.Start(); err != nil {
		return err
	}
	return s.write([]eventstream.Header{
		{Name: eventstream.HeaderEventType, Value: eventstream.String(eventType)},
		{Name: eventstream.HeaderContentType, Value: eventstream.String(s.contentType())},
		{Name: eventstream.HeaderMessageType, Value: eventstream.String(eventstream.MessageTypeEvent)},
	}, payload, nil)
}

func (s *eventSender) sendException(e *Error) {
	s.write([]eventstream.Header{
		{Name: eventstream.HeaderExceptionType, Value: eventstream.String(e.Exception.Type)},
		{Name: eventstream.HeaderContentType, Value: eventstream.String(s.contentType())},
		{Name: eventstream.HeaderMessageType, Value: eventstream.String(eventstream.MessageTypeException)},
	}, nil, &e.Message)
}

func (s *eventSender) contentType() string {
	if s.q.enc == CBOR {
		return eventContentCBOR
	}
	return eventContentJSON
}

// write frames one message (payload encoded in place) and flushes it. The
// payload is payload's encoding, or {"message":...} when excMessage is set,
// or {} when neither is.
func (s *eventSender) write(headers []eventstream.Header, payload Output, excMessage *string) error {
	if s.failed != nil {
		return s.failed
	}
	b, start, err := eventstream.Begin(s.buf[:0], headers)
	if err != nil {
		return fmt.Errorf("awsproto: framing event: %w", err)
	}
	switch {
	case payload != nil:
		b = payload.AppendAWS(s.q.enc, b)
	case excMessage != nil:
		b = appendExceptionPayload(b, s.q.enc, *excMessage)
	default:
		b = appendEmptyObject(b, s.q.enc)
	}
	b, err = eventstream.Finish(b, start)
	s.buf = b
	if err != nil {
		// Too large to frame: the event is dropped, the stream survives.
		return &Error{Exception: InternalFailure, Message: "Internal service failure.", Err: fmt.Errorf("framing event: %w", err)}
	}
	if s.h.eventTO > 0 {
		if err := s.rc.SetWriteDeadline(time.Now().Add(s.h.eventTO)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			s.failed = err
			return err
		}
	}
	if _, err := s.q.w.Write(b); err != nil {
		s.failed = fmt.Errorf("awsproto: writing event: %w", err)
		return s.failed
	}
	if err := s.rc.Flush(); err != nil {
		s.failed = fmt.Errorf("awsproto: flushing event: %w", err)
		return s.failed
	}
	return nil
}

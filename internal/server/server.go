// Package server runs eddy's HTTP listeners: HTTP/1.1 and cleartext HTTP/2
// (h2c, prior knowledge) on one port, TLS with ALPN h2 and http/1.1 on
// another, the health and metrics endpoints, and graceful shutdown.
//
// It knows nothing of the APIs it serves: everything that is not a health or
// metrics request goes to the API handler it is given (awsproto.Handler),
// because AWS answers every other method and path itself.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/eddy-streams/eddy/internal/clock"
)

// Options configures a Server.
type Options struct {
	// Listen is the address for HTTP/1.1 and h2c, e.g. "127.0.0.1:4567".
	// Empty disables it.
	Listen string
	// TLSListen is the address for HTTPS (h2 and http/1.1 by ALPN). Empty
	// disables it.
	TLSListen string
	// TLSCertFile and TLSKeyFile name a PEM certificate and key. Both empty
	// means a self-signed certificate kept in CertDir.
	TLSCertFile, TLSKeyFile string
	// CertDir is where the self-signed certificate is created on first start
	// and reused afterwards (normally DATA/tls).
	CertDir string
	// TLSNames are extra DNS names or IP addresses for the self-signed
	// certificate, besides localhost, 127.0.0.1 and ::1.
	TLSNames []string

	// API serves everything that is not /healthz, /readyz or /metrics.
	API http.Handler
	// Ready reports whether recovery is done; /readyz answers 200 only then.
	// Nil means always ready.
	Ready func() bool
	// Metrics is written out on /metrics (with Go runtime and process
	// metrics). Nil serves only the latter.
	Metrics *metrics.Set
	// Pprof serves the Go profiler under GET /debug/pprof/ (off by default:
	// profiles show request contents and cost CPU to produce).
	Pprof bool
	// Logger receives lifecycle messages; connection-level errors from
	// net/http go to it at debug level. Nil discards.
	Logger *slog.Logger
	// OnShutdown functions run when Shutdown starts, before in-flight
	// requests are waited for; the API uses this to end event streams.
	OnShutdown []func()
	// Clock dates the self-signed certificate. Nil means the real clock.
	Clock clock.Clock

	// ReadHeaderTimeout bounds reading request headers (default 10 s).
	// Whole-request read and write timeouts are deliberately not set here:
	// SubscribeToShard responses last five minutes, so the API handler
	// bounds body reads and event writes per request instead.
	ReadHeaderTimeout time.Duration
	// IdleTimeout closes idle keep-alive connections (default 120 s).
	IdleTimeout time.Duration
}

// Server is a running set of listeners.
type Server struct {
	opts     Options
	log      *slog.Logger
	plain    *http.Server
	secure   *http.Server
	plainLn  net.Listener
	secureLn net.Listener
	certFile string
	done     chan error
	wg       sync.WaitGroup
}

// New checks opts and prepares the TLS certificate (creating or reusing the
// self-signed one). Call Start to listen.
func New(opts Options) (*Server, error) {
	if opts.API == nil {
		return nil, errors.New("server: no API handler")
	}
	if opts.Listen == "" && opts.TLSListen == "" {
		return nil, errors.New("server: no listen address")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real
	}
	if opts.ReadHeaderTimeout <= 0 {
		opts.ReadHeaderTimeout = 10 * time.Second
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 120 * time.Second
	}
	s := &Server{opts: opts, log: opts.Logger, done: make(chan error, 2)}
	h := s.routes()
	errLog := slog.NewLogLogger(opts.Logger.Handler(), slog.LevelDebug)
	if opts.Listen != "" {
		s.plain = &http.Server{
			Handler:           h,
			Protocols:         new(http.Protocols),
			ReadHeaderTimeout: opts.ReadHeaderTimeout,
			IdleTimeout:       opts.IdleTimeout,
			ErrorLog:          errLog,
		}
		s.plain.Protocols.SetHTTP1(true)
		s.plain.Protocols.SetUnencryptedHTTP2(true)
	}
	if opts.TLSListen != "" {
		cert, file, err := s.certificate()
		if err != nil {
			return nil, err
		}
		s.certFile = file
		s.secure = &http.Server{
			Handler:           h,
			Protocols:         new(http.Protocols),
			ReadHeaderTimeout: opts.ReadHeaderTimeout,
			IdleTimeout:       opts.IdleTimeout,
			ErrorLog:          errLog,
			TLSConfig: &tls.Config{
				Certificates: []tls.Certificate{cert},
				MinVersion:   tls.VersionTLS12,
				NextProtos:   []string{"h2", "http/1.1"},
			},
		}
		s.secure.Protocols.SetHTTP1(true)
		s.secure.Protocols.SetHTTP2(true)
	}
	return s, nil
}

// Start binds the listeners and serves in the background. Bind errors are
// returned here; later serving errors arrive on Done.
func (s *Server) Start() error {
	if s.plain != nil {
		ln, err := net.Listen("tcp", s.opts.Listen)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", s.opts.Listen, err)
		}
		s.plainLn = ln
	}
	if s.secure != nil {
		ln, err := net.Listen("tcp", s.opts.TLSListen)
		if err != nil {
			if s.plainLn != nil {
				s.plainLn.Close()
			}
			return fmt.Errorf("listen on %s: %w", s.opts.TLSListen, err)
		}
		s.secureLn = ln
	}
	if s.plainLn != nil {
		s.serve(func() error { return s.plain.Serve(s.plainLn) })
		s.log.Info("listening", "addr", s.plainLn.Addr().String(), "protocols", "http/1.1,h2c")
	}
	if s.secureLn != nil {
		s.serve(func() error { return s.secure.ServeTLS(s.secureLn, "", "") })
		s.log.Info("listening", "addr", s.secureLn.Addr().String(), "protocols", "h2,http/1.1 (TLS)", "certificate", s.certFile)
	}
	return nil
}

func (s *Server) serve(fn func() error) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := fn(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.done <- err
		}
	}()
}

// Done delivers an error if a listener fails while serving.
func (s *Server) Done() <-chan error { return s.done }

// Addr is the bound HTTP/h2c address, or nil if disabled or not started.
func (s *Server) Addr() net.Addr { return addrOf(s.plainLn) }

// TLSAddr is the bound HTTPS address, or nil if disabled or not started.
func (s *Server) TLSAddr() net.Addr { return addrOf(s.secureLn) }

// CertFile is the certificate the TLS listener uses (the self-signed one's
// path when none was configured), or "" if TLS is off.
func (s *Server) CertFile() string { return s.certFile }

func addrOf(ln net.Listener) net.Addr {
	if ln == nil {
		return nil
	}
	return ln.Addr()
}

// Shutdown stops accepting connections, runs the OnShutdown functions (which
// end event streams), and waits for in-flight requests until ctx ends; then
// it closes whatever connections remain and reports that it had to.
func (s *Server) Shutdown(ctx context.Context) error {
	for _, f := range s.opts.OnShutdown {
		f()
	}
	var errs []error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, srv := range []*http.Server{s.plain, s.secure} {
		if srv == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.Shutdown(ctx); err != nil {
				srv.Close()
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	s.wg.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("server: in-flight requests did not finish in time, connections closed: %w", errors.Join(errs...))
	}
	return nil
}

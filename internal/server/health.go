package server

import (
	"net/http"
	"net/http/pprof"
	"strings"

	"github.com/VictoriaMetrics/metrics"
)

// routes sends GET (and HEAD) /healthz, /readyz, /metrics and, with
// Options.Pprof, /debug/pprof/... to the server's own handlers and everything
// else to the API. A plain switch rather than http.ServeMux: the mux would
// clean and redirect odd paths, while AWS answers every path itself.
func (s *Server) routes() http.Handler {
	api := s.opts.API
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			switch r.URL.Path {
			case "/healthz":
				plain(w, http.StatusOK, "ok\n")
				return
			case "/readyz":
				if s.opts.Ready == nil || s.opts.Ready() {
					plain(w, http.StatusOK, "ready\n")
				} else {
					plain(w, http.StatusServiceUnavailable, "not ready\n")
				}
				return
			case "/metrics":
				w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
				if s.opts.Metrics != nil {
					s.opts.Metrics.WritePrometheus(w)
				}
				metrics.WriteProcessMetrics(w)
				return
			}
			if s.opts.Pprof && strings.HasPrefix(r.URL.Path, "/debug/pprof/") {
				servePprof(w, r)
				return
			}
		}
		api.ServeHTTP(w, r)
	})
}

func plain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write([]byte(body))
}

// servePprof routes the profiler's paths without http.ServeMux (see routes).
func servePprof(w http.ResponseWriter, r *http.Request) {
	switch name := strings.TrimPrefix(r.URL.Path, "/debug/pprof/"); name {
	case "cmdline":
		pprof.Cmdline(w, r)
	case "profile":
		pprof.Profile(w, r)
	case "symbol":
		pprof.Symbol(w, r)
	case "trace":
		pprof.Trace(w, r)
	default:
		pprof.Index(w, r) // the index, and named profiles such as heap
	}
}

package client

import (
	"log/slog"
	"net/http"
	"time"
)

// withLogging writes one line per try: method, path, status, attempt, duration, request and
// correlation ids. It never logs headers other than those ids, nor bodies.
func withLogging(l *slog.Logger, now func() time.Time) policy {
	return func(next sendFunc) sendFunc {
		if l == nil {
			return next
		}
		return func(r *http.Request) (*http.Response, error) {
			start := now()
			resp, err := next(r)
			attempt := 0
			var rd *redactor
			if st := callFrom(r.Context()); st != nil {
				attempt, rd = st.try, st.redactor()
			}
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("attempt", attempt),
				slog.Duration("duration", now().Sub(start)),
				slog.String("request_id", r.Header.Get(hdrRequestID)),
				slog.String("correlation_id", r.Header.Get(hdrCorrelationID)),
			}
			level := slog.LevelInfo
			if err != nil {
				level = slog.LevelWarn
				attrs = append(attrs, slog.Int("status", 0), slog.String("error", truncate(sanitize(err.Error(), rd), 512)))
			} else {
				attrs = append(attrs, slog.Int("status", resp.StatusCode))
				if resp.StatusCode >= 400 {
					level = slog.LevelWarn
				}
			}
			l.LogAttrs(r.Context(), level, "productupgrades: http try", attrs...)
			return resp, err
		}
	}
}

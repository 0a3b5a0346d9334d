package client

import "net/http"

// The request pipeline is the gen.HttpRequestDoer under the generated client. It is a chain
// of small policies, each with one job, composed once in newPipeline (outermost first):
//
//	retry     tries again on transport errors and retryable statuses, rewinding the body
//	headers   Accept, User-Agent, X-Locale, MS-PartnerCenter-Application
//	auth      Authorization: Bearer, from the token source, on every try
//	logging   one slog line per try
//	body      reads the response body through a cap, so that the generated Parse*Response
//	          (io.ReadAll without a limit) only ever sees a small buffer
//	transport the *http.Client
//
// The generated client sets MS-RequestId and MS-CorrelationId from the params it is given
// once per logical call, so every retry of a call carries the same MS-RequestId.

// newPipeline composes the policies of a client around hc, in the order above.
func newPipeline(hc *http.Client, cfg *config, retry RetryPolicy, clk *clock) sendFunc {
	return chain(sendFunc(hc.Do),
		withRetry(retry, clk),                           // policy_retry.go
		withHeaders(staticHeaders(cfg.locale, cfg.app)), // policy_headers.go
		withAuth(cfg.ts),                                // policy_auth.go
		withLogging(cfg.logger, clk.now),                // policy_log.go
		withBodyLimit(MaxResponseBytes),                 // policy_body.go
	)
}

// sendFunc sends one request; policy wraps a sendFunc with one job.
type (
	sendFunc func(*http.Request) (*http.Response, error)
	policy   func(next sendFunc) sendFunc
)

// Do makes a sendFunc a gen.HttpRequestDoer.
func (f sendFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

// chain composes policies around a transport, the first policy outermost.
func chain(transport sendFunc, policies ...policy) sendFunc {
	s := transport
	for i := len(policies) - 1; i >= 0; i-- {
		s = policies[i](s)
	}
	return s
}

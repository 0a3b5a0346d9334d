package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/partnercenter-go/productupgrades/client"
)

// Issue 9: the live token never leaves the process. A loopback server echoes the token the
// client sent into every place a server's text reaches the caller; it must appear in no
// error string (the whole chain), no log line and no returned field.

// echoTokens are the tokens a case may send: a JWT-shaped one, and an opaque one whose
// JSON and URL escaping differ from its plain form.
const (
	jwtToken    = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2FwaS5wYXJ0bmVyY2VudGVyLm1pY3Jvc29mdC5jb20ifQ.c2lnbmF0dXJlLXNlY3JldC12YWx1ZQ"
	opaqueToken = "Opaque/Secret+Value=Token/0123456789abcdef=="
)

// echoCase plants the token in one place.
type echoCase struct {
	name  string
	token string // jwtToken when empty
	// answer writes the response, given the token the request carried.
	answer func(t *testing.T, w http.ResponseWriter, tok string)
	// call runs one operation and returns what it returned.
	call func(c *client.Client) (any, error)
}

func bearerOf(r *http.Request) string {
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}

func callCreate(c *client.Client) (any, error) {
	return c.CreateUpgrade(context.Background(), testRequest())
}
func callEligibility(c *client.Client) (any, error) {
	return c.CheckEligibility(context.Background(), testRequest())
}
func callStatus(c *client.Client) (any, error) {
	return c.CheckStatus(context.Background(), testUpgradeID, testRequest())
}
func callWait(c *client.Client) (any, error) {
	return c.WaitForUpgrade(context.Background(), testUpgradeID, testRequest(), nil)
}
func callReconcile(c *client.Client) (any, error) {
	return c.Reconcile(context.Background(), testRequest())
}

func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }

func echoCases() []echoCase {
	errBody := func(code, desc, source string) string {
		return `{"code":` + code + `,"description":` + jsonString(desc) + `,"data":[],"source":` + jsonString(source) + `}`
	}
	return []echoCase{
		{name: "error description", call: callCreate, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 401, errBody("800001", "token "+tok+" is not valid for this audience", "PartnerFD"))
		}},
		{name: "error code", call: callEligibility, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 400, errBody(jsonString(tok), "Invalid request input", "PartnerFD"))
		}},
		{name: "error source", call: callStatus, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 400, errBody("800002", "Invalid request input", tok))
		}},
		{name: "MS-RequestId header on an error", call: callCreate, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 403, errBody("900120", "Cannot process Azure upgrade", "PartnerFD"), "MS-RequestId", tok)
		}},
		{name: "MS-CorrelationId header on an error", call: callStatus, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 404, errBody("900106", "No upgrade request was found", "PartnerFD"), "MS-CorrelationId", tok)
		}},
		{name: "MS-RequestId and MS-CorrelationId on a 202", call: callCreate, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 202, "", "Location", "productUpgrades/"+testUpgradeID, "MS-RequestId", tok, "MS-CorrelationId", "x"+tok)
		}},
		{name: "202 Location that is the token", call: callCreate, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 202, "", "Location", "productUpgrades/"+tok)
		}},
		{name: "202 Location with the token in the query", call: callCreate, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 202, "", "Location", "productUpgrades/"+testUpgradeID+"?access_token="+url.QueryEscape(tok))
		}},
		{name: "202 Location with the token in the query, opaque token", token: opaqueToken, call: callCreate,
			answer: func(t *testing.T, w http.ResponseWriter, tok string) {
				reply(w, 202, "", "Location", "https://host/productUpgrades/"+testUpgradeID+"?sig="+url.QueryEscape(tok)+"#"+url.PathEscape(tok))
			}},
		{name: "200 eligibility body", call: callEligibility, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 200, `{"isEligible":false,"customerId":`+jsonString(tok)+`,"productFamily":`+jsonString(tok)+
				`,"reason":"your token `+tok+` is eligible","upgradeId":"`+testUpgradeID+`"}`)
		}},
		{name: "200 eligibility with the token as upgradeId, Reconcile", call: callReconcile, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 200, `{"isEligible":false,"upgradeId":`+jsonString(tok)+`}`)
		}},
		{name: "200 eligibility echoed into the error of a bad isEligible", call: callEligibility, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 200, `{"isEligible":`+jsonString(tok)+`}`)
		}},
		{name: "200 status body fields", call: callStatus, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 200, `{"id":"`+testUpgradeID+`","status":"InProgress","productFamily":`+jsonString(tok)+`,"lineItems":[{`+
				`"sourceProduct":{"id":`+jsonString(tok)+`,"name":`+jsonString(tok)+`},"upgradedDate":`+jsonString(tok)+`,`+
				`"status":`+jsonString(tok)+`,"errorDetails":{"code":`+jsonString(tok)+`,"message":`+jsonString(tok)+`}}]}`)
		}},
		{name: "200 status failed with the token in the error details", call: callWait, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 200, `{"id":"`+testUpgradeID+`","status":"Failed","errorDetails":{"code":`+jsonString(tok)+`,"description":"auth `+tok+`"}}`)
		}},
		{name: "200 status whose value is the token (unknown value, logged)", call: callStatus, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 200, `{"id":"`+testUpgradeID+`","status":`+jsonString(tok)+`}`)
		}},
		{name: "200 status whose id is the token", call: callStatus, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 200, `{"id":`+jsonString(tok)+`,"status":"InProgress"}`)
		}},
		{name: "gateway 429 message", call: callEligibility, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 429, `{"statusCode":429,"message":"Rate limit for `+tok+` is exceeded"}`, "Retry-After", "3600")
		}},
		{name: "HTML page from a proxy", call: callCreate, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 407, "<html><body>Proxy refused Authorization: Bearer "+tok+"</body></html>")
		}},
		{name: "other JSON object", call: callStatus, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 400, `{"error":{"message":"bad token","received":`+jsonString(tok)+`}}`)
		}},
		{name: "JSON-escaped echo of an opaque token", token: opaqueToken, call: callCreate, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 400, `{"code":800002,"description":"bad token `+strings.ReplaceAll(tok, "/", `\/`)+`"}`)
		}},
		{name: "JSON array body quoting the token escaped", token: opaqueToken, call: callStatus, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 400, `["`+strings.ReplaceAll(tok, "/", `\/`)+`"]`)
		}},
		{name: "URL-escaped echo in a description", token: opaqueToken, call: callEligibility, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 400, `{"code":800002,"description":"redirect to /login?t=`+url.QueryEscape(tok)+`"}`)
		}},
		{name: "token cut short by the server", call: callCreate, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 400, `{"code":800002,"description":"invalid token `+tok[:40]+`"}`)
		}},
		{name: "token with its start cut off", call: callCreate, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 400, `{"code":800002,"description":"`+tok[len(tok)-30:]+` was rejected"}`)
		}},
		{name: "token lower-cased", call: callEligibility, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 400, `{"code":800002,"description":"TOKEN `+strings.ToLower(tok)+` REJECTED"}`)
		}},
		{name: "token glued to other text", call: callEligibility, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			reply(w, 400, `{"code":800002,"description":"token=`+tok+`&x=1 prefix`+tok+`suffix"}`)
		}},
		{name: "malformed status line (transport error)", call: callCreate, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			writeRaw(t, w, "HTTP/1.1 "+tok+" Accepted\r\nContent-Length: 0\r\n\r\n")
		}},
		{name: "malformed header line (transport error)", call: callEligibility, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			writeRaw(t, w, "HTTP/1.1 200 OK\r\n"+tok+"\r\nContent-Length: 0\r\n\r\n")
		}},
		{name: "malformed status line, opaque token", token: opaqueToken, call: callStatus, answer: func(t *testing.T, w http.ResponseWriter, tok string) {
			writeRaw(t, w, tok+"\r\n\r\n")
		}},
	}
}

// writeRaw hijacks the connection and writes raw bytes as the response.
func writeRaw(t *testing.T, w http.ResponseWriter, raw string) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Error("cannot hijack")
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	defer func() { _ = conn.Close() }()
	_, _ = buf.WriteString(raw)
	_ = buf.Flush()
}

// leaks returns where tok (or a 12-byte piece of it) appears in err's chain, in the log and
// in the result.
func leaks(tok string, err error, logs string, result any) []string {
	var where []string
	has := func(s string) bool {
		if strings.Contains(strings.ToLower(s), strings.ToLower(tok)) {
			return true
		}
		for i := 0; i+12 <= len(tok); i += 6 { // any 12-byte piece
			if strings.Contains(s, tok[i:i+12]) {
				return true
			}
		}
		return false
	}
	var walk func(e error, depth int)
	walk = func(e error, depth int) {
		if e == nil || depth > 20 {
			return
		}
		if has(e.Error()) {
			where = append(where, fmt.Sprintf("error chain level %d (%T): %q", depth, e, e.Error()))
		}
		if has(fmt.Sprintf("%+v", e)) {
			where = append(where, fmt.Sprintf("error %%+v level %d (%T)", depth, e))
		}
		if b, jerr := json.Marshal(e); jerr == nil && has(string(b)) {
			where = append(where, fmt.Sprintf("error fields level %d (%T): %s", depth, e, b))
		}
		switch u := e.(type) { //nolint:errorlint // the walk goes down the chain one level at a time, checking each
		case interface{ Unwrap() error }:
			walk(u.Unwrap(), depth+1)
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x, depth+1)
			}
		}
	}
	walk(err, 0)
	if has(logs) {
		where = append(where, "log: "+logs)
	}
	if b, jerr := json.Marshal(result); jerr == nil && has(string(b)) {
		where = append(where, "result: "+string(b))
	}
	return where
}

func TestToken_NeverLeavesTheProcess(t *testing.T) {
	t.Parallel()
	cases := echoCases()
	require.GreaterOrEqual(t, len(cases), 12)
	// The cases run in parallel: the counts are atomic and reported once they all ended.
	var planted, caught atomic.Int32
	t.Cleanup(func() {
		t.Logf("%d cases: token planted in %d, kept out of errors, logs and results in %d", len(cases), planted.Load(), caught.Load())
	})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok := tc.token
			if tok == "" {
				tok = jwtToken
			}
			var echoed int
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
				require.Equal(t, tok, bearerOf(r))
				echoed++
				tc.answer(t, w, bearerOf(r))
			})
			var logs syncBuffer
			c := newClient(t, srv.URL,
				client.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok})),
				client.WithRetry(client.RetryPolicy{MaxRetries: 1, BaseDelay: 1}),
				client.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			recordSleeps(c)
			result, err := tc.call(c)
			require.NotZero(t, echoed, "the server echoed the token")
			planted.Add(1)
			if where := leaks(tok, err, logs.String(), result); len(where) > 0 {
				t.Errorf("the token leaked:\n%s", strings.Join(where, "\n"))
				return
			}
			caught.Add(1)
			t.Logf("err: %v", err)
		})
	}
}

func TestToken_ShortTokensAreNotScrubbedOutOfWords(t *testing.T) {
	t.Parallel()
	const short = "abc"
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		reply(w, 400, `{"code":800002,"description":"the abcdef field is invalid","source":"abc"}`, "MS-RequestId", "abc")
	})
	c := newClient(t, srv.URL, noRetry, client.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: short})))
	_, err := c.CreateUpgrade(context.Background(), testRequest())
	ae := asAPIError(t, err)
	assert.Equal(t, "the abcdef field is invalid", ae.Description, "an ordinary word keeps its letters")
	assert.Equal(t, "<redacted>", ae.Source, "a value that is the whole token is removed")
	assert.Equal(t, "<redacted>", ae.RequestID)
}

func TestToken_TransportErrorStillMatchesItsSentinels(t *testing.T) {
	t.Parallel()
	// A redacted transport error keeps its meaning: a timeout is still a timeout.
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		writeRaw(t, w, "HTTP/1.1 "+bearerOf(r)+"\r\n\r\n")
	})
	c := newClient(t, srv.URL, noRetry, client.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: jwtToken})))
	_, err := c.CheckEligibility(context.Background(), testRequest())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), jwtToken)
	assert.Contains(t, err.Error(), "<redacted>")
	var ue *url.Error
	assert.True(t, errors.As(err, &ue), "still a *url.Error: %T", err)
}

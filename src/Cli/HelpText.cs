namespace TypedHttp.Cli;

/// <summary>The text of <c>thttp --help</c>.</summary>
internal static class HelpText
{
    public const string Text = """
Usage: thttp [options...] <url>...
A curl-compatible command line on the TypedHttp engine (HTTP/2 and HTTP/1.1, WinHTTP semantics).
Over https HTTP/2 is used when the server accepts it by ALPN; over http, HTTP/1.1 (as curl).
URLs are fetched in order on one session (connections are reused); the exit code is the last transfer's.
ws:// and wss:// URLs open a WebSocket (below).

 -X, --request METHOD       Request method
 -H, --header "Name: v"     Add a header; "Name:" removes a default one; "Name;" sends it empty; @FILE reads lines
 -d, --data DATA            POST form data (application/x-www-form-urlencoded); @FILE strips CR/LF; joined with &
     --data-binary DATA     Like -d, but @FILE is sent as it is
     --data-raw DATA        Like -d, without @FILE
     --json DATA            POST JSON: Content-Type and Accept application/json; repeated pieces are concatenated
 -G, --get                  Put the -d data in the URL query and send GET
 -u, --user USER[:PASSWORD] Server credentials (Basic by default, sent with the first request as curl does);
                            without :PASSWORD it is asked for on the terminal
     --basic | --digest | --ntlm | --negotiate | --anyauth   Authentication scheme(s) to use with -u
 -L, --location             Follow redirects
     --max-redirs N         Redirect limit with -L
     --location-trusted     Like -L, and keep sending credentials when the host changes
 -x, --proxy URL            HTTP proxy (http:// only)
 -U, --proxy-user U:P       Proxy credentials
     --proxy-basic | --proxy-digest | --proxy-anyauth   Scheme(s) to answer the proxy's 407 with (Basic by default);
                            --proxy-negotiate is refused: proxies get Basic or Digest only
 -p, --proxytunnel          Send plain http through the proxy in a CONNECT tunnel too (https always is)
     --noproxy LIST         Hosts that bypass the proxy, comma-separated; * for all
 -i, --include              Write the response head (as received) before the body
 -I, --head                 HEAD request; write the response head only
 -o, --output FILE          Write the body to FILE (- for stdout); one -o per URL, in order
 -s, --silent               No progress meter, no error messages
 -S, --show-error           Show error messages even with -s
 -f, --fail                 Exit 22 (and write no body) for an HTTP status of 400 or more
 -w, --write-out FORMAT     Write FORMAT after each transfer: %{http_code} %{http_version} %{num_redirects}
                            %{url_effective} %{time_total} %{size_download} %{content_type} %{exitcode} %{errormsg},
                            \n \r \t, %%; @FILE
 -v, --verbose              Trace on stderr: "> " request head as sent, "< " response heads, "* " information
     --compressed           Ask for gzip, deflate or br and decode the body
 -0, --http1.0              Use HTTP/1.0 only
     --http1.1              Use HTTP/1.1 only (no HTTP/2 offered by ALPN)
     --http2                HTTP/2 over https by ALPN, HTTP/1.1 over http (the default)
     --http2-prior-knowledge  HTTP/2 only: h2c without upgrade over http, h2 by ALPN over https
 -A, --user-agent NAME      User-Agent to send (default thttp/VERSION)
 -b, --cookie DATA|FILE     Send "name=value[; n2=v2]", or load a Netscape cookie FILE; "" just turns on the cookie engine
 -c, --cookie-jar FILE      Turn on the cookie engine and write every cookie to FILE (Netscape format) at the end
     --connect-timeout SEC  Connect timeout, per address tried
 -m, --max-time SEC         Limit for each whole transfer
 -k, --insecure             Do not verify the server certificate
     --cacert FILE          Trust the CA certificates in this PEM file instead of the system's
 -E, --cert FILE            Client certificate (PEM; may hold the key too)
     --key FILE             Private key for --cert (PEM)
     --resolve H:PORT:ADDR  Resolve host H to ADDR (comma-separated addresses) instead of asking DNS
 -h, --help                 This help
 -V, --version              Version
     --                     End of options

WebSocket (ws://, wss://): the handshake uses the session's proxy, -u, -b/-c, -H, TLS options and timeouts, and
-L follows a 3xx; -v and -i show its heads; -H "Sec-WebSocket-Protocol: a, b" offers subprotocols.
 * Sent: -d/--data-raw/--json data as one text message (it must be UTF-8), --data-binary as one binary message;
   without data, each line of standard input (line end removed) as a text message when stdin is not a terminal.
 * Written: each message as it arrives; a text message followed by a line feed, a binary one byte for byte.
 * Closing: at the end of the input (the data sent, end of file) or when -m expires, a close frame with 1000,
   then up to 5 s for the server's; with a terminal on stdin and no data thttp listens until the server closes
   or -m expires (exit 28).
 * Exit codes: 22 when the server does not answer with a valid 101 (as curl, with or without -f); 56 when it
   closes with a status other than 1000, breaks the protocol or drops the connection; 7, 28, 35, 60 as for HTTP.

Where thttp differs from curl, the engine's (WinHTTP) behaviour wins:
 * Redirects: at most 10 are followed (curl: 30) unless --max-redirs says otherwise; https->http is not
   followed: the 3xx is returned (exit 0); a 3xx without Location, or with a non-http(s) Location, fails.
   Credentials set with -H/-u are dropped when the origin (scheme, host, port) changes, unless --location-trusted.
 * --compressed: Accept-Encoding: gzip, deflate, br (no zstd) replaces any given with -H.
 * Timeouts: the engine's own apply besides -m (send 30 s, receive 30 s per read, 90 s to the response head);
   --connect-timeout is per address.
 * Authentication schemes other than Basic answer the server's challenge (Negotiate > NTLM > Digest > Basic),
   one attempt per scheme; a final 401/407 is returned, not an error.
 * -v shows Authorization, Proxy-Authorization and Cookie as sent when thttp set them (-H, -u, -b); values
   the engine adds itself, and Set-Cookie of intermediate responses, show as ***.
 * --http2 over http sends HTTP/1.1 (no "Upgrade: h2c", which RFC 9113 deprecates); use
   --http2-prior-knowledge for h2c. FTP, HTTP/3 and other protocols are not supported.

Exit codes: 0 ok, 1 unsupported protocol, 2 bad usage, 3 malformed URL, 6 could not resolve host,
7 could not connect, 8 weird server reply, 16 HTTP version not available, 18 partial transfer,
22 HTTP error with -f or a refused WebSocket upgrade, 23 write error, 26 read error, 28 timeout, 35 TLS handshake failure,
47 too many redirects, 52 empty reply, 55 send error, 56 receive error, 58 client certificate problem,
60 server certificate not trusted, 67 login denied, 77 CA certificate file problem, 92 HTTP/2 stream reset.

""";
}

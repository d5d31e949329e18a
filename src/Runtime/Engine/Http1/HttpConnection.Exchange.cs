using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>The HTTP/1.1 exchange: writing the request, reading the response head, choosing the body framing.</summary>
internal sealed partial class HttpConnection
{
    /// <summary>Bodies up to this size (with a known length) are written into the head's buffer and sent with it in one write.</summary>
    private const int InlineBodyLimit = 16 * 1024;

    /// <summary>A-14: the body length from which a request that may draw a challenge asks for 100-continue (curl's 1 MiB).</summary>
    internal const long ChallengeExpectBodyLength = 1024 * 1024;

    /// <summary>
    /// Runs one exchange on this connection and returns the response once its head has arrived. On failure the
    /// connection is closed and the exception (a <see cref="TypedHttpException"/>, or
    /// <see cref="OperationCanceledException"/> for the caller's token) propagates.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<TypedHttpResponse> SendAsync(TypedHttpRequest request, RequestPlan plan, CancellationToken cancellationToken)
    {
        BeginExchange();
        try
        {
            RequestContent? content = request.Content;
            int headStart = _writeBuffer.WrittenCount;
            Http1Framing framing = WriteHead(request, plan);
            bool trace = HttpTrace.IsEnabled(_options);
            if (trace)
            {
                TraceRequest(request, framing.Http10, _writeBuffer.WrittenSpan.Slice(headStart));
            }
            bool bodySent = content is null;
            if (content is not null && !framing.ExpectContinue && content.Length is long length && length <= InlineBodyLimit)
            {
                // Head and small body in one pooled buffer, one send.
                await WriteContentIntoBufferAsync(content, length, cancellationToken).ConfigureAwait(false);
                bodySent = true;
            }
            await WriteTransportAsync(_writeBuffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            _writeBuffer.Clear();

            ResponseHead head;
            if (!bodySent && framing.ExpectContinue)
            {
                (head, bodySent) = await ExpectContinueAsync(content!, framing, HeadDeadline(), cancellationToken).ConfigureAwait(false);
                if (trace)
                {
                    HttpTrace.Emit(_options, HttpTraceEventKind.RequestSent, Id, bodySent ? "Request sent" : "Request head sent; the body was not sent (final status before 100-continue)");
                }
            }
            else
            {
                if (!bodySent)
                {
                    await WriteBodyAsync(content!, framing, cancellationToken).ConfigureAwait(false);
                    bodySent = true;
                }
                if (trace)
                {
                    HttpTrace.Emit(_options, HttpTraceEventKind.RequestSent, Id, "Request sent");
                }
                head = await ReadHeadAsync(HeadDeadline(), cancellationToken).ConfigureAwait(false);
            }
            long deadline = HeadDeadline();

            // OM-13: interim responses are skipped, up to MaxInterimResponses.
            int interim = 0;
            while (head.StatusCode is >= 100 and <= 199 && head.StatusCode != 101)
            {
                if (trace)
                {
                    HttpTrace.Emit(_options, new HttpTraceEvent(HttpTraceEventKind.IntermediateResponse, Id, $"Interim response {head.StatusCode} {head.ReasonPhrase}")
                    {
                        RequestUri = request.Uri,
                        Headers = head.Headers,
                        Version = head.Version,
                        StatusCode = head.StatusCode,
                        ReasonPhrase = head.ReasonPhrase,
                    });
                }
                if (++interim > _options.MaxInterimResponses)
                {
                    throw Invalid(HttpPhase.ReceiveHeaders, $"The server sent more than {_options.MaxInterimResponses} interim (1xx) responses (HttpSessionOptions.MaxInterimResponses, OM-13).");
                }
                head = await ReadHeadAsync(deadline, cancellationToken).ConfigureAwait(false);
            }

            if (trace)
            {
                StringBuilder text = new StringBuilder("HTTP/").Append(head.Version.Major).Append('.').Append(head.Version.Minor).Append(' ').Append(head.StatusCode);
                if (head.ReasonPhrase.Length != 0)
                {
                    text.Append(' ').Append(head.ReasonPhrase);
                }
                HttpTrace.AppendHeaders(text, head.Headers);
                HttpTrace.Emit(_options, new HttpTraceEvent(HttpTraceEventKind.HeadersReceived, Id, text.ToString())
                {
                    RequestUri = request.Uri,
                    Headers = head.Headers,
                    Version = head.Version,
                    StatusCode = head.StatusCode,
                    ReasonPhrase = head.ReasonPhrase,
                });
            }
            bool hold = plan.MayBindConnection && head.StatusCode == 401;
            if (hold)
            {
                Hold(); // before the body can complete: an empty body releases the connection at once
            }
            TypedHttpResponse response = CreateResponse(request, plan, framing, head, bodySent);
            if (hold)
            {
                response.Affinity = this; // A-4: the follow-up stage's ConnectionAffinity takes it
            }
            return response;
        }
        catch (Exception e)
        {
            if (HttpTrace.IsEnabled(_options))
            {
                HttpTrace.Emit(_options, HttpTraceEventKind.Failed, Id, e is TypedHttpException t ? $"{t.Error} in {t.Phase}: {t.Message}" : e.Message);
            }
            Abort();
            throw;
        }
    }

    /// <summary>
    /// Asks the proxy this connection goes to for a tunnel to <paramref name="target"/> (<c>CONNECT host:port</c>,
    /// P-5) and reads its answer's head. The answer's body is never read (WinHTTP hides it): after a non-2xx answer
    /// the caller closes the connection. A 2xx answer followed by bytes the proxy should not have sent yet is
    /// <see cref="HttpError.InvalidServerResponse"/>.
    /// </summary>
    internal async ValueTask<ResponseHead> SendConnectAsync(Uri target, string? proxyAuthorization, CancellationToken cancellationToken)
    {
        BeginExchange();
        _writeBuffer.Clear();
        Policy.ProxyRequestHead.WriteConnectRequest(target, proxyAuthorization, _options.UserAgent, _writeBuffer);
        if (HttpTrace.IsEnabled(_options))
        {
            HttpTrace.Emit(_options, HttpTraceEventKind.ProxyTunnel, Id, $"CONNECT {Policy.ProxyRequestHead.GetConnectAuthority(target)}{(proxyAuthorization is null ? "" : " (Proxy-Authorization: ***)")}");
        }
        await WriteTransportAsync(_writeBuffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        _writeBuffer.Clear();
        long deadline = HeadDeadline();
        ResponseHead head = await ReadHeadAsync(deadline, cancellationToken).ConfigureAwait(false);
        EmitConnectHead(head);
        int interim = 0;
        while (head.StatusCode is >= 100 and <= 199)
        {
            if (++interim > _options.MaxInterimResponses)
            {
                throw Invalid(HttpPhase.Connect, $"The proxy sent more than {_options.MaxInterimResponses} interim responses to CONNECT.");
            }
            head = await ReadHeadAsync(deadline, cancellationToken).ConfigureAwait(false);
            EmitConnectHead(head);
        }
        if (head.StatusCode is >= 200 and <= 299 && BufferedCount != 0)
        {
            throw Invalid(HttpPhase.Connect, "The proxy sent bytes after its CONNECT answer before the TLS handshake began.");
        }
        return head;
    }

    /// <summary>
    /// The proxy's answer to CONNECT as a <see cref="HttpTraceEventKind.ProxyTunnel"/> event with its structured head
    /// (version, status, fields), so that <c>thttp -v</c> and <c>-i</c> show it as curl does.
    /// </summary>
    private void EmitConnectHead(ResponseHead head)
    {
        if (HttpTrace.IsEnabled(_options))
        {
            HttpTrace.Emit(_options, new HttpTraceEvent(HttpTraceEventKind.ProxyTunnel, Id, $"The proxy answered CONNECT with {head.StatusCode} {head.ReasonPhrase}")
            {
                Headers = head.Headers,
                Version = head.Version,
                StatusCode = head.StatusCode,
                ReasonPhrase = head.ReasonPhrase,
            });
        }
    }

    /// <summary>The receive-response deadline (TO-2), counted from the end of sending.</summary>
    private long HeadDeadline()
    {
        if (_headDeadline == 0)
        {
            _headDeadline = _options.ReceiveResponseTimeout == Timeout.InfiniteTimeSpan
                ? long.MaxValue
                : Environment.TickCount64 + (long)_options.ReceiveResponseTimeout.TotalMilliseconds;
        }
        return _headDeadline;
    }

    /// <summary>
    /// Traces the request head from the bytes just written (<paramref name="head"/>: request line, fields, empty
    /// line), so that the trace shows exactly what was sent: the message with secrets redacted, the fields in clear
    /// for the session's listener.
    /// </summary>
    private void TraceRequest(TypedHttpRequest request, bool http10, ReadOnlySpan<byte> head)
    {
        string[] lines = Encoding.UTF8.GetString(head).Split("\r\n");
        var fields = new HttpHeaderCollection(lines.Length);
        var text = new StringBuilder(lines[0]);
        for (int i = 1; i < lines.Length; i++)
        {
            string line = lines[i];
            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue; // the empty line that ends the head
            }
            string name = line.Substring(0, colon);
            string value = line.Length > colon + 1 ? line.Substring(colon + 2) : string.Empty; // the engine writes ": " after the name
            fields.AddUnchecked(name, value);
        }
        HttpTrace.AppendHeaders(text, fields);
        HttpTrace.Emit(_options, new HttpTraceEvent(HttpTraceEventKind.SendingRequest, Id, text.ToString())
        {
            RequestUri = request.Uri,
            Headers = fields,
            Version = http10 ? HttpVersion.Version10 : HttpVersion.Version11,
            Method = request.Method,
        });
    }

    /// <summary>
    /// Expect: 100-continue: wait up to <see cref="HttpSessionOptions.ExpectContinueTimeout"/> for the server's
    /// answer; send the body on 100 or when the wait ends; a final status that arrives first is returned and the
    /// body is never sent (the connection is then not reused).
    /// </summary>
    private async ValueTask<(ResponseHead Head, bool BodySent)> ExpectContinueAsync(RequestContent content, Http1Framing framing, long deadline, CancellationToken cancellationToken)
    {
        Task<ResponseHead> headTask = ReadHeadAsync(deadline, cancellationToken).AsTask();
        using (var delayCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var delay = Task.Delay(_options.ExpectContinueTimeout, delayCts.Token);
            Task first = await Task.WhenAny(headTask, delay).ConfigureAwait(false);
            delayCts.Cancel();
            if (first != headTask)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await WriteBodyAsync(content, framing, cancellationToken).ConfigureAwait(false);
                return (await headTask.ConfigureAwait(false), true);
            }
        }
        ResponseHead head = await headTask.ConfigureAwait(false);
        if (head.StatusCode == 100)
        {
            await WriteBodyAsync(content, framing, cancellationToken).ConfigureAwait(false);
            return (await ReadHeadAsync(deadline, cancellationToken).ConfigureAwait(false), true);
        }
        if (head.StatusCode is >= 101 and <= 199)
        {
            // Another interim response: the server did not object, so send the body and read on.
            await WriteBodyAsync(content, framing, cancellationToken).ConfigureAwait(false);
            return (head, true);
        }
        return (head, false);
    }

    // ---------------------------------------------------------------- request

    /// <summary>
    /// Writes the request head from the neutral plan and returns the HTTP/1.1 framing derived on the way (the
    /// caller's Connection and Expect fields are read in the same pass over the fields as writing them).
    /// </summary>
    private Http1Framing WriteHead(TypedHttpRequest request, in RequestPlan plan)
    {
        bool http10 = Http1Framing.SpeaksHttp10(plan);
        PooledBufferWriterExtensions.WriteAscii(_writeBuffer, request.Method);
        PooledBufferWriterExtensions.WriteByte(_writeBuffer, (byte)' ');
        if (plan.ToForwardProxy)
        {
            // P-5: absolute form through a proxy (plain http): scheme and authority, then the escaped path as usual.
            PooledBufferWriterExtensions.WriteAscii(_writeBuffer, "http://");
            PooledBufferWriterExtensions.WriteAscii(_writeBuffer, Policy.ProxyRequestHead.GetHostHeaderValue(request.Uri));
        }
        RequestTarget.Write(_writeBuffer, request.Uri.PathAndQuery);
        PooledBufferWriterExtensions.WriteBytes(_writeBuffer, http10 ? " HTTP/1.0\r\n"u8 : " HTTP/1.1\r\n"u8);

        HttpHeaderCollection headers = request.Headers;
        if (!plan.CallerSetHost)
        {
            WriteHeader("Host"u8, plan.HostHeader);
        }
        if (!plan.CallerSetUserAgent && _options.UserAgent is string agent)
        {
            // OM-2: the session's agent only when the request has none.
            WriteHeader("User-Agent"u8, agent);
        }
        bool setConnection = false, wantsClose = false, expectContinue = false;
        foreach (KeyValuePair<string, string> field in headers)
        {
            string name = field.Key;
            if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                setConnection = true;
                wantsClose |= field.Value.Contains("close", StringComparison.OrdinalIgnoreCase);
            }
            else if (name.Equals("Expect", StringComparison.OrdinalIgnoreCase))
            {
                expectContinue |= field.Value.Contains("100-continue", StringComparison.OrdinalIgnoreCase);
            }
            else if (plan.ReplaceAcceptEncoding && name.Equals("Accept-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                continue; // T-7: our Accept-Encoding replaces the caller's.
            }
            PooledBufferWriterExtensions.WriteAscii(_writeBuffer, name);
            PooledBufferWriterExtensions.WriteBytes(_writeBuffer, ": "u8);
            PooledBufferWriterExtensions.WriteUtf8(_writeBuffer, field.Value);
            PooledBufferWriterExtensions.WriteBytes(_writeBuffer, "\r\n"u8);
        }
        if (plan.ExtraHeaders is { } extra)
        {
            foreach (KeyValuePair<string, string> field in extra)
            {
                PooledBufferWriterExtensions.WriteAscii(_writeBuffer, field.Key);
                PooledBufferWriterExtensions.WriteBytes(_writeBuffer, ": "u8);
                PooledBufferWriterExtensions.WriteUtf8(_writeBuffer, field.Value);
                PooledBufferWriterExtensions.WriteBytes(_writeBuffer, "\r\n"u8);
            }
        }
        RequestContent? content = request.Content;
        if (content?.ContentType is string contentType && !plan.CallerSetContentType)
        {
            WriteHeader("Content-Type"u8, contentType);
        }
        // T-1: a body of unknown length is chunked (the planner refused one under HTTP/1.0, which has no chunking).
        bool chunked = content is not null && plan.ContentLength < 0;
        if (chunked)
        {
            PooledBufferWriterExtensions.WriteBytes(_writeBuffer, "Transfer-Encoding: chunked\r\n"u8);
        }
        else if (plan.ContentLength >= 0)
        {
            // HD-4: Content-Length for every body, and 0 for an empty POST or PUT.
            PooledBufferWriterExtensions.WriteBytes(_writeBuffer, "Content-Length: "u8);
            PooledBufferWriterExtensions.WriteInt64(_writeBuffer, plan.ContentLength);
            PooledBufferWriterExtensions.WriteBytes(_writeBuffer, "\r\n"u8);
        }
        if (!expectContinue && !http10 && content is not null && (plan.ContentLength < 0 || plan.ContentLength >= ChallengeExpectBodyLength)
            && MayDrawChallenge(request, plan))
        {
            // A-14: a large body that a 401 or 407 may refuse waits for the 100 (or the challenge) before it is sent.
            PooledBufferWriterExtensions.WriteBytes(_writeBuffer, "Expect: 100-continue\r\n"u8);
            expectContinue = true;
        }
        if (http10 && !setConnection)
        {
            // C-1: HTTP/1.0 connections are kept alive only when asked for.
            PooledBufferWriterExtensions.WriteBytes(_writeBuffer, "Connection: keep-alive\r\n"u8);
        }
        PooledBufferWriterExtensions.WriteBytes(_writeBuffer, "\r\n"u8);
        return new Http1Framing(http10, chunked ? -1 : plan.ContentLength, wantsClose, expectContinue && content is not null);
    }

    /// <summary>
    /// A-14: whether the server or the forward proxy may answer this request with a challenge the session would answer
    /// by sending it again: the session has credentials for servers and the request carries no Authorization, or it
    /// goes to a forward proxy with credentials in absolute form and carries no Proxy-Authorization.
    /// </summary>
    private bool MayDrawChallenge(TypedHttpRequest request, in RequestPlan plan) =>
        (_options.Credentials is not null && !Carries(request, plan, "Authorization"))
        || (plan.ToForwardProxy && _options.Proxy.Credentials is not null && !Carries(request, plan, "Proxy-Authorization"));

    private static bool Carries(TypedHttpRequest request, in RequestPlan plan, string name) =>
        request.Headers.Contains(name) || (plan.ExtraHeaders?.Contains(name) ?? false);

    private void WriteHeader(ReadOnlySpan<byte> name, string value)
    {
        PooledBufferWriterExtensions.WriteBytes(_writeBuffer, name);
        PooledBufferWriterExtensions.WriteBytes(_writeBuffer, ": "u8);
        PooledBufferWriterExtensions.WriteUtf8(_writeBuffer, value);
        PooledBufferWriterExtensions.WriteBytes(_writeBuffer, "\r\n"u8);
    }

    private async ValueTask WriteContentIntoBufferAsync(RequestContent content, long length, CancellationToken cancellationToken)
    {
        int before = _writeBuffer.WrittenCount;
        using (var stream = new BufferWriterStream(_writeBuffer))
        {
            await content.WriteToAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        long written = _writeBuffer.WrittenCount - before;
        if (written != length)
        {
            throw new TypedHttpException(HttpError.InvalidRequest, HttpPhase.Send, $"The request content announced {length} bytes (RequestContent.Length) but wrote {written}.");
        }
    }

    private async ValueTask WriteBodyAsync(RequestContent content, Http1Framing framing, CancellationToken cancellationToken)
    {
        var stream = new RequestBodyStream(this, framing.BodyLength, cancellationToken);
        await content.WriteToAsync(stream, cancellationToken).ConfigureAwait(false);
        await stream.FinishAsync().ConfigureAwait(false);
    }

    /// <summary>Writes a chunk of request body (with chunked framing when <paramref name="chunked"/>).</summary>
    internal async ValueTask WriteBodyChunkAsync(ReadOnlyMemory<byte> data, bool chunked, CancellationToken cancellationToken)
    {
        if (!chunked)
        {
            await WriteTransportAsync(data, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (data.Length == 0)
        {
            return; // an empty chunk would end the body
        }
        _writeBuffer.Clear();
        PooledBufferWriterExtensions.WriteHex(_writeBuffer, data.Length);
        PooledBufferWriterExtensions.WriteBytes(_writeBuffer, "\r\n"u8);
        if (data.Length <= InlineBodyLimit)
        {
            PooledBufferWriterExtensions.WriteBytes(_writeBuffer, data.Span);
            PooledBufferWriterExtensions.WriteBytes(_writeBuffer, "\r\n"u8);
            await WriteTransportAsync(_writeBuffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await WriteTransportAsync(_writeBuffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            await WriteTransportAsync(data, cancellationToken).ConfigureAwait(false);
            await WriteTransportAsync(s_crlf, cancellationToken).ConfigureAwait(false);
        }
        _writeBuffer.Clear();
    }

    /// <summary>Ends a chunked request body.</summary>
    internal ValueTask WriteLastChunkAsync(CancellationToken cancellationToken) =>
        WriteTransportAsync(s_lastChunk, cancellationToken);

    private static readonly byte[] s_lastChunk = "0\r\n\r\n"u8.ToArray();
    private static readonly byte[] s_crlf = "\r\n"u8.ToArray();

    // ---------------------------------------------------------------- response head

    /// <summary>Reads one response head: status line and header fields, within the size and count limits (T-4, T-5).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ResponseHead> ReadHeadAsync(long deadline, CancellationToken cancellationToken)
    {
        int budget = _options.MaxResponseHeadersLength;
        if (BufferedCount == 0)
        {
            // The first bytes usually carry the whole head: receive them here so that the line reader below finds
            // its lines buffered and completes without suspending (one async frame waits on the socket, not two).
            // EOF is left to the line reader, which reports it.
            await FillAsync(TimeoutUntil(deadline, HttpPhase.ReceiveHeaders), HttpPhase.ReceiveHeaders, cancellationToken).ConfigureAwait(false);
        }
        LineRange statusLine = await ReadLineAsync(budget, HttpPhase.ReceiveHeaders, HttpError.HeaderSizeOverflow, deadline, cancellationToken).ConfigureAwait(false);
        budget -= statusLine.Consumed;
        ParseStatusLine(LineSpan(statusLine), out int status, out Version version, out string reason);
        var headers = new HttpHeaderCollection();
        await ReadFieldsAsync(headers, budget, HttpPhase.ReceiveHeaders, deadline, cancellationToken).ConfigureAwait(false);
        return new ResponseHead(status, version, reason, headers);
    }

    private void ParseStatusLine(ReadOnlySpan<byte> line, out int status, out Version version, out string reason)
    {
        // status-line = HTTP-version SP 3DIGIT SP [ reason-phrase ]  (RFC 9112 §4; "HTTP/1.1 200" without the
        // second SP is tolerated). Anything else is T-5.
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || !char.IsAsciiDigit((char)line[7]) || line[8] != (byte)' '
            || !char.IsAsciiDigit((char)line[9]) || line[9] == (byte)'0' || !char.IsAsciiDigit((char)line[10]) || !char.IsAsciiDigit((char)line[11])
            || (line.Length > 12 && line[12] != (byte)' '))
        {
            throw Invalid(HttpPhase.ReceiveHeaders, $"The status line '{Printable(line)}' is not 'HTTP/1.x' followed by a 3-digit status code (T-5).");
        }
        version = line[7] == (byte)'0' ? HttpVersion.Version10 : HttpVersion.Version11;
        status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
        ReadOnlySpan<byte> reasonBytes = line.Length > 13 ? line.Slice(13) : default;
        for (int i = 0; i < reasonBytes.Length; i++)
        {
            if (IsForbiddenControl(reasonBytes[i]))
            {
                throw Invalid(HttpPhase.ReceiveHeaders, $"The reason phrase of the status line '{Printable(line)}' contains a control character.");
            }
        }
        reason = reasonBytes.Length == 0 ? string.Empty : reasonBytes.SequenceEqual("OK"u8) ? "OK" : Encoding.Latin1.GetString(reasonBytes);
    }

    /// <summary>
    /// Reads header (or trailer) fields up to the empty line. Bare LF line ends are accepted; obs-fold
    /// continuation lines are replaced by one SP each (RFC 9112 §5.2); a field line with whitespace before the
    /// colon, a name that is not a token, or a control character in a value is refused.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal async ValueTask ReadFieldsAsync(HttpHeaderCollection fields, int budget, HttpPhase phase, long deadline, CancellationToken cancellationToken)
    {
        string? name = null;
        string value = string.Empty;
        int count = 0;
        while (true)
        {
            LineRange line = await ReadLineAsync(budget, phase, HttpError.HeaderSizeOverflow, deadline, cancellationToken).ConfigureAwait(false);
            budget -= line.Consumed;
            ReadOnlySpan<byte> span = LineSpan(line);
            if (span.IsEmpty)
            {
                if (name is not null)
                {
                    fields.AddUnchecked(name, value);
                }
                return;
            }
            if (span[0] is (byte)' ' or (byte)'\t')
            {
                if (name is null)
                {
                    throw Invalid(phase, "A header line begins with whitespace where no header precedes it (RFC 9112 §2.2).");
                }
                ReadOnlySpan<byte> more = TrimWhitespace(span);
                CheckValue(more, phase, name);
                if (!more.IsEmpty)
                {
                    string continuation = Encoding.Latin1.GetString(more);
                    value = value.Length == 0 ? continuation : string.Concat(value, " ", continuation);
                }
                continue;
            }
            if (name is not null)
            {
                fields.AddUnchecked(name, value);
            }
            if (++count > _options.MaxResponseHeaderCount)
            {
                throw new TypedHttpException(HttpError.HeaderCountExceeded, phase, $"The response has more than {_options.MaxResponseHeaderCount} header fields (HttpSessionOptions.MaxResponseHeaderCount, T-4).");
            }
            int colon = span.IndexOf((byte)':');
            if (colon <= 0)
            {
                throw Invalid(phase, $"The header line '{Printable(span)}' has no name followed by ':'.");
            }
            ReadOnlySpan<byte> nameBytes = span.Slice(0, colon);
            for (int i = 0; i < nameBytes.Length; i++)
            {
                if (!HttpHeaderCollection.IsTokenChar((char)nameBytes[i]))
                {
                    throw Invalid(phase, $"The header name '{Printable(nameBytes)}' is not a token (whitespace before ':' is not allowed, RFC 9112 §5.1).");
                }
            }
            ReadOnlySpan<byte> valueBytes = TrimWhitespace(span.Slice(colon + 1));
            name = KnownHeaders.GetName(nameBytes);
            CheckValue(valueBytes, phase, name);
            value = valueBytes.IsEmpty ? string.Empty : Encoding.Latin1.GetString(valueBytes);
        }
    }

    private void CheckValue(ReadOnlySpan<byte> value, HttpPhase phase, string name)
    {
        for (int i = 0; i < value.Length; i++)
        {
            if (IsForbiddenControl(value[i]))
            {
                throw Invalid(phase, $"The value of header '{name}' contains the control byte 0x{value[i]:X2}.");
            }
        }
    }

    /// <summary>Control bytes other than HTAB (CR, NUL, …) may not appear in a field value or reason phrase.</summary>
    private static bool IsForbiddenControl(byte b) => (b < 0x20 && b != (byte)'\t') || b == 0x7F;

    private static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> span)
    {
        int start = 0;
        int end = span.Length;
        while (start < end && span[start] is (byte)' ' or (byte)'\t')
        {
            start++;
        }
        while (end > start && span[end - 1] is (byte)' ' or (byte)'\t')
        {
            end--;
        }
        return span.Slice(start, end - start);
    }

    internal TypedHttpException Invalid(HttpPhase phase, string message)
    {
        Abort();
        return new TypedHttpException(HttpError.InvalidServerResponse, phase, message);
    }

    internal static string Printable(ReadOnlySpan<byte> bytes)
    {
        int n = Math.Min(bytes.Length, 80);
        var sb = new StringBuilder(n + 3);
        for (int i = 0; i < n; i++)
        {
            byte b = bytes[i];
            if (b >= 0x20 && b < 0x7F)
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append("\\x").Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        if (bytes.Length > n)
        {
            sb.Append("...");
        }
        return sb.ToString();
    }

    // ---------------------------------------------------------------- framing (T-1)

    private TypedHttpResponse CreateResponse(TypedHttpRequest request, in RequestPlan plan, Http1Framing framing, ResponseHead head, bool bodySent)
    {
        HttpHeaderCollection headers = head.Headers;
        int status = head.StatusCode;
        _closeWhenLetGo = false;

        // C-2: what the response and the request say about persistence.
        var tokens = ConnectionTokens.Parse(headers);
        bool keepAlive = head.Version == HttpVersion.Version11 && !framing.Http10 ? !tokens.Close : tokens.KeepAlive && !tokens.Close;
        if (framing.RequestWantsClose || !bodySent || status == 101 || (plan.Upgrade && status != 401))
        {
            // WS-1: an upgrade's connection never goes to the pool; only a 401's may carry the next leg (held, A-4).
            keepAlive = false;
        }
        else if (status is 401 or 407 && request.Content is { Length: not 0 })
        {
            // A-13: a challenge to a request with a body: the server may have left some of it unread (squid does
            // beyond about 64 KB and then never answers on the connection), so the resend goes on a new connection.
            // A 401 held for a connection-bound handshake (A-4) keeps it for the next leg; let go, it is closed.
            if (plan.MayBindConnection && status == 401)
            {
                _closeWhenLetGo = true;
            }
            else
            {
                keepAlive = false;
            }
        }

        HttpBodyStream body;
        if (status == 101 && plan.Upgrade)
        {
            // WS-8: the connection now belongs to the upgrade; DetachForUpgrade hands it over.
            KeepAlive = false;
            body = EmptyBodyStream.Create();
        }
        else if (plan.IsHead || status is 204 or 304 or 101)
        {
            body = EmptyBody();
        }
        else if (FindTransferEncoding(headers, out bool chunked))
        {
            if (headers.Contains("Content-Length"))
            {
                // T-1: Transfer-Encoding wins; a response that carries both is suspect, so its connection is not reused.
                keepAlive = false;
            }
            if (chunked)
            {
                KeepAlive = keepAlive;
                body = new ChunkedBodyStream(this);
            }
            else
            {
                // RFC 9112 §6.3: a coding other than chunked last means the body runs to the close.
                KeepAlive = false;
                body = new CloseDelimitedBodyStream(this);
            }
        }
        else if (TryGetContentLength(headers, out long contentLength))
        {
            KeepAlive = keepAlive;
            body = contentLength == 0 ? EmptyBody() : new ContentLengthBodyStream(this, contentLength);
        }
        else
        {
            KeepAlive = false;
            body = new CloseDelimitedBodyStream(this);
        }

        var response = new TypedHttpResponse(status, head.ReasonPhrase, head.Version, headers, body, request.Uri);
        body.Response = response;
        return response;

        HttpBodyStream EmptyBody()
        {
            KeepAlive = keepAlive;
            Release();
            return EmptyBodyStream.Create();
        }
    }

    private static bool FindTransferEncoding(HttpHeaderCollection headers, out bool chunked)
    {
        chunked = false;
        bool found = false;
        foreach (KeyValuePair<string, string> field in headers)
        {
            if (!string.Equals(field.Key, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            ReadOnlySpan<char> value = field.Value.AsSpan().Trim();
            if (value.IsEmpty)
            {
                continue;
            }
            found = true;
            int comma = value.LastIndexOf(',');
            ReadOnlySpan<char> last = (comma >= 0 ? value.Slice(comma + 1) : value).Trim(" \t");
            chunked = last.Equals("chunked", StringComparison.OrdinalIgnoreCase);
        }
        return found;
    }

    /// <summary>Reads Content-Length; repeated fields or list members must agree, and every value must be digits only.</summary>
    private bool TryGetContentLength(HttpHeaderCollection headers, out long length)
    {
        length = -1;
        foreach (KeyValuePair<string, string> field in headers)
        {
            if (!string.Equals(field.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            ReadOnlySpan<char> rest = field.Value.AsSpan();
            while (true)
            {
                int comma = rest.IndexOf(',');
                ReadOnlySpan<char> item = (comma >= 0 ? rest.Slice(0, comma) : rest).Trim(" \t");
                long parsed = ParseContentLength(item, field.Value);
                if (length >= 0 && parsed != length)
                {
                    throw Invalid(HttpPhase.ReceiveHeaders, $"The response carries differing Content-Length values ({length} and {parsed}).");
                }
                length = parsed;
                if (comma < 0)
                {
                    break;
                }
                rest = rest.Slice(comma + 1);
            }
        }
        return length >= 0;
    }

    private long ParseContentLength(ReadOnlySpan<char> item, string whole)
    {
        if (item.IsEmpty || item.Length > 18)
        {
            throw Invalid(HttpPhase.ReceiveHeaders, $"The Content-Length '{whole}' is not a valid length.");
        }
        long value = 0;
        foreach (char c in item)
        {
            if (!char.IsAsciiDigit(c))
            {
                throw Invalid(HttpPhase.ReceiveHeaders, $"The Content-Length '{whole}' is not a valid length.");
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}

/// <summary>A parsed response head.</summary>
internal readonly record struct ResponseHead(int StatusCode, Version Version, string ReasonPhrase, HttpHeaderCollection Headers);

/// <summary>The close and keep-alive tokens of a Connection header.</summary>
internal readonly record struct ConnectionTokens(bool Close, bool KeepAlive)
{
    public static ConnectionTokens Parse(HttpHeaderCollection headers)
    {
        bool close = false;
        bool keepAlive = false;
        foreach (KeyValuePair<string, string> field in headers)
        {
            if (!string.Equals(field.Key, "Connection", StringComparison.OrdinalIgnoreCase)
                && !string.Equals(field.Key, "Proxy-Connection", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            ReadOnlySpan<char> rest = field.Value.AsSpan();
            while (!rest.IsEmpty)
            {
                int comma = rest.IndexOf(',');
                ReadOnlySpan<char> token = (comma >= 0 ? rest.Slice(0, comma) : rest).Trim(" \t");
                if (token.Equals("close", StringComparison.OrdinalIgnoreCase))
                {
                    close = true;
                }
                else if (token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase))
                {
                    keepAlive = true;
                }
                rest = comma >= 0 ? rest.Slice(comma + 1) : default;
            }
        }
        return new ConnectionTokens(close, keepAlive);
    }
}

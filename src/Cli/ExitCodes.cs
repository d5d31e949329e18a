using System;
using System.Globalization;
using System.Net.Sockets;

namespace TypedHttp.Cli;

/// <summary>curl's exit codes, and the mapping from the engine's <see cref="HttpError"/> and <see cref="HttpPhase"/>.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int UnsupportedProtocol = 1;
    public const int Http2 = 16;
    public const int Usage = 2;
    public const int MalformedUrl = 3;
    public const int CouldNotResolveHost = 6;
    public const int CouldNotConnect = 7;
    public const int WeirdServerReply = 8;
    public const int PartialFile = 18;
    public const int HttpReturnedError = 22;
    public const int WriteError = 23;
    public const int ReadError = 26;
    public const int OperationTimedOut = 28;
    public const int SslConnectError = 35;
    public const int TooManyRedirects = 47;
    public const int EmptyReply = 52;
    public const int SendError = 55;
    public const int RecvError = 56;
    public const int LocalCertificateProblem = 58;
    public const int BadContentEncoding = 61;
    public const int PeerFailedVerification = 60;
    public const int LoginDenied = 67;
    public const int CaCertFileProblem = 77;
    public const int Http2Stream = 92;

    /// <summary>curl's code and message for an engine failure.</summary>
    /// <param name="e">The failure.</param>
    /// <param name="host">The URL's host, for messages.</param>
    /// <param name="port">The URL's port, for messages.</param>
    /// <param name="certificateProblem">Why thttp's certificate check refused the server, if it did.</param>
    public static CliFailure FromEngine(TypedHttpException e, string host, int port, string? certificateProblem)
    {
        if (certificateProblem is not null && e.Phase == HttpPhase.Tls && e.Error == HttpError.SecureFailure)
        {
            // thttp's own check refused the server certificate and said why, in curl's words.
            return new CliFailure(PeerFailedVerification, $"TLS certificate problem: {certificateProblem}");
        }
        switch (e.Error)
        {
            case HttpError.InvalidUrl:
                return new CliFailure(MalformedUrl, "URL using bad/illegal format or missing URL: " + e.Message);
            case HttpError.UnrecognizedScheme:
                return new CliFailure(UnsupportedProtocol, e.Message);
            case HttpError.NameNotResolved:
                return new CliFailure(CouldNotResolveHost, $"Could not resolve host: {host}");
            case HttpError.CannotConnect:
                return new CliFailure(CouldNotConnect, $"Failed to connect to {host} port {port}: {Reason(e)}");
            case HttpError.Timeout:
                return e.Phase switch
                {
                    HttpPhase.Resolve => new CliFailure(OperationTimedOut, $"Resolving timed out: {e.Message}"),
                    HttpPhase.Connect => new CliFailure(OperationTimedOut, $"Connection timed out: {e.Message}"),
                    _ => new CliFailure(OperationTimedOut, $"Operation timed out: {e.Message}"),
                };
            case HttpError.ConnectionError:
                return e.Phase switch
                {
                    HttpPhase.Tls => new CliFailure(SslConnectError, $"TLS connect error: {Reason(e)}"),
                    HttpPhase.Send => new CliFailure(SendError, $"Send failure: {Reason(e)}"),
                    HttpPhase.Connect => new CliFailure(CouldNotConnect, $"Failed to connect to {host} port {port}: {Reason(e)}"),
                    _ => new CliFailure(RecvError, $"Recv failure: {Reason(e)}"),
                };
            case HttpError.EmptyResponse:
                return new CliFailure(EmptyReply, "Empty reply from server");
            case HttpError.InvalidServerResponse:
            case HttpError.HeaderSizeOverflow:
            case HttpError.HeaderCountExceeded:
                return e.Phase == HttpPhase.ReceiveBody
                    ? new CliFailure(RecvError, $"Recv failure: {e.Message}")
                    : new CliFailure(WeirdServerReply, $"Weird server reply: {e.Message}");
            case HttpError.ChunkedEncodingHeaderSizeOverflow:
            case HttpError.ResponseDrainOverflow:
                return new CliFailure(RecvError, $"Recv failure: {e.Message}");
            case HttpError.ResponseTruncated:
                return new CliFailure(PartialFile, $"transfer closed with outstanding read data remaining: {e.Message}");
            case HttpError.TooManyRedirects:
                return new CliFailure(TooManyRedirects, $"Maximum redirects followed: {e.Message}");
            case HttpError.RedirectFailed when e.Message.Contains("redirected to a '", StringComparison.Ordinal):
                return new CliFailure(UnsupportedProtocol, $"Redirect to an unsupported protocol: {e.Message}");
            case HttpError.RedirectFailed:
                return new CliFailure(WeirdServerReply, $"Redirect failed: {e.Message}");
            case HttpError.DecompressionLimitExceeded:
                return new CliFailure(BadContentEncoding, $"Error while processing content unencoding: {e.Message}");
            case HttpError.SecureFailure:
                return new CliFailure(SslConnectError, $"TLS connect error: {e.Message}");
            case HttpError.ClientAuthCertNeeded:
                return new CliFailure(SslConnectError, $"TLS connect error: the server asked for a client certificate (give one with --cert): {e.Message}");
            case HttpError.LoginFailure:
                return new CliFailure(LoginDenied, $"Login denied: {e.Message}");
            case HttpError.StreamReset:
                return new CliFailure(Http2Stream, $"HTTP/2 stream was not closed cleanly: {e.Message}");
            case HttpError.VersionNotAvailable:
                return new CliFailure(Http2, $"the HTTP version asked for is not available: {e.Message}");
            case HttpError.WebSocketHandshakeFailed when e.StatusCode is int status && status != 101:
                // curl: a ws:// or wss:// transfer that gets no 101 is CURLE_HTTP_RETURNED_ERROR, with or without -f.
                return new CliFailure(HttpReturnedError, string.Create(CultureInfo.InvariantCulture, $"Refused WebSocket upgrade: {status}"));
            case HttpError.WebSocketHandshakeFailed:
                return new CliFailure(HttpReturnedError, $"Refused WebSocket upgrade: {e.Message}");
            case HttpError.InvalidRequest when e.Phase == HttpPhase.Request:
                return new CliFailure(Usage, e.Message);
            case HttpError.InvalidRequest:
                return new CliFailure(SendError, $"Send failure: {e.Message}");
            default:
                return new CliFailure(RecvError, e.Message);
        }
    }

    /// <summary>The innermost socket error's text (e.g. "Connection refused"), else the engine's message.</summary>
    private static string Reason(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is SocketException s)
            {
                return s.Message;
            }
        }
        return e.InnerException?.Message ?? e.Message;
    }
}

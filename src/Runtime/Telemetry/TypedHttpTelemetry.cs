using System;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace TypedHttp;

/// <summary>
/// The names under which TypedHttp reports traces and metrics.
/// Spans and instruments follow the OpenTelemetry semantic conventions for HTTP clients.
/// </summary>
/// <remarks>
/// <para>
/// Tracing: the <see cref="ActivitySource"/> <c>TypedHttp</c> starts one <see cref="ActivityKind.Client"/> span per
/// call, named after the HTTP method, with <c>http.request.method</c>, <c>url.full</c> (without user
/// information), <c>server.address</c>, <c>server.port</c>, <c>http.response.status_code</c>,
/// <c>network.protocol.version</c>, <c>error.type</c>, <c>typedhttp.interface</c> and <c>typedhttp.method</c>.
/// The span's W3C <c>traceparent</c> (and <c>tracestate</c>, baggage) is written on the outgoing request, on every
/// transport; without a listener the ambient <see cref="Activity.Current"/> is propagated instead.
/// </para>
/// <para>
/// Metrics: the <see cref="Meter"/> <c>TypedHttp</c> has <c>http.client.request.duration</c> (histogram, s),
/// <c>http.client.active_requests</c>, and from every engine session (<see cref="HttpSession"/>), with no opt-in,
/// <c>http.client.open_connections</c> (with <c>http.connection.state</c> active or idle) and
/// <c>http.client.connection.duration</c> (histogram, s). The engine reports connections through an internal
/// observer that formats nothing, so these cost one check per connection event when the meter has no listener.
/// Redirects, authentication round trips and stale-connection retries of an engine call each get a child span with
/// its own <c>traceparent</c> on the wire.
/// </para>
/// </remarks>
public static class TypedHttpTelemetry
{
    /// <summary>The name of the activity source and of the meter: <c>TypedHttp</c>.</summary>
    public const string Name = "TypedHttp";

    internal static readonly ActivitySource Source = new(Name, typeof(TypedHttpTelemetry).Assembly.GetName().Version?.ToString(3));

    internal static readonly Meter Meter = new(Name, typeof(TypedHttpTelemetry).Assembly.GetName().Version?.ToString(3));

    private static readonly double[] s_durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    internal static readonly Histogram<double> RequestDuration = Meter.CreateHistogram(
        "http.client.request.duration", "s", "Duration of HTTP client requests.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_durationBuckets });

    internal static readonly UpDownCounter<long> ActiveRequests = Meter.CreateUpDownCounter<long>(
        "http.client.active_requests", "{request}", "Number of outbound HTTP requests that are currently active on the client.");

    internal static readonly UpDownCounter<long> OpenConnections = Meter.CreateUpDownCounter<long>(
        "http.client.open_connections", "{connection}", "Number of outbound HTTP connections that are currently active or idle on the client.");

    internal static readonly Histogram<double> ConnectionDuration = Meter.CreateHistogram(
        "http.client.connection.duration", "s", "The duration of the successfully established outbound HTTP connections.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300] });

    /// <summary>The OpenTelemetry value of <c>http.request.method</c>: a known method, or <c>_OTHER</c>.</summary>
    internal static string NormalizeMethod(string method) => method switch
    {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        "TRACE" => "TRACE",
        "CONNECT" => "CONNECT",
        _ => "_OTHER",
    };

    /// <summary>The OpenTelemetry value of <c>network.protocol.version</c>.</summary>
    internal static string ProtocolVersion(Version version) => (version.Major, version.Minor) switch
    {
        (1, 0) => "1.0",
        (1, 1) => "1.1",
        (2, _) => "2",
        (3, _) => "3",
        _ => version.ToString(),
    };

    private static readonly string[] s_errorTypes = BuildErrorTypes();

    private static string[] BuildErrorTypes()
    {
        HttpError[] values = Enum.GetValues<HttpError>();
        string[] names = new string[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            names[(int)values[i]] = ToSnakeCase(values[i].ToString());
        }
        return names;
    }

    /// <summary>The <c>error.type</c> of a transport failure: the engine's error kind in snake case (<c>name_not_resolved</c>).</summary>
    internal static string ErrorType(HttpError error) => (uint)error < (uint)s_errorTypes.Length ? s_errorTypes[(int)error] : error.ToString();

    /// <summary>The <c>error.type</c> of an exception that escaped a call.</summary>
    internal static string ErrorType(Exception e) => e is TypedHttpException t ? ErrorType(t.Error) : e.GetType().FullName ?? e.GetType().Name;

    private static readonly string?[] s_statusStrings = new string?[600];

    /// <summary>The <c>error.type</c> of a status of 400 or more: the status code as text (cached for 0 to 599).</summary>
    internal static string StatusText(int status)
    {
        if ((uint)status >= (uint)s_statusStrings.Length)
        {
            return status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        // A race writes the same text twice; harmless.
        return s_statusStrings[status] ??= status.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string ToSnakeCase(string name)
    {
        var text = new System.Text.StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    text.Append('_');
                }
                text.Append(char.ToLowerInvariant(c));
            }
            else
            {
                text.Append(c);
            }
        }
        return text.ToString();
    }
}
